"""Helpers for operations tests: partner departments and operations driven through the services."""

from datetime import date, timedelta

from django.utils import timezone

from zhifa.campaigns import services
from zhifa.campaigns.models import Department, Operation


def department(world, name: str = "南召县公安局交通管理大队", kind: str = Department.Kind.TRAFFIC_POLICE, organisation=None) -> Department:
    dept, _ = Department.objects.get_or_create(name=name, organisation=organisation if organisation is not None else world.county_a,
                                               defaults={"kind": kind})
    return dept


def operation(world, *, kind: str = Operation.Kind.JOINT, starts_on: date | None = None, days: int = 2, partners=None, officers=None,
              organisation=None, actor: str = "officer", title: str = "货运车辆超限超载联合治理") -> Operation:
    starts_on = starts_on or timezone.localdate() - timedelta(days=10)
    if partners is None:
        partners = [department(world)] if kind == Operation.Kind.JOINT else []
    return services.operation_create(
        actor=world.users[actor], organisation=organisation or world.brigade_a, kind=kind, title=title, starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1), location="G207国道皇后段", partners=partners,
        officers=officers if officers is not None else [world.officers["officer"], world.officers["officer2"]])


def started(world, **kw) -> Operation:
    op = operation(world, **kw)
    return services.operation_start(actor=world.users["officer"], operation=op)


def concluded(world, *, vehicles: int = 120, problems: int = 9, materials=None, **kw) -> Operation:
    op = started(world, **kw)
    return services.operation_conclude(actor=world.users["officer"], operation=op, summary="行动完成，问题已督促整改。", ends_on=op.ends_on,
                                       vehicles_checked=vehicles if op.kind != Operation.Kind.PUBLICITY else 0,
                                       problems_found=problems if op.kind != Operation.Kind.PUBLICITY else 0, materials=materials or {})
