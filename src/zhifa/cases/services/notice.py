"""Notice of the proposed penalty (违法行为通知书, Arts. 44–45), the party's statement and defence or waiver, and the
hearing: request, notice and holding (Arts. 63–64)."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction

from zhifa.core import legal_calendar
from zhifa.core.errors import DomainError
from zhifa.core.models import Officer

from .. import penalties, rules
from ..models import Case, ClockSuspension
from .checks import (
    assert_range_reviewed,
    assert_statutory_range,
    default_hearing_right,
    passed_reviews,
    review_requirement,
    window_deadline,
)
from .common import (
    assert_act_date,
    check,
    cited_provisions,
    handling_officers,
    issue_document,
    move,
    tell_party,
    today,
)


def case_notify(*, actor, case: Case, penalty_kind: str = "", amount: Decimal | None = None, hearing_right: bool | None = None,
                officers: Sequence[Officer] | None = None, lines: list | None = None) -> Case:
    """违法行为通知书: tell the party the facts, basis, proposed penalty and rights (行政处罚法 Art. 44–45). The
    proposed penalty is one kind and amount, or ``lines`` (kind, amount, subject, term) combining several kinds
    of Art. 9; the hearing right follows every line (Art. 63); ``hearing_right=True`` grants it beyond the law's list."""
    check("notify", case, actor)
    handling_officers(case, officers, act="告知")
    cited_provisions(case)
    if case.discussion_required and not case.discussed_on:
        raise DomainError("discussion_required", "本案须经集体讨论后方可告知拟处罚决定（行政处罚法第五十七条）。")
    parsed = penalties.parse_lines(lines if lines is not None else penalties.lines_from(penalty_kind, amount))
    penalties.assert_provided_by_item(parsed, case.violation_item)
    derived = penalties.summary(parsed)
    amount = derived["fine_amount"]
    assert_statutory_range(case, amount, lines=parsed)
    _assert_reviewed_before_notice(case, lines=parsed)
    assert_range_reviewed(case, amount, lines=parsed)
    # Art. 63 ("应当告知"): where any line gives the right, it is told; the head may add the right, never remove it.
    right = default_hearing_right(case, lines=parsed) or bool(hearing_right)
    fields = {"notified_on": today(), "notified_amount": amount, "notified_penalty_kind": derived["penalty_kind"], "hearing_right": right,
              "rights_waived_on": None}
    with transaction.atomic():
        penalties.store_lines(case, "notified", parsed)
        case = move(case, "notify", actor, fields=fields,
                     summary=f"送达违法行为通知书：拟{penalties.lines_text(parsed)}"
                     + ("，告知听证权利" if right else "，告知陈述申辩权利"))
        issue_document(actor=actor, case=case, kind="violation_notice")
    return case


def _assert_reviewed_before_notice(case: Case, *, lines: list) -> None:
    """Art. 58: a penalty the legal-review catalogue lists (by item, amount or kind) is reviewed before the decision.
    The notice that proposes it is refused while no review has passed — otherwise the case would reach a decision
    it cannot take; the head sends it to legal review first (审查 → 法制审核)."""
    required, basis = review_requirement(case, lines=lines)
    if required and not passed_reviews(case).exists():
        raise DomainError("legal_review_missing", f"拟作出的处罚须经法制审核（{basis or '法制审核目录'}），"
                          "请先由负责人审查后送法制审核，再行告知（行政处罚法第五十八条）。")


def case_statement(*, actor, case: Case, statement: str, no_fault: bool = False, adopted: str = "") -> Case:
    """Record the party's statement and defence (陈述申辩) and the authority's review of it (Art. 45)."""
    check("statement", case, actor)
    if not statement.strip():
        raise DomainError("statement_required", "请填写当事人的陈述申辩意见。")
    fields = {"statement": statement.strip(), "statement_adopted": adopted.strip(), "no_fault_claimed": no_fault}
    return move(case, "statement", actor, target=case.status, fields=fields,
                 summary=f"记录陈述申辩：{statement.strip()[:200]}" + ("（主张无主观过错，证据成立）" if no_fault else ""))


def case_waive(*, actor, case: Case, statement: str = "") -> Case:
    """The party waives statement, defence and hearing in writing; the window closes now."""
    check("waive", case, actor)
    fields = {"rights_waived_on": today()}
    if statement.strip():
        # the waiver is its own record: it never replaces the party's statement and defence (Art. 45)
        fields["waiver_statement"] = statement.strip()
    return move(case, "waive", actor, target=case.status, fields=fields, summary="当事人书面放弃陈述申辩和听证权利")


