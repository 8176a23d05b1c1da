"""Issue 14: the document lint runs over every document the demo issues and finds nothing — and the demo's acts
issue every paper they queue (a paper the lint refuses is logged as "not issued", which would be a finding too)."""

import logging
import random
from datetime import date
from importlib import import_module

import pytest

from zhifa.core.demo import DemoContext
from zhifa.documents.composer import document_text, lint
from zhifa.documents.models import Document

# the demos that issue documents, in the order of the work (settings.ZHIFA_WORK_ORDER)
APPS = ["core", "discretion", "cases", "coercion", "payments", "overload", "inspections", "credit"]


@pytest.mark.django_db
def test_every_document_the_demo_issues_passes_the_lint(django_capture_on_commit_callbacks, caplog, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    ctx = DemoContext(rng=random.Random(20261121), today=date(2026, 12, 5), scale=1)
    with caplog.at_level(logging.WARNING, logger="zhifa"):
        for label in APPS:
            with django_capture_on_commit_callbacks(execute=True):
                import_module(f"zhifa.{label}.demo").load(ctx)
    messages = [r.getMessage() for r in caplog.records]
    # no paper refused by the lint or failing to render (the evidence store's own upload checks are not the lint's)
    assert [m for m in messages if "内容有误" in m or "could not be rendered" in m or "缺少必填内容" in m] == []
    docs = list(Document.objects.all())
    assert len(docs) > 100 and {"register", "violation_notice", "penalty_decision", "onspot_decision", "payment_notice",
                                "delivery_receipt", "hearing_notice", "hearing_record", "closing_report"} <= {d.kind for d in docs}
    findings = {f"{d.title} {d.number}": lint(document_text(d)) for d in docs}
    assert {k: v for k, v in findings.items() if v} == {}
