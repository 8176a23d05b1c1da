"""Time the case pages an officer opens, in-process, by the state of the case: the newest cases of the
officer's list (as the load test's officers pick them), each page timed on its second visit (CPU, wall,
queries).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhifa_load .venv/bin/python benchmarks/load/case_pages.py
    … case_pages.py --user load_411302_o0 --pages 8
"""

import argparse
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--user", default="load_411302_o0")
    p.add_argument("--pages", type=int, default=8, help="list pages read for case ids (25 cases each)")
    p.add_argument("--slowest", type=int, default=10)
    args = p.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhifa.cases.models import Case
    from zhifa.core.models import User

    print(f"load average {os.getloadavg()[0]:.2f}; database {connection.settings_dict['NAME']}")
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    ids, path = [], "/cases/"
    for _ in range(args.pages):
        body = client.get(path).content.decode()
        ids += [int(x) for x in re.findall(r'href="/cases/(\d+)/"', body)]
        cursor = re.search(r'href="\?([^"]*before=\d+)"', body)
        if not cursor:
            break
        path = "/cases/?" + cursor.group(1).replace("&amp;", "&")
    ids = list(dict.fromkeys(ids))
    status = dict(Case.objects.filter(pk__in=ids).values_list("pk", "status"))
    rows = []
    for pk in ids:
        client.get(f"/cases/{pk}/")
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/cases/{pk}/")
        cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
        rows.append((cpu, wall, len(queries), pk))
    by_state = defaultdict(list)
    for cpu, _wall, count, pk in rows:
        by_state[status[pk]].append((cpu, count))
    print(f"{len(rows)} case pages; CPU median {statistics.median(r[0] for r in rows):.1f} ms")
    for state, values in sorted(by_state.items(), key=lambda kv: -len(kv[1])):
        cpu = statistics.median(v[0] for v in values)
        print(f"  {state:12s} {len(values):4d} pages  CPU median {cpu:5.1f} ms  "
              f"queries median {statistics.median(v[1] for v in values):.0f}")
    for cpu, wall, count, pk in sorted(rows, reverse=True)[: args.slowest]:
        print(f"  case {pk} ({status[pk]}): {cpu:.1f} ms CPU, {wall:.1f} ms wall, {count} queries")


if __name__ == "__main__":
    main()
