"""Violations into cases (Art. 55 of MOT Order 2016 No. 62: against the vehicle owner, on the device's records):
the evidence package, the discretion proposal with the provincial leniency, the case and the notice."""

from __future__ import annotations

import io
import json
import logging
import secrets
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.evidence import evidence_store
from zhifa.core.models import Organisation
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from .. import wim, wim_store
from ..models import (
    DimensionLimit,
    LeniencyRule,
    Violation,
)
from ..workflow import WORKFLOW

log = logging.getLogger("zhifa.overload.services")  # the name it has always logged under
OVERLOAD_ITEM = "CX-001"  # discretion catalogue: 车辆违法超限运输（车货总质量超过限定标准）
NOTICE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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
