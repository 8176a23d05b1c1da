"""The agency's own enforcement of a delivered decision, where a law gives it that power (行政强制法 Art. 13: 行政
强制执行由法律设定; otherwise it applies to the court, ``payments.enforcement``).

- 行政强制执行决定书 (Art. 37) and 代履行决定书 (Arts. 50–51): only after the 催告书 was delivered (Art. 35) and the
  party did not perform within its period; the law that gives the power is stated; 代履行 names the executor and the
  cost budget (Art. 51 (一)).
- 执行公告 (Art. 44): only for an obligation to demolish (拆除) an illegal building, structure or facility; a public
  notice sets the time for the party to remove it. A decision to demolish by force (强制执行 or 代履行) only once the
  party's reconsideration and litigation periods have run out (``rights_deadlines``) and the announced time is over.
- 中止 / 终结 / 恢复执行通知书 (Arts. 39–40): only while an execution decision stands; the grounds are the
  article's items; resumption only of a suspended execution.
Every act is appended with the number of its form, issued in the same transaction.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.errors import DomainError

from .models import Case, ExecutionAct

K = ExecutionAct.Kind
REMINDER_WORKING_DAYS = 10  # the 催告书 (行政强制法 Art. 35) gives ten days; Art. 69: working days
SERIES_KIND = {K.DECISION: "execution_decision", K.SUBSTITUTE: "substitute_decision", K.ANNOUNCEMENT: "execution_announcement",
               K.SUSPEND: "execution_suspend", K.TERMINATE: "execution_terminate", K.RESUME: "execution_resume"}
# 行政强制法 Art. 39 ¶1: grounds to suspend execution.
SUSPEND_REASONS = {
    "hardship": "当事人履行行政决定确有困难或者暂无履行能力的（第三十九条第一款第（一）项）",
    "third_party": "第三人对执行标的主张权利，确有理由的（第三十九条第一款第（二）项）",
    "irreparable": "执行可能造成难以弥补的损失，且中止执行不损害公共利益的（第三十九条第一款第（三）项）",
    "other": "行政机关认为需要中止执行的其他情形（第三十九条第一款第（四）项）",
}
# 行政强制法 Art. 40: grounds to terminate execution.
TERMINATE_REASONS = {
    "died": "公民死亡，无遗产可供执行，又无义务承受人的（第四十条第（一）项）",
    "dissolved": "法人或者其他组织终止，无财产可供执行，又无义务承受人的（第四十条第（二）项）",
    "object_lost": "执行标的灭失的（第四十条第（三）项）",
    "revoked": "据以执行的行政决定被撤销的（第四十条第（四）项）",
    "other": "行政机关认为需要终结执行的其他情形（第四十条第（五）项）",
}


def _state(case: Case) -> str:
    """"" (no execution decision), "running", "suspended" or "terminated", from the appended acts."""
    state = ""
    for act in case.execution_acts.order_by("issued_on", "pk"):
        if act.kind in (K.DECISION, K.SUBSTITUTE):
            state = "running"
        elif act.kind == K.SUSPEND:
            state = "suspended"
        elif act.kind == K.RESUME:
            state = "running"
        elif act.kind == K.TERMINATE:
            state = "terminated"
    return state


def _assert_law(statute: str) -> None:
    # Art. 13: only a law (法律) sets the agency's enforcement power — not a regulation or a rule.
    if not statute.strip() or not ("中华人民共和国" in statute and "法》" in statute):
        raise DomainError("no_enforcement_power", "行政强制执行由法律设定：请写明授予本机关强制执行权的法律条款（如《中华人民共和国公路法》第…条）；"
                          "法律没有规定的，应当申请人民法院强制执行（行政强制法第十三条）。")


def _is_demolition(*texts: str) -> bool:
    """Whether the obligation (or the way of enforcing) is to demolish (拆除) — the case of 行政强制法 Art. 44."""
    return any("拆除" in (t or "") for t in texts)


def _assert_demolition_allowed(case: Case, on: date) -> None:
    # Art. 44: 强制拆除 only after a 公告 set the party a time to remove it, and only when the party did not seek
    # reconsideration or litigation within the statutory periods (the 6-month litigation period outlasts the 60 days).
    from zhifa.documents.render import rights_deadlines

    litigation = rights_deadlines(case.delivered_on)["litigation"]
    announcement = case.execution_acts.filter(kind=K.ANNOUNCEMENT).order_by("-issued_on", "-pk").first()
    if on <= litigation.date or announcement is None or announcement.deadline is None or on <= announcement.deadline:
        end = f"公告期限（{announcement.deadline:%Y-%m-%d}前）" if announcement and announcement.deadline else "执行公告限定的期限"
        raise DomainError("demolition_periods_running", f"需要强制拆除的，应当先予公告，限期当事人自行拆除；当事人在法定期限内"
                          f"（提起行政诉讼至{litigation.label}）不申请行政复议或者提起行政诉讼，{end}届满又不自行拆除的，"
                          "方可作出强制拆除决定（行政强制法第四十四条）。")


def execution_issue(*, actor, case: Case, kind: str, statute: str = "", obligation: str = "", method: str = "",
                    reminded_on: date | None = None, deadline: date | None = None, executor: str = "", cost: Decimal | None = None,
                    reason: str = "", reason_text: str = "", on: date | None = None) -> ExecutionAct:
    """Issue one of the agency's enforcement forms for a delivered decision (head only; see the module text)."""
    from zhifa.core.roles import Role
    from zhifa.core.services import assert_in_jurisdiction, assert_role

    assert_role(actor, Role.HEAD, message="行政强制执行须经行政机关负责人批准（行政强制法第三十七条）。")
    assert_in_jurisdiction(actor, case.organisation)
    on = on or timezone.localdate()
    if kind not in K.values:
        raise DomainError("invalid_kind", "文书种类不正确。")
    if not case.delivered_on or case.revoked_on:
        raise DomainError("not_enforceable", "只有已送达且未被撤销的决定可以强制执行。")
    state = _state(case)
    if state == "terminated":
        raise DomainError("execution_terminated", "本案强制执行已终结。")
    if kind in (K.DECISION, K.SUBSTITUTE, K.ANNOUNCEMENT):
        _assert_law(statute)
        if not obligation.strip():
            raise DomainError("obligation_required", "请写明当事人应当履行的义务。")
    if kind == K.ANNOUNCEMENT and not _is_demolition(obligation):
        raise DomainError("announcement_demolition_only", "执行公告适用于需要强制拆除违法的建筑物、构筑物、设施等的情形，"
                          "当事人的义务应为拆除（行政强制法第四十四条）。")
    if kind in (K.DECISION, K.SUBSTITUTE):
        if state:
            raise DomainError("already_decided", "本案已作出强制执行决定。")
        # Art. 35, 37: the 催告 comes first; the decision only after the party failed to perform within its period.
        if reminded_on is None or reminded_on >= on or reminded_on < case.delivered_on:
            raise DomainError("reminder_required", "作出强制执行决定前，应当事先催告当事人履行义务，催告期限届满仍不履行的方可决定"
                              "（行政强制法第三十五条、第三十七条）。")
        # Art. 69: the 催告书's ten days (自收到本催告书之日起十日内) are working days; the decision only once they ran out
        period = legal_calendar.add_working_days(reminded_on, REMINDER_WORKING_DAYS)
        if on <= period.date:
            raise DomainError("reminder_period_running", f"催告书给予的履行期限（送达后十个工作日，至{period.label}）届满后，当事人仍不履行的，"
                              "方可作出强制执行决定（行政强制法第三十五条、第三十七条、第六十九条）。")
        if _is_demolition(obligation, method):
            _assert_demolition_allowed(case, on)
        if not method.strip():
            raise DomainError("method_required", "请写明强制执行的方式（代履行的方式）和时间。")
        if kind == K.SUBSTITUTE and (not executor.strip() or cost is None or cost < 0):
            raise DomainError("substitute_incomplete", "代履行决定书应当载明代履行人和代履行费用预算（行政强制法第五十一条）。")
    if kind == K.ANNOUNCEMENT and (deadline is None or deadline <= on):
        raise DomainError("deadline_required", "执行公告应限期当事人自行拆除（行政强制法第四十四条），请填写期限。")
    if kind == K.SUSPEND:
        if state != "running":
            raise DomainError("not_running", "只有正在执行的强制执行可以中止。")
        if reason not in SUSPEND_REASONS:
            raise DomainError("invalid_reason", "中止执行的事由应为行政强制法第三十九条第一款所列情形。")
    if kind == K.TERMINATE:
        if not state:
            raise DomainError("not_running", "尚未作出强制执行决定。")
        if reason not in TERMINATE_REASONS:
            raise DomainError("invalid_reason", "终结执行的事由应为行政强制法第四十条所列情形。")
    if kind == K.RESUME and state != "suspended":
        raise DomainError("not_suspended", "只有中止执行的案件可以恢复执行（行政强制法第三十九条第二款）。")
    if kind in (K.SUSPEND, K.TERMINATE, K.RESUME) and not reason_text.strip():
        raise DomainError("reason_required", "请写明具体情况。")
    from .preservation import issue_form
    from .services import common

    with transaction.atomic():
        act = ExecutionAct.objects.create(case=case, kind=kind, statute=statute.strip(), obligation=obligation.strip(), method=method.strip(),
                                          reminded_on=reminded_on, deadline=deadline, executor=executor.strip(), cost=cost,
                                          reason=reason, reason_text=reason_text.strip(), issued_on=on, issued_by=actor)
        grounds = {**SUSPEND_REASONS, **TERMINATE_REASONS}.get(reason, "") if kind in (K.SUSPEND, K.TERMINATE) else ""
        decision = case.execution_acts.filter(kind__in=[K.DECISION, K.SUBSTITUTE]).order_by("pk").first()
        doc = issue_form(actor=actor, case=case, kind=SERIES_KIND[kind], context={
            "statute": act.statute, "obligation": act.obligation, "method": act.method, "reminded_on": reminded_on, "deadline": deadline,
            "executor": act.executor, "cost": cost, "grounds": grounds, "reason_text": act.reason_text, "issued_on": on,
            "execution_decision": decision.number if decision and decision.pk != act.pk else ""})
        ExecutionAct.objects.filter(pk=act.pk).update(number=doc.number)
        common.move(case, "execute", actor, target=case.status, summary=f"{act.get_kind_display()} {doc.number}"
                       + (f"：{grounds}" if grounds else "") + (f"（{act.reason_text[:100]}）" if act.reason_text else ""))
    act.refresh_from_db()
    return act


def on_fine_paid(*, notice, actor) -> None:
    """The payment notice of the case is paid in full (the payment system's callback, ``payments.services``): the
    case moves from 执行中 to 执行完毕. Registered with payments in ``CasesConfig.ready``."""
    from .services import case_on_paid

    case_on_paid(case=notice.case, paid_on=notice.paid_on, actor=actor)
