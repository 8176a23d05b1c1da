"""The consistency check (``zhifa check figures``): each invariant broken on purpose makes the check fail (and the
command exit non-zero); the same data put right passes."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.tests.factories import company, decided
from zhifa.reports import consistency, metrics

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _on_today():
    """Every test runs on the day the module was read (at noon in Beijing, the clock ticking): a run crossing
    midnight in Asia/Shanghai (16:00 UTC) would otherwise compare data written "today" with yesterday's TODAY."""
    noon = timezone.make_aware(datetime.combine(TODAY, time(12)))
    with time_machine.travel(noon, tick=True):
        yield


def failures(key: str, today: date = TODAY) -> list[str]:
    [result] = consistency.run(today=today, only=[key])
    return result.failures


def test_clean_data_passes_every_check_and_the_command_exits_zero(world):
    out = io.StringIO()
    call_command("check_figures", stdout=out)
    assert "一致性核对全部通过" in out.getvalue() and "[FAIL]" not in out.getvalue()


def test_listed_party_graded_aa_fails_dishonesty_check(world):
    from zhifa.credit.models import CreditGrade, CreditRuleSet, DishonestyEntry

    firm = company(world)
    grade = CreditGrade.objects.create(party=firm, organisation=world.brigade_a, grade="AA", score=95, bad_points=0,
                                       rule_set=CreditRuleSet.objects.first(), computed_on=TODAY)
    DishonestyEntry.objects.create(party=firm, organisation=world.brigade_a, reason="一年内超限运输3次以上", basis="公路安全保护条例第六十六条",
                                   source="officer", status="listed", listed_on=TODAY)
    [line] = failures("dishonesty")
    assert firm.name in line and "AA" in line
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("check_figures", "--only", "dishonesty", stdout=out)
    assert "[FAIL] 严重失信名单与信用等级" in out.getvalue() and firm.name in out.getvalue()
    CreditGrade.objects.filter(pk=grade.pk).update(grade="D")
    assert failures("dishonesty") == []


def test_review_hours_that_differ_from_the_register_fail(world):
    """年度考核 printed 当年学时 0.0 while the hours register held 92–96 h for the same officers."""
    from zhifa.training import services as training
    from zhifa.training.models import Attendance, CertificateReview, TrainingEvent

    officer = world.officers["officer"]
    start = date(TODAY.year, 1, 10)
    event = TrainingEvent.objects.create(organisation=world.county_a, title="《行政处罚法》专题培训", category="law", start_on=start,
                                         end_on=start, hours=Decimal(12))
    Attendance.objects.create(event=event, officer=officer, hours=Decimal(12))
    CertificateReview.objects.create(officer=officer, year=TODAY.year, reviewed_on=TODAY, result="passed", training_hours=0)
    [line] = failures("review_hours")
    assert "当年学时 0" in line and "12" in line
    CertificateReview.objects.all().delete()
    review = training.certificate_review_record(actor=world.users["head"], officer=officer, year=TODAY.year, reviewed_on=TODAY,
                                                result="passed")
    assert review.training_hours == Decimal(12) and failures("review_hours") == []


def test_rate_whose_numerator_leaves_the_cohort_fails(world, monkeypatch):
    """办结率100.6%: warnings closed this year (some received last year) divided by those received this year."""
    from zhifa.inspections.models import ProvincialWarning

    def warning(n, received, closed):
        return ProvincialWarning.objects.create(organisation=world.brigade_a, external_id=f"YJ{n}", warning_class=1, category="超限",
                                                description="车辆超限", occurred_at=timezone.now(), received_on=received, source="api",
                                                status="closed" if closed else "received", closed_on=closed)

    this_year = date(TODAY.year, 1, 1)
    warning(1, this_year - timedelta(days=20), this_year + timedelta(days=2))  # received last year, closed this year
    warning(2, this_year, this_year)
    assert failures("rates") == []
    value = metrics.rate("warnings_closed_rate", world.city, this_year, TODAY)
    assert value.numerator.value == 1 and value.denominator.value == 1 and value.display() == "100.0%"
    bad = metrics.Rate("bad", "预警抄告办结率（按办结日期）", "warnings_closed", "warnings_received")
    monkeypatch.setattr(metrics, "RATES", [*metrics.RATES, bad])
    lines = failures("rates")
    assert any("200.0%" in line and "预警抄告办结率（按办结日期）" in line for line in lines)


