"""State changes of complaints, mediations and the soft-enforcement ledger. Each checks role, jurisdiction and
the transition table, updates with a condition on the old state, appends the step and the audit record in one
transaction."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.core import audit, legal_calendar, numbering, workflow, xlsx
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.identifiers import normalise_plate
from zhifa.core.models import Officer, Organisation, Party, TransportCompany, User, Vehicle
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role, audited_create, audited_update, validated
from zhifa.integrations import triggers

from .models import (
    COMPLAINT_NUMBERS,
    MEDIATION_NUMBERS,
    Category,
    Channel,
    Complaint,
    DeadlineRule,
    Mediation,
    MediationSession,
    RoutingRule,
    SoftMeasure,
)
from .workflow import COMPLAINT_WORKFLOW, HANDLERS, MEDIATION_WORKFLOW


def _check(actor, organisation: Organisation) -> None:
    if actor is not None:
        assert_role(actor, *HANDLERS, message="只有执法人员、负责人或管理员可以办理投诉与服务事项。")
        assert_in_jurisdiction(actor, organisation)


# ---------------------------------------------------------------------------------------------------------------
# Complaints

def deadline_rule_for(channel: str, on: date) -> DeadlineRule:
    rule = DeadlineRule.objects.filter(channel=channel, effective_from__lte=on).order_by("-effective_from").first()
    if rule is None:
        raise DomainError("no_deadline_rule", f"未设置“{Channel(channel).label}”渠道在{on}适用的办理时限，请管理员在后台维护。")
    return rule


def compute_due(rule: DeadlineRule, start: date) -> legal_calendar.Deadline:
    # Working-day periods exclude the start day (行政处罚法 Art. 85 applied to complaint periods).
    return legal_calendar.add_working_days(start, rule.days) if rule.working_days else legal_calendar.add_days(start, rule.days)


def route(*, organisation: Organisation, channel: str, category: str, text: str) -> RoutingRule | None:
    """The first matching active rule defined at ``organisation`` or above whose target lies within it."""
    ancestors = [p for p in organisation.path.strip("/").split("/")]
    rules = (RoutingRule.objects.filter(active=True, organisation__code__in=ancestors, target_unit__path__startswith=organisation.path)
             .select_related("target_unit", "target_officer__user").order_by("priority", "pk"))
    return next((r for r in rules if r.matches(channel=channel, category=category, text=text)), None)


def _handlers(complaint: Complaint) -> list:
    """The assigned officer, or the officers of the handling unit when none is named."""
    if complaint.assigned_officer_id and complaint.assigned_officer.user_id:
        return [complaint.assigned_officer.user]
    return list(User.objects.filter(organisation=complaint.organisation, is_active=True, groups__name__in=[Role.OFFICER, Role.HEAD]).distinct()[:20])


def _notify(complaint: Complaint, text: str, *, event: str, kind: str = "task_assigned") -> None:
    """Tell the handlers through the notifications app (inbox, e-mail/SMS by preference; once per event)."""
    from zhifa.notifications.services import notify

    notify(kind=kind, event=f"complaint:{complaint.pk}:{event}", users=_handlers(complaint), title=text[:120], body=text,
           url=reverse("complaints:detail", args=["complaints", complaint.pk]), subject=complaint, organisation=complaint.organisation)


def complaints_notify_due(*, today: date | None = None) -> int:
    """Daily job: tell the handlers of complaints due tomorrow or today and not yet answered."""
    today = today or timezone.localdate()
    told = 0
    for c in Complaint.objects.filter(due_on__gte=today, due_on__lte=today + timedelta(days=1), replied_at__isnull=True).exclude(
            status=Complaint.Status.CLOSED).select_related("assigned_officer__user", "organisation"):
        with transaction.atomic():
            _notify(c, f"投诉 {c.number} 将于{c.due_on:%Y-%m-%d}到期，尚未答复", event=f"due:{c.due_on}", kind="complaint_due")
        told += 1
    return told


def _signed(actor) -> dict:
    """The history step's signed name (the system when no one acts)."""
    return {"actor_name": getattr(actor, "display_name", "系统") if actor else "系统"}


