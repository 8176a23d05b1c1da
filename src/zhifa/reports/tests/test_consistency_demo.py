"""CI loads the whole demo once and checks it three ways (one load: the demo is the suite's most expensive fixture):

- issue 14: the document lint runs over every document the demo issues and finds nothing — and the demo's acts
  issue every paper they queue (a paper the lint refuses is logged as "not issued", which would be a finding too);
- issue 16: every invariant of the consistency check holds on the demo data, and the full-process record verifies
  (chain, signatures and every audited row against its last event);
- the previous year's annual report reads like a year's work (non-zero figures in every section the issue names).

Every paper is composed from the database, linted, numbered, stored and recorded as the demo issues it, on both
engines. The WeasyPrint layout (half of this test's CPU on SQLite when all 578 papers were laid out) is done for a
representative set (``_Layout``, docs/testing.md "The whole-demo test: a representative layout"): the first paper
of each kind (each kind has its own template) where it is issued, and after the demo the paper with the longest HTML
of each kind (the one most likely to break across pages); each laid-out PDF must hold every character of its text
(``pdftotext``). The other papers are stored as a minimal one-page PDF naming their HTML's SHA-256 (``_stand_in``).
The layout reads only the HTML; every template is also laid out by the documents app's own tests
(``documents/tests/test_document_issue.py::test_every_standard_form_renders``,
``core/tests/test_security.py::test_every_rendered_paper_passes_the_evidence_scanner``).
"""

import hashlib
import io
import logging
import random
import subprocess
from collections import Counter
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core.demo import DemoContext
from zhifa.core.models import Organisation
from zhifa.documents.composer import document_text, html_text, lint
from zhifa.documents.models import Document
from zhifa.reports import annual

PAPERS = {
    "register",
    "violation_notice",
    "penalty_decision",
    "onspot_decision",
    "payment_notice",
    "delivery_receipt",
    "hearing_notice",
    "hearing_record",
    "closing_report",
}


def _load_demo(capture) -> None:
    """What ``zhifa demo-data`` does (every app's demo in the order of the work), each app's on-commit papers made
    before the next app runs, as they are when the command runs outside a test transaction."""
    ctx = DemoContext(rng=random.Random(20261121), today=timezone.localdate(), scale=1)
    for dotted in django_settings.ZHIFA_WORK_ORDER:
        if find_spec(f"{dotted}.demo") is None:
            continue
        with capture(execute=True), legal_calendar.shared():  # as the command does
            import_module(f"{dotted}.demo").load(ctx)


def _stand_in(html: str) -> tuple[bytes, int]:
    """A minimal valid one-page PDF naming the SHA-256 of the paper's HTML (distinct per paper, as the evidence store
    keeps files by their digest), written with pydyf (WeasyPrint's PDF writer) without a layout: ~0.1 ms instead of
    ~14 ms for WeasyPrint's one-line layout and ~90 ms for the paper's own."""
    import pydyf

    pdf = pydyf.PDF()
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica"})
    pdf.add_object(font)
    text = pydyf.Stream()
    text.begin_text()
    text.set_font_size("F1", 9)
    text.set_text_matrix(1, 0, 0, 1, 40, 800)
    text.show_text_string(hashlib.sha256(html.encode()).hexdigest())
    text.end_text()
    pdf.add_object(text)
    pdf.add_page(pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference, "MediaBox": pydyf.Array([0, 0, 595, 842]),
                                   "Contents": text.reference,
                                   "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})})}))
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue(), 1


class _Layout:
    """Stands in for ``documents.services.html_to_pdf`` (and watches ``render_html`` for each paper's kind): the
    first paper of each kind is laid out by WeasyPrint where it is issued, every other one gets ``_stand_in``; the
    longest HTML of each kind is kept and laid out by ``lay_out_longest`` after the demo, unless it was that kind's
    first paper."""

    def __init__(self, render_html, html_to_pdf):
        self._render_html, self._html_to_pdf = render_html, html_to_pdf
        self._kinds: dict[str, str] = {}  # HTML rendered and not yet laid out → its kind
        self.issued: Counter = Counter()
        self.laid_out: dict[str, list[tuple[str, bytes, int]]] = {}  # kind → [(html, pdf, pages)]
        self.longest: dict[str, str] = {}

    def render_html(self, *, kind, **kwargs) -> str:
        html = self._render_html(kind=kind, **kwargs)
        self._kinds[html] = kind.code
        return html

    def html_to_pdf(self, html: str) -> tuple[bytes, int]:
        kind = self._kinds.pop(html, None)
        self.issued[kind] += 1
        if len(html) > len(self.longest.get(kind, "")):
            self.longest[kind] = html
        if kind in self.laid_out:
            return _stand_in(html)
        pdf, pages = self._html_to_pdf(html)
        self.laid_out[kind] = [(html, pdf, pages)]
        return pdf, pages

    def lay_out_longest(self) -> None:
        for kind, html in self.longest.items():
            if html != self.laid_out[kind][0][0]:
                self.laid_out[kind].append((html, *self._html_to_pdf(html)))


@pytest.fixture
def _layout(monkeypatch):
    from zhifa.documents import services

    layout = _Layout(services.render_html, services.html_to_pdf)
    monkeypatch.setattr(services, "render_html", layout.render_html)
    monkeypatch.setattr(services, "html_to_pdf", layout.html_to_pdf)
    return layout


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_papers_pass_the_lint_figures_tie_out_and_last_year_is_full(
    django_capture_on_commit_callbacks, caplog, settings, tmp_path, _layout
):
    settings.EVIDENCE_ROOT = str(tmp_path)
    with caplog.at_level(logging.WARNING, logger="zhifa"):
        _load_demo(django_capture_on_commit_callbacks)

    # issue 14: no paper refused by the lint or failing to render (the evidence store's own upload checks are not
    # the lint's), and every paper the demo issued passes the lint
    messages = [r.getMessage() for r in caplog.records]
    assert [
        m for m in messages if "内容有误" in m or "could not be rendered" in m or "缺少必填内容" in m
    ] == []
    docs = list(Document.objects.all())
    assert len(docs) > 100 and PAPERS <= {d.kind for d in docs}
    findings = {f"{d.title} {d.number}": lint(document_text(d)) for d in docs}
    assert {k: v for k, v in findings.items() if v} == {}

    # the laid-out papers: every kind the demo issued at least once, and its longest paper, each holding every
    # character of its text (nothing lost across a page break, every glyph mapped back to its character)
    _layout.lay_out_longest()
    assert (
        set(_layout.laid_out) == set(_layout.issued) == {d.kind for d in docs} and None not in _layout.issued
    )
    assert sum(_layout.issued.values()) == len(docs)
    for kind, papers in _layout.laid_out.items():
        for html, pdf, pages in papers:
            missing = Counter(html_text(html).replace(" ", "").replace("\n", "")) - Counter(
                "".join(_pdf_text(pdf, tmp_path).split())
            )
            assert pages >= 1 and not missing, (kind, pages, missing)
    print(
        "laid out:",
        {kind: [pages for _html, _pdf, pages in papers] for kind, papers in _layout.laid_out.items()},
        "of",
        dict(_layout.issued),
    )

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
    zero = [
        key
        for key in (
            "penalties",
            "permits_decided",
            "coercive_measures",
            "training_events",
            "legal_reviews",
            "evaluations",
            "complaints",
            "credit_grades",
            "fines_collected",
            "publications",
        )
        if not report.figures[key].value.value
    ]
    assert zero == []
