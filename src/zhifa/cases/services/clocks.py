"""The decision limit's clock (行政处罚法 Art. 60): extension by the head or by collective discussion, and the
periods not counted (hearing, public notice, testing, appraisal)."""

from datetime import date

from django.db import transaction

from zhifa.core.errors import DomainError

from .. import rules
from ..models import Case, ClockSuspension, Extension
from .common import assert_act_date, check, move, today


def case_extend(*, actor, case: Case, days: int, reason: str, basis: str) -> Extension:
    """Extend the decision limit: once by up to 30 days with the head's approval; any further extension only by
    collective discussion ([unconfirmed] 《交通运输行政执法程序规定》; 行政处罚法 Art. 60)."""
    check("extend", case, actor)
    if days <= 0 or not reason.strip():
        raise DomainError("invalid_extension", "请填写延长天数和理由。")
    if basis == Extension.Basis.HEAD:
        if case.extensions.filter(basis=Extension.Basis.HEAD).exists():
            raise DomainError("extension_needs_discussion", "负责人已批准过延长，再次延长须经集体讨论决定。")
        limit = rules.period("head_extension_days")
        if days > limit:
            raise DomainError("extension_too_long", f"负责人批准延长不得超过{limit}日，更长须经集体讨论决定。")
    elif basis == Extension.Basis.DISCUSSION:
        if not case.extensions.filter(basis=Extension.Basis.HEAD).exists():
            raise DomainError("extension_order", "应先由负责人批准延长30日。")
        if not case.discussed_on:
            raise DomainError("discussion_required", "再次延长须先经集体讨论并记录讨论意见。")
    else:
        raise DomainError("invalid_extension", "延长依据不正确。")
    with transaction.atomic():
        move(case, "extend", actor, target=case.status, summary=f"延长办案期限{days}日（{Extension.Basis(basis).label}）：{reason.strip()[:200]}")
        return Extension.objects.create(case=case, days=days, basis=basis, reason=reason.strip(), approved_by=actor, approved_on=today())


def case_suspend(*, actor, case: Case, reason: str, started_on: date | None = None, note: str = "") -> ClockSuspension:
    """Periods of hearing, public notice, testing and appraisal are not counted in the decision limit."""
    check("suspend", case, actor)
    if reason not in ClockSuspension.Reason.values:
        raise DomainError("invalid_reason", "中止事由应为听证、公告、检测或鉴定。")
    if case.suspensions.filter(ended_on__isnull=True).exists():
        raise DomainError("already_suspended", "办案期限已在中止中。")
    started_on = started_on or today()
    # Art. 60: the 90 days run from opening; a suspension neither precedes the case nor overlaps an earlier one.
    last_end = case.suspensions.exclude(ended_on__isnull=True).order_by("-ended_on").values_list("ended_on", flat=True).first()
    assert_act_date(started_on, act="办案期限中止", article="行政处罚法第六十条",
                     after=[(case.opened_on, "立案日期"), (last_end, "上一次中止的恢复日期")])
    with transaction.atomic():
        move(case, "suspend", actor, target=case.status, summary=f"办案期限中止：{ClockSuspension.Reason(reason).label}（{started_on}起） {note[:100]}")
        return ClockSuspension.objects.create(case=case, reason=reason, started_on=started_on, note=note)


def case_resume(*, actor, case: Case, ended_on: date | None = None) -> ClockSuspension:
    check("resume", case, actor)
    running = case.suspensions.filter(ended_on__isnull=True).first()
    if running is None:
        raise DomainError("not_suspended", "办案期限未中止。")
    ended_on = ended_on or today()
    if ended_on < running.started_on:
        raise DomainError("invalid_date", "恢复日期不能早于中止日期。")
    assert_act_date(ended_on, act="恢复计算办案期限", article="行政处罚法第六十条")
    with transaction.atomic():
        move(case, "resume", actor, target=case.status, summary=f"办案期限恢复计算（{running.get_reason_display()}，{running.started_on}至{ended_on}）")
        running.ended_on = ended_on
        running.save(update_fields=["ended_on"])
    return running
