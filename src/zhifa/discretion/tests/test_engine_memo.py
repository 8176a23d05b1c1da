"""The engine's results are kept per process under the catalogue's version token (``engine.assess``, key
``discretion`` of ``core.versions``): a change of the catalogue, however written (the database's triggers
change the token), is applied to the very next assessment, and a rolled-back change leaves no result
behind."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, models, transaction

from zhifa.core.models import DataVersion
from zhifa.core.tests.data_versions import data_versions  # noqa: F401 — a fixture
from zhifa.discretion import engine, overload_rules
from zhifa.discretion.models import (
    BenchmarkEdition,
    BenchmarkLevel,
    ListEntry,
    OverloadRuleVersion,
    ViolationItem,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_versions")]
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
    assert engine.frozen_facts({"a": [1]}) != engine.frozen_facts({"a": (1,)})
    same = {"a": Decimal("1"), "b": [1, {"c": True}]}
    assert engine.frozen_facts(same) == engine.frozen_facts({"b": [1, {"c": True}], "a": Decimal("1")})


def test_a_changed_level_applies_to_the_next_assessment():
    before = run(harm="minor")
    level = _general()
    level.recommended = Decimal("1200")
    level.save()
    after = run(harm="minor")
    assert (before.amount, after.amount) == (Decimal("1100.00"), Decimal("1200.00"))


def _change(how):
    if how == "save":
        item = ViolationItem.objects.get(code="YS-004")
        item.note = "改"
        item.save()
    elif how == "update":  # a queryset update: no signal, no save()
        levels = BenchmarkLevel.objects.filter(item__code="YS-004", level="general")
        levels.update(recommended=Decimal("1200"))
    elif how == "raw":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE discretion_listentry SET conditions = conditions || '。'")
    elif how == "edition":
        edition = BenchmarkEdition.objects.get(code="CN-DEFAULT-2022")
        edition.source += "（改）"
        edition.save()
    elif how == "overload":
        rule = OverloadRuleVersion.objects.first()
        rule.cap_yuan += 1
        rule.save()
    elif how == "delete":
        ListEntry.objects.filter(pk=ListEntry.objects.first().pk).delete()


@pytest.mark.parametrize("how", ["save", "update", "raw", "edition", "overload", "delete"])
def test_every_write_to_what_the_engine_reads_gives_a_new_token(how):
    """The database changes the token (triggers, migration 0007): an update or raw SQL as a save does."""
    token = DataVersion.objects.get(key="discretion").token
    _change(how)
    assert DataVersion.objects.get(key="discretion").token != token


def test_a_queryset_update_applies_to_the_next_assessment():
    assert run(harm="minor").amount == Decimal("1100.00")
    _change("update")
    assert run(harm="minor").amount == Decimal("1200.00")


def test_every_model_the_engine_reads_has_the_triggers():
    """A model the engine (or its overload rules) reads is in the triggers' tables (add a new one there)."""
    migration = importlib.import_module("zhifa.discretion.migrations.0007_catalogue_on_data_versions")
    trigger_tables = set(migration.TABLES)
    read = {
        obj._meta.db_table
        for module in (engine, overload_rules)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, models.Model)
    }
    assert read and read <= trigger_tables


def test_a_rolled_back_change_leaves_no_result_behind():
    """A rolled-back change's token is never seen again, even when a later change is made (a counter would
    come back to the same number and serve the rolled-back result)."""
    level = _general()
    with pytest.raises(RuntimeError), transaction.atomic():
        level.recommended = Decimal("1200")
        level.save()
        assert run(harm="minor").amount == Decimal("1200.00")  # under the change's token
        raise RuntimeError
    level.refresh_from_db()
    level.recommended = Decimal("1300")
    level.save()
    assert run(harm="minor").amount == Decimal("1300.00")
