"""Outbox benchmark (issue 20): messages delivered per second to the local simulator, end to end (claim by
conditional UPDATE, HTTP POST with keep-alive, Attempt row, state change and its full-process record), on a fresh
SQLite database in a temp dir (or the PostgreSQL server in DATABASE_URL, database ``zhifa_outbox_bench``).

    .venv/bin/python benchmarks/outbox_bench.py --messages 3000 --subjects 1000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--subjects", type=int, default=1000, help="messages are spread over this many subjects")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="zhifa-outbox-bench-")
    os.environ["ZHIFA_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    if os.environ.get("DATABASE_URL"):
        import psycopg

        base = os.environ["DATABASE_URL"]
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS zhifa_outbox_bench")
            conn.execute("CREATE DATABASE zhifa_outbox_bench")
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/zhifa_outbox_bench"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    import json
    import socket
    import subprocess
    import urllib.request

    from zhifa.integrations import outbox
    from zhifa.integrations.models import Message

    # The simulator runs in its own process (as a receiver would), on a free loopback port.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sim = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[1]); "
                            "from zhifa.integrations.simulator import Simulator; Simulator(port=int(sys.argv[2])).start(); "
                            "time.sleep(3600)", str(ROOT / "src"), str(port)])
    sim_url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(sim_url + "/_sim/received", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    settings.INTEGRATION_ENDPOINTS = {}
    t0 = time.perf_counter()
    # Enqueue without the eager drain (no receiver yet), then deliver with one drain, as the worker would.
    settings.INTEGRATION_SIMULATOR_URL = ""
    with transaction.atomic():
        for i in range(args.messages):
            outbox.outbox_enqueue(target="supervision", subject=("cases.case", str(i % args.subjects), f"案件{i % args.subjects}"),
                                  kind="case_decided", idempotency_key=f"bench:{i}",
                                  payload={"record_id": f"B-{i}", "party": {"name": "某某运输有限公司", "address": "南阳市"},
                                           "decision": {"number": f"宛交罚〔2026〕{i}号", "fine_amount_yuan": "2000.00"}})
    enqueue_s = time.perf_counter() - t0
    settings.INTEGRATION_SIMULATOR_URL = sim_url
    t1 = time.perf_counter()
    counts = outbox.drain_all(rounds=10_000)
    deliver_s = time.perf_counter() - t1
    acked = Message.objects.filter(status="acknowledged").count()
    received = len(json.load(urllib.request.urlopen(sim_url + "/_sim/received", timeout=10))["received"])
    sim.terminate()
    sim.wait(10)
    load = os.getloadavg()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; messages {args.messages} over {args.subjects} subjects")
    print(f"enqueue: {args.messages / enqueue_s:,.0f} messages/s ({enqueue_s:.2f} s)")
    print(f"deliver (concurrency {settings.INTEGRATION_CONCURRENCY}): {acked / deliver_s:,.0f} messages/s ({deliver_s:.2f} s); acknowledged {acked}, received by the simulator "
          f"{received}, counts {counts}")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    assert acked == args.messages == received, "every message delivered exactly once"


if __name__ == "__main__":
    main()
