"""The one numbering service (core.numbering): every series a person reads is counted without duplicates and
without gaps, inside the transaction that stores the number; the layout is data."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from zhifa.core import numbering
from zhifa.core.models import NumberCounter, NumberFormat

COUNTED = sorted(code for code, s in numbering.SERIES.items() if not s.code_length)
CODED = sorted(code for code, s in numbering.SERIES.items() if s.code_length)
YEAR = 2026


def test_every_number_people_read_has_a_series():
    """Issue 19 item 2: the generators that lived in the apps are series of the one service."""
    assert set(COUNTED) == {"cases.case", "coercion.measure", "documents.document", "inspections.plan", "campaigns.operation",
                            "oversight.problem", "oversight.listing", "permits.application", "permits.certificate"}
    assert set(CODED) == {"complaints.complaint", "complaints.mediation"}


def _take(series, world) -> str:
    """One reservation in the series (the documents series is formatted by documents.numbering: its count is
    taken here and shown as a number)."""
    org = world.brigade_a if series.per_organisation else None
    part = "XD" if "{part}" in series.template or not series.template else ""
    if not series.template:
        return str(numbering.take(series, organisation=org, year=YEAR, part=part))
    return numbering.reserve(series, organisation=org, year=YEAR, part=part)


def _expected(series, world, seq: int) -> str:
    if not series.template:
        return str(seq)
    org = world.brigade_a.code if series.per_organisation else ""
    part = "XD" if "{part}" in series.template else ""
    return series.template.format(org=org, year=YEAR, part=part, seq=seq)


def _race(reserve, per_writer: int = 5) -> list[str]:
    """Two writers (threads with their own connections) start together and each reserves ``per_writer`` numbers,
    one transaction each; returns every number taken. Any error in a writer fails the test."""
    results, errors = [], []
    barrier = threading.Barrier(2)

    def writer():
        try:
            barrier.wait()
            for _ in range(per_writer):
                with transaction.atomic():
                    results.append(reserve())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.mark.parametrize("code", COUNTED)
def test_rolled_back_reservation_gives_its_number_back(world, code):
    series = numbering.SERIES[code]
    with transaction.atomic():
        assert _take(series, world) == _expected(series, world, 1)
    with pytest.raises(LookupError), transaction.atomic():
        assert _take(series, world) == _expected(series, world, 2)
        raise LookupError("the act failed after the number was reserved")
    with transaction.atomic():
        assert _take(series, world) == _expected(series, world, 2)
        assert _take(series, world) == _expected(series, world, 3)


@pytest.mark.parametrize("code", COUNTED)
@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_collide(world, code):
    """Two writers take numbers of the same series at the same moment: every number once, none skipped."""
    series = numbering.SERIES[code]
    results = _race(lambda: _take(series, world))
    assert sorted(results) == sorted(_expected(series, world, n) for n in range(1, 11))


@pytest.mark.parametrize("code", CODED)
@pytest.mark.django_db(transaction=True)
def test_concurrent_tracking_codes_are_distinct_and_not_counted(world, code):
    """A tracking code is random (it must not be guessable, so there is no count and no gap to speak of) and is
    checked free against the column; concurrent writers still get distinct codes."""
    series = numbering.SERIES[code]
    results = _race(lambda: numbering.reserve(series, on=numbering.SAMPLE["date"]))
    assert len(set(results)) == 10
    prefix = series.template.split("{", 1)[0]
    assert all(re.fullmatch(prefix + r"261205[" + series.code_chars + "]{6}", n) for n in results), results
    assert not NumberCounter.objects.filter(series=code).exists()


@pytest.mark.django_db(transaction=True)
def test_reservation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        numbering.reserve(numbering.SERIES["inspections.plan"], year=YEAR)


def test_count_continues_after_numbers_already_in_the_table(world):
    """Numbers written before the counter existed (an upgraded database, demo history, a bulk load) are not
    given again: the first reservation of the year continues after the highest of them."""
    from zhifa.cases.models import Case
    from zhifa.cases.tests.factories import lead

    case = lead(world)
    NumberCounter.objects.filter(series="cases.case").delete()
    Case.objects.filter(pk=case.pk).update(number=f"{case.organisation.code}-{YEAR}-00041")
    with transaction.atomic():
        number = numbering.reserve(numbering.SERIES["cases.case"], organisation=case.organisation, year=YEAR)
    assert number == f"{case.organisation.code}-{YEAR}-00042"
    with transaction.atomic():  # another year of the same organisation starts at 1
        assert numbering.reserve(numbering.SERIES["cases.case"], organisation=case.organisation, year=YEAR + 1).endswith("-00001")


def test_layout_is_data_and_changing_it_keeps_the_count(world):
    series = numbering.SERIES["inspections.plan"]
    with transaction.atomic():
        assert numbering.reserve(series, year=YEAR) == "SJ2026-0001"
    NumberFormat.objects.create(series="inspections.plan", template="抽查〔{year}〕{seq:03d}号")
    with transaction.atomic():
        assert numbering.reserve(series, year=YEAR) == "抽查〔2026〕002号"


@pytest.mark.parametrize(("code", "template", "message"), [
    ("inspections.plan", "SJ{year}", "必须含有 {seq}"),
    ("inspections.plan", "SJ{year}-{seq:04d}-{unit}", "不认识的占位符"),
    ("inspections.plan", "SJ{year}-{seq:04d", "无法使用"),
    ("cases.case", "{org}-{year}-{seq:05d}" + "号" * 30, "超过 40 个字符"),
    ("complaints.complaint", "TS{date:%y%m%d}{seq:04d}", "必须含有 {code}"),
    ("documents.document", "{seq}", "ZHIFA_DOC_NUMBER_FORMAT"),
    ("nothing.here", "{seq}", "没有编号序列"),
    # per organisation and per year: leaving either out would number two units (or two years) alike
    ("cases.case", "C{year}-{seq:05d}", "必须含有 {org}"),
    ("cases.case", "C{org}-{seq:05d}", "必须含有 {year}"),
])
def test_a_layout_that_cannot_number_is_refused(db, code, template, message):
    with pytest.raises(ValidationError) as exc:
        NumberFormat(series=code, template=template).full_clean()
    assert message in str(exc.value)
