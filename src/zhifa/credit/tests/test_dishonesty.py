"""The serious-dishonesty listing as a procedure (国办发〔2020〕49号 (八); 交办公路〔2017〕8号; 《信用修复管理办法》
(2026)): proposal → prior notice with the right to state and defend → the head's decision with a numbered 决定书 →
listed for the term → exit on expiry (the day after the last day) or early by credit repair (not before the
minimum period). No single call lists a party; refusals change nothing."""

from datetime import date, timedelta

import pytest

from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.roles import Role
from zhifa.core.tests.factories import CompanyFactory, UserFactory
from zhifa.credit import selectors, services
from zhifa.credit.models import (
    CreditGrade,
    CreditRuleSet,
    DishonestyCategory,
    DishonestyEntry,
    DishonestyStep,
)
from zhifa.credit.workflow import Status
from zhifa.documents.models import Document

pytestmark = pytest.mark.django_db

# 2023-03-01 is a Wednesday: 5 working days of statement period end on Wednesday 2023-03-08.
PROPOSED, NOTIFIED, DUE = date(2023, 3, 1), date(2023, 3, 1), date(2023, 3, 8)


@pytest.fixture
def firm(world):
    return CompanyFactory(organisation=world.brigade_a)


@pytest.fixture
def category():
    return DishonestyCategory.objects.get(code="overload_vehicle")


def _propose(world, firm, category, on=PROPOSED):
    return services.dishonesty_propose(actor=world.users["officer"], party=firm.party, category=category,
                                       reason="一年内违法超限运输4次", facts="该公司豫R·A1234货车一年内违法超限运输4次，均已作出行政处罚决定",
                                       on=on)


def _notified(world, firm, category):
    entry = _propose(world, firm, category)
    return services.dishonesty_notify(actor=world.users["officer"], entry=entry, on=NOTIFIED)


def _listed(world, firm, category, on=DUE + timedelta(days=1)):
    entry = _notified(world, firm, category)
    return services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=True, on=on)


def _state(entry):
    """What a refused step must leave unchanged: the row, its steps, its documents and the full-process record."""
    entry.refresh_from_db()
    return (entry.status, entry.decision_number, entry.listed_on, entry.removed_on, DishonestyStep.objects.filter(entry=entry).count(),
            Document.objects.count(), Event.objects.count())


def test_49hao_8_a_proposal_does_not_list_the_party(world, firm, category):
    services.grade_compute(actor=None, party=firm.party)
    entry = _propose(world, firm, category)
    assert entry.status == Status.PROPOSED and entry.listed_on is None
    assert selectors.listing_in_force(firm.party_id, date.today()) is None
    assert CreditGrade.objects.get(party=firm.party).grade == "AA"
    assert not DishonestyEntry.objects.filter(party=firm.party, status=Status.LISTED).exists()


def test_49hao_8_no_decision_to_list_before_the_notice(world, firm, category):
    entry = _propose(world, firm, category)
    before = _state(entry)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=True)
    assert exc.value.code == "notice_required" and "告知书" in exc.value.message
    assert _state(entry) == before


def test_49hao_8_notice_is_a_numbered_document_with_the_statement_period(world, firm, category):
    entry = _notified(world, firm, category)
    assert entry.status == Status.NOTIFIED and entry.statement_due_on == DUE and entry.statement_due_confirmed
    doc = Document.objects.get(kind="dishonesty_notice")
    assert entry.notice_number == doc.number and "失告" in doc.number
    assert doc.context["statement_due"] == DUE.isoformat() and doc.context["statement_days"] == category.statement_working_days


def test_49hao_8_decision_refused_on_the_last_day_of_the_statement_period(world, firm, category):
    entry = _notified(world, firm, category)
    before = _state(entry)
    with pytest.raises(DomainError) as exc:
        services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=True, on=DUE)
    assert exc.value.code == "statement_period_running"
    assert _state(entry) == before


def test_49hao_8_decision_the_day_after_the_period_lists_with_a_numbered_decision(world, firm, category):
    entry = _listed(world, firm, category, on=DUE + timedelta(days=1))
    assert entry.status == Status.LISTED and entry.listed_on == date(2023, 3, 9) and entry.decided_by == world.users["head"]
    # Term of 36 months from the decision, ending on the corresponding day (民法典 Arts. 201-203, ADR 0004); the
    # 12-month minimum is served at the end of its anniversary, so repair from the day after.
    assert entry.expires_on == date(2026, 3, 9) and entry.repair_from == date(2024, 3, 10)
    doc = Document.objects.get(kind="dishonesty_decision")
    assert entry.decision_number == doc.number and "失决" in doc.number
    assert doc.context["notice_number"] == entry.notice_number and doc.context["expires_on"] == "2026-03-09"
    assert [s.action for s in entry.steps.all()] == ["propose", "notify", "decide_list"]


