"""State changes of coercive measures (行政强制法 Chapter III). Each service checks role and jurisdiction, looks its
action up in ``workflow``, enforces the articles that apply to it, updates the measure with a condition on its old
status (exactly one row), appends a ``MeasureStep`` and writes the full-process record, all in one transaction; the
standard forms are issued after the commit. A refusal raises ``DomainError`` and changes nothing."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit, numbering
from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Organisation, Vehicle
from zhifa.core.services import assert_officers_can_act

from . import workflow
from .models import MEASURE_NUMBERS, Measure, MeasureBasis, MeasurePause, SeizedItem
from .workflow import NEW, WORKFLOW, Status

log = logging.getLogger(__name__)

# Case states in which a measure may no longer be started (the case has ended).
CASE_ENDED = {"not_opened", "withdrawn", "transferred", "revoked", "closed", "archived"}


@dataclass
class Scene:
    """What the officers record when they carry the measure out (行政强制法 Arts. 18, 24, 26)."""

    taken_at: datetime
    officers: Sequence[Officer]
    items: list[dict]  # {"name", "quantity", "unit", "description", "vehicle"}
    rights_notified: bool
    statement: str
    scene_record: str
    custody_place: str
    party_present: bool = True
    witness: str = ""
    record_signed: bool = True
    refusal_note: str = ""
    custodian: str = ""
    place: str = ""
    checked_officers: list = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# helpers


def _check(action: str, actor, organisation: Organisation, status: str) -> workflow.Transition:
    """Jurisdiction, role and the state the action starts from (``NEW`` for a measure not yet registered)."""
    return WORKFLOW.check(action, status, actor, organisation=organisation)


def _move(measure: Measure, action: str, actor, *, fields: dict | None = None, summary: str) -> Measure:
    """The workflow kernel's move: conditional UPDATE on the old status (exactly one row), ``MeasureStep`` row and
    audit record, atomically."""
    return kernel.transition(WORKFLOW, measure, action, actor=actor, fields=fields, summary=summary)


def _issue(measure: Measure, kind: str, actor) -> None:
    """Queue the standard form for after the commit: a rendering fault must never undo the act. The decision's
    number from the documents app is written back on the measure."""
    try:
        from zhifa.documents.services import document_issue
    except ImportError:  # the documents app is optional
        return
    from .documents import document_context

    def run():
        fresh = Measure.objects.select_related("organisation", "party", "basis", "case").get(pk=measure.pk)
        try:
            doc = document_issue(actor=actor, organisation=fresh.organisation, kind=kind, subject=fresh, context=document_context(fresh, kind))
        except Exception:  # noqa: BLE001 — the act is committed; log and let the officer issue again
            log.exception("document %s for coercive measure %s not issued", kind, fresh.number)
            return
        if kind == "coercion_decision" and doc.number:
            with transaction.atomic():
                if Measure.objects.filter(pk=fresh.pk, decision_number="").update(decision_number=doc.number):
                    # The decision's number is part of the record like any other change (行政处罚法 Art. 47).
                    audit.record(actor=actor, action="coercion.decision_number", subject=fresh, organisation=fresh.organisation,
                                 summary=f"强制措施决定书文号 {doc.number}", changes={"decision_number": ["", doc.number]})

    transaction.on_commit(run)




def no_coercion_entry(case, on: date | None = None):
    """The entry of the 不予实施行政强制措施清单 (行政强制法 Art. 16 ¶2; discretion app, edition in force on the day
    of the violation) that lists the case's violation, or None."""
    if not case.violation_code:
        return None
    from zhifa.discretion.engine import edition_in_force
    from zhifa.discretion.models import ListEntry, ListKind

    edition = edition_in_force(on or case.occurred_on)
    if edition is None:
        return None
    return ListEntry.objects.filter(edition=edition, kind=ListKind.NO_COERCION, item__code=case.violation_code).first()


