"""The review queue: matching a violation to a registered vehicle, dismissing it, naming its driver / source unit."""

from __future__ import annotations

from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.models import Driver, SourceUnit, Vehicle
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role, audited_update

from ..models import (
    Violation,
)
from ..workflow import WORKFLOW

EDITORS = (Role.OFFICER, Role.HEAD, Role.ADMIN)


def violation_match(*, actor, violation: Violation, vehicle: Vehicle, plate: str = "") -> Violation:
    """Review queue: an officer identifies the registered vehicle of an unmatched or misread plate. ``plate`` is the
    plate the officer read on the photo when the camera misread it: it must be the matched vehicle's and is written
    onto the violation (the record keeps the plate as read, in ``before``; the passes keep the camera's reading).
    The vehicle must be registered within the officer's jurisdiction (as the pages look it up), and of the plate
    colour the camera read, if it read one."""
    assert_role(actor, *EDITORS)
    assert_in_jurisdiction(actor, violation.organisation)
    assert_in_jurisdiction(actor, vehicle.organisation)
    if violation.status != Violation.Status.REVIEW:
        raise TransitionNotAllowed("not_in_review", "该违法行为不在待核查队列中。")
    if violation.plate_colour and violation.plate_colour != vehicle.plate_colour:
        raise DomainError("plate_colour_mismatch",
                          f"识别的号牌颜色（{violation.get_plate_colour_display()}）与所选登记车辆的号牌颜色"
                          f"（{vehicle.get_plate_colour_display()}）不一致。")
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