def test_breakdown_without_the_unit_itself_fails(world, monkeypatch):
    """按单位: brigade 411321DD's own 19 decisions were missing — only its squads and station were listed."""
    from zhifa.core.tests.factories import OrganisationFactory

    squad = OrganisationFactory(code="C411321ZD1", name="第一中队", kind="squad", parent=world.brigade_a)
    case = decided(world)
    assert case.organisation == world.brigade_a and squad.parent == world.brigade_a
    rows = metrics.by_unit(metrics.BY_KEY["penalties"], world.brigade_a, date(TODAY.year, 1, 1), TODAY)
    assert [(r.label, r.value.value) for r in rows] == [(f"{world.brigade_a.name}（本级）", 1), ("第一中队", 0)]
    assert failures("breakdowns") == []

    def children_only(metric, org, start, end, **kw):
        return [metrics.UnitValue(c, metrics.evaluate(metric, c, start, end)) for c in type(org).objects.filter(parent=org)]

    monkeypatch.setattr(metrics, "by_unit", children_only)
    lines = failures("breakdowns")
    assert any(world.brigade_a.name in line and "缺少本级" in line for line in lines)
    assert any(world.brigade_a.name in line and "合计 0" in line and "总数 1" in line for line in lines)


def test_credit_publication_not_on_the_portal_fails(world):
    """豫R召交罚〔2026〕100–123号 were in the credit publications and neither on the portal nor in the export."""
    from zhifa.credit import services as credit

    firm = company(world)
    credit.publication_create(actor=None, party=firm, decision_number="豫R召交罚〔2026〕100号", decision_date=TODAY - timedelta(days=30),
                              summary="未按规定对车辆进行二级维护")
    [line] = failures("publication")
    assert "豫R召交罚〔2026〕100号" in line and "不是门户公开的处罚决定" in line


def test_decision_never_published_fails(world):
    case = decided(world)
    Case.objects.filter(pk=case.pk).update(decided_on=TODAY - timedelta(days=40))
    assert any(case.decision_number in line and "门户登记簿中没有" in line for line in failures("publication"))


def test_closed_case_with_unpaid_fine_fails_until_an_enforcement_step(world):
    from zhifa.payments.models import PaymentNotice
    from zhifa.payments.tests.factories import delivered_notice

    notice = delivered_notice(world)
    Case.objects.filter(pk=notice.case_id).update(status="closed", closed_on=TODAY)  # what the demo did: closed, never paid
    [line] = failures("closed_unpaid")
    assert notice.case.number in line and "待缴纳" in line
    PaymentNotice.objects.filter(pk=notice.pk).update(reminded_on=TODAY, reminder_number="豫R召交催〔2026〕1号")
    assert failures("closed_unpaid") == []


def test_decisions_without_publication_or_notice_are_found_by_anti_join_not_by_a_not_in_list(world, monkeypatch):
    """On the million-case load database a NOT IN list of every publication (or payment notice) outgrows PostgreSQL's
    work_mem and is rescanned once per decision: the check ran for hours. Both sets are NOT EXISTS (an anti-join)."""
    from zhifa.portal import pipeline

    seen = []
    monkeypatch.setattr(consistency, "_listed", lambda qs, describe: seen.append(str(qs.query)) or iter(()))
    failures("closed_unpaid")
    seen += [str(qs.query) for qs, _ in pipeline._unpublished_sets(TODAY)]
    assert len(seen) == 3
    for sql in seen:
        assert "NOT (EXISTS(SELECT" in sql.replace("NOT EXISTS(", "NOT (EXISTS(") and "IN (SELECT" not in sql, sql


