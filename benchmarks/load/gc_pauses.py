"""The garbage collector's pauses in a web process, with and without ``gc.freeze()`` after loading (wsgi.py).

Each run is a fresh process that signs in as a load-test officer and requests officer pages (case list,
dashboard, at-risk list and the case pages the list links to) through Django's test client, on the load
database (``var/load-users.json``, written by ``generate.py``); ``gc.callbacks`` time every collection.
"loaded" imports Django and the URLconf as a worker without the freeze would; "frozen" imports
``zhifa.wsgi`` (which freezes). A full (generation 2) collection holds the GIL: every thread of the worker
waits for it.

    .venv/bin/python benchmarks/load/gc_pauses.py --requests 400 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import gc, json, os, random, re, sys, time
mode, requests, username = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
if mode == "frozen":
    import zhifa.wsgi  # noqa: F401 — loads as gunicorn does, then freezes
else:
    import django
    django.setup()
    from django.urls import get_resolver
    get_resolver().url_patterns
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
client = Client()
client.force_login(get_user_model().objects.get(username=username))
ids = re.findall(r'href="/cases/(\d+)/"', client.get("/cases/").content.decode())
paths = ["/cases/", "/", "/cases/at-risk/"] + [f"/cases/{i}/" for i in ids]
rng = random.Random(1)
pauses, started = {0: [], 1: [], 2: []}, [0.0]
def timed(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)
gc.callbacks.append(timed)
for _ in range(requests):
    path = rng.choice(paths)
    assert client.get(path).status_code == 200, path
print(json.dumps({"tracked": len(gc.get_objects()), "frozen": gc.get_freeze_count(), "pauses": pauses}))
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--users-file", default=str(ROOT / "var" / "load-users.json"))
    args = p.parse_args()
    config = json.loads(Path(args.users_file).read_text())
    username = next(a["username"] for a in config["accounts"] if a["username"].endswith("_o0"))
    env = {**os.environ, "DATABASE_URL": config["database_url"], "DEBUG": "0",
           "PYTHONPATH": str(ROOT / "src")}
    print(f"{args.runs} runs of {args.requests} officer pages as {username}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for mode in ("loaded", "frozen"):
        runs = []
        for _ in range(args.runs):
            command = [sys.executable, "-c", CHILD, mode, str(args.requests), username]
            out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        for gen in ("0", "1", "2"):
            counts = [len(r["pauses"][gen]) for r in runs]
            longest = [max(r["pauses"][gen], default=0) for r in runs]
            total = [sum(r["pauses"][gen]) for r in runs]
            print(f"{mode:<7} gen{gen}: collections {counts}, longest {statistics.median(longest):.1f} ms "
                  f"({min(longest):.1f}–{max(longest):.1f}), total {statistics.median(total):.0f} ms per run")
        print(f"{mode:<7} objects the collector tracks: {runs[0]['tracked']:,}, frozen {runs[0]['frozen']:,}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
