"""CI loads the whole demo once and checks it three ways (one load: the demo is the suite's most expensive fixture):

- issue 14: the document lint runs over every document the demo issues and finds nothing — and the demo's acts
  issue every paper they queue (a paper the lint refuses is logged as "not issued", which would be a finding too);
- issue 16: every invariant of the consistency check holds on the demo data, and the full-process record verifies
  (chain, signatures and every audited row against its last event);
- the previous year's annual report reads like a year's work (non-zero figures in every section the issue names).

In the PostgreSQL run beside the SQLite one (``scripts/test.sh``, ``zhifa.testing.paired_with_sqlite``) the papers'
PDF layout is not repeated (``_layout_once``): each paper is composed from the database, linted, numbered, stored
and recorded exactly as on SQLite, but laid out as a one-line PDF of its HTML's digest.
WeasyPrint's layout reads only the HTML, not the database, so a layout failure would be the same on both engines,
and the SQLite run lays out every one of the 578 papers; on PostgreSQL it was ≈ 50 CPU-s, a third of this test.
"""

import hashlib
import io
import logging
import random
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core.demo import DemoContext
from zhifa.core.models import Organisation
from zhifa.documents.composer import document_text, lint
from zhifa.documents.models import Document
from zhifa.reports import annual
from zhifa.testing import paired_with_sqlite

PAPERS = {"register", "violation_notice", "penalty_decision", "onspot_decision", "payment_notice", "delivery_receipt",
          "hearing_notice", "hearing_record", "closing_report"}


def _load_demo(capture) -> None:
    """What ``zhifa demo-data`` does (every app's demo in the order of the work), each app's on-commit papers made
    before the next app runs, as they are when the command runs outside a test transaction."""
    ctx = DemoContext(rng=random.Random(20261121), today=timezone.localdate(), scale=1)
    for dotted in django_settings.ZHIFA_WORK_ORDER:
        if find_spec(f"{dotted}.demo") is None:
            continue
        with capture(execute=True), legal_calendar.shared():  # as the command does
            import_module(f"{dotted}.demo").load(ctx)


@pytest.fixture
def _layout_once(monkeypatch):
    """Beside the SQLite run, each paper's PDF is the one-line layout of its HTML's SHA-256 (a real, distinct PDF from the
    same renderer, ~14 ms instead of ~90 ms); on SQLite the paper itself is laid out (the module's docstring)."""
    if not paired_with_sqlite():
        return
    from zhifa.documents import render, services

    monkeypatch.setattr(services, "html_to_pdf", lambda html: render.html_to_pdf(
        f"<p>{hashlib.sha256(html.encode()).hexdigest()}</p>"))


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_papers_pass_the_lint_figures_tie_out_and_last_year_is_full(django_capture_on_commit_callbacks, caplog,
                                                                         settings, tmp_path, _layout_once):
    settings.EVIDENCE_ROOT = str(tmp_path)
    with caplog.at_level(logging.WARNING, logger="zhifa"):
        _load_demo(django_capture_on_commit_callbacks)

    # issue 14: no paper refused by the lint or failing to render (the evidence store's own upload checks are not
    # the lint's), and every paper the demo issued passes the lint
    messages = [r.getMessage() for r in caplog.records]
    assert [m for m in messages if "内容有误" in m or "could not be rendered" in m or "缺少必填内容" in m] == []
    docs = list(Document.objects.all())
    assert len(docs) > 100 and PAPERS <= {d.kind for d in docs}
    findings = {f"{d.title} {d.number}": lint(document_text(d)) for d in docs}
    assert {k: v for k, v in findings.items() if v} == {}

    # issue 16: the consistency check passes
    out = io.StringIO()
    try:
        call_command("check_figures", stdout=out)
    finally:
        print(out.getvalue())
    assert "一致性核对全部通过" in out.getvalue()
    # Regression: the overload demo wrote its proposal to 50 cases after their last event; verify flagged them.
    result = audit.verify(checkpoints=False)
    assert result.ok, result.describe()
    report = annual.build(Organisation.objects.get(code="4113"), timezone.localdate().year - 1)
    zero = [key for key in ("penalties", "permits_decided", "coercive_measures", "training_events", "legal_reviews",
                            "evaluations", "complaints", "credit_grades", "fines_collected", "publications")
            if not report.figures[key].value.value]
    assert zero == []
