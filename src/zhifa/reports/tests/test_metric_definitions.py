"""Every figure definition resolves against the registers as they are: its model label names a model, its date,
filter and sum fields exist. A renamed model or field must fail here, not turn a figure into 数据未接入 on a page
that no test happens to render (the dashboard reads metrics the annual report does not)."""

from datetime import date

import pytest

from zhifa.reports import metrics


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(metrics.BY_KEY))
def test_metric_resolves_and_is_available(world, key):
    metric = metrics.BY_KEY[key]
    assert metric.model_class() is not None, f"{key}: unknown model {metric.model}"
    assert metrics.queryset(metric, world.county_a, date(2024, 1, 1), date(2024, 12, 31)) is not None, key
    value = metrics.evaluate(metric, world.county_a, date(2024, 1, 1), date(2024, 12, 31))
    assert value.available and value.display() != "数据未接入", key