def complaint_intake(*, actor, organisation: Organisation, channel: str, content: str, category: str = Category.OTHER,
                     received_at: datetime | None = None, external_id: str = "", complainant_name: str = "",
                     complainant_phone: str = "", anonymous: bool = False, firm: TransportCompany | None = None,
                     firm_name: str = "", vehicle: Vehicle | None = None, plate: str = "", place: str = "", route_name: str = "") -> Complaint:
    """Register a complaint, compute its deadline from the channel's rule, route it and notify the handler.
    ``actor`` None is the public form."""
    _check(actor, organisation)
    received_at = received_at or timezone.now()
    rule = deadline_rule_for(channel, timezone.localdate(received_at))
    due = compute_due(rule, timezone.localdate(received_at))
    if firm is not None and not firm_name:
        firm_name = firm.name
    if vehicle is not None and not plate:
        plate = vehicle.plate
    complaint = Complaint(
        organisation=organisation, channel=channel, external_id=external_id,
        received_at=received_at, complainant_name=complainant_name, complainant_phone=complainant_phone, anonymous=anonymous,
        category=category, content=content, firm=firm, firm_name=firm_name, vehicle=vehicle, plate=plate, place=place, route=route_name,
        due_on=due.date, due_confirmed=due.confirmed and rule.confirmed, deadline_rule=rule, created_by=actor if actor else None,
    )
    try:
        complaint.full_clean(exclude=["number"])
    except ValidationError as exc:
        if external_id and "__all__" in getattr(exc, "message_dict", {}):
            raise DomainError("duplicate_work_order", f"工单号 {external_id} 已导入，不重复受理。") from exc
        raise
    matched = route(organisation=organisation, channel=channel, category=category, text=f"{content} {place} {route_name}")
    try:
        with transaction.atomic():
            # the tracking code is taken with the row it names (core.numbering)
            complaint.number = numbering.reserve(COMPLAINT_NUMBERS, on=timezone.localdate(received_at))
            complaint.save(force_insert=True)
            workflow.created(COMPLAINT_WORKFLOW, complaint, "intake", actor=actor,
                             summary=f"受理投诉 {complaint.number}（{complaint.get_channel_display()}）",
                             note=f"经{complaint.get_channel_display()}受理，办理期限{due.label}",
                             step={"at": received_at, **_signed(actor)})
            if matched is not None:
                _assign(complaint, actor, matched.target_unit, matched.target_officer, rule=matched, note=f"按分派规则：{matched}")
    except IntegrityError as exc:
        raise DomainError("duplicate_work_order", f"工单号 {external_id} 已导入，不重复受理。") from exc
    return complaint


def _move(complaint: Complaint, action: str, *, actor, values: dict, note: str, to: str | None = None) -> Complaint:
    """One move through the kernel (table, conditional UPDATE, step, record in one transaction)."""
    return workflow.transition(COMPLAINT_WORKFLOW, complaint, action, actor=actor, target=to, fields=values, note=note,
                               summary=f"投诉 {complaint.number}：{note}"[:500], step=_signed(actor))


def _assign(complaint: Complaint, actor, unit: Organisation, officer: Officer | None, *, rule=None, note: str = "") -> Complaint:
    if officer is not None and not officer.organisation.is_within(unit):
        raise DomainError("officer_not_in_unit", "承办人须属于承办单位。")
    to = Complaint.Status.REOPENED if complaint.status == Complaint.Status.REOPENED else Complaint.Status.ASSIGNED
    label = f"分派至{unit}" + (f"（{officer.name}）" if officer else "") + (f"；{note}" if note else "")
    _move(complaint, "assign", actor=actor, to=to, note=label,
          values={"organisation": unit, "assigned_officer": officer, "routing_rule": rule})
    _notify(complaint, f"新投诉 {complaint.number}（{complaint.get_category_display()}）请于{complaint.due_on:%Y-%m-%d}前答复",
            event=f"assigned:{complaint.assigned_officer_id or 0}:{complaint.organisation_id}:{complaint.reopen_count}")
    return complaint


def complaint_assign(*, actor, complaint: Complaint, unit: Organisation, officer: Officer | None = None, note: str = "") -> Complaint:
    _check(actor, complaint.organisation)
    if actor is not None:
        assert_in_jurisdiction(actor, unit)
    with transaction.atomic():
        return _assign(complaint, actor, unit, officer, note=note)


