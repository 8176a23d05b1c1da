"""Conditions of 行政处罚法 that several steps read: the limitation period to the day of discovery (Art. 36), whether
legal review is required (Art. 58), the hearing right (Art. 63), the statement and defence window (Arts. 44, 64)
and the discretion engine's proposal for the case."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.errors import DomainError
from zhifa.discretion import engine as discretion_engine
from zhifa.discretion import ranges as discretion_ranges
from zhifa.discretion import review as discretion_review
from zhifa.discretion.models import ListKind

from .. import penalties, rules
from ..models import Case, LegalReview
from .common import assert_act_date, today


def assert_discovery(occurred_on: date, *, act_ended_on: date | None, discovered_on: date | None, evidence: str) -> str:
    """行政处罚法 Art. 36: the end of a continuing act and the day of discovery are dated acts: neither in the future
    nor before the act began; a discovery date needs its evidence (举报登记, 检查记录, 移送函 …)."""
    if act_ended_on is not None:
        assert_act_date(act_ended_on, act="违法行为终了", article="行政处罚法第三十六条第二款",
                         after=[(occurred_on, "违法行为发生日期")])
    if discovered_on is not None:
        assert_act_date(discovered_on, act="发现违法行为", article="行政处罚法第三十六条", after=[(occurred_on, "违法行为发生日期")])
        if not evidence.strip():
            raise DomainError("discovery_evidence_required", "填写发现日期的，须写明发现的依据（如举报登记编号、检查记录），"
                              "追责期限计算至发现之日（行政处罚法第三十六条）。")
    return evidence.strip() if discovered_on is not None else ""


def discovery_date(case: Case) -> date:
    """The day the act was discovered: the officer-entered date (with its evidence), else the lead's registration."""
    return case.discovered_on or timezone.localtime(case.registered_at).date()


def limitation_end(case: Case) -> date:
    """The last day on which discovery is in time (行政处罚法 Art. 36): 2 years (5 with life/health harm) from the
    act, or from its end when it continued (¶2); the first day is not counted and the period ends on the
    anniversary (民法典 Arts. 201–202; 29 February → 28 February)."""
    years = rules.LIMITATION_YEARS_LIFE_HEALTH if case.life_health_harm else rules.LIMITATION_YEARS
    start = case.act_ended_on or case.occurred_on
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def limitation_expired(case: Case, on: date | None = None) -> bool:
    """行政处罚法 Art. 36: not discovered within the limitation → no penalty. Measured to the day of discovery
    (``discovery_date``), never to the day the case happens to be opened; ``on`` measures to another day."""
    return (on or discovery_date(case)) > limitation_end(case)


