"""Documents benchmark (issues 3 and 18): document numbers per second, PDF render time of a 行政处罚决定书 (one at a
time, median), rendering throughput (documents per second with ``--workers`` processes rendering side by side, as
a Celery worker with that concurrency does), and document_issue end to end (number + render + evidence store +
audit), on a fresh SQLite database in a temp dir (or the PostgreSQL server in DATABASE_URL, database
``zhifa_docs_bench`` created and dropped).

    .venv/bin/python benchmarks/documents_bench.py --numbers 2000 --renders 10 --throughput 60 --workers 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "src" / "zhifa" / "documents" / "tests"))


def _render_many(args: tuple[str, int]) -> int:
    """One worker process: render ``count`` copies of the decision's HTML (fonts loaded once per process)."""
    html, count = args
    from zhifa.documents.render import html_to_pdf

    for _ in range(count):
        html_to_pdf(html)
    return count


def _worker_init(var_dir: str) -> None:
    os.environ["ZHIFA_VAR_DIR"] = var_dir
    import django

    django.setup()
    from zhifa.documents.render import html_to_pdf

    html_to_pdf("<p>预热</p>")  # fonts and font configuration loaded before the clock starts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=2000)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--throughput", type=int, default=60, help="documents rendered for the throughput figure (0: skip)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="rendering processes (default: one per core)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="zhifa-docs-bench-")
    os.environ["ZHIFA_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    if os.environ.get("DATABASE_URL"):
        import psycopg

        base = os.environ["DATABASE_URL"]
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS zhifa_docs_bench")
            conn.execute("CREATE DATABASE zhifa_docs_bench")
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/zhifa_docs_bench"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from factories import context_for

    from zhifa.core.models import Organisation, Party
    from zhifa.documents.kinds import KINDS
    from zhifa.documents.numbering import next_number
    from zhifa.documents.render import html_to_pdf, render_html
    from zhifa.documents.services import document_issue

    org = Organisation.objects.create(code="B1", name="南召县交通运输综合行政执法大队", kind="brigade", doc_prefix="豫R召交罚")
    party = Party.objects.create(organisation=org, kind="organisation", name="南阳宏达物流有限公司")

    started = time.perf_counter()
    for _ in range(args.numbers):
        with transaction.atomic():
            next_number(organisation=org, series="罚", year=2026)
    elapsed = time.perf_counter() - started
    print(f"numbers: {args.numbers} in {elapsed:.2f}s → {args.numbers / elapsed:,.0f}/s (one transaction each)")

    kind, ctx = KINDS["penalty_decision"], context_for("penalty_decision")
    times, pages, size = [], 0, 0
    html_to_pdf(render_html(kind=kind, organisation=org, number="豫R召交罚〔2026〕0001号", context=ctx))  # warm-up (fonts)
    cpu = []
    for _ in range(args.renders):
        t, c = time.perf_counter(), time.process_time()
        pdf, pages = html_to_pdf(render_html(kind=kind, organisation=org, number="豫R召交罚〔2026〕0001号", context=ctx))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        size = len(pdf)
    times.sort()
    cpu.sort()
    # CPU time is what a busy machine changes least: cores ÷ CPU seconds per paper bounds the throughput
    print(f"render 行政处罚决定书: median {times[len(times) // 2] * 1000:.0f} ms wall, {cpu[len(cpu) // 2] * 1000:.0f} ms CPU, "
          f"{pages} pages, {size / 1024:.0f} KiB")

    if args.throughput:
        html = render_html(kind=kind, organisation=org, number="豫R召交罚〔2026〕0001号", context=ctx)
        shares = [args.throughput // args.workers + (1 if i < args.throughput % args.workers else 0) for i in range(args.workers)]
        ctx_mp = multiprocessing.get_context("spawn")
        with ctx_mp.Pool(args.workers, initializer=_worker_init, initargs=(tmp,)) as pool:
            pool.map(_render_many, [(html, 1)] * args.workers)  # every worker started and warm
            t = time.perf_counter()
            done = sum(pool.map(_render_many, [(html, n) for n in shares]))
            elapsed = time.perf_counter() - t
        print(f"render throughput: {done} documents in {elapsed:.2f}s with {args.workers} processes → {done / elapsed:.1f}/s")

    t = time.perf_counter()
    n = max(1, args.renders // 2)
    for _ in range(n):
        document_issue(actor=None, organisation=org, kind="penalty_decision", subject=party, context=ctx)
    print(f"document_issue end to end: {(time.perf_counter() - t) / n * 1000:.0f} ms each")


if __name__ == "__main__":
    main()
