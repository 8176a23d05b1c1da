"""The per-call cost of keeping a case's nearest deadline after it changes (``clocks.refresh_due`` of one
case, run by ``CaseQuerySet.update`` after every update of a field the clocks read, so after every case move),
and of a whole case built by the test factories (``decided``: registered, opened, reported, approved,
notified, waived, decided through the services), in-process, CPU time of this process per call.

    .venv/bin/python benchmarks/move_bench.py          # SQLite, var/bench-moves.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_moves .venv/bin/python benchmarks/move_bench.py

Kinds: ``refresh_due`` (an opened ordinary case with a running suspension and an extension: the clock reads
its rows), ``update`` (``Case.objects.filter(pk=…).update(hearing_right=…)``: the queryset update of a clock
field, its refresh included), ``decided`` (the factory; ``--cases`` calls a run). Each kind is called after a
warm-up, ``--runs`` times over, kind after kind in each run. Printed: the median µs a call of each run, the
median of the runs and their spread, with the load average (``uptime``'s first figure) before and after. The
database named by ``DATABASE_URL`` is migrated in place and everything is written in a transaction rolled
back at the end.
"""

import argparse
from datetime import timedelta

from compiled_bench import measure, open_database, print_results  # beside this script


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--calls", type=int, default=1000, help="calls of refresh_due and update in a run")
    p.add_argument("--cases", type=int, default=30, help="cases built by the decided factory in a run")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    open_database("move_bench.py", "bench-moves.sqlite3")
    from django.db import transaction
    from django.utils import timezone

    from zhifa.cases.clocks import refresh_due
    from zhifa.cases.models import Case, ClockSuspension, Extension
    from zhifa.cases.tests import factories as case_factories
    from zhifa.testing import build_world

    with transaction.atomic():
        world = build_world()
        case = case_factories.opened(world)
        today = timezone.localdate()
        ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.HEARING,
                                       started_on=today - timedelta(days=2))
        Extension.objects.create(case=case, days=30, basis=Extension.Basis.HEAD, reason="案情复杂",
                                 approved_by=world.users["head"], approved_on=today)
        refresh_due([case.pk])
        calls = {
            "refresh_due": (args.calls, lambda: refresh_due([case.pk])),
            "update": (args.calls, lambda: Case.objects.filter(pk=case.pk).update(hearing_right=False)),
            "decided": (args.cases, lambda: case_factories.decided(world)),
        }
        for _count, call in calls.values():
            for _ in range(5):
                call()
        results = measure(calls, args.runs)
        transaction.set_rollback(True)
    print_results(results, width=12, digits=0)


if __name__ == "__main__":
    main()
