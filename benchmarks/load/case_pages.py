"""Time the case pages an officer opens, in-process, by the state of the case: the newest cases of the
officer's list (as the load test's officers pick them), each page timed on its second visit (CPU, wall,
queries). ``--lists`` times the other officer pages of the load test too (the case list and its next page,
a search, the at-risk list, the dashboard); ``--read-only`` for a database it must not write to (the load
test's: the session in a signed cookie, no last sign-in time, every transaction READ ONLY, so a write
fails); ``--dump DIR`` writes every page's HTML (the CSRF tokens blanked) to compare two versions of the
code; ``--profile FILE`` keeps a cProfile of the timed visits instead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhifa_load .venv/bin/python benchmarks/load/case_pages.py
    … case_pages.py --user load_411302_o0 --pages 8
    … case_pages.py --lists --runs 3 --dump /tmp/before        # then diff -r /tmp/before /tmp/after
    … case_pages.py --lists --read-only                          # on the load test's database
"""

import argparse
import cProfile
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"|("X-CSRFToken": ")[^"]*"'
                  rb'|(csrf-token" content=")[^"]*"')


def _blank_csrf(body: bytes) -> bytes:
    return CSRF.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + b'"', body)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--user", default="load_411302_o0")
    p.add_argument("--pages", type=int, default=8, help="list pages read for case ids (25 cases each)")
    p.add_argument("--slowest", type=int, default=10)
    p.add_argument("--lists", action="store_true", help="time the lists, at-risk and the dashboard too")
    p.add_argument("--repeat", type=int, default=20, help="visits of each other page (--lists) a run")
    p.add_argument("--runs", type=int, default=1,
                   help="the whole set this many times; median and spread of the runs")
    p.add_argument("--dump", default="", help="a directory: every page's HTML, the CSRF tokens blanked")
    p.add_argument("--profile", default="", help="a file: cProfile (CPU clock) of the timed visits")
    p.add_argument("--read-only", action="store_true", help="write nothing: a write fails (PostgreSQL)")
    args = p.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    if args.read_only:
        from django.conf import settings
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login
        from django.db.backends.signals import connection_created

        settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.disconnect(dispatch_uid="zhifa-cards-prepare-on-login")

        def read_only(sender, connection, **kwargs):
            with connection.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

        connection_created.connect(read_only)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhifa.cases.models import Case
    from zhifa.core.models import User

    print(f"load average {os.getloadavg()[0]:.2f}; database {connection.settings_dict['NAME']}")
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    ids, path, list_paths = [], "/cases/", []
    for _ in range(args.pages):
        list_paths.append(path)
        body = client.get(path).content.decode()
        ids += [int(x) for x in re.findall(r'href="/cases/(\d+)/"', body)]
        cursor = re.search(r'href="\?([^"]*before=\d+)"', body)
        if not cursor:
            break
        path = "/cases/?" + cursor.group(1).replace("&amp;", "&")
    ids = list(dict.fromkeys(ids))
    status = dict(Case.objects.filter(pk__in=ids).values_list("pk", "status"))
    party = Case.objects.filter(pk__in=ids[:1]).values_list("party__name", flat=True).first() or ""
    others = {"list": "/cases/", "list_next": list_paths[1] if len(list_paths) > 1 else "/cases/",
              "mine": "/cases/mine/", "search": "/cases/?q=" + party[:2], "at_risk": "/cases/at-risk/",
              "at_risk_mine": "/cases/at-risk/?scope=mine", "dashboard": "/"}
    if args.dump:
        out = Path(args.dump)
        out.mkdir(parents=True, exist_ok=True)
        for pk in ids:
            (out / f"case-{pk}.html").write_bytes(_blank_csrf(client.get(f"/cases/{pk}/").content))
        if args.lists:
            for name, path in others.items():
                (out / f"{name}.html").write_bytes(_blank_csrf(client.get(path).content))
        print(f"{len(ids) + (len(others) if args.lists else 0)} pages written to {out}")
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    runs = []
    for _run in range(args.runs):
        rows, other_rows = [], defaultdict(list)
        for pk in ids:
            client.get(f"/cases/{pk}/")
            cpu, wall = time.process_time(), time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                if profiler:
                    profiler.enable()
                client.get(f"/cases/{pk}/")
                if profiler:
                    profiler.disable()
            cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
            rows.append((cpu, wall, len(queries), pk))
        if args.lists:
            for path in others.values():
                client.get(path)
            for _ in range(args.repeat):
                for name, path in others.items():
                    cpu = time.process_time()
                    with CaptureQueriesContext(connection) as queries:
                        if profiler:
                            profiler.enable()
                        client.get(path)
                        if profiler:
                            profiler.disable()
                    other_rows[name].append(((time.process_time() - cpu) * 1000, len(queries)))
        runs.append((rows, other_rows))
        print(f"run {_run + 1}: load average {os.getloadavg()[0]:.2f}; case page CPU median "
              f"{statistics.median(r[0] for r in rows):.1f} ms"
              + "".join(f"; {name} {statistics.median(v[0] for v in values):.1f}"
                        for name, values in other_rows.items()))
    rows, other_rows = runs[-1]
    by_state = defaultdict(list)
    for cpu, _wall, count, pk in rows:
        by_state[status[pk]].append((cpu, count))

    def over_runs(medians):
        medians = sorted(medians)
        return f"{statistics.median(medians):5.1f} ms ({medians[0]:.1f}–{medians[-1]:.1f})"

    case_medians = (statistics.median(r[0] for r in rs) for rs, _ in runs)
    print(f"{len(rows)} case pages; CPU median of the runs {over_runs(case_medians)}"
          f", queries median {statistics.median(r[2] for r in rows):.0f}")
    for name in others if args.lists else ():
        medians = (statistics.median(v[0] for v in o[name]) for _, o in runs)
        print(f"  {name:14s} CPU median {over_runs(medians)}  "
              f"queries {statistics.median(v[1] for v in other_rows[name]):.0f}")
    for state, values in sorted(by_state.items(), key=lambda kv: -len(kv[1])):
        cpu = statistics.median(v[0] for v in values)
        print(f"  {state:12s} {len(values):4d} pages  CPU median {cpu:5.1f} ms  "
              f"queries median {statistics.median(v[1] for v in values):.0f}")
    for cpu, wall, count, pk in sorted(rows, reverse=True)[: args.slowest]:
        print(f"  case {pk} ({status[pk]}): {cpu:.1f} ms CPU, {wall:.1f} ms wall, {count} queries")
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}")


if __name__ == "__main__":
    main()
