"""Time the officer pages of the load test in-process, one request at a time, with their queries:
where a page's time goes (each dashboard card separately), without the server and the 49 other clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhifa_load .venv/bin/python benchmarks/load/pages.py
    … pages.py --repeat 7 --only officer --pages at_risk --explain --queries   # every query, timed

For each kind of account (brigade officer, county head, reviewer, city supervisor): the dashboard
(cold: the card cache cleared before each request; warm), each dashboard card, the at-risk list and a
recent case page of the account's jurisdiction; the median wall-clock and CPU time of ``--repeat``
requests and the number of queries. On a busy machine CPU time says more than wall-clock time; quote
the load average with them (printed first).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users-file", default=str(ROOT / "var" / "load-users.json"))
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--explain", action="store_true",
                   help="the three slowest queries of each page (EXPLAIN ANALYZE: the case page's)")
    p.add_argument("--queries", action="store_true", help="with --explain: every query of each page")
    p.add_argument("--width", type=int, default=300, help="characters of each query shown")
    p.add_argument("--only", default="", help="kinds: officer,head,reviewer,supervisor")
    p.add_argument("--pages", default="dashboard,cards,at_risk,case", help="of dashboard,cards,at_risk,case")
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    users = json.loads(Path(args.users_file).read_text())
    os.environ.setdefault("DATABASE_URL", users["database_url"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from zhifa.cases.models import Case
    from zhifa.core.models import User

    print(f"load average {os.getloadavg()[0]:.2f}; database {connection.settings_dict['NAME']}")
    picks = {}
    for account in users["accounts"]:
        kind = ("supervisor" if "supervisor" in account["roles"] else "head" if "head" in account["roles"]
                else "reviewer" if "reviewer" in account["roles"] else "officer")
        picks.setdefault(kind, account["username"])
    newest = Case.objects.order_by("-pk").values_list("pk", flat=True).first()

    def measure(label, fn, *, before=None):
        walls, cpus, counts, slow, last = [], [], [], [], []
        for _ in range(args.repeat):
            if before:
                before()
            with CaptureQueriesContext(connection) as ctx:
                w0, c0 = time.perf_counter(), time.process_time()
                fn()
                walls.append((time.perf_counter() - w0) * 1000)
                cpus.append((time.process_time() - c0) * 1000)
            counts.append(len(ctx.captured_queries))
            slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            last = ctx.captured_queries
        print(f"  {label:<34} {statistics.median(walls):7.1f} ms wall {statistics.median(cpus):7.1f} ms CPU "
              f"{max(counts):4d} queries")
        if args.explain:
            for q in (last if args.queries else slow):
                print(f"      {float(q['time']) * 1000:.1f} ms: {q['sql'][:args.width]}")
        return slow

    pages = set(args.pages.split(","))
    for kind, username in picks.items():
        if args.only and kind not in args.only.split(","):
            continue
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        print(f"{kind} ({username})")
        clear = caches["dashboard"].clear if "dashboard" in caches else None
        if "dashboard" in pages:
            measure("dashboard (cold)", lambda c=client: c.get("/"), before=clear)
            measure("dashboard (warm)", lambda c=client: c.get("/"))
            # A visit where the worker keeps the unit's figures (core.cards): the user's own work.
            from zhifa.core import cards

            def drop_own(u=user):
                caches["dashboard"].delete(cards._own_key(u))

            measure("dashboard (own work, unit kept)", lambda c=client: c.get("/"), before=drop_own)
        request = RequestFactory().get("/")
        request.user = user
        from importlib import import_module
        from importlib.util import find_spec

        from django.conf import settings

        for dotted in settings.ZHIFA_WORK_ORDER if "cards" in pages else ():
            if find_spec(f"{dotted}.dashboard") is None:
                continue
            module = import_module(f"{dotted}.dashboard")
            measure(f"  card {dotted.split('.')[-1]}", lambda m=module, r=request: m.widgets(r))
        if "at_risk" in pages:
            measure("at-risk list", lambda c=client: c.get("/cases/at-risk/"))
        if "case" not in pages:
            continue
        from zhifa.cases.selectors import cases_for

        recent = cases_for(user).filter(pk__lte=newest).order_by("-pk").values_list("pk", flat=True)
        recent = list(recent[:200])
        case_id = recent[len(recent) // 2]
        slow = measure(f"case page {case_id}", lambda c=client, i=case_id: c.get(f"/cases/{i}/"))
        if args.explain:
            with connection.cursor() as cur:
                for q in slow[:1]:
                    cur.execute("EXPLAIN ANALYZE " + q["sql"])
                    print("\n".join("      " + r[0] for r in cur.fetchall()))


if __name__ == "__main__":
    main()