def test_49hao_8_a_statement_must_be_answered_before_deciding(world, firm, category):
    entry = _notified(world, firm, category)
    entry = services.dishonesty_statement_record(actor=world.users["officer"], entry=entry, statement="其中一次为车辆被盗期间，非本公司所为",
                                                 on=date(2023, 3, 3))
    before = _state(entry)
    with pytest.raises(DomainError) as exc:
        services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=True, on=date(2023, 3, 6))
    assert exc.value.code == "statement_review_required"
    assert _state(entry) == before
    # Heard and answered: the decision need not wait for the end of the period.
    entry = services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=True, on=date(2023, 3, 6),
                                       review_note="经核查被盗报案回执，扣除该次后一年内仍有3次以上超限运输，申辩理由不成立")
    assert entry.status == Status.LISTED
    assert "车辆被盗" in Document.objects.get(kind="dishonesty_decision").context["statement"]


def test_49hao_8_late_statement_is_recorded_and_marked(world, firm, category):
    entry = _notified(world, firm, category)
    entry = services.dishonesty_statement_record(actor=world.users["officer"], entry=entry, statement="补充说明", on=DUE + timedelta(days=2))
    assert entry.statement == "补充说明" and entry.statement_on == DUE + timedelta(days=2) and entry.status == Status.NOTIFIED
    assert entry.steps.last().note == "逾期提出：补充说明"


def test_only_the_head_decides_and_only_within_jurisdiction(world, firm, category):
    entry = _notified(world, firm, category)
    other = _propose(world, CompanyFactory(organisation=world.brigade_a), category)
    before, other_before = _state(entry), _state(other)
    head_b = UserFactory(username="head_b", organisation=world.county_b, roles=[Role.HEAD])
    for user in (world.users["officer"], world.users["admin"], head_b):
        with pytest.raises(NotPermitted):
            services.dishonesty_decide(actor=user, entry=entry, list_party=True, on=DUE + timedelta(days=1))
    with pytest.raises(NotPermitted):
        services.dishonesty_notify(actor=world.users["officer_b"], entry=other)
    assert _state(entry) == before and _state(other) == other_before


def test_head_may_decide_not_to_list_with_a_reason(world, firm, category):
    entry = _propose(world, firm, category)
    before = _state(entry)
    with pytest.raises(DomainError):
        services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=False, reason=" ")
    assert _state(entry) == before
    entry = services.dishonesty_decide(actor=world.users["head"], entry=entry, list_party=False, reason="4次中2次经复核为称重设备故障，不满足认定标准")
    assert entry.status == Status.NOT_LISTED and entry.removal_reason.startswith("4次中2次")
    # The procedure is closed: a new proposal may be made.
    assert _propose(world, firm, category, on=date.today()).status == Status.PROPOSED


def test_dates_of_steps_neither_in_the_future_nor_before_the_step_they_follow(world, firm, category):
    entry = _propose(world, firm, category)
    before = _state(entry)
    with pytest.raises(DomainError) as exc:
        services.dishonesty_notify(actor=world.users["officer"], entry=entry, on=PROPOSED - timedelta(days=1))
    assert exc.value.code == "date_before_previous_step"
    with pytest.raises(DomainError) as exc:
        services.dishonesty_notify(actor=world.users["officer"], entry=entry, on=date.today() + timedelta(days=1))
    assert exc.value.code == "date_in_future"
    assert _state(entry) == before


def test_one_open_procedure_per_party(world, firm, category):
    entry = _propose(world, firm, category)
    before = _state(entry)
    with pytest.raises(DomainError) as exc:
        _propose(world, firm, category)
    assert exc.value.code == "procedure_open"
    assert _state(entry) == before
    # A system proposal (一超四罚) gets the open one back and adds nothing.
    again = services.dishonesty_propose(actor=None, party=firm.party, category=category, reason="一超四罚",
                                        source=DishonestyEntry.Source.FOUR_PENALTY)
    assert again.pk == entry.pk and _state(entry) == before


def test_exit_on_expiry_takes_effect_the_day_after_the_last_day(world, firm, category):
    entry = _listed(world, firm, category)
    assert services.dishonesty_expire_due(on=entry.expires_on) == 0
    entry.refresh_from_db()
    assert entry.status == Status.LISTED and selectors.listing_in_force(firm.party_id, entry.expires_on) is not None
    assert services.dishonesty_expire_due(on=entry.expires_on + timedelta(days=1)) == 1
    entry.refresh_from_db()
    assert entry.status == Status.REMOVED and entry.removal_kind == "expiry" and entry.removed_on == date(2026, 3, 10)
    assert entry.steps.last().action == "expire" and entry.steps.last().actor is None


