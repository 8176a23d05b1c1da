"""Provincial warnings (一二三类 预警抄告) by API (docs/integrations/provincial-warnings.md): the
provincial platform pushes one warning; it is registered once in the receiving unit (idempotent on the
platform's warning id, scoped to the jurisdiction of the calling account) and acknowledged at once; when
the warning is handled (办结) the reply goes back through the outbox (target ``warning``)."""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db import IntegrityError
from django.utils import timezone

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.selectors import within
from zhifa.core.services import assert_role

from .models import Message

FORMAT = "zhifa-warning/1"


@dataclass
class WarningAck:
    warning: object
    duplicate: bool


def warning_receive(*, actor, warning_id: str, warning_class: int, category: str, description: str,
                    occurred_at: datetime, credit_code: str = "", plate: str = "",
                    receiving_unit: str = "") -> WarningAck:
    """One warning pushed by the provincial platform. ``receiving_unit`` (the organisation code the
    province addresses, optional) must be the caller's unit or one below it; the same warning id again is
    acknowledged with the same reference and changes nothing; a warning id already taken by another
    jurisdiction is refused without saying whose it is. The account's role is checked first, before any
    lookup: an account that may not register warnings learns nothing (not even whether a warning id is
    known)."""
    from zhifa.core.models import Organisation
    from zhifa.inspections.services import PLANNERS, warning_import

    if actor is None or actor.organisation_id is None:
        raise DomainError("no_organisation", "接口账号未关联机构，无法接收预警。")
    # The roles that register warnings (inspections.warning_import), checked before the lookup below.
    assert_role(actor, *PLANNERS, message="该接口账号无接收预警抄告的权限。")
    ProvincialWarning = apps.get_model("inspections", "ProvincialWarning")
    warning_id = (warning_id or "").strip()
    if not warning_id or len(warning_id) > 64:
        raise DomainError("invalid_warning_id", "预警编号不能为空且不超过64个字符。")
    if warning_class not in (1, 2, 3):
        raise DomainError("invalid_class", "预警类别应为1、2或3。")
    if not (description or "").strip() or not (category or "").strip():
        raise DomainError("empty_content", "预警类型和预警内容不能为空。")
    if occurred_at > timezone.now():
        raise DomainError("future_time", "发生时间不能晚于当前时间。")
    unit = actor.organisation
    if receiving_unit:
        unit = Organisation.objects.filter(code=receiving_unit.strip()).first()
        # A unit outside the caller's jurisdiction (or unknown) is refused alike: nothing is said about it.
        if unit is None or not within(actor, unit):
            raise NotPermitted("foreign_unit",
                               f"承办单位 {receiving_unit[:30]} 不在本账号管辖范围内，未接收。")

    def existing():
        found = (ProvincialWarning.objects.filter(external_id=warning_id)
                 .select_related("organisation").first())
        if found is None:
            return None
        if not within(actor, found.organisation):
            raise DomainError("duplicate_warning", f"预警编号 {warning_id} 已由其他单位接收。", status=409)
        return WarningAck(found, True)

    ack = existing()
    if ack is not None:
        return ack
    row = {"external_id": warning_id, "warning_class": warning_class, "category": category.strip(),
           "description": description.strip(), "occurred_at": occurred_at, "credit_code": credit_code,
           "plate": plate}
    try:
        result = warning_import(actor=actor, organisation=unit, rows=[row], source="api",
                                on=timezone.localdate())
    except IntegrityError:  # pushed twice at once: the other request registered it
        ack = existing()
        if ack is not None:
            return ack
        raise
    if result["errors"]:
        raise DomainError("invalid_warning", "；".join(result["errors"])[:300])
    ack = existing()
    if ack is None:
        raise DomainError("not_registered", "预警未能登记，请重试。", status=409)
    ack.duplicate = result["created"] == 0
    return ack


def reply_payload(warning) -> dict:
    """The reply (处置结果反馈) for a warning handled: what was done, by whom, when; the lead's case for
    class 3."""
    Lead = apps.get_model("inspections", "Lead")
    lead = Lead.objects.filter(source_type="warning", source_id=str(warning.pk)).first()
    org = warning.organisation
    return {
        "format": FORMAT,
        "warning_id": warning.external_id,
        "reference": str(warning.pk),
        "warning_class": warning.warning_class,
        "handling_unit": {"code": org.code, "name": org.name, "credit_code": org.credit_code},
        "status": warning.status,
        "measure": {"notified": "rectify", "referred": "case"}.get(_first_step(warning), "closed"),
        "rectify_deadline": warning.rectify_deadline.isoformat() if warning.rectify_deadline else None,
        "notice_number": warning.notice_number,
        "notice": warning.notice_note,
        "case_number": lead.case_ref if lead else "",
        "result": warning.follow_up_result,
        "closed_on": warning.closed_on.isoformat() if warning.closed_on else None,
    }


def _first_step(warning) -> str:
    if warning.rectify_deadline or warning.notice_note:
        return "notified"
    Lead = apps.get_model("inspections", "Lead")
    referred = Lead.objects.filter(source_type="warning", source_id=str(warning.pk)).exists()
    return "referred" if referred else ""


def reply_key(warning) -> str:
    return f"warning:reply:{warning.external_id}"


def rebuild(message: Message) -> dict | None:
    warning = apps.get_model("inspections", "ProvincialWarning").objects.filter(pk=message.subject_id).first()
    return None if warning is None else reply_payload(warning)


def expected(day) -> list[tuple[str, str, str]]:
    ProvincialWarning = apps.get_model("inspections", "ProvincialWarning")
    return [("inspections.provincialwarning", str(pk), "warning_reply")
            for pk in ProvincialWarning.objects.filter(source="api", closed_on=day).values_list("pk",
                                                                                                  flat=True)]