def case_hearing_request(*, actor, case: Case, requested_on: date | None = None) -> Case:
    """The party asks for a hearing: only with the right (Art. 63) and within 5 working days (Art. 64)."""
    check("hearing_request", case, actor)
    requested_on = requested_on or today()
    if not case.hearing_right:
        raise DomainError("no_hearing_right", "本案拟作出的处罚不属于听证范围（行政处罚法第六十三条）。")
    if case.rights_waived_on:
        raise DomainError("rights_waived", "当事人已书面放弃听证权利。")
    assert_act_date(requested_on, act="申请听证", article="行政处罚法第六十四条")
    deadline = window_deadline(case)
    if requested_on > deadline.date or requested_on < case.notified_on:
        raise DomainError("hearing_request_late", f"听证申请应在告知后5个工作日内（{deadline.label}前）提出（行政处罚法第六十四条）。")
    with transaction.atomic():
        case = move(case, "hearing_request", actor, fields={"hearing_requested_on": requested_on}, summary=f"当事人于{requested_on}申请听证")
        # The hearing period is not counted in the decision limit.
        ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.HEARING, started_on=requested_on, note="听证程序")
    return case


def case_hearing_schedule(*, actor, case: Case, hearing_on: date, notice_on: date | None = None, public: bool = True,
                          private_reason: str = "") -> Case:
    """听证通知书: the hearing is notified at least 7 working days before it is held, and held in public unless it
    concerns state secrets, trade secrets or personal privacy (Art. 64 (一)(三))."""
    check("hearing_schedule", case, actor)
    if not public and not private_reason.strip():
        raise DomainError("private_reason_required", "不公开举行听证的，须写明理由（涉及国家秘密、商业秘密或者个人隐私，行政处罚法第六十四条）。")
    notice_on = notice_on or today()
    earliest = legal_calendar.add_working_days(notice_on, rules.HEARING_NOTICE_WORKING_DAYS)
    if hearing_on < earliest.date:
        raise DomainError("hearing_notice_short", f"听证应在举行7个工作日前通知当事人，{notice_on}通知的听证最早于{earliest.label}举行（行政处罚法第六十四条）。")
    assert_act_date(notice_on, act="听证通知", article="行政处罚法第六十四条",
                     after=[(case.notified_on, "违法行为通知书的告知日期"), (case.hearing_requested_on, "当事人申请听证的日期")])
    with transaction.atomic():
        case = move(case, "hearing_schedule", actor, target=case.status,
                     fields={"hearing_notice_on": notice_on, "hearing_on": hearing_on, "hearing_public": public,
                             "hearing_private_reason": "" if public else private_reason.strip()[:200]},
                     summary=f"通知听证：{hearing_on}{'公开' if public else '不公开'}举行")
        issue_document(actor=actor, case=case, kind="hearing_notice")
        tell_party(case, kind="hearing_notice", event=f"case:{case.pk}:hearing:{hearing_on}", title="听证通知",
                    body=f"{case.organisation.name}定于{hearing_on:%Y年%m月%d日}举行案件{case.number}的听证，听证通知书另行送达。")
    return case


def case_hearing_hold(*, actor, case: Case, record: str, held_on: date | None = None, officers: Sequence[Officer] | None = None) -> Case:
    """听证笔录: the hearing is held on or after the notified day; the suspension of the clock ends."""
    check("hearing_hold", case, actor)
    held_on = held_on or today()
    if not case.hearing_on:
        raise DomainError("hearing_not_scheduled", "尚未通知听证。")
    if held_on < case.hearing_on:
        raise DomainError("hearing_too_early", f"听证通知的举行日期为{case.hearing_on}。")
    assert_act_date(held_on, act="听证举行", article="行政处罚法第六十四条")
    handling_officers(case, officers, act="听证")
    if not record.strip():
        raise DomainError("record_required", "请填写听证笔录。")
    with transaction.atomic():
        case = move(case, "hearing_hold", actor, fields={"hearing_record": record.strip(), "hearing_held_on": held_on},
                     summary=f"举行听证（{held_on}）")
        ClockSuspension.objects.filter(case=case, reason=ClockSuspension.Reason.HEARING, ended_on__isnull=True).update(ended_on=held_on)
        issue_document(actor=actor, case=case, kind="hearing_record")
    return case