def _assert_case_allows(case, basis: MeasureBasis, vehicle: Vehicle | None, no_coercion_reason: str) -> str:
    """Checks before a measure is started; returns the no-coercion note to record ('' when not listed)."""
    if case.status in CASE_ENDED:
        raise DomainError("case_ended", f"案件当前为“{case.get_status_display()}”，不能再实施行政强制措施。")
    if not basis.active or basis.effective_from > timezone.localdate():
        raise DomainError("basis_inactive", f"措施事项“{basis.name}”未启用或尚未施行。")
    if vehicle is not None and Measure.objects.filter(vehicle=vehicle, status__in=workflow.RUNNING).exists():
        # Art. 23 ¶2: no second seizure of what is already seized.
        raise DomainError("already_seized", f"车辆{vehicle.plate}已被查封、扣押，不得重复查封、扣押（行政强制法第二十三条）。")
    entry = no_coercion_entry(case)
    if entry is None:
        return ""
    if not no_coercion_reason.strip():
        raise DomainError("no_coercion_listed", f"该违法行为列入不予实施行政强制措施清单（{entry.conditions}；{entry.basis}）。"
                          "确需实施的，须填写理由（行政强制法第十六条第二款）。", conditions=entry.conditions)
    return no_coercion_reason.strip()


def _items(raw: list[dict]) -> list[SeizedItem]:
    result = []
    for row in raw:
        name = str(row.get("name", "")).strip()
        try:
            quantity = Decimal(str(row.get("quantity", "")).strip())
        except InvalidOperation:
            quantity = Decimal("0")
        if not name or quantity <= 0:
            raise DomainError("invalid_items", "清单每项须填写名称和大于零的数量（行政强制法第二十四条）。")
        result.append(SeizedItem(name=name[:120], quantity=quantity, unit=str(row.get("unit") or "件")[:12],
                                 description=str(row.get("description", ""))[:200], vehicle=row.get("vehicle")))
    if not result:
        raise DomainError("invalid_items", "须制作查封、扣押清单，列明场所、设施或者财物的名称、数量（行政强制法第二十四条）。")
    return result


def _validate_scene(measure_org: Organisation, party, scene: Scene, *, not_before: datetime | None) -> list[SeizedItem]:
    """行政强制法 Art. 18 (procedure), Art. 24 (decision and list), Art. 26 (custody)."""
    if scene.taken_at > timezone.now():
        raise DomainError("invalid_time", "实施时间不能晚于当前时间。")
    if not_before is not None and scene.taken_at < not_before.replace(second=0, microsecond=0):  # forms give minutes
        raise DomainError("taken_before_approval", "实施时间早于负责人批准时间：实施前须报告并经批准（行政强制法第十八条第一项）。")
    try:  # Art. 18(二)(三): two or more officers showing valid certificates
        scene.checked_officers = assert_officers_can_act(scene.officers, on=timezone.localtime(scene.taken_at).date(), act="实施行政强制措施")
    except DomainError as exc:
        if exc.code == "too_few_officers":
            raise DomainError("too_few_officers", "行政强制措施须由两名以上持有效执法证的行政执法人员实施（行政强制法第十八条第二项）。") from exc
        raise
    body = measure_org.enforcement_body()
    strangers = [o.name for o in scene.checked_officers if not o.organisation.is_within(body)]
    if strangers:
        raise DomainError("officer_out_of_unit", f"{'、'.join(strangers)}不属于实施机关，不得实施（行政强制法第十七条：不得委托）。")
    if not scene.party_present and not scene.witness.strip():
        raise DomainError("witness_required", "当事人不到场的，须邀请见证人到场并在现场笔录上签名（行政强制法第十八条第九项）。")
    if not scene.rights_notified:
        raise DomainError("rights_not_notified", "须当场告知当事人采取行政强制措施的理由、依据以及依法享有的权利、救济途径（行政强制法第十八条第五项）。")
    if not scene.statement.strip():
        raise DomainError("statement_required", "须听取并记录当事人的陈述和申辩（当事人未陈述的，注明情况；行政强制法第十八条第六项）。")
    if not scene.scene_record.strip():
        raise DomainError("scene_record_required", "须制作现场笔录（行政强制法第十八条第七项）。")
    if not scene.record_signed and not scene.refusal_note.strip():
        raise DomainError("refusal_note_required", "当事人拒绝签名的，须在笔录中注明（行政强制法第十八条第八项）。")
    if not scene.custody_place.strip():
        raise DomainError("custody_required", "须写明查封、扣押财物的保管场所（行政强制法第二十六条）。")
    if not (party.address or "").strip():
        raise DomainError("party_address_missing", "查封、扣押决定书须载明当事人的地址，请先补充当事人地址（行政强制法第二十四条第一项）。")
    return _items(scene.items)


