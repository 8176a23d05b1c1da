"""A two-character search (a surname and name, the commonest search by party) finds every party and plate that
contains it, on PostgreSQL through the bigram index of cases migration 0021 (a trigram index cannot answer a
two-character substring: the search read all 400,000 parties and 280,000 vehicles at a million cases,
docs/performance.md "two-character searches")."""

import pytest
from django.db import connection

from zhifa.cases import selectors
from zhifa.cases.tests.factories import lead, person
from zhifa.core.models import Party, Vehicle
from zhifa.core.tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


def test_a_two_character_term_finds_exactly_the_names_and_plates_that_contain_it(world, monkeypatch):
    names = ("王伟", "王伟民", "李王伟", "王", "伟王", "王 伟")
    named = {name: lead(world, party=person(world, name=name)) for name in names}
    emergency = lead(world, vehicle=VehicleFactory(organisation=world.brigade_a, plate="豫R·1234应急"))
    officer = world.users["officer"]
    for limit in (selectors.SEARCH_ID_LIMIT, 0):  # the match sets as ids, and as subqueries
        monkeypatch.setattr(selectors, "SEARCH_ID_LIMIT", limit)
        found = set(selectors.cases_for(officer, search="王伟"))
        assert found == {named["王伟"], named["王伟民"], named["李王伟"]}
        assert set(selectors.cases_for(officer, search="应急")) == {emergency}
        assert set(selectors.cases_for(officer, search="王")) >= {named["王"], named["伟王"], named["王 伟"]}
        assert set(selectors.cases_for(officer, search="伟民")) == {named["王伟民"]}
    assert not selectors.cases_for(world.users["officer_b"], search="王伟").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_postgresql_answers_a_two_character_term_from_the_bigram_index(world):
    lead(world, party=person(world, name="王伟民"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT zhifa_bigrams('王伟民'), zhifa_bigrams('王'), zhifa_bigrams('')")
        assert [sorted(value) for value in cursor.fetchone()] == [["伟民", "王伟"], [], []]
        # The planner scans a small table whole whenever it can: without that, the index must answer alone.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for qs in (selectors._containing(Party.objects.all(), "name", "王伟"),
                   selectors._containing(Vehicle.objects.all(), "plate", "应急")):
            sql, params = qs.values_list("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"{qs.model._meta.db_table.split('_')[1]}_" in plan and "_bigram" in plan, plan
