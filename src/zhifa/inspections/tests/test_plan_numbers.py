"""Plan numbers come from the one numbering service (issue 19): the former ``count() + 1`` gave two plans created at
the same moment the same number (one failed on the unique index), and a deleted draft made the next plan repeat a
number already published."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from zhifa.inspections import services
from zhifa.inspections.models import Plan

from .factories import InspectionItemFactory


def _plan(world, item, title="双随机抽查"):
    return services.plan_create(actor=world.users["head"], organisation=world.county_a, title=title, items=[item],
                                target_types=["freight"], starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 1) + timedelta(days=30),
                                target_count=3)


@pytest.mark.django_db(transaction=True)
def test_two_plans_created_at_once_get_consecutive_numbers(world):
    item = InspectionItemFactory(organisation=world.county_a)
    errors = []
    barrier = threading.Barrier(2)

    def head_creates(title):
        try:
            barrier.wait()
            _plan(world, item, title)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=head_creates, args=(t,)) for t in ("一", "二")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Plan.objects.values_list("number", flat=True)) == ["SJ2026-0001", "SJ2026-0002"]


@pytest.mark.django_db
def test_a_deleted_draft_does_not_make_the_next_plan_repeat_a_number(world):
    item = InspectionItemFactory(organisation=world.county_a)
    first, second = _plan(world, item), _plan(world, item)
    Plan.objects.filter(pk=first.pk).delete()
    assert _plan(world, item).number == "SJ2026-0003" and second.number == "SJ2026-0002"
