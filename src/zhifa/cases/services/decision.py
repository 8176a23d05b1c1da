"""Decisions: the ordinary procedure's penalty or no-penalty decision with every condition of the law (Arts. 29,
30, 33, 36, 44, 45, 57, 58) and the simplified procedure's decision on the spot (Art. 51)."""

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit, workflow
from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_officers_can_act, assert_role

from .. import penalties, rules
from ..models import Case
from ..workflow import WORKFLOW, Status
from .checks import (
    assert_range_reviewed,
    assert_statutory_range,
    assessment_proposal,
    fine_range_unchecked,
    limitation_expired,
    passed_reviews,
    review_requirement,
    window_deadline,
)
from .common import (
    age_on_violation,
    assert_act_date,
    catalogue_item,
    check,
    cited_provisions,
    create_case,
    handling_officers,
    issue_document,
    move,
    reserve_decision_number,
    today,
)


def _assert_decidable(case: Case, *, amount: Decimal | None = None, penalty_kind: str = "", lines: list | None = None) -> None:
    """Checks every decision (penalty or not) passes in the ordinary procedure."""
    # The decision (dated today) never precedes the notice or the hearing it rests on (Arts. 44, 63–64).
    assert_act_date(today(), act="作出决定", article="行政处罚法第四十四条、第六十四条",
                     after=[(case.notified_on, "违法行为通知书的告知日期"), (case.hearing_held_on, "听证举行日期")])
    required, _basis = review_requirement(case, amount=amount, penalty_kind=penalty_kind, lines=lines)
    reviews = passed_reviews(case)
    if case.hearing_held_on and required:
        reviews = reviews.filter(reviewed_at__date__gte=case.hearing_held_on)
    if required and not reviews.exists():
        raise DomainError("legal_review_missing", "本案须经法制审核，未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条）。")
    if case.discussion_required and not case.discussed_on:
        raise DomainError("discussion_required", "本案须经负责人集体讨论决定（行政处罚法第五十七条）。")
    if case.status == Status.NOTIFIED and not case.rights_waived_on:
        deadline = window_deadline(case)
        if today() <= deadline.date:
            raise DomainError("defence_window_open", f"陈述申辩{'和听证申请' if case.hearing_right else ''}期限至{deadline.label}届满，"
                              "期限届满或当事人书面放弃前不得作出决定（行政处罚法第四十四条、第四十五条、第六十四条）。")


def _assert_may_penalise(case: Case, *, on: date, lenient: bool) -> None:
    age = age_on_violation(case.party, case.occurred_on)
    if age is not None and age < rules.MINOR_NO_PENALTY_AGE:
        raise DomainError("minor_no_penalty", f"当事人违法时不满十四周岁（{age}岁），不予行政处罚，责令监护人加以管教（行政处罚法第三十条）。")
    if age is not None and age < rules.MINOR_LENIENT_AGE and not lenient:
        raise DomainError("minor_lenient", f"当事人违法时已满十四周岁不满十八周岁（{age}岁），应当从轻或者减轻处罚（行政处罚法第三十条）。")
    if case.no_fault_claimed:
        raise DomainError("no_fault", "当事人有证据足以证明没有主观过错，不予行政处罚（行政处罚法第三十三条第二款）。")
    if limitation_expired(case) and not case.limitation_override:
        raise DomainError("limitation_expired", "违法行为在追责期限内未被发现，不再给予行政处罚（行政处罚法第三十六条）。")


_NOISE = re.compile(r"[\s，。、；：,.;:·()（）\-—“”\"'《》]+")


def _plain(text: str) -> str:
    return _NOISE.sub("", text or "")


def _same_place(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)))