def _scene_fields(scene: Scene, basis: MeasureBasis) -> dict:
    return {
        "taken_at": scene.taken_at, "starts_on": timezone.localtime(scene.taken_at).date(), "party_present": scene.party_present,
        "witness": scene.witness.strip(), "rights_notified": True, "statement": scene.statement.strip(), "scene_record": scene.scene_record.strip(),
        "record_signed": scene.record_signed, "refusal_note": scene.refusal_note.strip(), "custody_place": scene.custody_place.strip(),
        "custodian": scene.custodian.strip(), "period_days": basis.period_days,
    }


def _save_scene(measure: Measure, scene: Scene, items: list[SeizedItem]) -> None:
    measure.officers.set(scene.checked_officers)
    for item in items:
        item.measure = measure
        if item.vehicle is None and measure.vehicle_id and "车" in item.name:
            item.vehicle = measure.vehicle
    SeizedItem.objects.bulk_create(items)


def _create(*, actor, case, basis: MeasureBasis, reason: str, place: str, vehicle, status: str, emergency: bool,
            no_coercion_reason: str, extra: dict) -> Measure:
    """Insert with the next register number (core.numbering, reserved in the caller's transaction)."""
    now = timezone.now()
    values = dict(organisation=case.organisation, case=case, party=case.party, vehicle=vehicle or case.vehicle, basis=basis,
                  kind=basis.kind, legal_basis=basis.legal_basis, reason=reason.strip(), place=place.strip() or case.place, status=status,
                  emergency=emergency, no_coercion_listed=bool(no_coercion_reason), no_coercion_reason=no_coercion_reason,
                  applied_at=now, applied_by=actor, period_days=basis.period_days)
    values.update(extra)
    measure = Measure(number=numbering.reserve(MEASURE_NUMBERS, organisation=case.organisation, year=timezone.localdate().year), **values)
    measure.save(force_insert=True)
    return measure


def _start(action: str, *, actor, case, basis, reason, place, vehicle, no_coercion_reason, scene: Scene | None) -> Measure:
    _check(action, actor, case.organisation, NEW)
    if not reason.strip():
        raise DomainError("reason_required", "须写明采取行政强制措施的理由（行政强制法第二十四条第二项）。")
    note = _assert_case_allows(case, basis, vehicle or case.vehicle, no_coercion_reason)
    items = _validate_scene(case.organisation, case.party, scene, not_before=None) if scene is not None else []
    target = workflow.TRANSITIONS[action].target
    with transaction.atomic():
        measure = _create(actor=actor, case=case, basis=basis, reason=reason, place=place or (scene.place if scene else ""), vehicle=vehicle,
                          status=target, emergency=scene is not None, no_coercion_reason=note,
                          extra=_scene_fields(scene, basis) if scene is not None else {})
        if scene is not None:
            _save_scene(measure, scene, items)
        summary = (f"情况紧急，当场实施{measure.get_kind_display()} {measure.number}（案件{case.number}），须于二十四小时内报告负责人"
                   if scene is not None else f"报请批准{measure.get_kind_display()} {measure.number}（案件{case.number}）：{reason.strip()[:200]}")
        if note:
            summary += f"；违法行为列入不予实施行政强制措施清单，实施理由：{note[:200]}"
        kernel.created(WORKFLOW, measure, action, actor=actor, summary=summary)
        if scene is not None:
            _issue(measure, "coercion_decision", actor)
    return measure


