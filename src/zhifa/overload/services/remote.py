"""Remote handling (不见面执法): the party finds its case by the notice's query code, views, consents to e-delivery,
accepts or defends; an officer carries the acceptance or defence into the case."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from ..models import (
    RemoteAct,
    Violation,
)


def remote_find(*, plate: str, plate_colour: str, code: str) -> Violation | None:
    """The party identifies with plate + plate colour + the notice's own query code (8 random characters, printed on
    the notice sent to the owner). Never a public identifier: a company's 统一社会信用代码 is printed in published
    decisions and an ID number is known to many, so either would let anyone handle the owner's case."""
    from zhifa.core.identifiers import normalise_plate

    try:
        plate = normalise_plate(plate)
    except Exception:  # noqa: BLE001 — a malformed plate simply finds nothing
        return None
    code = (code or "").strip().upper()
    if len(code) < 6:
        return None
    qs = Violation.objects.filter(plate=plate, plate_colour=plate_colour, status=Violation.Status.CASE).select_related("vehicle__owner")
    return qs.filter(notice_code=code).order_by("-first_passed_at").first()


def remote_act(*, violation: Violation, kind: str, text: str = "", contact: str = "", ip: str = "") -> RemoteAct:
    """Record one step of the party (viewing, e-delivery consent, acceptance, defence) in the full-process record."""
    from zhifa.cases.models import Case
    from zhifa.cases.workflow import Status

    if kind not in RemoteAct.Kind.values:
        raise DomainError("invalid_kind", "不支持的办理事项。")
    case = Case.objects.get(pk=violation.case_id)
    if kind == RemoteAct.Kind.CONSENT and not contact.strip():
        raise DomainError("contact_required", "请填写接收电子文书的手机号或电子邮箱。")
    if kind in (RemoteAct.Kind.ACCEPT, RemoteAct.Kind.DEFEND):
        if case.status != Status.NOTIFIED:
            raise DomainError("not_in_window", "当前不在陈述申辩期内，不能提交。")
        if kind == RemoteAct.Kind.DEFEND and not text.strip():
            raise DomainError("text_required", "请填写陈述申辩的事实和理由。")
        if violation.remote_acts.filter(kind__in=[RemoteAct.Kind.ACCEPT, RemoteAct.Kind.DEFEND], applied_at__isnull=True).exists():
            raise DomainError("already_submitted", "您已提交意见，执法人员处理后会通知您。")
    with transaction.atomic():
        act = RemoteAct.objects.create(violation=violation, kind=kind, text=text.strip()[:4000], contact=contact.strip()[:120], ip_address=ip[:64])
        audit.record(actor=None, action=f"overload.remote_{kind}", subject=violation, organisation=violation.organisation,
                     after={"act": act.pk, "kind": kind, "case": case.number, "text": act.text[:500]},
                     summary=f"当事人远程办理（{act.get_kind_display()}）：{case.number}")
    return act


def remote_act_apply(*, actor, act: RemoteAct):
    """An officer carries the party's acceptance (waiver) or defence into the case (行政处罚法 Art. 45)."""
    from zhifa.cases.models import Case
    from zhifa.cases.services import case_statement, case_waive

    violation = act.violation
    assert_role(actor, Role.OFFICER, message="只有执法人员可以将当事人意见记入案件。")
    assert_in_jurisdiction(actor, violation.organisation)
    if act.applied_at is not None or act.kind not in (RemoteAct.Kind.ACCEPT, RemoteAct.Kind.DEFEND):
        raise TransitionNotAllowed("not_pending", "该远程办理记录无需或已经记入案件。")
    case = Case.objects.get(pk=violation.case_id)
    with transaction.atomic():
        if act.kind == RemoteAct.Kind.ACCEPT:
            case = case_waive(actor=actor, case=case, statement=f"当事人于{timezone.localtime(act.at):%Y-%m-%d %H:%M}通过不见面执法平台认可违法事实，放弃陈述申辩和听证权利。")
        else:
            case = case_statement(actor=actor, case=case, statement=f"（不见面执法平台提交）{act.text}")
        if RemoteAct.objects.filter(pk=act.pk, applied_at__isnull=True).update(applied_at=timezone.now(), applied_by=actor) != 1:
            raise TransitionNotAllowed("concurrent_change", "该记录已被他人处理。")
    return case


def remote_consent_text(violation: Violation) -> str:
    """The e-delivery consent the officer cites when delivering electronically (行政处罚法 Art. 61)."""
    act = violation.remote_acts.filter(kind=RemoteAct.Kind.CONSENT).order_by("-at").first()
    if act is None:
        return ""
    return f"当事人于{timezone.localtime(act.at):%Y-%m-%d %H:%M}在不见面执法平台确认同意电子送达，接收地址：{act.contact}"
