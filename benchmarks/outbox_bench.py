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
    parser.add_argument("--enqueue", choices=["bulk", "single"], default="bulk")
    parser.add_argument("--target", choices=["supervision", "overload_net"], default="supervision",
                        help="overload_net: a 四级联网 overload result per message (the province-day drain)")
    parser.add_argument("--profile", action="store_true", help="print the drain's 25 costliest functions (cProfile)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="zhifa-outbox-bench-")
    os.environ["ZHIFA_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    os.environ.setdefault("DEBUG", "0")  # no query log (as deployed)
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
    from django.db import connection, transaction

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
    def item(i):
        if args.target == "overload_net":  # the shape of overload_net.case_payload (docs/integrations/overload_net.md)
            return {"subject": ("cases.case", str(i % args.subjects), f"案件{i % args.subjects}"),
                    "idempotency_key": f"overload_net:decided:case:{i}",
                    "payload": {"format": "zhifa-overload-net/1", "kind": "decided", "record_id": f"411321-CS{i}",
                                "agency": {"name": "南召县交通运输综合行政执法大队", "code": "411321"},
                                "vehicle": {"plate": f"豫R{i % 100000:05d}", "plate_colour": "黄", "axles": 6},
                                "measurement": {"station": "S-0001", "measured_at": "2026-11-11T15:04:37+08:00",
                                                "gross_kg": 58_400, "limit_kg": 49_000, "over_rate": "19.18"},
                                "party": {"name": "某某运输有限公司", "id_number": "91411321MA0000000X", "address": "南召县"},
                                "decision": {"number": f"豫R召交罚〔2026〕{i}号", "decided_on": "2026-11-20",
                                             "fine_amount_yuan": "2000.00"}}}
        return {"subject": ("cases.case", str(i % args.subjects), f"案件{i % args.subjects}"), "idempotency_key": f"bench:{i}",
                "payload": {"record_id": f"B-{i}", "party": {"name": "某某运输有限公司", "address": "南阳市"},
                            "decision": {"number": f"宛交罚〔2026〕{i}号", "fine_amount_yuan": "2000.00"}}}

    with transaction.atomic():
        if args.enqueue == "bulk":  # as a bulk act writes them (outbox_enqueue_many: one event for the lot)
            outbox.outbox_enqueue_many(target=args.target, kind="case_decided", items=[item(i) for i in range(args.messages)],
                                       summary="基准测试")
        else:  # one service act each (outbox_enqueue: one event each)
            for i in range(args.messages):
                outbox.outbox_enqueue(target=args.target, kind="case_decided", **item(i))
    enqueue_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk insert (it is off on this machine's PostgreSQL): without statistics
        # the planner takes the queued table for one row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE integrations_message")
    settings.INTEGRATION_SIMULATOR_URL = sim_url
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    def cpu_of(pid: int) -> float:  # a process's CPU seconds (user + system), from /proc
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    backend = None
    if connection.vendor == "postgresql":  # the server process of our connection (same machine)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    t1, cpu1, sim1 = time.perf_counter(), time.process_time(), cpu_of(sim.pid)
    db1 = cpu_of(backend) if backend else 0.0
    counts = outbox.drain_all(rounds=10_000)
    deliver_s = time.perf_counter() - t1
    drain_cpu, receiver_cpu = time.process_time() - cpu1, cpu_of(sim.pid) - sim1
    db_cpu = cpu_of(backend) - db1 if backend else 0.0
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    acked = Message.objects.filter(status="acknowledged").count()
    received = len(json.load(urllib.request.urlopen(sim_url + "/_sim/received", timeout=10))["received"])
    sim.terminate()
    sim.wait(10)
    load = os.getloadavg()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; target {args.target}; messages {args.messages} over {args.subjects} subjects")
    print(f"enqueue ({args.enqueue}): {args.messages / enqueue_s:,.0f} messages/s ({enqueue_s:.2f} s)")
    print(f"deliver (concurrency {settings.INTEGRATION_CONCURRENCY}): {acked / deliver_s:,.0f} messages/s ({deliver_s:.2f} s); acknowledged {acked}, received by the simulator "
          f"{received}, counts {counts}")
    total_cpu = drain_cpu + receiver_cpu + db_cpu
    print(f"CPU: drain {drain_cpu:.2f} s ({drain_cpu / acked * 1e6:.0f} µs/message), simulator {receiver_cpu:.2f} s "
          f"({receiver_cpu / acked * 1e6:.0f} µs/message), PostgreSQL backend {db_cpu:.2f} s; all three "
          f"{total_cpu / acked * 1e6:.0f} µs/message — two idle cores would give at most about "
          f"{acked / max(drain_cpu + db_cpu, receiver_cpu, total_cpu / 2):,.0f} messages/s")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    assert acked == args.messages == received, "every message delivered exactly once"


if __name__ == "__main__":
    main()
