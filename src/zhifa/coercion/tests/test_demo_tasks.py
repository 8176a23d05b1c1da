"""The demo loader gives a measure in every state through the services, and the daily job flags only what is
overdue (once)."""

import random

import pytest
from django.utils import timezone

from zhifa.coercion import demo, tasks
from zhifa.coercion.models import Measure, MeasureFlag
from zhifa.coercion.workflow import Status
from zhifa.core.demo import DemoContext
from zhifa.core.tests.factories import VehicleFactory

from . import factories as f

pytestmark = pytest.mark.django_db


def test_demo_has_every_state_and_flags_the_overdue_measure(world):
    f.load_bases()
    for _ in range(26):  # one party per measure: this year's 16 and the previous year's 6
        VehicleFactory(organisation=world.brigade_a)
    ctx = DemoContext(rng=random.Random(7), today=timezone.localdate(), scale=1, orgs={"nz_brigade": world.brigade_a},
                      users={k: world.users[k] for k in ("officer", "officer2", "head")})
    demo.load(ctx)
    assert set(Measure.objects.values_list("status", flat=True)) == set(Status.values)
    assert MeasureFlag.objects.filter(kind="period").count() == 1 and "行政强制措施" in ctx.notes[-1]
    assert tasks.flag_overdue() == 0  # idempotent


def test_flag_task_returns_counts(world):
    f.in_force(world)
    assert tasks.flag_overdue_task() == {"flagged": 0}


def test_daily_job_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["coercion-flag-overdue-daily"]
    assert entry["task"] == tasks.flag_overdue_task.name == "coercion.flag_overdue" and entry["schedule"] == 24 * 3600
