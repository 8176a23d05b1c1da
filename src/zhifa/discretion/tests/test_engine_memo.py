"""The engine's results are kept per process under the catalogue's version token (``engine.assess``): a change
of the catalogue, however saved, is applied to the very next assessment, and a rolled-back change leaves no
result behind."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from zhifa.discretion import engine
from zhifa.discretion.models import BenchmarkLevel, CatalogueVersion, ListEntry, ListKind, ViolationItem

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 1)


def run(**facts):
    return engine.assess(item_code="YS-004", facts=facts, violation_date=ON, today=ON)


def _general():
    return BenchmarkLevel.objects.get(edition__code="CN-DEFAULT-2022", item__code="YS-004", level="general")


def test_a_second_assessment_reads_only_the_token_and_equals_the_first(django_assert_num_queries):
    first = run(harm="minor")
    with django_assert_num_queries(1):
        second = run(harm="minor")
    assert second == first and second is not first
    second.citations.append("改动副本")
    assert "改动副本" not in run(harm="minor").citations  # each caller gets its own copy


def test_facts_of_another_type_are_another_assessment():
    assert engine.frozen_facts({"age": 17}) != engine.frozen_facts({"age": "17"})
    same = {"a": Decimal("1"), "b": [1, {"c": True}]}
    assert engine.frozen_facts(same) == engine.frozen_facts({"b": [1, {"c": True}], "a": Decimal("1")})


def test_a_changed_level_applies_to_the_next_assessment():
    before = run(harm="minor")
    level = _general()
    level.recommended = Decimal("1200")
    level.save()
    after = run(harm="minor")
    assert (before.amount, after.amount) == (Decimal("1100.00"), Decimal("1200.00"))


@pytest.mark.parametrize("change", ["item", "entry", "delete_entry"])
def test_every_kind_of_catalogue_change_gives_a_new_token(change):
    token = CatalogueVersion.objects.get(pk=1).token
    if change == "item":
        item = ViolationItem.objects.get(code="YS-004")
        item.note = "改"
        item.save()
    else:
        entry = ListEntry.objects.filter(kind=ListKind.LENIENT).first() or ListEntry.objects.first()
        entry.conditions += "。" if change == "entry" else ""
        entry.save() if change == "entry" else entry.delete()
    assert CatalogueVersion.objects.get(pk=1).token != token


def test_a_rolled_back_change_leaves_no_result_behind():
    before = run(harm="minor")
    level = _general()
    with pytest.raises(RuntimeError), transaction.atomic():
        level.recommended = Decimal("1200")
        level.save()
        inside = run(harm="minor")  # computed from the change, under the change's token
        raise RuntimeError
    assert inside.amount == Decimal("1200.00")
    assert run(harm="minor") == before and before.amount == Decimal("1100.00")