def _same_facts(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    return bool(a and b) and (a == b or SequenceMatcher(None, a, b).ratio() >= rules.SAME_ACT_FACTS_SIMILARITY)


def likely_same_acts(case: Case) -> list[Case]:
    """Cases fining the same party for what may be the same act (行政处罚法 Art. 29), compared on the act itself:
    the same catalogue item on the same day, or — with or without a catalogue item — an act within
    ``rules.SAME_ACT_WINDOW_HOURS`` at the same place with the same facts. Revoked decisions do not count."""
    window = timedelta(hours=rules.SAME_ACT_WINDOW_HOURS)
    others = (Case.objects.filter(party=case.party, penalty_kind=Case.PenaltyKind.FINE, revoked_on__isnull=True,
                                  occurred_at__gte=case.occurred_at - window, occurred_at__lte=case.occurred_at + window)
              .exclude(pk=case.pk).order_by("occurred_at", "pk"))
    found = []
    for other in others:
        same_item = bool(case.violation_code) and other.violation_code == case.violation_code and other.occurred_on == case.occurred_on
        if same_item or (_same_place(case.place, other.place) and _same_facts(case.facts, other.facts)):
            found.append(other)
    return found


def _assert_not_fined_twice(case: Case, penalty_kind: str, not_same_act: str = "") -> str:
    """行政处罚法 Art. 29: one violation is not fined twice. A likely duplicate (``likely_same_acts``) is refused unless
    the officer confirms in writing that it is not the same act; the confirmation is returned for the record."""
    if penalty_kind != Case.PenaltyKind.FINE:
        return ""
    others = likely_same_acts(case)
    if not others:
        return ""
    numbers = "、".join(f"{o.number}（{o.decision_number or '决定书'}，{timezone.localtime(o.occurred_at):%Y-%m-%d %H:%M}，{o.place}）" for o in others[:3])
    if not not_same_act.strip():
        raise DomainError("fined_twice", f"当事人在相近时间、地点的相同违法事实已在案件{numbers}中被处以罚款，同一个违法行为不得给予"
                          "两次以上罚款的行政处罚（行政处罚法第二十九条）。如确属不同的违法行为，请写明理由确认“非同一违法行为”。")
    return f"确认非同一违法行为（已比对案件{'、'.join(o.number for o in others)}）：{not_same_act.strip()}"[:1000]


def _record_not_same_act(*, actor, case: Case, confirmation: str) -> None:
    """The officer's "not the same act" confirmation, kept on the case and in the full-process record (Art. 29)."""
    if confirmation:
        Case.objects.filter(pk=case.pk).update(not_same_act_reason=confirmation)
        audit.record(actor=actor, action="case.not_same_act", subject=case, organisation=case.organisation, summary=confirmation[:500])


def _assessment_snapshot(case: Case, amount: Decimal | None, deviation_reason: str) -> dict:
    """The discretion engine's proposal fixed on the case at decision time (later catalogue changes never
    change a decided case)."""
    proposal = assessment_proposal(case)
    data = audit.to_jsonable(proposal.as_dict()) if proposal is not None else {}
    data["decided_amount"] = str(amount) if amount is not None else None
    data["deviation_reason"] = deviation_reason
    return data


def case_decide(*, actor, case: Case, penalty_kind: str = "", amount: Decimal | None = None, legal_basis: str, reasoning: str,
                lenient: bool = False, deviation_reason: str = "", not_same_act: str = "", lines: list | None = None) -> Case:
    """行政处罚决定 (ordinary procedure): one kind and amount, or ``lines`` combining kinds of Art. 9 (e.g.
    没收违法所得 + 罚款; 吊销 道路运输证 No. …). Refused unless every condition of the law holds. ``not_same_act``:
    the officer's written confirmation that a likely duplicate fine (Art. 29) concerns a different act."""
    check("decide", case, actor)
    parsed = penalties.parse_lines(lines if lines is not None else penalties.lines_from(penalty_kind, amount))
    derived = penalties.summary(parsed)
    penalty_kind, amount = derived["penalty_kind"], derived["fine_amount"]
    _assert_decidable(case, amount=amount, penalty_kind=penalty_kind, lines=parsed)
    penalties.assert_provided_by_item(parsed, case.violation_item)
    # 行政处罚法 Art. 45: never heavier than notified (the party must not be punished for defending itself).
    penalties.assert_not_heavier(parsed, penalties.case_lines(case, "notified"))
    _assert_may_penalise(case, on=today(), lenient=lenient)
    confirmation = _assert_not_fined_twice(case, penalty_kind, not_same_act)
    if not legal_basis.strip() or not reasoning.strip():
        raise DomainError("reasoning_required", "决定书须写明法律依据和处罚理由（说理式文书）。")
    # The decision's legal basis is the penalty provision, cited as 《…》第…条…; the violated provision is the case's.
    cited_provisions(case, penalty=legal_basis)
    handling_officers(case, None, act="作出处罚决定")
    deviation_reason = deviation_reason.strip() or case.deviation_reason
    assert_statutory_range(case, amount, basis=legal_basis, lines=parsed)
    assert_range_reviewed(case, amount, basis=legal_basis, lines=parsed)  # what the system could not check, a reviewer did
    proposal = _assessment_snapshot(case, amount, deviation_reason)
    penalties.assert_deviation_explained(proposal, amount, deviation_reason)
    day = today()
    fields = {"outcome": Case.Outcome.PENALTY, **derived, "lenient": lenient,
              "legal_basis": legal_basis.strip(), "decision_reasoning": reasoning.strip(), "decided_on": day, "decided_by": actor,
              "assessment": proposal, "deviation_reason": deviation_reason}
    with transaction.atomic():
        fields["decision_number"] = reserve_decision_number(case, day, "penalty_decision")
        penalties.store_lines(case, "decided", parsed)
        case = move(case, "decide", actor, fields=fields,
                     summary=f"作出行政处罚决定 {fields['decision_number']}：{penalties.lines_text(parsed)}"
                     + (f"（偏离裁量建议，理由：{deviation_reason[:200]}）" if deviation_reason else ""))
        _record_not_same_act(actor=actor, case=case, confirmation=confirmation)
        issue_document(actor=actor, case=case, kind="penalty_decision")
    return case


def case_no_penalty(*, actor, case: Case, reason: str, reasoning: str, legal_basis: str = "") -> Case:
    """不予行政处罚决定 (Art. 30 minors, Art. 33 trivial / first violation / no fault, facts not established);
    the party is educated (Art. 33 ¶3), which the reasoning records."""
    check("no_penalty", case, actor)
    _assert_decidable(case, penalty_kind=Case.PenaltyKind.WARNING, amount=None)
    if reason not in Case.NoPenaltyReason.values or not reason:
        raise DomainError("invalid_reason", "请选择不予处罚的理由。")
    if not reasoning.strip():
        raise DomainError("reasoning_required", "请写明不予处罚的理由和对当事人的教育情况（行政处罚法第三十三条）。")
    # Art. 33 ¶1: 首违不罚 / 轻微不罚 only on the recorded facts of the list (and the signed commitment).
    from ..leniency import assert_no_penalty_conditions

    assert_no_penalty_conditions(case, reason)
    # The basis of not penalising (Arts. 30, 33, 57); the act found is cited unless the facts were not established.
    legal_basis = legal_basis.strip() or rules.NO_PENALTY_BASIS[reason]
    if reason != Case.NoPenaltyReason.FACTS:
        cited_provisions(case, need_penalty=False)
    from zhifa.core import provisions

    if not provisions.parse(legal_basis):
        raise DomainError("provision_missing", "请写明不予处罚的法律依据。")
    day = today()
    fields = {"outcome": Case.Outcome.NO_PENALTY, "penalty_kind": "", "fine_amount": None, "payable_amount": None, "no_penalty_reason": reason,
              "legal_basis": legal_basis, "decision_reasoning": reasoning.strip(), "decided_on": day, "decided_by": actor}
    with transaction.atomic():
        fields["decision_number"] = reserve_decision_number(case, day, "no_penalty_decision")
        case = move(case, "no_penalty", actor, fields=fields, summary=f"作出不予行政处罚决定：{Case.NoPenaltyReason(reason).label}")
        issue_document(actor=actor, case=case, kind="no_penalty_decision")
    return case




def _validate_penalty(penalty_kind: str, amount: Decimal | None) -> Decimal | None:
    if penalty_kind == Case.PenaltyKind.WARNING:
        return None
    if penalty_kind != Case.PenaltyKind.FINE:
        raise DomainError("invalid_penalty", "处罚种类应为警告或罚款。")
    if amount is None or Decimal(amount) <= 0:
        raise DomainError("invalid_amount", "罚款金额须大于零。")
    return Decimal(amount).quantize(Decimal("0.01"))


def case_simplified(*, actor, organisation: Organisation, party: Party, officers: Sequence[Officer], occurred_at: datetime,
                    place: str, facts: str, penalty_kind: str, amount: Decimal | None, legal_basis: str, reasoning: str = "",
                    violation_item_code: str | None = None, vehicle=None, lenient: bool = False, violation_name: str = "",
                    not_same_act: str = "", deviation_reason: str = "", violated_provision: str = "") -> Case:
    """当场行政处罚决定 (行政处罚法 Art. 51): only a warning or a fine ≤ 200 yuan (citizen) / ≤ 3000 yuan
    (organisation); delivered on the spot and reported to the agency (备案) at once. A fine that differs from the
    benchmark's suggestion for the item needs the officer's written reason, which the decision states."""
    assert_role(actor, Role.OFFICER, message="只有执法人员可以适用简易程序。")
    assert_in_jurisdiction(actor, organisation)
    handlers = assert_officers_can_act(officers, on=today(), act="当场处罚")
    amount = _validate_penalty(penalty_kind, amount)
    if amount is not None:
        limit = rules.SIMPLIFIED_MAX_PERSON if party.kind == Party.Kind.PERSON else rules.SIMPLIFIED_MAX_ORGANISATION
        if amount > limit:
            who = "公民" if party.kind == Party.Kind.PERSON else "法人或者其他组织"
            words = rules.SIMPLIFIED_LIMIT_WORDS.get(limit, f"{limit}元")
            raise DomainError("simplified_not_allowed", f"对{who}罚款超过{words}（{limit}元）的，不适用简易程序，应按普通程序立案调查"
                              f"（行政处罚法第五十一条：对{who}处以{words}以下罚款或者警告的，可以当场作出行政处罚决定）。")
    if not facts.strip() or not legal_basis.strip():
        raise DomainError("reasoning_required", "当场处罚决定书须写明违法事实和法律依据。")
    item = catalogue_item(violation_item_code)
    # the paper cites the violated provision (the item's, or stated for a violation outside the catalogue) and the
    # penalty provision (``legal_basis``) — both as 《…》第…条 citations
    violated, _penalty = cited_provisions(Case(violation_item=item, violated_provision=violated_provision.strip()), penalty=legal_basis)
    day = today()
    with transaction.atomic():
        case = create_case(organisation=organisation, procedure=Case.Procedure.SIMPLIFIED, violated_provision=violated_provision.strip(), status=Status.LEAD,
                            source=Case.Source.INSPECTION, party=party, vehicle=vehicle, occurred_at=occurred_at, place=place,
                            facts=facts.strip(), violation_item=item, violation_code=violation_item_code or "", violation_name=getattr(item, "name", "") if item else violation_name.strip()[:200],
                            registered_by=actor)
        case.officers.set(handlers)
        _assert_may_penalise(case, on=day, lenient=lenient)
        confirmation = _assert_not_fined_twice(case, penalty_kind, not_same_act)
        parsed = penalties.parse_lines(penalties.lines_from(penalty_kind, amount), allowed=penalties.SIMPLIFIED_KINDS)
        penalties.assert_provided_by_item(parsed, item)
        assert_statutory_range(case, amount, basis=legal_basis, lines=parsed)
        # Art. 51: no legal review on the spot, so a fine whose range the system cannot check is not decided here.
        unchecked = fine_range_unchecked(case, amount, basis=legal_basis, lines=parsed)
        if unchecked:
            raise DomainError("fine_range_unchecked", f"处罚依据{legal_basis.strip()}的罚款幅度不在违法行为事项目录中，"
                              "系统无法核对罚款是否在法定幅度内；当场处罚不经法制审核，不能当场作出该罚款决定。请选择目录中的违法行为"
                              "事项，或者按普通程序立案，经法制审核核对罚款金额后作出决定（行政处罚法第四条、第五十一条、第五十八条）。")
        proposal = _assessment_snapshot(case, amount, deviation_reason.strip())
        penalties.assert_deviation_explained(proposal, amount, deviation_reason)
        penalties.store_lines(case, "decided", parsed)
        target = Status.EXECUTION if amount else Status.EXECUTED
        fields = {"status": target, "outcome": Case.Outcome.PENALTY, "penalty_kind": penalty_kind, "fine_amount": amount,
                  "payable_amount": amount, "assessment": proposal, "deviation_reason": deviation_reason.strip(),
                  "lenient": lenient, "legal_basis": legal_basis.strip(), "decision_reasoning": reasoning.strip() or facts.strip(),
                  "decided_on": day, "decided_by": actor, "decision_number": reserve_decision_number(case, day, "onspot_decision"),
                  "delivery_method": Case.DeliveryMethod.ON_SPOT, "delivered_on": day, "filed_at": timezone.now(),
                  "executed_on": None if amount else day}
        Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
        workflow.created(WORKFLOW, case, "simplified", actor=actor, note="当场作出行政处罚决定并送达，自动备案",
                         summary=f"简易程序当场处罚 {case.decision_number}：{party.name}，{Case.PenaltyKind(penalty_kind).label}"
                         + (f" {amount}元" if amount else ""))
        audit.record(actor=actor, action="case.filed", subject=case, organisation=organisation,
                     summary=f"当场处罚决定书 {case.decision_number} 已报所属行政机关备案")
        WORKFLOW.on_move(case, "simplified")  # the outbox message of the decision
        _record_not_same_act(actor=actor, case=case, confirmation=confirmation)
        issue_document(actor=actor, case=case, kind="onspot_decision")
        if amount:
            from zhifa.payments.services import payment_codes_in_act
            from zhifa.payments.services import payment_notice_issue as issue_notice

            if payment_codes_in_act():
                issue_notice(actor=actor, case=case, amount=amount, delivered_on=day)
                issue_document(actor=actor, case=case, kind="payment_notice")  # the code and QR on paper (Art. 67)
            else:
                # A finance system's 缴款码 is asked for after the commit (no HTTP call inside this transaction);
                # the notice and its paper are issued when it answers (integrations, FeishuiAdapter.on_acknowledged).
                transaction.on_commit(lambda: _request_code(actor, case, amount, day), robust=True)
    return case


def _request_code(actor, case: Case, amount, day) -> None:
    from zhifa.payments.services import payment_code_prepare

    try:
        payment_code_prepare(case=case, amount=amount, delivered_on=day)
    except DomainError as exc:  # the request stays in the outbox: its retries issue the notice when answered
        audit.record(actor=actor, action="payment.code_pending", subject=case, organisation=case.organisation,
                     summary=f"当场处罚 {case.decision_number}：{exc.message[:200]} 缴款码取得后自动开具缴款通知书。")