def complaint_reply(*, actor, complaint: Complaint, reply: str, replied_at: datetime | None = None) -> Complaint:
    """Answer the complainant. Counted as 即时答复 within the rule's minutes of receipt and as 按期 when on or
    before the due date."""
    _check(actor, complaint.organisation)
    if not reply.strip():
        raise DomainError("empty_reply", "请填写答复内容。")
    replied_at = replied_at or timezone.now()
    if replied_at < complaint.received_at:
        raise DomainError("reply_before_receipt", "答复时间不能早于受理时间。")
    rule = complaint.deadline_rule
    instant = complaint.reopen_count == 0 and rule is not None and (replied_at - complaint.received_at).total_seconds() <= rule.instant_minutes * 60
    on_time = timezone.localdate(replied_at) <= complaint.due_on
    with transaction.atomic():
        complaint = _move(complaint, "reply", actor=actor, note=f"答复{'（即时）' if instant else ''}{'' if on_time else '（超期）'}",
                          values={"reply": reply, "replied_at": replied_at, "instant_reply": instant, "replied_on_time": on_time})
        _tell_complainant(complaint)
        triggers.complaint_replied(complaint)  # a pushed work order's answer goes back through the outbox
    return complaint


def _tell_complainant(complaint: Complaint) -> None:
    """The complainant hears of the reply by SMS at the number they gave (no party record: a direct message)."""
    if not complaint.complainant_phone:
        return
    from zhifa.notifications.services import notify_phone

    notify_phone(kind="complaint_reply", event=f"complaint:{complaint.pk}:reply:{complaint.reopen_count}", phone=complaint.complainant_phone,
                 name=complaint.complainant_name, title=f"您反映的问题（{complaint.number}）已答复",
                 body=f"{complaint.organisation.name}已答复您反映的问题（受理编号{complaint.number}）：{complaint.reply[:150]}",
                 subject=complaint, organisation=complaint.organisation)


def complaint_return_visit(*, actor, complaint: Complaint, satisfaction: str, note: str = "", visited_at: datetime | None = None) -> Complaint:
    """Record the return call. Dissatisfied → reopened with a fresh deadline from the visit day; otherwise closed."""
    _check(actor, complaint.organisation)
    if satisfaction not in Complaint.Satisfaction.values:
        raise DomainError("invalid_satisfaction", "请选择回访满意度。")
    visited_at = visited_at or timezone.now()
    values = {"satisfaction": satisfaction, "visited_at": visited_at}
    label = Complaint.Satisfaction(satisfaction).label
    if satisfaction == Complaint.Satisfaction.DISSATISFIED:
        rule = complaint.deadline_rule or deadline_rule_for(complaint.channel, timezone.localdate(visited_at))
        due = compute_due(rule, timezone.localdate(visited_at))
        values.update(due_on=due.date, due_confirmed=due.confirmed and rule.confirmed, reopen_count=complaint.reopen_count + 1,
                      replied_on_time=None)
        with transaction.atomic():
            _move(complaint, "visit_dissatisfied", actor=actor, values=values, note=f"回访不满意，重新办理，期限{due.label}。{note}")
            _notify(complaint, f"投诉 {complaint.number} 回访不满意，已重新交办，请于{due.date:%Y-%m-%d}前再次答复",
                    event=f"reopened:{complaint.reopen_count}")
        return complaint
    values["closed_at"] = visited_at
    return _move(complaint, "visit_satisfied", actor=actor, values=values, note=f"回访：{label}，办结。{note}")


def complaint_close(*, actor, complaint: Complaint, note: str = "") -> Complaint:
    _check(actor, complaint.organisation)
    return _move(complaint, "close", actor=actor, values={"closed_at": timezone.now()}, note=f"办结。{note}")


COMPLAINT_EDIT_FIELDS = {"category", "firm", "firm_name", "vehicle", "plate", "place", "route", "complainant_name",
                         "complainant_phone", "content", "case_number", "inspection_number"}


def check_case_number(actor, number: str) -> None:
    """A linked case number must name a case the actor can see."""
    if not number:
        return
    qs = Case.objects.filter(number=number)
    if actor is not None and not (actor.is_superuser and actor.organisation_id is None):
        qs = qs.filter(organisation__path__startswith=actor.organisation.path) if actor.organisation_id else qs.none()
    if not qs.exists():
        raise DomainError("unknown_case", f"未找到案件编号 {number}（或不在您的管辖范围内）。")