def review_requirement(case: Case, *, amount: Decimal | None = None, penalty_kind: str = "",
                       lines: list | None = None) -> tuple[bool, str]:
    """Whether legal review (行政处罚法 Art. 58) is required: always after a hearing (¶1(2)) and whenever the
    discretion app's legal-review catalogue lists the case (item, amount, every penalty kind of the notice or the
    decision — a combined penalty is listed when any of its lines is); otherwise as the head set it (or as the
    report made it, a proposal deviating from the benchmark). A head's "no review" never overrides the law."""
    if lines is None:
        lines = penalties.stored(case, "notified")
    if lines:
        kinds, by_kind = [x.kind for x in lines], penalties.kind_amounts(lines)
        amount = amount if amount is not None else by_kind.get(Case.PenaltyKind.FINE)
    else:
        kinds = [penalty_kind or (Case.PenaltyKind.FINE if (amount or case.proposed_amount) else Case.PenaltyKind.WARNING)]
        by_kind = {}
        # Before the notice names the kinds, the item's benchmark proposal does (e.g. 吊销 for 一超四罚).
        proposal = None if penalty_kind else assessment_proposal(case)
        if proposal is not None and proposal.penalty_kinds and case.proposed_outcome != Case.Outcome.NO_PENALTY:
            kinds = list(dict.fromkeys([*proposal.penalty_kinds, *([Case.PenaltyKind.FINE] if case.proposed_amount else [])]))
    required, reasons = discretion_review.review_requirement(
        item_code=case.violation_code, party_kind=case.party.kind, amount=amount if amount is not None else case.proposed_amount,
        penalty_kinds=kinds, hearing_held=case.hearing_held_on is not None, on=today(), kind_amounts=by_kind)
    # Art. 58 ¶1(2): a case decided after a hearing is reviewed, whatever the catalogue's data says; and the head
    # may add review to a case but never waive it where the law or the catalogue requires it.
    if case.hearing_held_on is not None and not any("听证" in r for r in reasons):
        reasons.insert(0, "经过听证程序（行政处罚法第五十八条第一款第二项）")
    # Arts. 4, 58: a fine whose range the system cannot check is checked by the legal reviewer (fail closed).
    fine = amount if amount is not None else by_kind.get(Case.PenaltyKind.FINE)
    if fine is None and case.proposed_outcome == Case.Outcome.PENALTY:
        fine = case.proposed_amount
    unchecked = fine_range_unchecked(case, fine, gains=Case.PenaltyKind.CONFISCATE_INCOME in kinds)
    if unchecked:
        reasons.insert(0, unchecked)
        required = True
    if required or case.hearing_held_on is not None:
        return True, "；".join(reasons)[:300]
    return case.legal_review_required, case.legal_review_basis


def assessment_proposal(case: Case):
    """The discretion engine's proposal for the case (``discretion.engine.Assessment``), or None without an item."""
    if not case.violation_code:
        return None
    try:
        return discretion_engine.assess(item_code=case.violation_code, facts=case.assessment.get("facts", {}) if case.assessment else {},
                                        violation_date=case.occurred_on, today=today())
    except DomainError:
        return None


def assert_statutory_range(case: Case, amount: Decimal | None, *, basis: str = "", lines=None) -> None:
    """A fine within the range of the cited penalty provision (行政处罚法 Art. 4), whether or not the case
    uses a catalogue item; below the minimum only as 减轻处罚 (Art. 32) on a recorded ground: the engine's
    proposal is 减轻 on the case's facts, or the 减轻处罚清单 entry was applied to the case. A decision that
    confiscates illegal gains takes the provision's gains branch (a multiple of the gains), not its range."""
    proposal = assessment_proposal(case)
    applied = getattr(case, "list_application", None) if case.pk else None
    mitigated = (proposal is not None and proposal.outcome == "mitigated") or (
        applied is not None and applied.list_kind == ListKind.MITIGATED)
    gains = any(x.kind == Case.PenaltyKind.CONFISCATE_INCOME for x in lines or [])
    discretion_ranges.assert_fine_within(amount, item=case.violation_item, mitigated=mitigated, illegal_gains=gains,
                                         penalty_basis=basis or case.penalty_provision or case.legal_basis)


RANGE_UNCHECKED = "罚款幅度未能自动核对"
RANGE_END = "（行政处罚法第四条、第五十八条）"


def fine_range_unchecked(case: Case, amount: Decimal | None, *, basis: str = "", lines=None, gains: bool | None = None) -> str:
    """The flag 罚款幅度未能自动核对 with its reason when the statutory range of the fine cannot be checked by the
    system (``discretion.ranges.unchecked_reason``: a provision the catalogue does not know, a multiple of illegal
    gains); "" when it can or there is no fine. Such a fine is decided only after legal review records that the
    amount was checked against the provision (Arts. 4, 58), and never on the spot (Art. 51)."""
    if gains is None:
        gains = any(x.kind == Case.PenaltyKind.CONFISCATE_INCOME for x in lines or [])
    reason = discretion_ranges.unchecked_reason(amount, item=case.violation_item, illegal_gains=gains,
                                                penalty_basis=basis or case.penalty_provision or case.legal_basis)
    return f"{RANGE_UNCHECKED}：{reason}，须经法制审核对照处罚依据核对罚款金额{RANGE_END}" if reason else ""


