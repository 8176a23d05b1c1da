"""Unconfirmed procedural periods are data (legal-reference §2 [unconfirmed]): the row in force wins."""

from datetime import date, timedelta

import pytest

from zhifa.cases import rules
from zhifa.cases.models import ProcedurePeriod
from zhifa.core.tests.data_versions import data_versions  # noqa: F401 — a fixture


@pytest.mark.django_db
def test_national_defaults_apply_without_data():
    assert rules.period("head_extension_days") == 30
    assert rules.period("statement_working_days") == 5


@pytest.mark.django_db
def test_a_province_row_in_force_overrides_the_default_from_its_effective_date():
    start = date.today() - timedelta(days=10)
    ProcedurePeriod.objects.create(key="head_extension_days", value=20, effective_from=start, citation="某省交通运输行政执法程序细则")
    assert rules.period("head_extension_days") == 20
    assert rules.period("head_extension_days", start - timedelta(days=1)) == 30


@pytest.mark.django_db
@pytest.mark.usefixtures("data_versions")
def test_a_period_changed_by_the_administrator_applies_at_the_next_request(world, client_for):
    """The periods are kept by each process under a version token the database changes with the table
    (core.versions, migration cases/0020): a new row applies to the case page's statement clock at the very
    next visit."""
    from decimal import Decimal

    from zhifa.cases.tests.factories import notified
    from zhifa.core.models import DataVersion

    case = notified(world, amount=Decimal("2000"))
    client = client_for("officer")

    def statement():
        clocks = client.get(f"/cases/{case.pk}/").context["clocks"]
        return next(c for c in clocks if c.key == "statement").deadline.date

    before = statement()
    assert statement() == before
    token = DataVersion.objects.get(key="procedure_periods").token
    ProcedurePeriod.objects.create(key="statement_working_days", value=10, effective_from=date(2000, 1, 1),
                                   citation="某省细则")
    assert DataVersion.objects.get(key="procedure_periods").token != token
    assert statement() > before
    ProcedurePeriod.objects.filter(key="statement_working_days").update(value=5)  # a queryset update as well
    assert statement() == before