def complaint_update(*, actor, complaint: Complaint, **data) -> Complaint:
    """Classification and links (type, firm, vehicle, place; case or inspection)."""
    _check(actor, complaint.organisation)
    if data.get("case_number") and data["case_number"] != complaint.case_number:
        check_case_number(actor, data["case_number"])
    return audited_update(actor=actor, instance=complaint, data=data, allowed=COMPLAINT_EDIT_FIELDS,
                          action="complaint.update", summary=f"修改投诉 {complaint.number} 的分类或关联")




# ---------------------------------------------------------------------------------------------------------------
# Import of hotline work orders

IMPORT_COLUMNS = {
    "工单编号": "external_id", "来源渠道": "channel", "受理时间": "received_at", "诉求人": "complainant_name",
    "联系电话": "complainant_phone", "诉求类别": "category", "诉求内容": "content", "被投诉企业": "firm_name",
    "车牌号": "plate", "发生地点": "place", "线路": "route",
}
REQUIRED_COLUMNS = ("工单编号", "受理时间", "诉求内容")
CATEGORY_WORDS = [("网约", Category.RIDE_HAILING), ("出租", Category.TAXI), ("公交", Category.BUS), ("客运", Category.COACH),
                  ("货运", Category.FREIGHT), ("驾培", Category.DRIVING_SCHOOL), ("驾校", Category.DRIVING_SCHOOL),
                  ("维修", Category.REPAIR), ("路政", Category.ROAD), ("公路", Category.ROAD), ("执法", Category.ENFORCEMENT),
                  ("咨询", Category.CONSULTATION), ("建议", Category.CONSULTATION)]


@dataclass
class ImportResult:
    """What an import did: the complaints created and each refused row with its row number and reason."""

    created: list[Complaint] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0


def _parse_category(value: str) -> str:
    value = (value or "").strip()
    if value in Category.values:
        return value
    for label_value, label in Category.choices:
        if value == label:
            return label_value
    return next((c for word, c in CATEGORY_WORDS if word in value), Category.OTHER)


def _parse_channel(value: str, default: str) -> str:
    value = (value or "").strip()
    if not value:
        return default
    if value in Channel.values:
        return value
    for v, label in Channel.choices:
        if value in label or label.startswith(value):
            return v
    raise ValueError(f"来源渠道“{value}”无法识别")


def _parse_time(value) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day, 9, 0)
    else:
        text = str(value or "").strip()
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
            try:
                dt = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"受理时间“{text}”格式不正确（应为 2026-01-05 09:30）")
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def complaint_import_xlsx(*, actor, organisation: Organisation, file, default_channel: str = Channel.HOTLINE_12345) -> ImportResult:
    """Import the hotline platform's work-order sheet. Each row is taken in its own transaction: a malformed row
    is reported with its sheet row number and every other row is still imported."""
    _check(actor, organisation)
    sheet, problems = xlsx.read_rows(file, IMPORT_COLUMNS, required=[IMPORT_COLUMNS[c] for c in REQUIRED_COLUMNS])
    if problems:  # no header, a required column missing, or more rows than one import takes: nothing imported
        raise DomainError("missing_columns" if not sheet else "too_many_rows", "；".join(problems))
    result = ImportResult()
    companies = {c.name: c for c in TransportCompany.objects.filter(organisation__path__startswith=organisation.path)}
    # One transaction for the sheet (one commit), a savepoint per row.
    with transaction.atomic():
        for row in sheet:
            row_number = row.number
            result.rows += 1

            def get(key, values=row.values):
                v = values.get(key)
                return v if isinstance(v, datetime | date) else ("" if v is None else str(v).strip())

            try:
                external_id = get("external_id")
                if not external_id:
                    raise ValueError("工单编号为空")
                content = get("content")
                if not content:
                    raise ValueError("诉求内容为空")
                received_at = _parse_time(get("received_at"))
                if received_at > timezone.now():
                    raise ValueError("受理时间晚于当前时间")
                channel = _parse_channel(get("channel"), default_channel)
                plate = get("plate")
                vehicle = None
                if plate:
                    try:
                        plate = normalise_plate(plate)
                    except ValidationError as exc:
                        raise ValueError(f"车牌号“{plate}”格式不正确") from exc
                    vehicle = Vehicle.objects.filter(plate=plate, organisation__path__startswith=organisation.path).first()
                firm_name = get("firm_name")
                phone = get("complainant_phone")
                if phone and not phone.replace("-", "").isdigit():
                    raise ValueError(f"联系电话“{phone}”不是号码")
                with transaction.atomic():  # a savepoint per row: a refused row leaves no trace
                    complaint = complaint_intake(
                        actor=actor, organisation=organisation, channel=channel, content=content, category=_parse_category(get("category")),
                        received_at=received_at, external_id=external_id, complainant_name=get("complainant_name"), complainant_phone=phone,
                        firm=companies.get(firm_name), firm_name=firm_name, vehicle=vehicle, plate=plate, place=get("place"), route_name=get("route"))
            except ValueError as exc:
                result.errors.append((row_number, str(exc)))
            except ValidationError as exc:
                result.errors.append((row_number, "；".join(f"{k}: {'、'.join(v)}" for k, v in exc.message_dict.items()) if hasattr(exc, "message_dict") else "；".join(exc.messages)))
            except DomainError as exc:
                result.errors.append((row_number, exc.message))
            else:
                result.created.append(complaint)
    with transaction.atomic():
        audit.record(actor=actor, action="complaint.import", subject=("complaints.import", timezone.now().strftime("%Y%m%d%H%M%S")),
                     organisation=organisation, summary=f"导入热线工单 {result.rows} 行：受理 {len(result.created)} 件，错误 {len(result.errors)} 行",
                     changes={"created": [c.number for c in result.created], "errors": result.errors})
    return result


