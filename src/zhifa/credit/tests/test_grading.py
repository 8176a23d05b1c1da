"""Credit grading (legal-reference §8): score bands, bad-conduct points, the local rule "≥ 3 penalties in 12
months lowers the grade" (seed 004) and its effect on the random draw."""

from datetime import date, timedelta

import pytest

from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit import selectors, services
from zhifa.credit.models import CreditEvent, CreditGrade, CreditRuleSet, GradeChange
from zhifa.inspections import services as insp_services
from zhifa.inspections.tests.factories import InspectionItemFactory

pytestmark = pytest.mark.django_db


def _penalty(party, n, on):
    return services.credit_event_record(actor=None, party=party, kind=CreditEvent.Kind.PENALTY, occurred_on=on,
                                        description=f"行政处罚{n}", source_type="test.penalty", source_id=f"{party.pk}-{n}")


def test_section8_score_bands():
    rs = CreditRuleSet.objects.get(version="2020-v1")
    band = services._band
    assert band(rs, 95, 0) == "AA" and band(rs, 85, 0) == "A" and band(rs, 70, 30) == "B"
    assert band(rs, 50, 10) == "B" and band(rs, 50, 20) == "C"
    assert band(rs, 30, 25) == "D" and band(rs, 30, 5) == "C"


def test_seed004_three_penalties_in_a_year_lower_the_grade_and_raise_sampling_weight(world):
    firms = [CompanyFactory(organisation=world.brigade_a, kind="freight") for _ in range(6)]
    firm = firms[0]
    today = date.today()
    item = InspectionItemFactory(organisation=world.county_a)
    head = world.users["head"]

    def draw_weight():
        plan = insp_services.plan_create(actor=head, organisation=world.county_a, title="抽查", items=[item], target_types=["freight"],
                                         starts_on=today, ends_on=today, target_count=2)
        insp_services.plan_commit_seed(actor=head, plan=plan)
        d = insp_services.plan_draw(actor=head, plan=plan)
        return float(next(t["weight"] for t in d.target_snapshot if t["party_id"] == firm.party_id))

    _penalty(firm.party, 1, today - timedelta(days=200))
    _penalty(firm.party, 2, today - timedelta(days=100))
    grade_before = CreditGrade.objects.get(party=firm.party)
    assert grade_before.grade == "A"  # 100 − 2×10 = 80
    weight_before = draw_weight()
    _penalty(firm.party, 3, today - timedelta(days=10))
    after = CreditGrade.objects.get(party=firm.party)
    # 70 points is band B; the third penalty within 12 months lowers it one step to C.
    assert after.grade == "C" and after.penalties_12m == 3
    change = GradeChange.objects.filter(party=firm.party).first()
    assert change.from_grade == "A" and change.to_grade == "C"
    assert any("本地规则" in r for r in change.reasons)
    weight_after = draw_weight()
    assert weight_after > weight_before
    assert Event.objects.filter(action="credit.grade_change", subject_id=str(after.pk)).count() == 3  # —→AA, AA→A, A→C


def test_penalties_older_than_twelve_months_do_not_count(world):
    firm = CompanyFactory(organisation=world.brigade_a)
    today = date.today()
    for n, days in enumerate((500, 420, 10)):
        _penalty(firm.party, n, today - timedelta(days=days))
    g = CreditGrade.objects.get(party=firm.party)
    assert g.penalties_12m == 1 and g.grade == "AA"


def test_local_rule_can_be_switched_off(world):
    CreditRuleSet.objects.update(local_penalty_rule=False)
    firm = CompanyFactory(organisation=world.brigade_a)
    for n in range(3):
        _penalty(firm.party, n, date.today() - timedelta(days=n))
    assert CreditGrade.objects.get(party=firm.party).grade == "B"


def test_penalties_counted_from_case_rows(world):
    """The penalty count reads decided penalty cases of the cases app, without double counting mirrored ones."""
    from django.utils import timezone

    from zhifa.cases.models import Case

    firm = CompanyFactory(organisation=world.brigade_a)
    today = date.today()
    for n in range(3):
        Case.objects.create(number=f"T-{n}", organisation=world.brigade_a, source="inspection", party=firm.party,
                            occurred_at=timezone.now(), place="城关镇", facts="未按规定维护车辆", outcome="penalty",
                            decided_on=today - timedelta(days=30 * n))
    assert selectors.penalty_count(firm.party_id, since=today - timedelta(days=364), until=today) == 3
    assert selectors.penalty_counts([firm.party_id], since=today - timedelta(days=364), until=today) == {firm.party_id: 3}
    g = services.grade_compute(actor=None, party=firm.party)
    assert g.grade == "C"  # 70 points (B) lowered by the local rule
    # Mirrored in the ledger (source cases.case): still three, not six.
    case = Case.objects.get(number="T-0")
    services.credit_event_record(actor=None, party=firm.party, kind="penalty", occurred_on=case.decided_on, description="处罚",
                                 source_type="cases.case", source_id=case.pk)
    assert selectors.penalty_count(firm.party_id, since=today - timedelta(days=364), until=today) == 3


