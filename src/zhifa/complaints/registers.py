"""The registers of the complaints app as kit descriptions (list, detail, forms, export, API)."""

from django.core.exceptions import ValidationError

from zhifa.core.identifiers import normalise_plate
from zhifa.core.kit import Register, RegisterSet, own_organisation
from zhifa.core.models import Party, Vehicle
from zhifa.core.roles import Role
from zhifa.core.selectors import scope

from . import selectors, services
from .forms import ComplaintForm, MediationForm, SoftMeasureForm
from .models import Complaint, DeadlineRule, Mediation, RoutingRule, SoftMeasure

EDITORS = (Role.OFFICER, Role.HEAD, Role.ADMIN)


def vehicle_by_plate(user, plate: str):
    if not plate:
        return None, ""
    try:
        plate = normalise_plate(plate)
    except ValidationError:
        return None, plate
    return scope(Vehicle.objects.all(), user).filter(plate=plate).first(), plate


def _complaint_create(user, data):
    vehicle, plate = vehicle_by_plate(user, data.get("plate", ""))
    return services.complaint_intake(
        actor=user, organisation=own_organisation(user), channel=data["channel"], content=data["content"], category=data["category"],
        received_at=data.get("received_at"), external_id=data.get("external_id", ""), complainant_name=data.get("complainant_name", ""),
        complainant_phone=data.get("complainant_phone", ""), firm=data.get("firm"), firm_name=data.get("firm_name", ""),
        vehicle=vehicle, plate=plate, place=data.get("place", ""), route_name=data.get("route", ""))


def _complaint_update(user, obj, data):
    data = dict(data)
    data["vehicle"], data["plate"] = vehicle_by_plate(user, data.get("plate", ""))
    if data.get("firm") and not data.get("firm_name"):
        data["firm_name"] = data["firm"].name
    return services.complaint_update(actor=user, complaint=obj, **data)


def _complaint_initial(obj):
    return {k: getattr(obj, k) for k in services.COMPLAINT_EDIT_FIELDS if k != "vehicle"}


def _mediation_create(user, data):
    return services.mediation_apply(actor=user, organisation=own_organisation(user), **data)


def _soft_create(user, data):
    return services.soft_measure_create(actor=user, organisation=own_organisation(user), **data)


def _soft_update(user, obj, data):
    return services.soft_measure_update(actor=user, measure=obj, **data)


def _mediation_persons(mediation):
    names = [p.name for p in (mediation.applicant, mediation.respondent) if p.kind == Party.Kind.PERSON]
    return ("、".join(names), "调解当事人") if names else None


