"""``zhifa.testing.build_world`` makes the world the factories make (``OrganisationFactory``,
``UserFactory``, ``OfficerFactory``, as it did with them until 2026-12-06), at whatever date the test travels
to, without running factory_boy or hashing a password on every call (docs/testing.md, "The world fixture,
cheaper")."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import factory
import pytest
import time_machine
from django.contrib.auth import hashers
from django.contrib.auth.models import Group
from django.db import transaction

from zhifa.core.models import Officer, Organisation, User
from zhifa.core.tests.factories import OfficerFactory, OrganisationFactory, UserFactory
from zhifa.testing import WORLD_ORGANISATIONS, WORLD_PEOPLE, World, build_world

FACTORIES = (OrganisationFactory, UserFactory, OfficerFactory)


def factories_world() -> World:
    """The world as the factories build it: each organisation built and saved, the users, their groups and the
    officers built and written with ``bulk_create`` (``build_world`` before 2026-12-06)."""
    orgs = {}
    for name, parent, kwargs in WORLD_ORGANISATIONS:
        orgs[name] = OrganisationFactory.build(**kwargs, **({"parent": orgs[parent]} if parent else {}))
        orgs[name].save()
    role_names = list(dict.fromkeys(str(role) for _, roles, _, _ in WORLD_PEOPLE.values() for role in roles))
    groups = {group.name: group for group in Group.objects.filter(name__in=role_names)}
    groups |= {group.name: group for group in Group.objects.bulk_create(
        [Group(name=name) for name in role_names if name not in groups])}
    users, officers = {}, {}
    for key, (org_name, _, is_officer, legal) in WORLD_PEOPLE.items():
        org_ = orgs[org_name]
        users[key] = UserFactory.build(username=key, full_name=key, organisation=org_,
                                       is_staff=key == "admin")
        if is_officer:
            kwargs = {"cert_expires_on": date.today() - timedelta(days=5)} if key == "expired" else {}
            officers[key] = OfficerFactory.build(user=users[key], organisation=org_, name=key,
                                                 legal_qualification=legal, **kwargs)
    User.objects.bulk_create(users.values())
    User.groups.through.objects.bulk_create([
        User.groups.through(user_id=users[key].pk, group_id=groups[str(role)].pk)
        for key, (_, roles, _, _) in WORLD_PEOPLE.items() for role in roles])
    Officer.objects.bulk_create(officers.values())
    return World(*(orgs[name] for name, _, _ in WORLD_ORGANISATIONS), users, officers)


def snapshot(make) -> dict:
    """The world ``make()`` writes, in a savepoint rolled back: every row it wrote (in id order, the ids and
    foreign keys as natural keys: the ids of one run are not those of the other on PostgreSQL), each object's
    attributes with their types, its saved state and its cached relations, and each factory's next sequence
    number."""
    with transaction.atomic():
        world = make()
        labels = {id(getattr(world, name)): name for name, _, _ in WORLD_ORGANISATIONS}
        labels |= {id(user): f"user {key}" for key, user in world.users.items()}
        labels |= {id(officer): f"officer {key}" for key, officer in world.officers.items()}
        ids = {"organisation": {o.pk: o.code for o in Organisation.objects.all()},
               "user": {u.pk: u.username for u in User.objects.all()},
               "group": {g.pk: g.name for g in Group.objects.all()}}
        ids["parent"] = ids["organisation"]

        def attributes(obj) -> dict:
            out = {"adding, db": (obj._state.adding, obj._state.db),
                   "cached": {name: labels.get(id(value), value)
                              for name, value in obj._state.fields_cache.items()},
                   "keys": sorted(vars(obj))}
            for field in obj._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if field.primary_key:
                    value = value is not None
                elif field.is_relation:
                    value = ids[field.name].get(value, value)
                elif field.attname == "password":
                    value = (value.split("$")[0], hashers.check_password("pw-test-123!", value),
                             hashers.check_password("pw-test-12!", value))
                out[field.attname] = (value, type(value))
            return out

        def rows(model) -> list:
            fields = [field for field in model._meta.concrete_fields if not field.primary_key]
            out = []
            for row in model.objects.order_by("pk").values_list(*(field.attname for field in fields)):
                row = dict(zip((field.attname for field in fields), row, strict=True))
                for field in fields:
                    if field.is_relation:
                        row[field.attname] = ids[field.name].get(row[field.attname])
                if "password" in row:
                    row["password"] = hashers.check_password("pw-test-123!", row["password"])
                out.append(row)
            return out

        result = {
            "objects": {name: attributes(getattr(world, name)) for name, _, _ in WORLD_ORGANISATIONS}
            | {f"user {key}": attributes(user) for key, user in world.users.items()}
            | {f"officer {key}": attributes(officer) for key, officer in world.officers.items()},
            "rows": {model.__name__: rows(model)
                     for model in (Organisation, User, User.groups.through, Officer, Group)},
            "next sequence numbers": [f._meta.next_sequence() for f in FACTORIES],
        }
        transaction.set_rollback(True)
    return result


@pytest.mark.parametrize("moment", [datetime(2026, 3, 1, 10, tzinfo=UTC),
                                    datetime(2031, 7, 15, 16, 30, tzinfo=UTC)])
def test_the_world_is_the_one_the_factories_make(db, moment):
    with time_machine.travel(moment, tick=False):
        start = [f._meta.next_sequence() for f in FACTORIES]
        worlds = []
        for make in (build_world, factories_world):  # each from the same sequence numbers
            for f, n in zip(FACTORIES, start, strict=True):
                f.reset_sequence(n)
            worlds.append(snapshot(make))
        fast, reference = worlds
        today = date.today()
    assert fast["objects"] == reference["objects"]
    assert fast["rows"] == reference["rows"]
    # a sequence number taken for each of the five organisations, ten users and eight officers, as by a build
    assert fast["next sequence numbers"] == reference["next sequence numbers"] == [
        n + count for n, count in zip(start, (5, 10, 8), strict=True)]
    officers = {row["name"]: row for row in fast["rows"]["Officer"]}
    assert officers["expired"]["cert_expires_on"] == today - timedelta(days=5)
    assert officers["officer"]["cert_expires_on"] == today + timedelta(days=800)
    assert officers["officer"]["cert_number"] == f"41132199{start[2]:04d}"
    assert {row["date_joined"] for row in fast["rows"]["User"]} == {moment}


def test_the_world_runs_no_factory_and_hashes_no_password_once_made(db):
    with transaction.atomic():
        build_world()  # the first in this process (or not): the factories build the rows' models
        transaction.set_rollback(True)
    no_factory = mock.patch.object(factory.builder.StepBuilder, "build", side_effect=AssertionError("built"))
    no_hashing = mock.patch.object(hashers, "get_hasher", side_effect=AssertionError("a password hashed"))
    with no_factory, no_hashing:
        world = build_world()
    assert world.users["officer"].check_password("pw-test-123!")
    assert world.officers["officer"].user is world.users["officer"]