def test_credit_event_is_idempotent_per_source(world):
    firm = CompanyFactory(organisation=world.brigade_a)
    e1 = _penalty(firm.party, 1, date.today())
    before = Event.objects.count()
    assert _penalty(firm.party, 1, date.today()).pk == e1.pk
    assert Event.objects.count() == before


def test_nightly_regrade_moves_grades_when_penalties_leave_the_window(world):
    import time_machine

    from zhifa.credit.tasks import regrade_all_task

    firm = CompanyFactory(organisation=world.brigade_a)
    start = date(2026, 1, 10)
    with time_machine.travel(start):
        for n in range(3):
            _penalty(firm.party, n, start - timedelta(days=n))
        assert CreditGrade.objects.get(party=firm.party).grade == "C"
    with time_machine.travel(start + timedelta(days=400)):
        assert regrade_all_task()["changed"] >= 1
    assert CreditGrade.objects.get(party=firm.party).grade == "AA"


def test_api_grade_and_dishonesty(world, api_for):
    firm = CompanyFactory(organisation=world.brigade_a)
    for n in range(3):
        _penalty(firm.party, n, date.today() - timedelta(days=n))
    body = api_for("officer").get(f"/api/v1/credit/parties/{firm.party_id}/grade").json()
    assert body["grade"] == "C" and body["penalties_12m"] == 3 and body["changes"][0]["to_grade"] == "C"
    assert api_for("officer_b").get(f"/api/v1/credit/parties/{firm.party_id}/grade").status_code == 404


def test_twelve_month_penalty_count_includes_every_source_and_names_them(world, api_for):
    """Issue 16: a firm listed for repeated overload showed "近12个月处罚 0 起". The count is one definition over every
    penalty decision — officer cases, off-site overload cases, 一超四罚 follow-up cases — plus pre-go-live history;
    a revoked decision does not count, a decision outside the window does not count, and 一超四罚 triggers are shown
    beside it (a trigger is not a decision)."""
    from django.utils import timezone

    from zhifa.cases.models import Case
    from zhifa.overload.models import FourPenaltyTrigger

    firm = CompanyFactory(organisation=world.brigade_a)
    today = date.today()
    since = today - timedelta(days=364)

    def case(n, origin="", decided=today - timedelta(days=10), **extra):
        return Case.objects.create(number=f"S-{n}", organisation=world.brigade_a, source="inspection", party=firm.party, origin_type=origin,
                                   origin_id=str(n) if origin else "", occurred_at=timezone.now(), place="G207", facts="超限运输",
                                   outcome="penalty", decided_on=decided, **extra)

    case(1)
    case(2, "overload.violation")
    case(3, "overload.four_penalty")
    case(4, "overload.violation", revoked_on=today - timedelta(days=1))
    case(5, decided=since - timedelta(days=1))  # one day before the window
    case(6, decided=since)  # first day of the window
    _penalty(firm.party, 9, today - timedelta(days=30))  # provincial platform history
    FourPenaltyTrigger.objects.create(kind="company", party=firm.party, organisation=world.brigade_a, company=firm, count=5, basis="第六十六条",
                                      triggered_on=today, follow_up="停业整顿", notice_due_on=today)
    b = selectors.penalty_breakdown(firm.party_id, since=since, until=today)
    assert (b["total"], b["cases"], b["overload_cases"], b["four_penalty_cases"], b["ledger"], b["four_penalty_triggers"]) == (5, 4, 1, 1, 1, 1)
    assert selectors.penalty_counts([firm.party_id], since=since, until=today) == {firm.party_id: 5}
    assert services.grade_compute(actor=None, party=firm.party).penalties_12m == 5
    assert selectors.grade_penalty_count_mismatches() == []
    body = api_for("officer").get(f"/api/v1/credit/parties/{firm.party_id}/grade").json()
    assert body["penalties"]["total"] == 5 and body["penalties_12m"] == 5
    # The credit page reads the same selector.
    from django.test import Client

    c = Client()
    c.force_login(world.users["officer"])
    html = c.get(f"/credit/parties/{firm.party_id}/").content.decode()
    assert "近12个月行政处罚 <strong>5</strong> 起" in html and "非现场超限 1 起" in html and "一超四罚触发 1 次" in html
    # A decision recorded after the grade makes the stored figure stale: the consistency read names it.
    case(7)
    [stale] = selectors.grade_penalty_count_mismatches()
    assert stale["stored"] == 5 and stale["recount"] == 6