def cited_basis(case: Case, basis: str = "") -> str:
    """The penalty basis a fine is checked against: the decision's stated basis, else the case's penalty provision,
    else its catalogue item's."""
    item = case.violation_item
    return (basis or case.penalty_provision or case.legal_basis or (item.penalty_basis if item else "") or "").strip()


def standing_reviews(case: Case):
    """The passed legal reviews a notice or decision may rest on: after the hearing, where one was held."""
    reviews = passed_reviews(case)
    if case.hearing_held_on:
        reviews = reviews.filter(reviewed_at__date__gte=case.hearing_held_on)
    return reviews


def range_reviews(case: Case):
    """The standing reviews that recorded a range check."""
    return standing_reviews(case).exclude(range_check="")


def assert_range_reviewed(case: Case, amount: Decimal | None, *, basis: str = "", lines=None) -> None:
    """A fine whose range the system cannot check (:func:`fine_range_unchecked`) needs a passed legal review — after
    the hearing, where one was held — whose opinion records the reviewer's check of the amount against the provision
    (``LegalReview.range_check``), and that check must cover this fine: the provision it checked is the one cited now
    and the amount it checked is at least this one (a lower fine under the same provision needs no new check)."""
    unchecked = fine_range_unchecked(case, amount, basis=basis, lines=lines)
    if not unchecked:
        return
    reviews = list(range_reviews(case))
    if not reviews:
        raise DomainError("fine_range_unchecked", f"{unchecked}。法制审核意见须写明已对照该条款核对罚款金额在法定幅度内，"
                          "未经核对的，不得告知或作出罚款决定。")
    cited = cited_basis(case, basis)
    if any(r.range_checked_amount is not None and amount <= r.range_checked_amount
           and discretion_ranges.same_basis(r.range_checked_basis, cited) for r in reviews):
        return
    last = reviews[-1]
    what = (f"法制审核核对的是{last.range_checked_basis or '（未记录处罚依据）'}下罚款"
            f"{f'{last.range_checked_amount:,.2f}元' if last.range_checked_amount is not None else '（未记录金额）'}")
    raise DomainError("range_check_stale", f"{unchecked}。{what}，现拟依据{cited}罚款{amount:,.2f}元，超出已核对的金额或处罚依据已改变，"
                      "须由法制审核人员重新核对罚款幅度（记录罚款幅度核对）后，方可告知或作出罚款决定。")


def passed_reviews(case: Case):
    return case.legal_reviews.filter(opinion__in=[LegalReview.Opinion.AGREE, LegalReview.Opinion.MODIFY])


def default_hearing_right(case: Case, penalty_kind: str = "", amount: Decimal | None = None, *, lines: list | None = None) -> bool:
    """行政处罚法 Art. 63: a hearing for large fines, confiscation of large amounts, lowering a qualification grade,
    revoking a licence, ordering suspension/closure, restricting practice, other heavy penalties — any line of a
    combined penalty gives the right. The thresholds and kinds are the discretion app's data."""
    lines = lines if lines is not None else [penalties.Line(kind=penalty_kind, amount=amount)]
    fine = next((x.amount for x in lines if x.kind == Case.PenaltyKind.FINE), None)
    right, _reason = discretion_review.hearing_right(party_kind=case.party.kind, amount=fine, penalty_kinds=[x.kind for x in lines],
                                                     on=today(), kind_amounts=penalties.kind_amounts(lines))
    return bool(right)


def window_deadline(case: Case, cal=None):
    """The last day of the statement/defence (and hearing request) window after the notice (Art. 44, 64)."""
    cal = cal or legal_calendar.calendar()
    days = rules.HEARING_REQUEST_WORKING_DAYS if case.hearing_right else rules.period("statement_working_days")
    return cal.add_working_days(case.notified_on, days)