# ---------------------------------------------------------------------------------------------------------------
# starting a measure


def measure_apply(*, actor, case, basis: MeasureBasis, reason: str, place: str = "", vehicle: Vehicle | None = None,
                  no_coercion_reason: str = "") -> Measure:
    """报请批准: the officer asks the head for approval before the measure (行政强制法 Art. 18(一))."""
    return _start("apply", actor=actor, case=case, basis=basis, reason=reason, place=place, vehicle=vehicle,
                  no_coercion_reason=no_coercion_reason, scene=None)


def measure_take_emergency(*, actor, case, basis: MeasureBasis, reason: str, scene: Scene, place: str = "",
                           vehicle: Vehicle | None = None, no_coercion_reason: str = "") -> Measure:
    """情况紧急当场实施 (Art. 19): the measure is taken at once, with the whole Art. 18 procedure, and must be
    reported to the head within 24 hours."""
    return _start("take_emergency", actor=actor, case=case, basis=basis, reason=reason, place=place, vehicle=vehicle,
                  no_coercion_reason=no_coercion_reason, scene=scene)


def measure_approve(*, actor, measure: Measure, opinion: str = "") -> Measure:
    _check("approve", actor, measure.organisation, measure.status)
    return _move(measure, "approve", actor, fields={"approved_at": timezone.now(), "approved_by": actor, "approval_opinion": opinion.strip()[:300]},
                 summary=f"负责人批准实施{measure.get_kind_display()} {measure.number}。{opinion.strip()[:200]}")


def measure_refuse(*, actor, measure: Measure, opinion: str) -> Measure:
    _check("refuse", actor, measure.organisation, measure.status)
    if not opinion.strip():
        raise DomainError("opinion_required", "不予批准须写明意见。")
    return _move(measure, "refuse", actor, fields={"approved_by": actor, "approval_opinion": opinion.strip()[:300]},
                 summary=f"负责人不予批准 {measure.number}：{opinion.strip()[:200]}")


def measure_take(*, actor, measure: Measure, scene: Scene) -> Measure:
    """实施: after approval, two officers carry the measure out on the spot and deliver the 决定书 and 清单 (Arts. 18, 24)."""
    _check("take", actor, measure.organisation, measure.status)
    items = _validate_scene(measure.organisation, measure.party, scene, not_before=measure.approved_at)
    if measure.vehicle_id and Measure.objects.filter(vehicle_id=measure.vehicle_id, status__in=workflow.RUNNING).exclude(pk=measure.pk).exists():
        raise DomainError("already_seized", "该车辆已被查封、扣押，不得重复查封、扣押（行政强制法第二十三条）。")
    fields = _scene_fields(scene, measure.basis)
    if scene.place.strip():
        fields["place"] = scene.place.strip()
    with transaction.atomic():
        measure = _move(measure, "take", actor, fields=fields,
                        summary=f"实施{measure.get_kind_display()} {measure.number}，清单{len(items)}项，保管于{scene.custody_place.strip()[:60]}")
        _save_scene(measure, scene, items)
        _issue(measure, "coercion_decision", actor)
    return measure


def measure_report(*, actor, measure: Measure, note: str = "") -> Measure:
    """Art. 19: the emergency measure reported to the head within 24 hours of being taken; later is refused and the
    measure must be released."""
    _check("report", actor, measure.organisation, measure.status)
    now = timezone.now()
    if now > measure.emergency_report_due:
        raise DomainError("emergency_report_late", f"已超过二十四小时（应于{timezone.localtime(measure.emergency_report_due):%Y-%m-%d %H:%M}前报告），"
                          "不能补办批准，应当解除该措施（行政强制法第十九条）。")
    return _move(measure, "report", actor, fields={"reported_at": now},
                 summary=f"当场实施的{measure.get_kind_display()} {measure.number}已向负责人报告。{note.strip()[:200]}")


