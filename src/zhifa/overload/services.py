"""State changes of off-site overload enforcement: stations and devices, violations into cases (Art. 55 of MOT
Order 2016 No. 62: against the vehicle owner, on the device's records), the review queue, remote handling
(不见面执法), 一超四罚 and the four-level exchange import. Every change is written to the full-process record."""

from __future__ import annotations

import io
import json
import logging
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.evidence import evidence_store
from zhifa.core.identifiers import plate_display_form
from zhifa.core.models import Driver, Organisation, SourceUnit, TransportCompany, Vehicle
from zhifa.core.roles import Role, has_role
from zhifa.core.services import assert_in_jurisdiction, assert_role, audited_create, audited_update
from zhifa.integrations import triggers

from . import ingest, wim, wim_store
from .models import (
    Device,
    DimensionLimit,
    ExchangeRecord,
    FourPenaltyPolicy,
    FourPenaltyTrigger,
    LeniencyRule,
    RemoteAct,
    Station,
    Violation,
)
from .workflow import WORKFLOW

log = logging.getLogger(__name__)
OVERLOAD_ITEM = "CX-001"  # discretion catalogue: 车辆违法超限运输（车货总质量超过限定标准）
NOTICE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
EDITORS = (Role.OFFICER, Role.HEAD, Role.ADMIN)


# ---------------------------------------------------------------- stations and devices

def station_create(*, actor, organisation: Organisation, code: str, name: str, **extra) -> Station:
    assert_role(actor, Role.ADMIN, Role.HEAD, message="只有系统管理员或负责人可以登记检测站点。")
    assert_in_jurisdiction(actor, organisation)
    extra.setdefault("push_secret", secrets.token_hex(24))
    return audited_create(actor=actor, instance=Station(organisation=organisation, code=code, name=name, **extra),
                   action="overload.station_create", summary=f"登记检测站点 {name}（{code}）")


def device_create(*, actor, station: Station, code: str, **extra) -> Device:
    assert_role(actor, Role.ADMIN, Role.HEAD, message="只有系统管理员或负责人可以登记称重设备。")
    assert_in_jurisdiction(actor, station.organisation)
    device = Device(station=station, code=code, **extra)
    device.organisation = station.organisation  # for the audit record
    return audited_create(actor=actor, instance=device, action="overload.device_create", summary=f"登记称重设备 {code}")


DEVICE_FIELDS = {"calibration_certificate", "calibration_valid_from", "calibration_valid_until", "review_passed_on",
                 "review_reference", "accuracy_class", "lanes", "model_name"}


def device_update(*, actor, device: Device, **data) -> Device:
    """Record a new calibration certificate or the Art. 41 review; the change is in the full-process record."""
    assert_role(actor, Role.ADMIN, Role.HEAD, message="只有系统管理员或负责人可以变更称重设备。")
    assert_in_jurisdiction(actor, device.station.organisation)
    device.organisation = device.station.organisation
    return audited_update(actor=actor, instance=device, data=data, action="overload.device_update",
                   summary=f"变更称重设备 {device.code}", allowed=DEVICE_FIELDS)


# ---------------------------------------------------------------- evidence and cases

def evidence_package(violation: Violation) -> dict:
    """Everything a decision rests on: the raw records of every pass, the device and its certificate, the
    tolerance applied and the computed excess (超限运输车辆行驶公路管理规定 Art. 55; 行政处罚法 Art. 41)."""
    device = violation.device
    station = violation.station
    records, missing = [], []
    for p in violation.passes.order_by("passed_at"):
        day = timezone.localtime(p.passed_at).date()
        try:
            frame = wim_store.query_records(station_code=p.station_code, day=day, record_nos=[p.record_no])
        except wim_store.WimFileMissing as exc:
            log.error("WIM part file missing for violation %s: %s", violation.pk, exc)
            missing.append({"station_code": p.station_code, "record_no": p.record_no, "passed_at": f"{timezone.localtime(p.passed_at):%Y-%m-%d %H:%M}"})
            continue
        for row in frame.iter_rows(named=True):
            row["passed_at"] = timezone.localtime(datetime.fromtimestamp(row.pop("passed_ms") / 1000, tz=UTC)).isoformat()
            row["flag_labels"] = wim.flag_labels(row["flags"])
            records.append(row)
    policy = violation.tolerance_policy
    return {
        "violation_id": violation.pk,
        "plate": violation.plate, "plate_colour": violation.get_plate_colour_display(),
        "station": {"code": station.code, "name": station.name, "road": station.road, "stake": station.stake,
                    "location_published_on": station.location_published_on.isoformat() if station.location_published_on else None,
                    "location_notice_ref": station.location_notice_ref},
        "device": {"code": device.code, "model": device.model_name, "accuracy_class": device.get_accuracy_class_display(),
                   "calibration_certificate": device.calibration_certificate,
                   "calibration_valid": f"{device.calibration_valid_from} 至 {device.calibration_valid_until}",
                   "review_passed_on": device.review_passed_on.isoformat() if device.review_passed_on else None,
                   "review_reference": device.review_reference},
        "tolerance": {"percent": str(violation.tolerance_percent), "citation": policy.citation,
                      "effective_from": policy.effective_from.isoformat()},
        "computation": {"gross_kg": violation.gross_kg, "corrected_kg": violation.corrected_kg, "limit_kg": violation.limit_kg,
                        "excess_kg": violation.excess_kg, "axle_count": violation.axle_count,
                        "rule": f"实测{violation.gross_kg:,}千克，扣除{violation.tolerance_percent}%称重误差后为{violation.corrected_kg:,}千克，"
                                f"限值{violation.limit_kg:,}千克（《超限运输车辆行驶公路管理规定》第三条），超限{violation.excess_kg:,}千克"},
        "dimensions": _dimension_evidence(violation, records),
        "passes": records,
        "missing_passes": missing,  # raw records whose file is gone: shown as such, never evidence
        "merged": violation.pass_count > 1,
    }


