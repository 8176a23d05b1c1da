"""Closed cases of the ``cases`` app are registered as case files for evaluation (number, unit, handling
officers, closed date), once each."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.core.tests.factories import PersonPartyFactory
from zhifa.oversight import loader
from zhifa.oversight.models import CaseRecord

pytestmark = pytest.mark.django_db


def _case(world, number, closed_on):
    party = PersonPartyFactory(organisation=world.brigade_a)
    case = Case.objects.create(number=number, organisation=world.brigade_a, source=Case.Source.INSPECTION, party=party,
                               occurred_at=timezone.datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), place="G207",
                               facts="车货总质量超限", violation_name="车辆违法超限运输", closed_on=closed_on)
    case.officers.set([world.officers["officer"], world.officers["officer2"]])
    return case


def test_closed_platform_cases_are_registered_once(world):
    closed = _case(world, "AJ-2026-0001", date(2026, 4, 1))
    _case(world, "AJ-2026-0002", None)
    assert loader.sync_closed_cases(actor=None) == 1
    assert loader.sync_closed_cases(actor=None) == 0
    record = CaseRecord.objects.get()
    assert record.case_id == closed.pk and record.number == "AJ-2026-0001" and record.closed_on == date(2026, 4, 1)
    assert set(record.handling_officers.all()) == {world.officers["officer"], world.officers["officer2"]}
    assert record.title == "车辆违法超限运输" and not record.involves_enterprise
