"""State changes of permit applications. Each checks role and jurisdiction, then moves the application through the
workflow kernel (``zhifa.core.workflow`` with ``workflow.WORKFLOW``): the table, a conditional update of one row,
the appended status change and the audit record in one transaction (the portal pulls decided permits daily)."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit, legal_calendar, numbering
from zhifa.core.errors import DomainError
from zhifa.core.models import Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role
from zhifa.core.workflow import created, transition
from zhifa.oversight.models import Power

from .models import APPLICATION_NUMBERS, CERTIFICATE_NUMBERS, PermitApplication, PermitItem
from .workflow import WORKFLOW

SERIES_KIND = "permit_decision"  # the documents numbering series (文书代字 许 by default, per agency as data)

S = PermitApplication.Status
HANDLERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)


def _move(*, actor, application: PermitApplication, action: str, on: date, note: str, summary: str, target: str | None = None,
          **fields) -> PermitApplication:
    """One move of the table (``workflow.WORKFLOW``) through the kernel (the portal's daily run pulls decided and
    revoked permits into the publication register: permits do not call the portal)."""
    return transition(WORKFLOW, application, action, actor=actor, summary=summary, target=target, fields=fields, note=note,
                      step={"on": on})


def application_submit(*, actor, organisation: Organisation, item: PermitItem, applicant: Party, submitted_on: date,
                       content: str = "") -> PermitApplication:
    assert_role(actor, *HANDLERS)
    assert_in_jurisdiction(actor, organisation)
    if not item.is_active:
        raise DomainError("item_inactive", "该许可事项已停止办理。")
    assert_in_jurisdiction(actor, applicant.organisation)
    with transaction.atomic():
        app = PermitApplication.objects.create(
            organisation=organisation, item=item, applicant=applicant, submitted_on=submitted_on, content=content,
            number=numbering.reserve(APPLICATION_NUMBERS, organisation=organisation, year=submitted_on.year), handled_by=actor)
        created(WORKFLOW, app, "submit", actor=actor, note="收到申请", step={"on": submitted_on},
                summary=f"收到许可申请 {app.number}（{item.name}，申请人 {applicant.name}）")
    return app


def application_accept(*, actor, application: PermitApplication, on: date) -> PermitApplication:
    """受理 (行政许可法 Art. 32). Both limits run from acceptance in working days (Arts. 42, 82)."""
    assert_role(actor, *HANDLERS)
    assert_in_jurisdiction(actor, application.organisation)
    if on < application.submitted_on:
        raise DomainError("date_before_submission", "受理日期不能早于申请日期。")
    cal = legal_calendar.calendar()
    statutory = cal.add_working_days(on, application.item.statutory_days)
    committed = cal.add_working_days(on, min(application.item.committed_days, application.item.statutory_days))
    return _move(actor=actor, application=application, action="accept", on=on, note="受理",
                 summary=f"受理许可申请 {application.number}，法定期限 {statutory.label}，承诺期限 {committed.label}",
                 accepted_on=on, statutory_due=statutory.date, committed_due=committed.date,
                 due_confirmed=statutory.confirmed and committed.confirmed)


def application_refuse(*, actor, application: PermitApplication, on: date, reason: str) -> PermitApplication:
    """不予受理 with written reasons (行政许可法 Art. 32)."""
    assert_role(actor, *HANDLERS)
    assert_in_jurisdiction(actor, application.organisation)
    if not reason.strip():
        raise DomainError("reason_required", "不予受理须书面说明理由（行政许可法第三十二条）。")
    return _move(actor=actor, application=application, action="refuse", on=on, note=reason,
                 summary=f"不予受理许可申请 {application.number}：{reason}", reason=reason, decided_on=on)


def application_decide(*, actor, application: PermitApplication, on: date, approve: bool, reason: str = "",
                       certificate_number: str = "") -> PermitApplication:
    """准予或不予许可 in writing; a refusal states its reasons (行政许可法 Arts. 37, 38)."""
    assert_role(actor, Role.HEAD, Role.ADMIN, Role.OFFICER)
    assert_in_jurisdiction(actor, application.organisation)
    if application.accepted_on and on < application.accepted_on:
        raise DomainError("date_before_acceptance", "决定日期不能早于受理日期。")
    if not approve and not reason.strip():
        raise DomainError("reason_required", "不予许可须说明理由（行政许可法第三十八条）。")
    certificate_number = certificate_number.strip()
    if approve and certificate_number and PermitApplication.objects.filter(certificate_number=certificate_number).exists():
        raise DomainError("certificate_number_taken", f"许可证书编号 {certificate_number} 已被使用，请核对。")
    from zhifa.documents.numbering import reserve_number

    with transaction.atomic():
        # one numbering authority, the permit series (…交许〔2026〕0001号), reserved with the decision itself
        number = reserve_number(organisation=application.organisation, kind=SERIES_KIND, year=on.year)
        fields = {"decided_on": on, "decision_number": number, "reason": reason}
        if approve:
            years = application.item.validity_years
            fields.update(certificate_number=certificate_number or numbering.reserve(CERTIFICATE_NUMBERS, organisation=application.organisation, year=on.year),
                          valid_from=on, valid_until=date(on.year + years, on.month, min(on.day, 28)) if years else None)
        return _move(actor=actor, application=application, action="decide", target=S.APPROVED if approve else S.DENIED, on=on,
                     note="准予许可" if approve else reason,
                     summary=f"{'准予' if approve else '不予'}许可 {application.number}，决定书 {number}", **fields)


def application_revoke(*, actor, application: PermitApplication, on: date, reason: str) -> PermitApplication:
    """撤销/撤回 a granted permit (行政许可法 Arts. 8, 69); its publication is withdrawn (行政处罚法 Art. 48 by
    analogy, 3 working days)."""
    assert_role(actor, Role.HEAD, Role.ADMIN)
    assert_in_jurisdiction(actor, application.organisation)
    if not reason.strip():
        raise DomainError("reason_required", "撤销许可须说明理由。")
    return _move(actor=actor, application=application, action="revoke", on=on, note=reason,
                 summary=f"撤销许可 {application.number}：{reason}", revoked_on=on, reason=reason)


@dataclass
class WindowStats:
    """Window statistics (窗口统计) of a period: received, accepted, finished, finished on time."""

    received: int
    accepted: int
    not_accepted: int
    finished: int
    approved: int
    denied: int
    on_time: int
    open: int
    overdue_open: int

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率 = finished on or before the committed limit / finished (accepted and decided)."""
        return round(self.on_time * 100 / self.finished, 1) if self.finished else None


