"""The cost of the ``world`` fixture: ``zhifa.testing.build_world()`` called ``--calls`` times, each in a
savepoint rolled back (as in a test), in-process, CPU time of this process per call.

    .venv/bin/python benchmarks/world_bench.py          # SQLite, var/bench-world.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_world \\
        .venv/bin/python benchmarks/world_bench.py

The tests' password hasher (MD5, ``zhifa.testing._fast_password_hashing``) is in force. ``--runs`` runs after
a warm-up; printed: each run's median and mean CPU ms a call and its median wall ms a call, the median of the
runs, with the load average before and after. The database named by ``DATABASE_URL`` is migrated in place
(created first on PostgreSQL if missing); nothing is left in it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--calls", type=int, default=200, help="worlds built in a run")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-world.sqlite3'}")
    url = os.environ["DATABASE_URL"]
    name = url.rstrip("/").rsplit("/", 1)[-1]
    if "bench" not in name:  # it migrates the database: never the platform's own
        raise SystemExit(f"world_bench.py migrates its database: name one with 'bench' in it, not {name!r}")
    if url.startswith("postgres"):
        subprocess.run(["createdb", "--maintenance-db", url.rsplit("/", 1)[0] + "/postgres", name],
                       capture_output=True)  # fails harmlessly when it exists
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    print(f"load average {os.getloadavg()[0]:.2f}; {connection.vendor} {connection.settings_dict['NAME']}")
    from zhifa.testing import build_world

    def one() -> tuple[float, float]:
        with transaction.atomic():
            wall, cpu = time.perf_counter(), time.process_time()
            build_world()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            transaction.set_rollback(True)
        return cpu, wall

    runs = []
    md5 = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with md5, transaction.atomic():
        for _ in range(20):
            one()
        for _ in range(args.runs):
            times = [one() for _ in range(args.calls)]
            cpu, wall = [t[0] * 1e3 for t in times], [t[1] * 1e3 for t in times]
            runs.append((statistics.median(cpu), statistics.fmean(cpu), statistics.median(wall)))
        transaction.set_rollback(True)
    print(f"{args.calls} worlds a run; ms a call (CPU median, CPU mean, wall median)")
    for n, (median, mean, wall) in enumerate(runs, 1):
        print(f"run {n}: {median:6.2f} {mean:6.2f} {wall:6.2f}")
    median, mean, wall = (statistics.median(r[n] for r in runs) for n in range(3))
    print(f"median of the runs: CPU {median:.2f} ms a world (mean {mean:.2f}), wall {wall:.2f} ms")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
