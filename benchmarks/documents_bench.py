"""Documents benchmark (issue 3): document numbers per second, PDF render time of a 行政处罚决定书, and
document_issue end to end (number + render + evidence store + audit), on a fresh SQLite database in a temp dir
(or the PostgreSQL server in DATABASE_URL, database ``zhifa_docs_bench`` created and dropped).

    .venv/bin/python benchmarks/documents_bench.py --numbers 2000 --renders 10
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
sys.path.insert(0, str(ROOT / "src" / "zhifa" / "documents" / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=2000)
    parser.add_argument("--renders", type=int, default=10)
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
    for _ in range(args.renders):
        t = time.perf_counter()
        pdf, pages = html_to_pdf(render_html(kind=kind, organisation=org, number="豫R召交罚〔2026〕0001号", context=ctx))
        times.append(time.perf_counter() - t)
        size = len(pdf)
    times.sort()
    print(f"render 行政处罚决定书: median {times[len(times) // 2] * 1000:.0f} ms, {pages} pages, {size / 1024:.0f} KiB")

    t = time.perf_counter()
    n = max(1, args.renders // 2)
    for _ in range(n):
        document_issue(actor=None, organisation=org, kind="penalty_decision", subject=party, context=ctx)
    print(f"document_issue end to end: {(time.perf_counter() - t) / n * 1000:.0f} ms each")


if __name__ == "__main__":
    main()
