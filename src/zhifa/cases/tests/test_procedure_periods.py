"""Unconfirmed procedural periods are data (legal-reference §2 [unconfirmed]): the row in force wins."""

from datetime import date, timedelta

import pytest

from zhifa.cases import rules
from zhifa.cases.models import ProcedurePeriod


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