def _dimension_evidence(violation: Violation, records: list[dict]) -> dict:
    """The outline reading of the opening pass against the Art. 3 items 1–3 limit version of its day."""
    key = next((r for r in records if r["record_no"] == violation.key_record_no and r["station_code"] == violation.station.code), {})
    on = timezone.localtime(violation.first_passed_at).date()
    limit = DimensionLimit.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    return {
        "measured_mm": {"height": key.get("height_mm"), "width": key.get("width_mm"), "length": key.get("length_mm")},
        "limits_mm": ({"height": limit.max_height_mm, "width": limit.max_width_mm, "length": limit.max_length_mm} if limit else None),
        "citation": limit.citation if limit else "",
        "over": violation.dimension_labels,
    }


def leniency_for(excess_kg: int, on: date) -> LeniencyRule | None:
    """The provincial off-site leniency band in force on ``on`` covering ``excess_kg`` (data, [unconfirmed])."""
    latest = LeniencyRule.objects.filter(effective_from__lte=on).order_by("-effective_from").values_list("effective_from", flat=True).first()
    if latest is None:
        return None
    return LeniencyRule.objects.filter(effective_from=latest, min_excess_kg__lt=excess_kg, max_excess_kg__gte=excess_kg).first()


def assess_violation(violation: Violation) -> dict:
    """The discretion engine's proposal for the excess after tolerance, then the provincial off-site leniency."""
    from zhifa.discretion.services import assess

    on = timezone.localtime(violation.first_passed_at).date()
    party = violation.vehicle.owner if violation.vehicle_id else None
    result = assess(item_code=OVERLOAD_ITEM, violation_date=on,
                    facts={"over_kg": violation.excess_kg, "party_kind": party.kind if party else "organisation"})
    amount = result.amount
    data = {"item_code": result.item_code, "outcome": result.outcome_label, "penalty_kinds": list(result.penalty_kinds),
            "amount": str(amount) if amount is not None else None, "reasoning": result.reasoning,
            "citations": list(result.citations), "benchmark_version": result.benchmark_version, "rounding": result.rounding}
    rule = leniency_for(violation.excess_kg, on) if amount is not None else None
    if rule is not None:
        reduced = (amount * (Decimal(100) - rule.reduction_percent) / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        data.update(amount=str(reduced), leniency=f"{rule}（{rule.citation}）",
                    reasoning=result.reasoning + f"依照本省非现场执法从轻规则（{rule.citation}），超限{rule.min_excess_kg:,}至"
                              f"{rule.max_excess_kg:,}千克的减轻{rule.reduction_percent}%，拟罚款{reduced}元。")
    return data


def _notice_code() -> str:
    return "".join(secrets.choice(NOTICE_ALPHABET) for _ in range(8))


def violation_open_case(*, violation: Violation, actor=None):
    """Turn a detected violation into a case against the vehicle owner (Art. 55) with its evidence package, the
    proposed amount, and a notice to the owner with the code for remote handling. Idempotent: the case's origin
    is the violation, so running it twice returns the same case."""
    from zhifa.cases.models import Case
    from zhifa.cases.services import lead_register

    if actor is not None:  # a person acts (page, bulk page); the ingest and its tasks open cases as the system
        assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员或负责人可以生成案件。")
        assert_in_jurisdiction(actor, violation.organisation)
    if violation.status == Violation.Status.CASE and violation.case_id:
        return Case.objects.get(pk=violation.case_id)
    if violation.status != Violation.Status.DETECTED or violation.vehicle_id is None:
        raise TransitionNotAllowed("not_detected", "只有已匹配车辆、待立案的超限违法行为可以生成案件。")
    device = violation.device
    problem = device.evidence_problem(timezone.localtime(violation.first_passed_at).date())
    if problem:  # 行政处罚法 Art. 41: such records are not evidence
        raise DomainError("device_not_valid", problem + "，该记录不得作为处罚证据（行政处罚法第四十一条）。")
    vehicle = violation.vehicle
    package = evidence_package(violation)
    if package["missing_passes"]:  # 行政处罚法 Art. 41: a decision rests on the raw records themselves
        raise DomainError("wim_records_missing", f"{len(package['missing_passes'])}条原始检测记录的数据文件缺失，"
                          "不能作为处罚证据（行政处罚法第四十一条），请联系系统管理员恢复数据文件后再生成案件。")
    assessment = assess_violation(violation)
    with transaction.atomic():
        stored = evidence_store(actor=actor, organisation=violation.organisation,
                                fileobj=io.BytesIO(json.dumps(package, ensure_ascii=False, indent=1, default=str).encode()),
                                name=f"超限检测证据-{violation.plate}-{violation.key_record_no}.json", content_type="application/json",
                                subject=violation, captured_at=violation.first_passed_at,
                                meta={"station": violation.station.code, "record_no": violation.key_record_no})
        station = violation.station
        facts = (f"{timezone.localtime(violation.first_passed_at):%Y年%m月%d日%H时%M分}，{violation.plate}（{violation.get_plate_colour_display()}牌）"
                 f"{violation.axle_count}轴{'汽车列车' if violation.is_combination else '货车'}经{station.name}不停车检测，"
                 + package["computation"]["rule"] + (f"；{violation.pass_count}次过车记录合并为一次违法行为" if violation.pass_count > 1 else "")
                 + "。检测设备经检定合格并在有效期内，设置地点已向社会公布。")
        case = lead_register(actor=None, organisation=violation.organisation, source=Case.Source.INSPECTION, party=vehicle.owner,
                             occurred_at=violation.first_passed_at, place=f"{station.road} {station.stake} {station.name}".strip(),
                             facts=facts, violation_item_code=OVERLOAD_ITEM, vehicle=vehicle,
                             origin=("overload.violation", violation.pk), evidence=[stored])
        # The case's discretion proposal comes from the overload rule with the measured excess (Art. 43), not
        # from the catalogue item alone (cases.services.assessment_proposal reads these facts).
        party_kind = vehicle.owner.kind if vehicle.owner_id else "organisation"
        Case.objects.filter(pk=case.pk).update(assessment={
            "facts": {"over_kg": violation.excess_kg, "party_kind": party_kind},
            "overload": {"gross_kg": violation.gross_kg, "limit_kg": violation.limit_kg, "excess_kg": violation.excess_kg},
            "proposal": assessment})
        case.refresh_from_db(fields=["assessment"])
        # A change of the case row is an act of the record like any other (``audit verify`` compares the row).
        audit.record(actor=actor, action="case.assessment", subject=case, organisation=case.organisation,
                     after={"超限量（千克）": violation.excess_kg, "建议罚款（元）": assessment.get("amount")},
                     summary=f"案件 {case.number} 记载超限检测的裁量建议（超限{violation.excess_kg}千克）")
        code = violation.notice_code or _notice_code()
        kernel.transition(WORKFLOW, violation, "case_open", actor=actor, fields={
            "case_id": case.pk, "notice_code": code, "notice_sent_at": timezone.now(),
            "proposed_amount": Decimal(assessment["amount"]) if assessment.get("amount") else None, "assessment": assessment},
            audit_after={"case": case.number, "notice_code_issued": True, "proposed_amount": assessment.get("amount")},
            summary=f"超限违法行为 {violation.plate} 生成案件 {case.number}，向车辆所有人 {vehicle.owner.name} 发出告知（查询码已发送）")
    return case


def violations_open_cases(*, actor=None, organisation: Organisation | None = None, limit: int | None = None,
                          batch_ids: list[int] | None = None) -> int:
    """Open cases for detected violations whose device records are usable; returns how many were opened.
    ``batch_ids`` limits it to the violations first detected by those ingest batches (an ingest opens cases for what
    it ingested; the backlog is ``zhifa wim cases``)."""
    qs = Violation.objects.filter(status=Violation.Status.DETECTED, vehicle__isnull=False).select_related(
        "device__station", "station", "vehicle__owner", "organisation", "tolerance_policy").order_by("first_passed_at")
    if batch_ids is not None:
        qs = qs.filter(batch_id__in=batch_ids)
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    opened = 0
    for violation in qs[:limit] if limit else qs:
        try:
            violation_open_case(violation=violation, actor=actor)
            opened += 1
        except DomainError:
            continue
    return opened


def violation_match(*, actor, violation: Violation, vehicle: Vehicle, plate: str = "") -> Violation:
    """Review queue: an officer identifies the registered vehicle of an unmatched or misread plate. ``plate`` is the
    plate the officer read on the photo when the camera misread it: it must be the matched vehicle's and is written
    onto the violation (the record keeps the plate as read, in ``before``; the passes keep the camera's reading)."""
    assert_role(actor, *EDITORS)
    assert_in_jurisdiction(actor, violation.organisation)
    if violation.status != Violation.Status.REVIEW:
        raise TransitionNotAllowed("not_in_review", "该违法行为不在待核查队列中。")
    fields = {"vehicle": vehicle, "note": f"人工核查匹配车辆 {vehicle.plate}"}
    summary = f"核查号牌 {violation.plate}，匹配登记车辆 {vehicle}"
    if plate and plate != violation.plate:
        if plate != vehicle.plate:
            raise DomainError("plate_mismatch", f"更正的号牌 {plate} 与所选登记车辆的号牌 {vehicle.plate} 不一致。")
        fields["plate"] = plate
        fields["note"] = f"人工核查更正号牌 {violation.plate or '（未识别）'} → {plate}，匹配登记车辆"
        summary = f"核查号牌：更正 {violation.plate or '（未识别）'} → {plate}，匹配登记车辆 {vehicle}"
    return kernel.transition(WORKFLOW, violation, "review_match", actor=actor, fields=fields, summary=summary)


def violation_dismiss(*, actor, violation: Violation, reason: str) -> Violation:
    """Review queue: the plate cannot be identified (or the record is doubtful) — no case, with the reason."""
    assert_role(actor, *EDITORS)
    assert_in_jurisdiction(actor, violation.organisation)
    if not reason.strip():
        raise DomainError("reason_required", "请填写不予处理的理由。")
    if violation.status not in WORKFLOW.get("review_dismiss").sources:
        raise TransitionNotAllowed("not_open", "该违法行为已立案或已处理。")
    return kernel.transition(WORKFLOW, violation, "review_dismiss", actor=actor, fields={"note": reason.strip()[:200]},
                             summary=f"核查后不予处理 {violation.plate}：{reason.strip()[:200]}")


def violation_assign(*, actor, violation: Violation, driver: Driver | None = None, source_unit: SourceUnit | None = None) -> Violation:
    """Investigation found the driver and/or the source unit that loaded the vehicle (for 一超四罚)."""
    assert_role(actor, *EDITORS)
    assert_in_jurisdiction(actor, violation.organisation)
    data = {k: v for k, v in {"driver": driver, "source_unit": source_unit}.items() if v is not None}
    violation.organisation = violation.organisation  # audit subject organisation
    return audited_update(actor=actor, instance=violation, data=data, action="overload.assign",
                   summary=f"{violation.plate} 超限违法行为登记驾驶员/货运源头单位", allowed={"driver", "source_unit"})


# ---------------------------------------------------------------- remote handling (不见面执法)

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


# ---------------------------------------------------------------- 一超四罚

def four_policy(on: date) -> FourPenaltyPolicy:
    policy = FourPenaltyPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        raise DomainError("no_policy", "没有施行中的一超四罚阈值。")
    return policy


def _window_start(on: date, months: int) -> datetime:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    day = min(on.day, 28)
    return timezone.make_aware(datetime(year, month + 1, day)) + timedelta(days=1)


def four_penalty_counts(*, on: date | None = None, organisation: Organisation | None = None) -> dict:
    """Rolling-window counts (公路安全保护条例 Art. 66: 一年内): violations per vehicle, per driver, per source unit,
    and per company the share of its goods vehicles with a violation. Dismissed violations do not count."""
    on = on or timezone.localdate()
    policy = four_policy(on)
    start = _window_start(on, policy.window_months)
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    qs = Violation.objects.filter(first_passed_at__gte=start, first_passed_at__lt=end).exclude(status=Violation.Status.DISMISSED)
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    vehicles = dict(qs.filter(vehicle__isnull=False).values_list("vehicle").annotate(n=Count("id")).values_list("vehicle", "n"))
    drivers = dict(qs.filter(driver__isnull=False).values_list("driver").annotate(n=Count("id")).values_list("driver", "n"))
    sources = dict(qs.filter(source_unit__isnull=False).values_list("source_unit").annotate(n=Count("id")).values_list("source_unit", "n"))
    over_vehicles = dict(qs.filter(vehicle__company__isnull=False).values_list("vehicle__company")
                         .annotate(n=Count("vehicle", distinct=True)).values_list("vehicle__company", "n"))
    _add_network_counts(start=start, end=end, organisation=organisation, local=qs, vehicles=vehicles,
                        drivers=drivers, sources=sources, over_vehicles=over_vehicles)
    fleet = dict(TransportCompany.objects.filter(pk__in=over_vehicles).annotate(
        n=Count("vehicles", filter=Q(vehicles__is_goods_vehicle=True))).values_list("pk", "n"))
    companies = {pk: (n, fleet.get(pk, 0)) for pk, n in over_vehicles.items()}
    return {"policy": policy, "vehicles": vehicles, "drivers": drivers, "sources": sources, "companies": companies}


def _add_network_counts(*, start, end, organisation, local, vehicles, drivers, sources, over_vehicles):
    """Other units' violations downloaded from the 四级联网 for our vehicles, drivers, companies and
    source units (``ExchangeRecord`` with the unit it was imported into) count like our own:
    公路安全保护条例 Art. 66 counts the acts of the year wherever they were caught. A record merged into
    one of ours or into an earlier imported record of the same act (一事不再罚) is that act, already
    counted; one dismissed at its origin does not count."""
    qs = ExchangeRecord.objects.filter(
        kind="violation", organisation__isnull=False, first_passed_at__gte=start, first_passed_at__lt=end,
        merged_violation__isnull=True, merged_record__isnull=True,
    ).exclude(origin_status=Violation.Status.DISMISSED)
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    for field, counter in (("vehicle", vehicles), ("driver", drivers), ("source_unit", sources)):
        rows = qs.filter(**{f"{field}__isnull": False}).values_list(field).annotate(n=Count("id"))
        for pk, n in rows.values_list(field, "n"):
            counter[pk] = counter.get(pk, 0) + n
    # A company counts distinct vehicles: ours and the network's of the same vehicle are one.
    pairs = set(qs.filter(company__isnull=False, vehicle__isnull=False)
                .values_list("company", "vehicle").distinct())
    if not pairs:
        return
    companies = {c for c, _ in pairs}
    pairs |= set(local.filter(vehicle__company__in=companies)
                 .values_list("vehicle__company", "vehicle").distinct())
    for company in companies:
        over_vehicles[company] = sum(1 for c, _ in pairs if c == company)


def company_share_over(over: int, fleet: int, percent: Decimal) -> bool:
    """Whether a company's over-limit vehicles exceed ``percent`` of its goods vehicles (strictly more than).
    公路安全保护条例 Art. 66: the company part of 一超四罚 applies above 10 %. Also shown on the 一超四罚 page."""
    return fleet > 0 and Decimal(over) * 100 > percent * Decimal(fleet)


def may_scan_four_penalty(user) -> bool:
    """Who may run the 一超四罚 scan by hand: a head or an administrator (the page shows the button by this too)."""
    return has_role(user, Role.HEAD, Role.ADMIN)


def four_penalty_scan(*, on: date | None = None, actor=None, organisation: Organisation | None = None) -> list[FourPenaltyTrigger]:
    """Apply 一超四罚 (公路安全保护条例 Art. 66, 68): for each subject over its threshold without a trigger in the
    window, open a follow-up case for the road-transport authority, list the party as seriously dishonest, set
    the Art. 44 notice to the home authority (7 working days). Returns the new triggers; rerunning adds none.

    A person (``actor``) must be a head or an administrator and scans within their own jurisdiction (their
    organisation when none is named); without an actor it is the scheduled job, which scans everywhere."""
    if actor is not None:
        if not may_scan_four_penalty(actor):
            raise NotPermitted("forbidden", "只有负责人或系统管理员可以执行一超四罚扫描。")
        organisation = organisation or actor.organisation
        if organisation is not None:
            assert_in_jurisdiction(actor, organisation)
        elif not actor.is_superuser:
            raise NotPermitted("out_of_jurisdiction", "您的账号未关联机构，不能执行一超四罚扫描。")
    on = on or timezone.localdate()
    counts = four_penalty_counts(on=on, organisation=organisation)
    policy = counts["policy"]
    since = _window_start(on, policy.window_months).date()
    created = []
    for pk, n in counts["vehicles"].items():
        if n > policy.vehicle_max:  # Art. 66 ¶1: more than 3 times → revoke 车辆营运证
            v = Vehicle.objects.select_related("owner", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.VEHICLE, scope=organisation, party=v.owner, organisation=v.organisation, count=n, on=on, since=since,
                                vehicle=v, basis=f"《公路安全保护条例》第六十六条：一年内违法超限运输超过{policy.vehicle_max}次",
                                follow_up=f"吊销车辆 {v.plate} 道路运输证（车辆营运证）", actor=actor)
    for pk, n in counts["drivers"].items():
        if n > policy.driver_max:  # Art. 66 ¶1: driver more than 3 times → stop commercial transport
            d = Driver.objects.select_related("party", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.DRIVER, scope=organisation, party=d.party, organisation=d.organisation, count=n, on=on, since=since,
                                driver=d, basis=f"《公路安全保护条例》第六十六条：驾驶人一年内违法超限运输超过{policy.driver_max}次",
                                follow_up=f"责令驾驶人 {d.name} 停止从事营业性运输（从业资格证 {d.qualification_number}）", actor=actor)
    for pk, (over, fleet) in counts["companies"].items():
        if company_share_over(over, fleet, policy.company_share_percent):
            c = TransportCompany.objects.select_related("party", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.COMPANY, scope=organisation, party=c.party, organisation=c.organisation, count=over, on=on, since=since,
                                company=c, basis=f"《公路安全保护条例》第六十六条：一年内违法超限运输的货运车辆{over}辆，超过本单位货运车辆总数{fleet}辆的{policy.company_share_percent}%",
                                follow_up=f"责令 {c.name} 停业整顿；情节严重的吊销道路运输经营许可证并公告", actor=actor)
    for pk, n in counts["sources"].items():
        if n >= policy.source_min:  # Art. 68 / 道路运输条例 Art. 70: source unit loading and releasing overloaded vehicles
            s = SourceUnit.objects.select_related("party", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.SOURCE, scope=organisation, party=s.party, organisation=s.organisation, count=n, on=on, since=since,
                                source_unit=s, basis=f"《公路安全保护条例》第六十八条；交办公路〔2017〕8号：一年内{n}次装载放行超限车辆",
                                follow_up=f"对货运源头单位 {s.name} 立案查处指使、强令超限装载行为", actor=actor)
    return created


def _trigger(*, kind, party, organisation, count, on, since, basis, follow_up, actor, scope=None, **subject) -> list[FourPenaltyTrigger]:
    field_name, obj = next(iter(subject.items()))
    if scope is not None and not organisation.is_within(scope):
        return []  # another county's vehicle, driver, company or source unit: its own authority scans it
    if FourPenaltyTrigger.objects.filter(kind=kind, **{field_name: obj}, triggered_on__gte=since).exists():
        return []
    due = legal_calendar.add_working_days(on, 7)  # 超限运输车辆行驶公路管理规定 Art. 44: notify within 7 working days
    with transaction.atomic():
        trigger = FourPenaltyTrigger.objects.create(kind=kind, party=party, organisation=organisation, count=count, basis=basis,
                                                    triggered_on=on, follow_up=follow_up, notice_due_on=due.date,
                                                    notice_confirmed=due.confirmed, **subject)
        _follow_up_case(trigger)
        _dishonesty_entry(trigger)
        triggers.four_penalty_recorded(trigger)  # the result goes to the 四级联网 (outbox, same transaction)
        audit.record(actor=actor, action="overload.four_penalty", subject=trigger, after=audit.snapshot(trigger), organisation=organisation,
                     summary=f"一超四罚：{trigger.get_kind_display()} {party.name} 一年内{count}次，{follow_up}；抄告期限 {due.date}")
    return [trigger]


def _follow_up_case(trigger: FourPenaltyTrigger) -> None:
    """The follow-up case (revocation / stop order / suspension) as a lead for the road-transport authority."""
    from zhifa.cases.models import Case
    from zhifa.cases.services import lead_register

    lead_register(actor=None, organisation=trigger.organisation, source=Case.Source.OTHER, party=trigger.party,
                  occurred_at=timezone.now() - timedelta(minutes=1), place="非现场超限检测（一超四罚）",
                  facts=f"{trigger.basis}。拟处理：{trigger.follow_up}。", vehicle=trigger.vehicle,
                  origin=("overload.four_penalty", trigger.pk))


def _dishonesty_entry(trigger: FourPenaltyTrigger) -> None:
    """Propose the serious-dishonesty listing (交办公路〔2017〕8号). A proposal only: the credit app's procedure
    (prior notice, statement and defence, the head's decision — 国办发〔2020〕49号) decides whether the party is
    listed."""
    from zhifa.credit.models import DishonestyCategory, DishonestyEntry
    from zhifa.credit.services import dishonesty_propose

    category = DishonestyCategory.objects.filter(code=f"overload_{trigger.kind}", active=True).first()
    if category is None:  # the administrator switched the category off: nothing to propose
        return
    kind = FourPenaltyTrigger.Kind
    subject = {kind.VEHICLE: lambda: f"车辆{trigger.vehicle.plate}", kind.DRIVER: lambda: f"驾驶人{trigger.driver.name}",
               kind.COMPANY: lambda: trigger.company.name, kind.SOURCE: lambda: trigger.source_unit.name}[trigger.kind]()
    counted = {kind.COMPANY: f"有{trigger.count}辆货运车辆违法超限运输", kind.SOURCE: f"{trigger.count}次装载放行超限车辆"}.get(
        trigger.kind, f"违法超限运输{trigger.count}次")
    d = trigger.triggered_on
    dishonesty_propose(actor=None, party=trigger.party, category=category, reason=f"一超四罚：{trigger.basis}",
                       facts=f"截至{d.year}年{d.month}月{d.day}日的一年内，{subject}{counted}（{trigger.basis}）",
                       source=DishonestyEntry.Source.FOUR_PENALTY, source_ref=f"一超四罚记录第{trigger.pk}号",
                       organisation=trigger.organisation, on=trigger.triggered_on)


def trigger_notice_send(*, actor, trigger: FourPenaltyTrigger) -> FourPenaltyTrigger:
    """Record the Art. 44 notice (抄告) to the vehicle's home road-transport authority."""
    assert_role(actor, *EDITORS)
    assert_in_jurisdiction(actor, trigger.organisation)
    with transaction.atomic():
        if FourPenaltyTrigger.objects.filter(pk=trigger.pk, notice_sent_at__isnull=True).update(notice_sent_at=timezone.now()) != 1:
            raise TransitionNotAllowed("already_sent", "已抄告。")
        trigger.refresh_from_db()
        audit.record(actor=actor, action="overload.notice_send", subject=trigger, organisation=trigger.organisation,
                     summary=f"向车籍地道路运输管理机构抄告（第四十四条）：{trigger.party.name}")
    return trigger


# ---------------------------------------------------------------- four-level exchange import

def exchange_import(*, rows, actor=None, organisation: Organisation | None = None,
                    audit_event: bool = True) -> dict:
    """Import exchange rows (see ``exchange.py``); the same row twice changes nothing (origin is unique and the
    payload digest is compared). A violation of the same vehicle within the merging window of a local violation,
    or of a record imported earlier, is merged into it (一事不再罚, 行政处罚法 Art. 29 — see ``ExchangeRecord``).
    Rows are taken earliest act first, so which record an act merges into does not depend on the file's order.
    Returns counts created / updated / unchanged / merged / rejected / foreign.

    With ``organisation`` (a download from the 四级联网 for that unit, integrations.overload_net) each
    record is the unit's: it is linked to the registered vehicle, driver, company and source unit it
    names within the unit's jurisdiction, so that 一超四罚 counts it. A record another jurisdiction
    already holds is neither revealed nor changed (``foreign``). ``audit_event=False``: the caller
    records the import itself, in the same transaction."""
    from .exchange import parse_time, validate_row

    counts = {"created": 0, "updated": 0, "unchanged": 0, "merged": 0, "rejected": 0, "foreign": 0,
              "errors": []}
    valid = []
    for number, row in enumerate(rows, start=1):
        problem = validate_row(row)
        at = None if problem else parse_time(row["first_passed_at"])
        if not problem and at is None:
            problem = "first_passed_at 不是带时区的日期时间"
        if problem:
            counts["rejected"] += 1
            counts["errors"].append(f"第{number}行：{problem}")
            continue
        valid.append((at, row))
    valid.sort(key=lambda item: (item[0], item[1]["origin_org"], str(item[1]["origin_id"])))
    # One transaction for the rows and their record: an import is stored and recorded whole, or not at all.
    if valid:
        with transaction.atomic():
            _exchange_store(valid, counts, actor=actor, organisation=organisation,
                            audit_event=audit_event)
    return counts


def _exchange_links(row: dict, *, plate: str, colour: str, organisation: Organisation) -> dict:
    """The registered subjects a downloaded row names, looked up within ``organisation``'s
    jurisdiction only: the vehicle by plate and colour, the driver by 从业资格证号, the company by the
    vehicle or its 统一社会信用代码, the source unit by its 统一社会信用代码."""
    within = {"organisation__path__startswith": organisation.path}

    def find(model, **lookup):
        return model.objects.filter(**lookup, **within).first() if all(lookup.values()) else None

    vehicle = find(Vehicle, plate=plate, plate_colour=colour)
    driver = find(Driver, qualification_number=str(row.get("driver_qualification") or ""))
    company = (vehicle.company if vehicle is not None and vehicle.company_id
               else find(TransportCompany, credit_code=str(row.get("company_credit_code") or "")))
    source = find(SourceUnit, credit_code=str(row.get("source_unit_credit_code") or ""))
    return {"origin_status": str(row.get("status") or "")[:16], "vehicle": vehicle, "driver": driver,
            "company": company, "source_unit": source}


def _exchange_owner(existing: ExchangeRecord | None, organisation: Organisation) -> Organisation | None:
    """The unit a downloaded record belongs to: the more specific of the unit that holds it and the
    unit importing it (a county's download of a record its city holds moves it down to the county,
    still seen by the city); None when it is another jurisdiction's."""
    held = existing.organisation if existing is not None else None
    if held is None or held.is_within(organisation):
        return held or organisation
    return organisation if organisation.is_within(held) else None


def _exchange_store(valid: list, counts: dict, *, actor, organisation=None, audit_event=True) -> None:
    for at, row in valid:
        digest = audit.digest(row)
        key = {"origin_org": row["origin_org"], "origin_id": str(row["origin_id"]), "kind": row["kind"]}
        existing = ExchangeRecord.objects.filter(**key).first()
        plate, colour = plate_display_form(row.get("plate", "")), wim.COLOUR_NAMES.get(row["plate_colour"].strip(), row["plate_colour"].strip())
        links = {}
        if organisation is not None:
            owner = _exchange_owner(existing, organisation)
            if owner is None:
                counts["foreign"] += 1  # another jurisdiction's: lookups by key are scoped like reads
                continue
            links = _exchange_links(row, plate=plate, colour=colour, organisation=organisation)
            links["organisation"] = owner
        if existing is not None and existing.digest == digest:
            stale = {k: v for k, v in links.items() if k != "origin_status"
                     and getattr(existing, f"{k}_id", None) != getattr(v, "pk", v)}
            if stale:  # the same row, now for our unit or naming a subject registered since
                ExchangeRecord.objects.filter(pk=existing.pk).update(**stale)
            counts["unchanged"] += 1
            continue
        with transaction.atomic():
            violation, record = _exchange_same_act(plate=plate, colour=colour, at=at, exclude=existing.pk if existing else None)
            fields = {"plate": plate, "plate_colour": colour, "first_passed_at": at, "payload": row, "digest": digest,
                      "merged_violation": violation, "merged_record": record, **links}
            if existing is None:
                ExchangeRecord.objects.create(**key, **fields)
                counts["created"] += 1
            else:
                ExchangeRecord.objects.filter(pk=existing.pk).update(**fields)
                counts["updated"] += 1
            counts["merged"] += bool(violation or record)
    if audit_event and (counts["created"] or counts["updated"]):
        audit.record(actor=actor, action="overload.exchange_import", subject=("overload.exchange", "import"),
                     summary=f"四级联网数据导入：新增{counts['created']}，更新{counts['updated']}，未变{counts['unchanged']}，"
                             f"合并为同一违法行为{counts['merged']}，拒收{counts['rejected']}")


def _exchange_same_act(*, plate: str, colour: str, at: datetime, exclude: int | None):
    """The local violation, else the first imported record, of the same act: same plate and colour, first pass
    less than the merging window apart (as screening merges passes). An unread plate matches nothing."""
    if not plate:
        return None, None
    window = timedelta(hours=ingest.screening_policy(timezone.localtime(at).date()).merge_window_hours)
    near = {"plate": plate, "plate_colour": colour, "first_passed_at__gt": at - window, "first_passed_at__lt": at + window}
    local = Violation.objects.filter(**near).exclude(status=Violation.Status.DISMISSED).order_by("-first_passed_at", "-pk").first()
    if local is not None:
        return local, None
    first = (ExchangeRecord.objects.filter(kind="violation", merged_violation__isnull=True, merged_record__isnull=True, **near)
             .exclude(pk=exclude).order_by("first_passed_at", "pk").first())
    return None, first
