"""Each figure of the annual report equals an independent count over the same data."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from zhifa.core.models import Officer
from zhifa.core.tests.factories import OrgPartyFactory
from zhifa.permits import services as permits
from zhifa.permits.models import PermitApplication
from zhifa.permits.tests.factories import PermitItemFactory
from zhifa.portal import services as portal
from zhifa.portal.models import Publication
from zhifa.reports import annual, metrics

YEAR = 2024


@pytest.fixture
def data(world):
    officer = world.users["officer"]
    item = PermitItemFactory()

    def app(org_user, org, submitted, accepted=None, decided=None, approve=True):
        a = permits.application_submit(actor=org_user, organisation=org, item=item, applicant=OrgPartyFactory(organisation=org), submitted_on=submitted)
        if accepted:
            a = permits.application_accept(actor=org_user, application=a, on=accepted)
        if decided:
            a = permits.application_decide(actor=org_user, application=a, on=decided, approve=approve, reason="" if approve else "不符合条件")
        return a

    app(officer, world.brigade_a, date(2024, 3, 1), date(2024, 3, 1), date(2024, 3, 5))
    app(officer, world.brigade_a, date(2024, 6, 3), date(2024, 6, 3), date(2024, 6, 20), approve=False)
    app(officer, world.brigade_a, date(2024, 12, 30), date(2024, 12, 30), date(2025, 1, 3))  # decided next year
    app(officer, world.brigade_a, date(2023, 12, 1), date(2023, 12, 1), date(2023, 12, 4))  # last year
    app(officer, world.brigade_a, date(2024, 8, 1))  # only received
    app(world.users["officer_b"], world.brigade_b, date(2024, 5, 6), date(2024, 5, 6), date(2024, 5, 8))  # other county
    portal.publication_run(today=date(2024, 3, 8))
    portal.publication_run(today=date(2025, 1, 6))
    Officer.objects.filter(pk=world.officers["officer3"].pk).update(is_active=False)
    return world


def independent(world, key):
    """Each figure computed directly from the models, without the metrics module."""
    path, y = world.county_a.path, YEAR
    permits_a = PermitApplication.objects.filter(organisation__path__startswith=path)
    pubs = Publication.objects.filter(organisation__path__startswith=path)
    officers = [o for o in Officer.objects.filter(organisation__path__startswith=path) if o.is_active]
    return {
        "officers_active": len(officers),
        "officers_certified": sum(1 for o in officers if o.can_enforce(date(y, 12, 31))),
        "legal_reviewers": sum(1 for o in officers if o.legal_qualification),
        "permits_received": sum(1 for a in permits_a if a.submitted_on.year == y),
        "permits_decided": sum(1 for a in permits_a if a.decided_on and a.decided_on.year == y and a.status in ("approved", "denied", "revoked")),
        "publications": sum(1 for p in pubs if p.published_on and p.published_on.year == y),
        "publications_late": sum(1 for p in pubs if p.published_on and p.published_on.year == y and p.is_late),
        "publications_withdrawn": sum(1 for p in pubs if p.withdrawn_on and p.withdrawn_on.year == y),
    }.get(key)


def test_report_figures_equal_independent_counts(data):
    report = annual.build(data.county_a, YEAR)
    checked = 0
    for key, fig in report.figures.items():
        expected = independent(data, key)
        if expected is not None:
            assert fig.value.value == expected, key
            checked += 1
    assert checked == 8
    assert report.figures["permits_decided"].value.value == 2  # the hand count of the fixture
    assert report.figures["permits_received"].value.value == 4
    assert report.figures["officers_active"].value.value == 5  # officer, officer2, reviewer, head, expired (officer3 inactive)
    assert report.figures["officers_certified"].value.value == 5  # "expired" was still valid on 2024-12-31


def test_figures_of_other_registers_match_their_own_models(data):
    """Every figure of the report is available (each register exists: a figure that may be skipped when missing is a
    test that cannot fail) and each count equals a direct count of its own rows."""
    from django.apps import apps

    report = annual.build(data.county_a, YEAR)
    assert [key for key, fig in report.figures.items() if not fig.value.available] == []
    for key, fig in report.figures.items():
        m = metrics.BY_KEY[fig.metric]
        model = apps.get_model(m.model)
        if not m.snapshot and not m.sum_field and not m.distinct:
            qs = metrics.queryset(m, data.county_a, fig.start, fig.end)
            assert fig.value.value == qs.count() == len(list(qs.values_list("pk", flat=True))), key
            assert model.objects.count() >= fig.value.value


def test_each_figure_links_to_its_records(data, client_for):
    report = annual.build(data.county_a, YEAR)
    client = client_for("head")
    fig = report.figures["permits_decided"]
    page = client.get(fig.url).content.decode()
    decided = PermitApplication.objects.filter(organisation__path__startswith=data.county_a.path, decided_on__year=YEAR)
    for a in decided:
        assert a.number in page
    assert "XK" in page and page.count("/history/permits.permitapplication/") == 2
    html = client.get(f"/reports/annual/?unit={data.county_a.code}&year={YEAR}").content.decode()
    assert fig.url.replace("&", "&amp;") in html and "由本单位填写" not in html and "本单位填写的内容" in html


def test_other_jurisdiction_cannot_pick_a_unit_outside_it(data, client_for):
    html = client_for("officer_b").get(f"/reports/annual/?unit={data.county_a.code}&year={YEAR}").content.decode()
    assert data.county_a.name + f"{YEAR}年度" not in html


def test_docx_and_pdf_carry_chinese_text(data, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    out = tmp_path / "r.docx"
    call_command("report", "annual", year=YEAR, unit=data.county_a.code, format="docx", output=str(out), stdout=io.StringIO())
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "南召县交通运输局2024年度行政执法工作报告" in text and "办理行政许可2件" in text and "【" not in text
    pdf = tmp_path / "r.pdf"
    call_command("report", "annual", year=YEAR, unit=data.county_a.code, format="pdf", output=str(pdf), stdout=io.StringIO())
    pdf_text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "年度行政执法工作报告" in pdf_text and "三项制度" in pdf_text


def test_figures_carry_their_definition_and_sections_come_from_registers(data, client_for):
    """Each figure shows its definition on hover; training, discretion, evaluation, problems and plans are written from
    their registers (they were 【由本单位填写】 placeholders)."""
    from zhifa.training.models import Attendance, Exam, ExamScore, TrainingEvent

    officer = data.officers["officer"]
    event = TrainingEvent.objects.create(organisation=data.county_a, title="《行政处罚法》专题培训", category="law",
                                         start_on=date(YEAR, 3, 1), end_on=date(YEAR, 3, 1), hours=12)
    Attendance.objects.create(event=event, officer=officer, hours=12)
    exam = Exam.objects.create(organisation=data.county_a, title=f"{YEAR}年度法律知识考试", held_on=date(YEAR, 6, 1))
    ExamScore.objects.create(exam=exam, officer=officer, score=90)
    ExamScore.objects.create(exam=exam, officer=data.officers["officer2"], score=50)
    report = annual.build(data.county_a, YEAR)
    text = "".join(p if isinstance(p, str) else p.text for s in report.sections for para in s.paragraphs for p in para)
    assert "培训内容包括《行政处罚法》专题培训。" in text and "参考2人次，合格1人次，合格率50.0%" in text
    assert "裁量基准" in text and "依裁量基准作出罚款决定0件" in text
    for placeholder in ("培训主题", "裁量基准版本", "存在的问题", "下一年度工作计划", "行政强制执行（"):
        assert placeholder not in text
    assert "二、存在问题" in [s.title for s in report.sections]  # 二、创新亮点 is left out until the bureau writes it
    assert report.rates["exam_pass_rate"].display() == "50.0%"
    html = client_for("head").get(f"/reports/annual/?unit={data.county_a.code}&year={YEAR}").content.decode()
    assert 'title="办理行政许可（件）：许可申请中“决定日期”在统计期内、属本单位及下属单位的记录条数。（点击查看明细）"' in html


def test_bureau_text_comes_from_its_register_and_nothing_unwritten_is_printed(data, client_for):
    """The passages only the bureau can write (制度建设, 亮点, 复议诉讼 …) come from the report-narrative register it fills on
    the report page; a passage not written is left out of the report (the printed report said 【由本单位填写：…】)."""
    from zhifa.core.models import Event
    from zhifa.reports.models import ReportNarrative

    report = annual.build(data.county_a, YEAR)
    text = "".join(p if isinstance(p, str) else p.text for s in report.sections for para in s.paragraphs for p in para)
    titles = [s.title for s in report.sections if s.level == 1]
    assert "【" not in text and "由本单位填写" not in text
    assert titles == ["一、工作开展情况", "二、存在问题", f"三、{YEAR + 1}年工作计划"]  # no highlights written: the part is left out
    assert text.startswith(f"{YEAR}年，本单位办理行政许可2件")  # the opening sentence from the figures
    # An officer may not write the report: refused, nothing changed.
    n = Event.objects.count()
    r = client_for("officer").post(f"/reports/annual/?unit={data.county_a.code}&year={YEAR}", {"highlights": "x"})
    assert r.status_code in (302, 403, 404) and not ReportNarrative.objects.exists() and Event.objects.count() == n
    # The head writes two passages on the report page: they are printed in their places, audited.
    r = client_for("head").post(f"/reports/annual/?unit={data.county_a.code}&year={YEAR}",
                                {"highlights": "常年聘请法律顾问，参与重大执法决定的法律咨询。", "litigation": "全年无行政复议和行政诉讼案件。",
                                 "recording": ""})
    assert r.status_code == 302
    assert ReportNarrative.objects.filter(text__gt="").count() == 2 and Event.objects.filter(action="reports.narrative_save").count() == 2
    report = annual.build(data.county_a, YEAR)
    text = "".join(p if isinstance(p, str) else p.text for s in report.sections for para in s.paragraphs for p in para)
    assert "撤销或变更的行政处罚决定" in text and "全年无行政复议和行政诉讼案件。" in text
    assert [s.title for s in report.sections if s.level == 1][1] == f"二、{YEAR}年执法工作创新亮点或典型经验"
    assert "常年聘请法律顾问" in annual.render_html(report, links=False)