def test_repair_exit_not_before_the_minimum_period(world, firm, category):
    entry = _listed(world, firm, category)
    head = world.users["head"]
    before = _state(entry)
    with pytest.raises(DomainError) as exc:  # on the anniversary of the decision (2024-03-09): not yet served
        services.dishonesty_repair_remove(actor=head, entry=entry, reason="已整改", corrected=True, commitment_signed=True,
                                          on=date(2024, 3, 9))
    assert exc.value.code == "repair_too_early"
    with pytest.raises(DomainError) as exc:
        services.dishonesty_repair_remove(actor=head, entry=entry, reason="已整改", corrected=True, commitment_signed=False, on=entry.repair_from)
    assert exc.value.code == "repair_conditions"
    with pytest.raises(NotPermitted):
        services.dishonesty_repair_remove(actor=world.users["officer"], entry=entry, reason="已整改", corrected=True, commitment_signed=True,
                                          on=entry.repair_from)
    assert _state(entry) == before
    entry = services.dishonesty_repair_remove(actor=head, entry=entry, reason="罚款已缴清，车辆已整改，已签署信用承诺书", corrected=True,
                                              commitment_signed=True, on=entry.repair_from)
    assert entry.status == Status.REMOVED and entry.removal_kind == "repair" and entry.removed_on == date(2024, 3, 10)


def test_grade_effect_of_the_list_comes_from_the_rule_set(world, firm, category):
    services.grade_compute(actor=None, party=firm.party)
    assert CreditGrade.objects.get(party=firm.party).grade == "AA"
    entry = _listed(world, firm, category, on=DUE + timedelta(days=1))
    # Listed until 2026-03-09: use a listing still in force today.
    DishonestyEntry.objects.filter(pk=entry.pk).update(expires_on=date.today() + timedelta(days=30))
    grade = services.grade_compute(actor=None, party=firm.party)
    assert grade.grade == "C"
    reasons = firm.party.grade_changes.first().reasons
    assert any("严重失信主体名单" in r and "最高评为C级" in r for r in reasons)
    assert not any("overload" in r or "four_penalty" in r for r in reasons)
    # The rule set decides: no cap → the score alone.
    CreditRuleSet.objects.update(listed_max_grade="")
    assert services.grade_compute(actor=None, party=firm.party).grade == "AA"


def test_dishonesty_grade_conflicts_reads_listed_parties_graded_above_the_cap(world, firm, category):
    entry = _listed(world, firm, category)
    DishonestyEntry.objects.filter(pk=entry.pk).update(expires_on=date.today() + timedelta(days=30))
    services.grade_compute(actor=None, party=firm.party)
    assert selectors.dishonesty_grade_conflicts() == []
    CreditGrade.objects.filter(party=firm.party).update(grade="AA")  # a grade stored before the listing counted
    [conflict] = selectors.dishonesty_grade_conflicts()
    assert conflict["party_id"] == firm.party_id and conflict["grade"] == "AA" and conflict["max_grade"] == "C"
    assert selectors.dishonesty_listings_without_decision() == []
    assert selectors.dishonesty_overdue_exits() == []


def test_decision_document_renders_for_the_party(world, firm, category):
    """The decision as the party reads it: facts, basis, the notice and the statement, the term, the measures, the
    exit conditions and the remedies (49号 (八))."""
    from zhifa.core.evidence import evidence_read
    from zhifa.documents.kinds import KINDS
    from zhifa.documents.render import render_html

    _listed(world, firm, category)
    doc = Document.objects.get(kind="dishonesty_decision")
    assert evidence_read(doc.pdf).startswith(b"%PDF") and doc.pages >= 1

    html = render_html(kind=KINDS["dishonesty_decision"], organisation=doc.organisation, number=doc.number, context=doc.context)
    for text in ("列入严重失信主体名单决定书", firm.party.name, "2023年3月9日起至2026年3月9日止", "你单位在规定期限内未提出陈述、申辩意见",
                 "移出条件和程序", "申请行政复议", "交办公路〔2017〕8号", "一年内违法超限运输超过3次"):
        assert text in html, text
    assert "你（单位）" not in html  # the composer addresses an organisation as 你单位


def test_nightly_job_takes_expired_listings_off_and_regrades(world, firm, category):
    from zhifa.credit.tasks import regrade_all_task

    entry = _listed(world, firm, category)  # term ended 2026-03-09
    assert regrade_all_task()["expired"] == 1
    entry.refresh_from_db()
    assert entry.status == Status.REMOVED and entry.removed_on == date(2026, 3, 10)
    assert regrade_all_task()["expired"] == 0