def test_listed_grades_follow_the_cap():
    rs = CreditRuleSet.objects.get(version="2020-v1")
    assert rs.listed_grades() == ["C", "D"]
    rs.listed_max_grade = "B"
    assert rs.listed_grades() == ["B", "C", "D"]
    rs.listed_max_grade = ""
    assert rs.listed_grades() == ["AA", "A", "B", "C", "D"]


def test_grades_recompute_grades_each_firm_as_grade_compute_does(world, monkeypatch):
    """grades_recompute reads in bulk what grade_compute reads party by party (events, penalties, 一超四罚
    triggers, listings, current grades): both give every firm the same grade, score, reasons and record —
    across chunks too."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhifa.credit.models import DishonestyEntry
    from zhifa.overload.models import FourPenaltyTrigger

    monkeypatch.setattr(services, "RECOMPUTE_CHUNK", 4)
    rng = random.Random(7)
    today = date.today()
    firms = [CompanyFactory(organisation=world.brigade_a, kind="freight") for _ in range(11)]
    kinds = [CreditEvent.Kind.PENALTY, CreditEvent.Kind.COMPLAINT, CreditEvent.Kind.FINDING_CASE, CreditEvent.Kind.WARNING,
             CreditEvent.Kind.OVERLOAD, CreditEvent.Kind.FINDING_RECTIFY]
    for i, firm in enumerate(firms):
        for k in range(i % 5):
            kind = rng.choice(kinds)
            services.credit_event_record(actor=None, party=firm.party, kind=kind, occurred_on=today - timedelta(days=rng.randint(0, 500)),
                                         description=f"事件{k}", source_type="test.mix", source_id=f"{firm.pk}-{k}",
                                         warning_class=3 if kind == CreditEvent.Kind.WARNING else None, regrade=i % 2 == 0)
    for firm, expires in ((firms[3], None), (firms[4], today + timedelta(days=30)), (firms[5], today - timedelta(days=1))):
        DishonestyEntry.objects.create(party=firm.party, organisation=world.brigade_a, reason="一年内超限运输3次以上",
                                       basis="公路安全保护条例第六十六条", source="officer", status="listed",
                                       listed_on=today - timedelta(days=40), expires_on=expires)
    # 一超四罚 triggers (issue 19: counted for each chunk in one query, not per firm), one outside the window
    for firm, n, days_ago in ((firms[1], 2, 3), (firms[6], 1, 10), (firms[9], 1, 800)):
        for k in range(n):
            FourPenaltyTrigger.objects.create(kind="company", party=firm.party, organisation=world.brigade_a,
                                              company=firm, count=5, basis="第六十六条",
                                              triggered_on=today - timedelta(days=days_ago + k),
                                              follow_up="停业整顿", notice_due_on=today)
    expected = {f.party_id: services.grade_evaluate(f.party, today) for f in firms}
    window = {"since": today - timedelta(days=364), "until": today}
    assert selectors.overload_trigger_counts([f.party_id for f in firms], **window) == {
        firms[1].party_id: 2, firms[6].party_id: 1}
    assert selectors.overload_trigger_count(firms[1].party_id, **window) == 2
    assert selectors.overload_trigger_count(firms[9].party_id, **window) == 0
    assert any("一超四罚记录" in r for want in expected.values() for r in want["reasons"])
    changes_before = GradeChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # not count(): sequences gap
    with CaptureQueriesContext(connection) as queries:
        services.grades_recompute(actor=None, organisation=world.county_a, on=today)
    table = connection.ops.quote_name(FourPenaltyTrigger._meta.db_table)
    assert sum(f"FROM {table}" in q["sql"] for q in queries.captured_queries) == 3  # 11 firms in chunks of 4
    for firm in firms:
        grade, want = CreditGrade.objects.get(party=firm.party), expected[firm.party_id]
        assert (grade.grade, grade.score, grade.bad_points, grade.penalties_12m, grade.computed_on) == (
            want["grade"], want["score"], want["bad_points"], want["penalties"], today)
        change = GradeChange.objects.filter(party=firm.party).order_by("-pk").first()
        if change.pk > changes_before:
            assert change.reasons == want["reasons"] and change.to_grade == want["grade"]
    assert any(GradeChange.objects.filter(party=f.party, pk__gt=changes_before).exists() for f in firms)
    assert any("严重失信" in r for want in expected.values() for r in want["reasons"])
    # Unchanged data: a second run changes no grade.
    assert services.grades_recompute(actor=None, organisation=world.county_a, on=today) == 0
