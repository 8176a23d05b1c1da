"""Stations and weighing devices: registration, and the calibration certificate / Art. 41 review of a device."""

from __future__ import annotations

import secrets

from zhifa.core.models import Organisation
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role, audited_create, audited_update

from ..models import (
    Device,
    Station,
)


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