def window_stats(qs, *, start: date, end: date, today: date | None = None) -> WindowStats:
    """Statistics of applications submitted in [start, end] out of ``qs`` (already scoped)."""
    today = today or timezone.localdate()
    period = qs.filter(submitted_on__gte=start, submitted_on__lte=end)
    decided = period.filter(status__in=[S.APPROVED, S.DENIED, S.REVOKED], decided_on__isnull=False)
    on_time = sum(1 for d, c in decided.values_list("decided_on", "committed_due") if c and d <= c)
    open_qs = period.filter(status=S.ACCEPTED)
    return WindowStats(
        received=period.count(),
        accepted=period.exclude(status__in=[S.SUBMITTED, S.NOT_ACCEPTED]).count(),
        not_accepted=period.filter(status=S.NOT_ACCEPTED).count(),
        finished=decided.count(),
        approved=period.filter(status__in=[S.APPROVED, S.REVOKED]).count(),
        denied=period.filter(status=S.DENIED).count(),
        on_time=on_time,
        open=open_qs.count() + period.filter(status=S.SUBMITTED).count(),
        overdue_open=open_qs.filter(committed_due__lt=today).count(),
    )


def items_sync_from_power_list(*, actor) -> dict:
    """Take the permit items from the power and responsibility list (权责清单, ``oversight.Power`` of kind
    行政许可): new powers become items (default limits, to be set by the administrator), names and bases follow
    the list, items whose power left the list stop being offered."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以同步许可事项。")
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    with transaction.atomic():
        powers = {p.code: p for p in Power.objects.filter(kind="licensing", is_active=True)}
        for code, power in powers.items():
            item = PermitItem.objects.filter(power_code=code).first()
            if item is None:
                PermitItem.objects.create(code=f"QZ-{code}"[:40], name=power.name[:120], basis=power.legal_basis, power_code=code)
                counts["created"] += 1
            elif (item.name, item.basis, item.is_active) != (power.name[:120], power.legal_basis, True):
                PermitItem.objects.filter(pk=item.pk).update(name=power.name[:120], basis=power.legal_basis, is_active=True)
                counts["updated"] += 1
        counts["deactivated"] = PermitItem.objects.exclude(power_code="").exclude(power_code__in=list(powers)).filter(is_active=True).update(is_active=False)
        audit.record(actor=actor, action="permit_item.sync", subject=("permits.permititem", "power_list"), changes=counts,
                     summary=f"按权责清单同步许可事项：新增{counts['created']}，更新{counts['updated']}，停办{counts['deactivated']}",
                     organisation=getattr(actor, "organisation", None))
    return counts