# ---------------------------------------------------------------------------------------------------------------
# Mediation (行政调解)

def mediation_apply(*, actor, organisation: Organisation, kind: str, applicant: Party, respondent: Party, applied_on: date,
                    claim: str, amount=None, complaint: Complaint | None = None) -> Mediation:
    _check(actor, organisation)
    with transaction.atomic():
        m = Mediation(number=numbering.reserve(MEDIATION_NUMBERS, on=applied_on), organisation=organisation, kind=kind, applicant=applicant,
                      respondent=respondent, applied_on=applied_on, claim=claim, amount=amount, complaint=complaint)
        validated(m)
        m.save(force_insert=True)
        return workflow.created(MEDIATION_WORKFLOW, m, "apply", actor=actor, summary=f"登记调解申请 {m.number}")


def _mediation_move(m: Mediation, action: str, *, actor, values: dict, summary: str) -> Mediation:
    return workflow.transition(MEDIATION_WORKFLOW, m, action, actor=actor, fields=values, summary=f"调解 {m.number}：{summary}")


def mediation_decide(*, actor, mediation: Mediation, accept: bool, decided_on: date, mediator: Officer | None = None, reason: str = "") -> Mediation:
    """Accept (with a mediator) or refuse (with a reason) an application."""
    _check(actor, mediation.organisation)
    if accept:
        if mediator is None:
            raise DomainError("mediator_required", "受理调解须指定调解员。")
        if decided_on < mediation.applied_on:
            raise DomainError("invalid_date", "受理日期不能早于申请日期。")
        return _mediation_move(mediation, "accept", actor=actor, values={"decided_on": decided_on, "mediator": mediator}, summary=f"受理，调解员{mediator.name}")
    if not reason.strip():
        raise DomainError("reason_required", "不予受理须说明理由。")
    return _mediation_move(mediation, "refuse", actor=actor, values={"decided_on": decided_on, "refusal_reason": reason}, summary=f"不予受理：{reason}")


def mediation_add_session(*, actor, mediation: Mediation, held_on: date, attendees: str, record: str, place: str = "调解室") -> MediationSession:
    _check(actor, mediation.organisation)
    if not MEDIATION_WORKFLOW.allowed("session", mediation.status):
        raise TransitionNotAllowed("transition_not_allowed", "只有已受理的调解可以记录调解会。")
    if mediation.decided_on and held_on < mediation.decided_on:
        raise DomainError("invalid_date", "调解会日期不能早于受理日期。")
    session = MediationSession(mediation=mediation, held_on=held_on, attendees=attendees, record=record, place=place)
    return audited_create(actor=actor, instance=session, action="mediation.session", summary=f"调解 {mediation.number} 召开调解会（{held_on}）",
                          organisation=mediation.organisation)