def test_hearing_held_the_day_it_was_notified_fails_art64(world):
    """行政处罚法第六十四条: the party is notified seven (working) days before the hearing."""
    case = decided(world)
    Case.objects.filter(pk=case.pk).update(hearing_notice_on=TODAY, hearing_on=TODAY, hearing_held_on=TODAY)
    [line] = failures("hearing_lead")
    assert case.number in line and "第六十四条" in line
    from zhifa.core import legal_calendar

    ok = legal_calendar.add_working_days(TODAY, 7).date
    Case.objects.filter(pk=case.pk).update(hearing_on=ok, hearing_held_on=ok)
    assert failures("hearing_lead") == []


def test_zhifa_check_figures_maps_to_the_command():
    from unittest import mock

    from zhifa import cli

    with mock.patch("django.core.management.execute_from_command_line") as run:
        cli.main(["check", "figures", "--only", "rates"])
    run.assert_called_once_with(["zhifa", "check_figures", "--only", "rates"])


def _published_penalty(world):
    """A penalty published on the portal (its credit publication following), exported and accepted."""
    from zhifa.portal import credit_export
    from zhifa.portal import services as portal
    from zhifa.portal.models import Publication
    from zhifa.portal.tests.test_credit_export import _setup

    _setup(world)  # the brigade's credit code, which every 双公示 row carries
    case = decided(world, party=company(world, legal_representative="赵六"))
    Case.objects.filter(pk=case.pk).update(decided_on=TODAY - timedelta(days=20), violation_name="未随车携带道路运输证")
    portal.publication_run(today=TODAY - timedelta(days=18))
    pub = Publication.objects.get(subject_id=str(case.pk))
    result = credit_export.export(actor=None, organisation=world.brigade_a, publications=Publication.objects.all(), layout="penalty",
                                  file_format="json")
    assert result.rows, result.errors
    credit_export.reconcile(actor=None, batch=result.batch, accepted=[r["本地编号"] for r in result.rows], rejected={})
    return pub


def test_portal_credit_and_export_out_of_step_each_fail(world):
    """Each part of “published everywhere or nowhere”, broken on purpose: the portal withdrew a decision the credit
    publications still show; the portal shows one the export never sent; a batch whose receipt does not add up."""
    from zhifa.credit.models import CreditPublication
    from zhifa.portal.models import ExportBatch, ExportItem, Publication

    pub = _published_penalty(world)
    assert failures("publication") == []
    # The portal withdrew it, the credit publication and the export did not follow.
    Publication.objects.filter(pk=pub.pk).update(status=Publication.Status.WITHDRAWN, withdrawn_on=TODAY)
    lines = failures("publication")
    assert any(pub.decision_number in line and "信用公示为“公示中”" in line for line in lines)
    assert any(pub.decision_number in line and "未报送撤回" in line for line in lines)
    # Put back on the portal, but the export's row is gone: on the portal, not in the 双公示 export.
    Publication.objects.filter(pk=pub.pk).update(status=Publication.Status.PUBLISHED, withdrawn_on=None)
    ExportItem.objects.filter(publication=pub).delete()
    assert any(pub.decision_number in line and "双公示导出中没有" in line for line in failures("publication"))
    # The credit publication without its portal row.
    CreditPublication.objects.filter(source_id=pub.subject_id).update(source_id="0")
    assert any("不是门户公开的处罚决定" in line for line in failures("publication"))
    batch = ExportBatch.objects.get()
    ExportBatch.objects.filter(pk=batch.pk).update(accepted=batch.rows + 1)
    assert any(f"双公示批次 #{batch.pk}" in line and "对不上" in line for line in failures("publication"))


def test_a_check_names_the_first_failures_and_counts_the_rest_in_the_database(world, monkeypatch):
    """On the load database a check must not walk every row: it lists ``LIMIT`` failures and counts the others."""
    monkeypatch.setattr(consistency, "LIMIT", 1)
    cases = [decided(world) for _ in range(3)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(hearing_notice_on=TODAY, hearing_on=TODAY, hearing_held_on=TODAY)
    [result] = consistency.run(today=TODAY, only=["hearing_lead"])
    assert result.count == 3 and len(result.failures) == 1 and cases[0].number in result.failures[0]