def measure_confirm(*, actor, measure: Measure, opinion: str = "") -> Measure:
    """补办批准 (Art. 19); a head who disagrees releases the measure instead (reason ``not_approved``)."""
    _check("confirm", actor, measure.organisation, measure.status)
    return _move(measure, "confirm", actor, fields={"approved_at": timezone.now(), "approved_by": actor, "approval_opinion": opinion.strip()[:300]},
                 summary=f"负责人补办批准 {measure.number}。{opinion.strip()[:200]}")


# ---------------------------------------------------------------------------------------------------------------
# period: extension and testing/appraisal


def measure_extend(*, actor, measure: Measure, days: int, reason: str) -> Measure:
    """Art. 25: in complex cases the head may extend the period once, by at most the basis' extension (30 days),
    before it ends; the party is told in writing with the reason (延长行政强制措施期限通知书)."""
    _check("extend", actor, measure.organisation, measure.status)
    today = timezone.localdate()
    limit = measure.basis.max_extension_days
    if not 1 <= days <= limit:
        raise DomainError("extension_too_long", f"延长期限不得超过{limit}日（行政强制法第二十五条）。")
    if not reason.strip():
        raise DomainError("reason_required", "延长须说明理由（行政强制法第二十五条第二款）。")
    due = measure.due_on(today)
    if today > due:
        raise DomainError("period_expired", f"期限已于{due:%Y-%m-%d}届满，不能再延长，应当解除（行政强制法第二十八条第一款第四项）。")
    with transaction.atomic():
        measure = _move(measure, "extend", actor, fields={"extended_days": days, "extended_on": today, "extension_reason": reason.strip(),
                                                          "extension_notified_on": today},
                        summary=f"延长 {measure.number} 期限{days}日（至{due + timedelta(days=days):%Y-%m-%d}），当日书面告知当事人：{reason.strip()[:200]}")
        _issue(measure, "coercion_extension", actor)
    return measure


def measure_pause(*, actor, measure: Measure, reason: str, started_on: date, notified_on: date, note: str = "") -> MeasurePause:
    """Art. 25 ¶3: testing, inspection, quarantine or appraisal; its period is stated to the party in writing and not
    counted. The authority bears the cost."""
    _check("pause", actor, measure.organisation, measure.status)
    today = timezone.localdate()
    if reason not in MeasurePause.Reason.values:
        raise DomainError("invalid_reason", "事由应为检测、检验、检疫或者技术鉴定。")
    if started_on > today or started_on < measure.starts_on or notified_on > today:
        raise DomainError("invalid_date", "开始日期应在实施之后、不晚于今天；书面告知日期不晚于今天。")
    if measure.pauses.filter(ended_on__isnull=True).exists():
        raise DomainError("already_paused", "已有正在进行的检测鉴定期间。")
    with transaction.atomic():
        pause = MeasurePause.objects.create(measure=measure, reason=reason, started_on=started_on, notified_on=notified_on, note=note.strip()[:200])
        _move(measure, "pause", actor, summary=f"{measure.number} {pause.get_reason_display()}自{started_on:%Y-%m-%d}起，期间不计入期限（已于{notified_on:%Y-%m-%d}书面告知当事人）")
    return pause


def measure_resume(*, actor, measure: Measure, ended_on: date) -> MeasurePause:
    _check("resume", actor, measure.organisation, measure.status)
    pause = measure.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        raise DomainError("not_paused", "没有正在进行的检测鉴定期间。")
    if ended_on < pause.started_on or ended_on > timezone.localdate():
        raise DomainError("invalid_date", "结束日期不能早于开始日期或晚于今天。")
    with transaction.atomic():
        MeasurePause.objects.filter(pk=pause.pk, ended_on__isnull=True).update(ended_on=ended_on)
        _move(measure, "resume", actor, summary=f"{measure.number} {pause.get_reason_display()}于{ended_on:%Y-%m-%d}结束，恢复计算期限")
    pause.refresh_from_db()
    return pause