def mediation_conclude(*, actor, mediation: Mediation, agreed: bool, on: date, agreement_text: str = "", outcome: str = "") -> Mediation:
    """Record the agreement (调解协议书) or that mediation failed; at least one session must have been held."""
    _check(actor, mediation.organisation)
    if not mediation.sessions.exists():
        raise DomainError("no_session", "尚未召开调解会，不能结束调解。")
    if agreed:
        if not agreement_text.strip():
            raise DomainError("agreement_required", "达成协议须填写调解协议书内容。")
        return _mediation_move(mediation, "agree", actor=actor, values={"agreement_text": agreement_text, "agreement_on": on, "outcome": outcome}, summary="达成调解协议")
    return _mediation_move(mediation, "fail", actor=actor, values={"outcome": outcome or "调解不成", "closed_on": None}, summary=f"调解不成：{outcome}")


def mediation_close(*, actor, mediation: Mediation, closed_on: date, outcome: str = "") -> Mediation:
    _check(actor, mediation.organisation)
    values = {"closed_on": closed_on}
    if outcome:
        values["outcome"] = outcome
    return _mediation_move(mediation, "close", actor=actor, values=values, summary="结案")


MEDIATION_EDIT_FIELDS = {"kind", "claim", "amount"}


def mediation_update(*, actor, mediation: Mediation, **data) -> Mediation:
    _check(actor, mediation.organisation)
    if mediation.status != Mediation.Status.APPLIED:
        raise DomainError("not_editable", "已作出受理决定的调解申请不能修改。")
    return audited_update(actor=actor, instance=mediation, data=data, allowed=MEDIATION_EDIT_FIELDS, action="mediation.update",
                          summary=f"修改调解申请 {mediation.number}")


# ---------------------------------------------------------------------------------------------------------------
# Soft-enforcement ledger (柔性执法)

def soft_measure_create(*, actor, organisation: Organisation, kind: str, party: Party, officer: Officer, occurred_on: date,
                        matter: str, **extra) -> SoftMeasure:
    _check(actor, organisation)
    if not officer.organisation.is_within(organisation.enforcement_body()) and not officer.organisation.is_within(organisation):
        raise DomainError("officer_out_of_unit", "执法人员不属于实施机构。")
    if occurred_on > timezone.localdate():
        raise DomainError("future_date", "日期不能晚于今天。")
    check_case_number(actor, extra.get("case_number", ""))
    m = SoftMeasure(organisation=organisation, kind=kind, party=party, officer=officer, occurred_on=occurred_on, matter=matter, **extra)
    return audited_create(actor=actor, instance=m, action="soft_measure.create", summary=f"登记柔性执法：{m.get_kind_display()} {party}")


SOFT_EDIT_FIELDS = {"matter", "minutes", "commitment", "follow_up_on", "case_number", "occurred_on", "kind"}


def soft_measure_update(*, actor, measure: SoftMeasure, **data) -> SoftMeasure:
    _check(actor, measure.organisation)
    if data.get("case_number") and data["case_number"] != measure.case_number:
        check_case_number(actor, data["case_number"])
    return audited_update(actor=actor, instance=measure, data=data, allowed=SOFT_EDIT_FIELDS, action="soft_measure.update",
                          summary=f"修改柔性执法记录 {measure}")


# ---------------------------------------------------------------------------------------------------------------
# Rules (data maintained by administrators)

def routing_rule_save(*, actor, rule: RoutingRule) -> RoutingRule:
    assert_role(actor, Role.ADMIN, Role.HEAD, message="只有管理员或负责人可以维护分派规则。")
    assert_in_jurisdiction(actor, rule.organisation)
    if rule.pk:
        old = RoutingRule.objects.get(pk=rule.pk)
        data = {f: getattr(rule, f) for f in ("priority", "channel", "category", "keyword", "target_unit", "target_officer", "active")}
        return audited_update(actor=actor, instance=old, data=data, allowed=set(data), action="routing_rule.update", summary=f"修改分派规则 {rule}")
    return audited_create(actor=actor, instance=rule, action="routing_rule.create", summary=f"新增分派规则 {rule}")
