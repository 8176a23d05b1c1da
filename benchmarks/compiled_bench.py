"""The per-call cost of the queries compiled once per connection (``core.db.Compiled``): the record's read
of the audited row for its digest (``audit._read_row``, once per event), the bearer token's and signed-in
user's look-ups (``core.auth``) and the workflow kernel's read back of a moved case with its loaded party and
unit (``workflow._refresh_with_relations``, once per move; ``orm_refresh`` is the ORM's ``refresh_from_db``
that it replaced, for comparison), in-process, CPU time of this process per call.

    .venv/bin/python benchmarks/compiled_bench.py          # SQLite, var/bench-compiled.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_compiled \\
        .venv/bin/python benchmarks/compiled_bench.py

Each kind of call is made ``--calls`` times after a warm-up, ``--runs`` times over, kind after kind in each
run. Printed: the median µs a call of each run, the median of the runs and their spread, with the load average
before and after. The database named by ``DATABASE_URL`` is migrated in place and the world is written in a
transaction rolled back at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def open_database(script: str, sqlite_file: str) -> None:
    """Django set up on ``DATABASE_URL`` (default: ``var/<sqlite_file>``), migrated in place (refused unless
    its name says 'bench'); prints the load average and the database."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / sqlite_file}")
    name = os.environ["DATABASE_URL"].rstrip("/").rsplit("/", 1)[-1]
    if "bench" not in name:  # it migrates the database and writes a world in it: never the platform's own
        raise SystemExit(f"{script} migrates and writes its database: name one with 'bench' in it, "
                         f"not {name!r}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"load average {os.getloadavg()[0]:.2f}; {connection.vendor} {connection.settings_dict['NAME']}")


def measure(calls: dict, runs: int) -> dict[str, list[float]]:
    """``calls``: name → (how many calls a run, the call). Each run calls each kind in turn, its CPU time per
    call (``time.process_time``); the median µs a call of each run, by kind."""
    results = {name: [] for name in calls}
    for _ in range(runs):
        for name, (count, call) in calls.items():
            times = []
            for _ in range(count):
                start = time.process_time()
                call()
                times.append(time.process_time() - start)
            results[name].append(statistics.median(times) * 1e6)
    return results


def print_results(results: dict[str, list[float]], width: int = 16, digits: int = 1) -> None:
    """Each kind's median µs a call of each run, the median of the runs and their spread, and the load."""
    print(f"{'call':<{width}} {'runs: median CPU µs a call':<28} {'median':>8} {'spread':>8}")
    for name, runs in results.items():
        each = ", ".join(f"{t:.{digits}f}" for t in runs)
        print(f"{name:<{width}} {each:<28} {statistics.median(runs):>8.{digits}f} "
              f"{max(runs) - min(runs):>8.{digits}f}")
    print(f"load average {os.getloadavg()[0]:.2f}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--calls", type=int, default=2000, help="calls of each kind in a run")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    open_database("compiled_bench.py", "bench-compiled.sqlite3")
    from django.db import transaction

    from zhifa.cases.models import Case
    from zhifa.cases.tests import factories as case_factories
    from zhifa.core import audit
    from zhifa.core.auth import _SIGNED_IN, _TOKEN, token_create, token_hash
    from zhifa.core.models import Party
    from zhifa.core.workflow import _refresh_with_relations
    from zhifa.testing import build_world

    with transaction.atomic():
        world = build_world()
        case = case_factories.opened(world)
        key_hash = token_hash(token_create(user=world.users["officer"], name="bench"))
        user_pk = world.users["officer"].pk
        assert case.party.name and case.organisation.name  # loaded, as a service has them before a move
        with_relations = Case._base_manager.select_related("party", "organisation")
        calls = {
            "move_read_back": lambda: _refresh_with_relations(case) or case,
            "orm_refresh": lambda: case.refresh_from_db(from_queryset=with_relations) or case,
            "read_row_case": lambda: audit._read_row(Case, case.pk),
            "read_row_party": lambda: audit._read_row(Party, case.party_id),
            "token": lambda: _TOKEN.first(key_hash),
            "signed_in": lambda: _SIGNED_IN.first(user_pk),
        }
        for call in calls.values():
            for _ in range(50):
                assert call() is not None
        results = measure({name: (args.calls, call) for name, call in calls.items()}, args.runs)
        transaction.set_rollback(True)
    print_results(results)


if __name__ == "__main__":
    main()
