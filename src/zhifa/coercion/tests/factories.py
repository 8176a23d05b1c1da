"""Helpers for coercion tests: the shipped measure kinds, a case in county A's brigade with a vehicle, the scene of
a measure, and measures driven to each state through the services."""

from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from zhifa.cases.tests import factories as case_factories
from zhifa.coercion import services
from zhifa.coercion.models import MeasureBasis
from zhifa.core.tests.factories import VehicleFactory


def load_bases() -> None:
    """The measure kinds come from a data migration; a transactional test's flush empties them, so reload."""
    from importlib import import_module

    import_module("zhifa.coercion.migrations.0002_measure_bases").load(apps, None)


def basis(code: str = "seize_vehicle_road_damage") -> MeasureBasis:
    load_bases()
    return MeasureBasis.objects.get(code=code)


def case(world, **kw):
    party = case_factories.person(world)
    vehicle = VehicleFactory(organisation=world.brigade_a, owner=party)
    return case_factories.lead(world, party=party, vehicle=vehicle, **kw)


def scene(world, *, at=None, officers=("officer", "officer2"), **kw) -> services.Scene:
    values = {"taken_at": at or timezone.now(), "officers": [world.officers[k] for k in officers],
              "items": [{"name": "重型货车", "quantity": Decimal("1"), "unit": "辆", "description": "黄色号牌"}],
              "rights_notified": True, "statement": "当事人对扣押无异议。", "scene_record": "执法人员出示证件，当场告知理由和依据，当事人在场。",
              "custody_place": "南召县执法大队停车场"}
    values.update(kw)
    return services.Scene(**values)


def applied(world, *, the_case=None, code="seize_vehicle_road_damage", **kw):
    return services.measure_apply(actor=world.users["officer"], case=the_case or case(world), basis=basis(code),
                                  reason="驾驶货车损坏公路护栏，拒不接受现场调查处理", **kw)


def approved(world, **kw):
    return services.measure_approve(actor=world.users["head"], measure=applied(world, **kw), opinion="同意")


def in_force(world, **kw):
    m = approved(world, **kw)
    return services.measure_take(actor=world.users["officer"], measure=m, scene=scene(world))


def emergency(world, *, at=None, the_case=None):
    return services.measure_take_emergency(actor=world.users["officer"], case=the_case or case(world), basis=basis(),
                                           reason="当事人欲驾车逃离现场", scene=scene(world, at=at))