REGISTERS = RegisterSet("complaints", [
    Register(
        "complaints", "投诉举报", Complaint, selectors.complaints_for,
        [("受理编号", "number"), ("渠道", "get_channel_display"), ("受理时间", "received_at"), ("类别", "get_category_display"),
         ("被投诉企业", "firm_name"), ("承办单位", "organisation"), ("承办人", "assigned_officer.name"), ("状态", "get_status_display"),
         ("办理期限", "due_on"), ("按期答复", "replied_on_time"), ("满意度", "get_satisfaction_display")],
        [("受理编号", "number"), ("渠道", "get_channel_display"), ("平台工单号", "external_id"), ("受理时间", "received_at"),
         ("投诉人", "complainant_name"), ("联系电话", "masked_phone"), ("类别", "get_category_display"), ("投诉内容", "content"),
         ("被投诉企业", "firm_name"), ("涉及车辆", "plate"), ("地点", "place"), ("线路", "route"), ("承办单位", "organisation"),
         ("承办人", "assigned_officer"), ("分派规则", "routing_rule"), ("状态", "get_status_display"), ("办理期限", "due_on"),
         ("期限依据", "deadline_rule"), ("答复时间", "replied_at"), ("答复内容", "reply"), ("即时答复", "instant_reply"),
         ("按期答复", "replied_on_time"), ("回访时间", "visited_at"), ("回访满意度", "get_satisfaction_display"),
         ("重办次数", "reopen_count"), ("关联案件号", "case_number"), ("关联检查编号", "inspection_number")],
        "编号、工单号、内容、企业、车牌、线路", ComplaintForm, _complaint_create, _complaint_update, _complaint_initial, EDITORS,
        [("办理步骤", "steps", [("时间", "at"), ("操作人", "actor_name"), ("状态", "to_label"), ("说明", "note")])],
        "complaints/_complaint_actions.html",
        ["id", "number", "organisation", "channel", "external_id", "received_at", "category", "content", "firm", "firm_name",
         "vehicle", "plate", "place", "route", "assigned_officer", "status", "due_on", "due_confirmed", "replied_at", "reply",
         "instant_reply", "replied_on_time", "visited_at", "satisfaction", "closed_at", "reopen_count", "case_number", "inspection_number"],
        personal=lambda c: (c.complainant_name, "投诉人信息") if c.complainant_name else None, personal_in_api=False,
    ),
    Register(
        "mediations", "行政调解", Mediation, selectors.mediations_for,
        [("调解编号", "number"), ("纠纷类型", "get_kind_display"), ("申请人", "applicant"), ("被申请人", "respondent"),
         ("申请日期", "applied_on"), ("调解员", "mediator.name"), ("状态", "get_status_display")],
        [("调解编号", "number"), ("调解机构", "organisation"), ("纠纷类型", "get_kind_display"), ("申请人", "applicant"),
         ("被申请人", "respondent"), ("申请日期", "applied_on"), ("调解请求与事实理由", "claim"), ("争议金额（元）", "amount"),
         ("状态", "get_status_display"), ("受理决定日期", "decided_on"), ("不予受理理由", "refusal_reason"), ("调解员", "mediator"),
         ("调解协议书", "agreement_text"), ("协议签订日期", "agreement_on"), ("结案日期", "closed_on"), ("结果说明", "outcome"),
         ("来源投诉", "complaint")],
        "编号、当事人、请求", MediationForm, _mediation_create,
        lambda user, obj, data: services.mediation_update(actor=user, mediation=obj, **data),
        lambda obj: {"kind": obj.kind, "claim": obj.claim, "amount": obj.amount}, EDITORS,
        [("调解会", "sessions", [("日期", "held_on"), ("地点", "place"), ("参加人员", "attendees"), ("调解笔录", "record")]),
         ("办理步骤", "steps", [("时间", "at"), ("动作", "action_label"), ("状态", "to_label"), ("操作人", "actor.display_name"),
                            ("说明", "note")])],
        "complaints/_mediation_actions.html", obj_editable=lambda obj: obj.status == Mediation.Status.APPLIED,
        personal=_mediation_persons, personal_in_api=False,
    ),
    Register(
        "soft", "柔性执法台账", SoftMeasure, selectors.soft_measures_for,
        [("日期", "occurred_on"), ("方式", "get_kind_display"), ("当事人", "party"), ("事由", "matter"), ("执法人员", "officer.name"),
         ("关联案件号", "case_number"), ("实施机构", "organisation")],
        [("方式", "get_kind_display"), ("日期", "occurred_on"), ("当事人", "party"), ("执法人员", "officer"), ("事由", "matter"),
         ("记录/约谈纪要", "minutes"), ("承诺内容", "commitment"), ("回访/复查日期", "follow_up_on"), ("关联案件号", "case_number"),
         ("关联投诉", "complaint"), ("实施机构", "organisation")],
        "当事人、事由、案件号、执法人员", SoftMeasureForm, _soft_create, _soft_update,
        lambda obj: {k: getattr(obj, k) for k in services.SOFT_EDIT_FIELDS}, EDITORS,
        personal=lambda m: (m.party.name, "柔性执法当事人") if m.party.kind == Party.Kind.PERSON else None, personal_in_api=False,
    ),
    Register(
        "routing", "投诉分派规则", RoutingRule, selectors.routing_rules_for,
        [("规则", "__str__"), ("优先级", "priority"), ("所属机构", "organisation"), ("启用", "active")],
        [("所属机构", "organisation"), ("优先级", "priority"), ("渠道", "get_channel_display"), ("类别", "get_category_display"),
         ("内容或地点包含", "keyword"), ("承办单位", "target_unit"), ("承办人", "target_officer"), ("启用", "active")],
        "关键词、承办单位",
    ),
    Register(
        "deadlines", "投诉办理时限", DeadlineRule, selectors.deadline_rules_for,
        [("渠道", "get_channel_display"), ("施行日期", "effective_from"), ("时限（日）", "days"), ("按工作日", "working_days"),
         ("即时答复（分钟）", "instant_minutes"), ("依据", "citation"), ("依据已核实", "confirmed")],
        [("渠道", "get_channel_display"), ("施行日期", "effective_from"), ("时限（日）", "days"), ("按工作日", "working_days"),
         ("即时答复（分钟）", "instant_minutes"), ("依据", "citation"), ("依据已核实", "confirmed")],
        "依据", org_field="",
    ),
])
