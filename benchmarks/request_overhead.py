"""What every request pays through the Django stack (middleware, authentication, the API's routing,
parsing and error answers), in-process: a loop of requests through ``django.test.Client`` on the test world,
CPU time of this process per request.

    .venv/bin/python benchmarks/request_overhead.py                     # SQLite, var/bench-overhead.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_overhead \\
        .venv/bin/python benchmarks/request_overhead.py
    … request_overhead.py --requests 300 --profile api_422             # cProfile of one kind, 30 lines

Each kind of request (a case's API detail, the case list API, refusals 401/404/422, a cheap signed-in page,
the sign-in page) is sent ``--requests`` times after a warm-up, ``--runs`` times over, kind after kind in
each run so that the host's drift falls on all of them alike. Printed: the median CPU ms a request of each
run, the median of the runs and their spread, the queries of one request, with the CPU probe
(benchmarks/load/run.py) and the load average before and after. The database named by ``DATABASE_URL`` is
migrated in place and the world is written in a transaction rolled back at the end. DEBUG is off and
passwords hash fast, as in the tests; the rate limits count in the local cache.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=200, help="requests of each kind in a run")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--only", default="", help="kinds, comma-separated")
    p.add_argument("--profile", default="", help="one kind: cProfile its requests instead of timing them")
    p.add_argument("--lines", type=int, default=30)
    return p.parse_args(argv)


def kinds(world, case):
    """name → (client, method, path, expected status)."""
    from zhifa.testing import signed_in, with_token

    api = with_token(world, "officer")
    stranger = type(api)(HTTP_AUTHORIZATION="Bearer zf_not-a-token")
    anonymous = type(api)()
    page = signed_in(world, "officer")
    return {
        "api_detail": (api, "get", f"/api/v1/cases/{case.pk}", 200),
        "api_list": (api, "get", "/api/v1/cases/?limit=5", 200),
        "api_404": (api, "get", "/api/v1/cases/999999999", 404),
        "api_422": (api, "get", "/api/v1/cases/?limit=abc", 422),
        "api_401": (stranger, "get", f"/api/v1/cases/{case.pk}", 401),
        "page_menu": (page, "get", "/menu/", 200),
        "page_login": (anonymous, "get", "/login/", 200),
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-overhead.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    import run  # benchmarks/load/run.py: the CPU probe
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DOCUMENTS_RENDER_BACKGROUND = False
    settings.DASHBOARD_CACHE_SECONDS = 0
    # the database named by DATABASE_URL, migrated in place (not a test_ copy): the benchmark's own
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"probe {run.cpu_probe()}; load average {os.getloadavg()[0]:.2f}; "
          f"{connection.vendor} {connection.settings_dict['NAME']}")
    from django.core.cache import cache

    from zhifa.cases.tests import factories as case_factories
    from zhifa.testing import build_world

    with transaction.atomic():
        world = build_world()
        case = case_factories.opened(world)
        table = kinds(world, case)
        only = [k for k in args.only.split(",") if k]
        if args.profile:
            only = [args.profile]
        table = {k: v for k, v in table.items() if not only or k in only}
        for name, (client, method, path, status) in table.items():
            for _ in range(3):  # warm-up: imports, the URLconf, the version tokens' first read
                response = getattr(client, method)(path)
            assert response.status_code == status, (name, response.status_code, response.content[:300])
            with CaptureQueriesContext(connection) as queries:
                getattr(client, method)(path)
            table[name] = (client, method, path, status, len(queries))
        if args.profile:
            import cProfile
            import pstats

            client, method, path, *_ = table[args.profile]
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.requests):
                getattr(client, method)(path)
                cache.clear()
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.lines)
            stats.sort_stats("tottime").print_stats(args.lines)
            transaction.set_rollback(True)
            return
        results = {name: [] for name in table}
        for _ in range(args.runs):
            for name, (client, method, path, _status, _queries) in table.items():
                times = []
                for _ in range(args.requests):
                    start = time.process_time()
                    getattr(client, method)(path)
                    times.append(time.process_time() - start)
                cache.clear()  # rate-limit counters of the local cache
                results[name].append(statistics.median(times) * 1000)
        transaction.set_rollback(True)
    header = f"{'runs: median CPU ms a request':<30} {'median':>7} {'spread':>7}"
    print(f"{'request':<12} {'queries':>7}  {header}")
    for name, runs in results.items():
        queries = table[name][4]
        each = ", ".join(f"{t:.2f}" for t in runs)
        spread = max(runs) - min(runs)
        print(f"{name:<12} {queries:>7}  {each:<30} {statistics.median(runs):>7.2f} {spread:>7.2f}")
    print(f"probe {run.cpu_probe()}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
