"""Factories and helpers for case tests: a lead in county A's brigade, and a helper driving a case forward."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.core.models import Party
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory


def person(world, **kw) -> Party:
    return PersonPartyFactory(organisation=world.brigade_a, **kw)


def company(world, **kw) -> Party:
    return OrgPartyFactory(organisation=world.brigade_a, **kw)


# A violation outside the catalogue states its provisions (the catalogue's LZ-004 citations, see discretion data):
# 公路法 Art. 76 allows a fine of up to 30,000 yuan with no minimum, so the tests' amounts (50 yuan on the spot to
# 20,000 yuan with a hearing) are all lawful under it (the fine is checked against the cited provision's range).
VIOLATED = "《中华人民共和国公路法》第四十八条"
PENALTY = "《中华人民共和国公路法》第七十六条第（四）项"
FACTS = "驾驶履带式挖掘机未经公路管理机构同意擅自在公路上行驶，造成路面压痕"


def lead(world, *, party=None, days_ago: int = 3, code: str = "", origin=None, provisions: bool = True, **kw) -> Case:
    case = services.lead_register(
        actor=world.users["officer"], organisation=world.brigade_a, source=Case.Source.INSPECTION,
        party=party or person(world), occurred_at=timezone.now() - timedelta(days=days_ago), place="G207国道皇后段",
        facts=FACTS, violation_item_code=code or None, origin=origin, **kw)
    if provisions and case.violation_item_id is None and case.status == "lead" and not case.violated_provision:
        case = services.case_set_provisions(actor=world.users["officer"], case=case, violated_provision=VIOLATED, penalty_provision=PENALTY)
    return case


def opened(world, **kw) -> Case:
    case = lead(world, **kw)
    return services.case_open(actor=world.users["head"], case=case,
                              officers=[world.officers["officer"], world.officers["officer2"]])


def reviewed(world, *, legal_review: bool = False, amount=Decimal("2000"), range_check: str = "", **kw) -> Case:
    """Reported and approved by the head; ``legal_review``: through 法制审核 too, whose opinion records
    ``range_check`` (罚款幅度核对: required where the system cannot check the fine's range)."""
    case = opened(world, **kw)
    if legal_review:
        case = services.case_set_review(actor=world.users["head"], case=case, legal_review_required=True, discussion_required=False,
                                        basis="案情复杂")
    case = services.case_report(actor=world.users["officer"], case=case, report_text="经调查，违法事实清楚，证据确凿。",
                                proposed_outcome=Case.Outcome.PENALTY, proposed_amount=amount)
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    if legal_review:
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="事实清楚，适用法律正确。",
                                   range_check=range_check)
        case.refresh_from_db()
    return case


def notified(world, *, amount=Decimal("2000"), hearing_right=False, **kw) -> Case:
    case = reviewed(world, amount=amount, **kw)
    return services.case_notify(actor=world.users["officer"], case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount,
                                hearing_right=hearing_right)


def decided(world, *, amount=Decimal("2000"), **kw) -> Case:
    case = notified(world, amount=amount, **kw)
    case = services.case_waive(actor=world.users["officer"], case=case, statement="无异议")
    return services.case_decide(actor=world.users["head"], case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount,
                                legal_basis=PENALTY, reasoning="违法事实清楚，按裁量基准一般情形处罚。")