# ---------------------------------------------------------------------------------------------------------------
# ending a measure


def _close_pause(measure: Measure, on: date) -> None:
    MeasurePause.objects.filter(measure=measure, ended_on__isnull=True).update(ended_on=on)


def measure_release(*, actor, measure: Measure, reason: str, note: str = "", released_on: date | None = None, returned_to: str = "") -> Measure:
    """解除 (Art. 28; Art. 19 when the head does not approve an emergency measure): the property is returned at once
    and a 解除行政强制措施决定书 issued."""
    _check("release", actor, measure.organisation, measure.status)
    R = Measure.ReleaseReason
    today = timezone.localdate()
    released_on = released_on or today
    if reason not in R.values:
        raise DomainError("invalid_reason", "请选择解除理由。")
    if released_on > today or (measure.starts_on and released_on < measure.starts_on):
        raise DomainError("invalid_date", "解除日期应在实施之后、不晚于今天。")
    emergency_states = {Status.EMERGENCY, Status.REPORTED}
    if reason in (R.NOT_APPROVED, R.REPORT_LATE) and measure.status not in emergency_states:
        raise DomainError("invalid_reason", "该理由只适用于当场实施、尚未补办批准的措施（行政强制法第十九条）。")
    if reason == R.REPORT_LATE and timezone.now() <= measure.emergency_report_due:
        raise DomainError("invalid_reason", "尚未超过二十四小时报告时限。")
    if reason == R.EXPIRED and not today > measure.due_on(today):
        raise DomainError("invalid_reason", f"期限至{measure.due_on(today):%Y-%m-%d}，尚未届满。")
    if reason == R.NOT_NEEDED and not note.strip():
        raise DomainError("note_required", "以“其他不再需要”解除的，须写明具体情形。")
    returned_to = returned_to.strip() or measure.party.name
    with transaction.atomic():
        _close_pause(measure, released_on)
        measure = _move(measure, "release", actor, fields={"released_on": released_on, "release_reason": reason, "release_note": note.strip(),
                                                           "returned_to": returned_to[:120]},
                        summary=f"解除 {measure.number}（{R(reason).label}），财物已退还{returned_to[:60]}。{note.strip()[:150]}")
        measure.items.filter(returned_on__isnull=True).update(returned_on=released_on)  # Art. 28 ¶2: returned at once
        _issue(measure, "coercion_release", actor)
    return measure


def measure_dispose(*, actor, measure: Measure, note: str, decision_number: str = "") -> Measure:
    """Art. 27: illegal property the case's decision confiscates (or orders destroyed) — only on a decision made within
    the period; a period that ran out must be released instead (Art. 28(四))."""
    _check("dispose", actor, measure.organisation, measure.status)
    case = measure.case
    if not case.decided_on or case.revoked_on:
        raise DomainError("no_decision", f"案件{case.number}尚未作出（或已撤销）处理决定，不能依决定处理被查封、扣押的财物（行政强制法第二十七条）。")
    due = measure.due_on(case.decided_on)
    if case.decided_on > due:
        raise DomainError("period_expired", f"处理决定于{case.decided_on:%Y-%m-%d}作出，已超过期限（{due:%Y-%m-%d}），应当解除（行政强制法第二十七条、第二十八条）。")
    if not note.strip():
        raise DomainError("note_required", "须写明处理情况（没收或依法销毁的财物）。")
    number = decision_number.strip() or case.decision_number
    with transaction.atomic():
        _close_pause(measure, case.decided_on)
        measure = _move(measure, "dispose", actor, fields={"disposed_on": timezone.localdate(), "disposal_decision_number": number[:60],
                                                           "disposal_note": note.strip()},
                        summary=f"依处理决定{number}处理 {measure.number} 查封、扣押的财物：{note.strip()[:200]}")
    return measure
