import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings

from zhifa.core.errors import DomainError
from zhifa.core.models import NumberCounter
from zhifa.core.tests.factories import OrganisationFactory
from zhifa.documents.numbering import format_number, next_number, series_prefix


def test_series_prefix_replaces_the_penalty_word():
    assert series_prefix("豫R召交罚", "罚") == "豫R召交罚"
    assert series_prefix("豫R召交罚", "违通") == "豫R召交违通"
    assert series_prefix("宛执", "催") == "宛执催"


def test_default_format():
    assert format_number(doc_prefix="豫R召交罚", series="罚", year=2026, seq=123) == "豫R召交罚〔2026〕0123号"


@override_settings(ZHIFA_DOC_NUMBER_FORMAT="{prefix}[{year}]第{seq}号")
def test_format_is_configurable():
    assert format_number(doc_prefix="豫R召交罚", series="罚", year=2026, seq=7) == "豫R召交罚[2026]第7号"


def test_numbers_per_agency_year_and_series(world):
    squad = OrganisationFactory(parent=world.brigade_a, doc_prefix="")
    with transaction.atomic():
        assert next_number(organisation=world.brigade_a, series="罚", year=2026) == "豫R召交罚〔2026〕0001号"
        # a squad without its own prefix numbers under its brigade, in the same series
        assert next_number(organisation=squad, series="罚", year=2026) == "豫R召交罚〔2026〕0002号"
        assert next_number(organisation=world.brigade_a, series="违通", year=2026) == "豫R召交违通〔2026〕0001号"
        assert next_number(organisation=world.brigade_a, series="罚", year=2027) == "豫R召交罚〔2027〕0001号"
        assert next_number(organisation=world.brigade_b, series="罚", year=2026) == "豫R方交罚〔2026〕0001号"


def test_no_prefix_anywhere_is_refused(db):
    org = OrganisationFactory(doc_prefix="", parent=None)
    with pytest.raises(DomainError) as exc, transaction.atomic():
        next_number(organisation=org, series="罚", year=2026)
    assert exc.value.code == "no_doc_prefix"


def test_rolled_back_issue_leaves_no_gap(world):
    with pytest.raises(LookupError), transaction.atomic():
        next_number(organisation=world.brigade_a, series="罚", year=2026)
        raise LookupError("the document failed to render")
    with transaction.atomic():
        assert next_number(organisation=world.brigade_a, series="罚", year=2026).endswith("0001号")


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_get_distinct_numbers_without_gaps(world):
    """Two threads take numbers of the same series at the same time: no duplicates, no gaps."""
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            for _ in range(6):
                with transaction.atomic():
                    results.append(next_number(organisation=world.brigade_a, series="罚", year=2026))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [f"豫R召交罚〔2026〕{n:04d}号" for n in range(1, 13)]
    assert NumberCounter.objects.get(series="documents.document", organisation=world.brigade_a, part="罚", year=2026).last == 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_document_issue_numbers_every_document_once(world):
    """Two officers issue decisions at the same moment: each document gets its own number, none is skipped."""
    from zhifa.core.tests.factories import OrgPartyFactory
    from zhifa.documents.models import Document
    from zhifa.documents.services import document_issue

    from .factories import context_for

    party = OrgPartyFactory(organisation=world.brigade_a)
    errors = []
    barrier = threading.Barrier(2)

    def worker(user):
        try:
            barrier.wait()
            for _ in range(2):
                document_issue(actor=user, organisation=world.brigade_a, kind="penalty_decision", subject=party,
                               context=context_for("penalty_decision"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(world.users[k],)) for k in ("officer", "officer2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert numbers == [f"豫R召交罚〔{numbers[0][6:10]}〕{n:04d}号" for n in range(1, 5)]


@pytest.mark.django_db
def test_series_per_kind_is_data_per_agency(world):
    """Issue 14: the series word of each kind is the agency's data (NumberSeries); the nearest organisation's row wins,
    and without one the national default applies. A rolled-back decision gives its number back."""
    from django.db import transaction

    from zhifa.documents.models import NumberSeries
    from zhifa.documents.numbering import reserve_number

    with transaction.atomic():
        assert reserve_number(organisation=world.brigade_a, kind="onspot_decision", year=2026) == "豫R召交简罚〔2026〕0001号"
    NumberSeries.objects.create(organisation=world.city, kind="onspot_decision", series="当罚")
    with transaction.atomic():
        assert reserve_number(organisation=world.brigade_a, kind="onspot_decision", year=2026) == "豫R召交当罚〔2026〕0001号"
    NumberSeries.objects.create(organisation=world.brigade_a, kind="onspot_decision", series="现罚")
    try:
        with transaction.atomic():
            assert reserve_number(organisation=world.brigade_a, kind="onspot_decision", year=2026) == "豫R召交现罚〔2026〕0001号"
            raise RuntimeError("the decision fails")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert reserve_number(organisation=world.brigade_a, kind="onspot_decision", year=2026) == "豫R召交现罚〔2026〕0001号"
        assert reserve_number(organisation=world.brigade_a, kind="permit_decision", year=2026) == "豫R召交许〔2026〕0001号"
