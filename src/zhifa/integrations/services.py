"""Services of the integrations app besides the outbox itself (outbox.py): the inbound work order from the
12345/12328 platforms and the daily reconciliation per target."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.audit import audited_model
from zhifa.core.errors import DomainError
from zhifa.core.selectors import within

from .adapters import ADAPTERS, HOTLINE_CHANNELS
from .models import Message, Reconciliation, Target
from .outbox import message_resend, outbox_enqueue  # noqa: F401  (the public services of the app)


@dataclass
class WorkOrderAck:
    complaint: object
    duplicate: bool


def work_order_receive(*, actor, channel: str, work_order_id: str, content: str, category: str = "other",
                       received_at: datetime | None = None, complainant_name: str = "", complainant_phone: str = "",
                       place: str = "", plate: str = "", firm_name: str = "") -> WorkOrderAck:
    """A work order pushed by the 12345/12328 platform (docs/integrations/hotline.md): registered and routed as a
    complaint once; the same work order pushed again is acknowledged with the same reference and changes nothing."""
    from zhifa.complaints.models import Category, Complaint
    from zhifa.complaints.services import complaint_intake

    if channel not in HOTLINE_CHANNELS:
        raise DomainError("invalid_channel", "工单来源只能是12345或12328热线平台。")
    work_order_id = (work_order_id or "").strip()
    if not work_order_id or len(work_order_id) > 40:
        raise DomainError("invalid_work_order_id", "工单编号不能为空且不超过40个字符。")
    if not (content or "").strip():
        raise DomainError("empty_content", "工单内容不能为空。")
    if received_at and received_at > timezone.now():
        raise DomainError("future_time", "受理时间不能晚于当前时间。")
    if actor is None or actor.organisation_id is None:
        raise DomainError("no_organisation", "接口账号未关联机构，无法受理工单。")

    def existing():
        found = Complaint.objects.filter(channel=channel, external_id=work_order_id).select_related("organisation").first()
        if found is None:
            return None
        # A lookup by key is scoped like every read: another jurisdiction's work order is not revealed.
        if not within(actor, found.organisation):
            raise DomainError("duplicate_work_order", f"工单号 {work_order_id} 已由其他单位受理。", status=409)
        return WorkOrderAck(found, True)

    ack = existing()
    if ack is not None:
        return ack
    if category not in Category.values:
        category = Category.OTHER
    try:
        complaint = complaint_intake(actor=actor, organisation=actor.organisation, channel=channel, content=content.strip(),
                                     category=category, received_at=received_at, external_id=work_order_id,
                                     complainant_name=complainant_name, complainant_phone=complainant_phone,
                                     place=place, plate=plate, firm_name=firm_name)
    except DomainError as exc:
        if exc.code == "duplicate_work_order":  # pushed twice at once: the other request registered it
            ack = existing()
            if ack is not None:
                return ack
        raise
    return WorkOrderAck(complaint, False)


def reconcile(*, day: date, targets=None) -> list[Reconciliation]:
    """Compare, per target, the records of ``day`` that should have been reported with the messages the receiver
    acknowledged; store the differences (idempotent: the day's row is replaced)."""
    results = []
    for target in targets or Target.values:
        expected = set(ADAPTERS[target].expected(day))
        messages = {}
        for m in Message.objects.filter(target=target).filter(
                **_subject_filter(expected)).only("subject_type", "subject_id", "kind", "status", "last_error", "pk",
                                                                           "organisation_id"):
            messages[(m.subject_type, m.subject_id, m.kind)] = m
        differences, acked = [], 0
        by_org: dict[str, list[int]] = {}
        for key in sorted(expected):
            m = messages.get(key)
            org = (m.organisation_id if m is not None else None) or _organisation_id(*key[:2])
            counts = by_org.setdefault(str(org or ""), [0, 0])
            counts[0] += 1
            if m is None:
                differences.append({"subject": _label(*key[:2]), "kind": key[2], "problem": "未登记报送", "message": None,
                                    "organisation": org})
            elif m.status != Message.Status.ACKNOWLEDGED:
                why = m.get_status_display() + (f"：{m.last_error}" if m.last_error else "")
                differences.append({"subject": m.subject_label or _label(*key[:2]), "kind": key[2], "problem": why, "message": m.pk,
                                    "organisation": org})
            else:
                acked += 1
                counts[1] += 1
        # A target that publishes a file of its own (the finance system's daily payments) is compared with it too.
        file_differences = getattr(ADAPTERS[target], "file_differences", None)
        if file_differences is not None:
            differences += file_differences(day)
        with transaction.atomic():
            row, _ = Reconciliation.objects.update_or_create(
                target=target, day=day, defaults={"expected": len(expected), "acknowledged": acked, "differences": differences,
                                                  "by_organisation": by_org})
            audit.record(actor=None, action="outbox.reconcile", subject=row, organisation=None,
                         summary=f"{Target(target).label} {day} 对账：应报送{len(expected)}，已确认{acked}，差异{len(differences)}")
        results.append(row)
    return results


def _label(subject_type: str, subject_id: str) -> str:
    """The record as a person reads it (案件编号 …), for a difference with no message to take it from."""
    model = audited_model(subject_type)
    obj = model._base_manager.filter(pk=subject_id).first() if model is not None else None
    return str(obj)[:200] if obj is not None else f"{subject_type} {subject_id}"


def _organisation_id(subject_type: str, subject_id: str) -> int | None:
    """The unit a difference belongs to (the console shows each unit only its own subtree's differences)."""
    model = audited_model(subject_type)
    obj = model._base_manager.filter(pk=subject_id).first() if model is not None else None
    return getattr(obj, "organisation_id", None)


def _subject_filter(expected: set) -> dict:
    ids = {sid for _, sid, _ in expected}
    return {"subject_id__in": sorted(ids)} if ids else {"pk__in": []}
