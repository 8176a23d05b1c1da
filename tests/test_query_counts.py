"""Query-count baselines of the list endpoints: the number of queries a list page or list API costs must not grow
with the number of rows (no N+1). Each register is listed with 5 rows, then with 50, and the two counts must be
equal. The case register is the one the load test (benchmarks/load) reads a million rows of; the other registers
are the main lists of each app, reached the same way.

Registers not covered here (their rows need rendered documents, weighing data or generated plans) are listed in
docs/performance.md."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.cases.models import Case, ClockSuspension
from zhifa.cases.tests import factories as case_factories
from zhifa.core.tests.data_versions import data_versions  # noqa: F401 — a fixture
from zhifa.core.tests.factories import (
    CompanyFactory,
    DriverFactory,
    OfficerFactory,
    OrganisationFactory,
    PersonPartyFactory,
    SourceUnitFactory,
    VehicleFactory,
)
from zhifa.testing import build_world, shared_data, signed_in, with_token

SMALL, LARGE = 5, 50


def cases(world, n):
    """Leads and opened cases of county A, half of the opened ones overdue (so they are on the at-risk lists) and
    some suspended (so the clocks read their suspensions); every case has a vehicle and handling officers."""
    today = timezone.localdate()
    for i in range(n):
        vehicle = VehicleFactory(organisation=world.brigade_a)
        if i % 2:
            case = case_factories.lead(world, party=vehicle.owner, vehicle=vehicle,
                                       officers=[world.officers["officer"], world.officers["officer2"]])
        else:
            case = case_factories.opened(world, party=vehicle.owner, vehicle=vehicle)
            Case.objects.filter(pk=case.pk).update(opened_on=today - timedelta(days=95 if i % 4 == 0 else 20))
            if i % 3 == 0:
                ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.TESTING, started_on=today - timedelta(days=10))


def rows(factory, **kw):
    def make(world, n):
        for _ in range(n):
            factory(**{k: (v(world) if callable(v) else v) for k, v in kw.items()})
    return make


def in_a(world):
    return world.brigade_a


def permits(world, n):
    from zhifa.permits.tests.factories import PermitApplicationFactory

    for _ in range(n):
        PermitApplicationFactory(organisation=world.brigade_a, applicant=PersonPartyFactory(organisation=world.brigade_a))


def oversight_records(world, n):
    from zhifa.oversight.tests.factories import CaseRecordFactory

    for _ in range(n):
        CaseRecordFactory(organisation=world.brigade_a, officers=[world.officers["officer"], world.officers["officer2"]])


def oversight_problems(world, n):
    from zhifa.oversight.tests.factories import problem

    for _ in range(n):
        problem(world)


def soft_measures(world, n):
    from zhifa.complaints.tests.factories import SoftMeasureFactory

    for _ in range(n):
        SoftMeasureFactory(organisation=world.brigade_a, officer=world.officers["officer"],
                           party=PersonPartyFactory(organisation=world.brigade_a))


def inspection_items(world, n):
    from zhifa.inspections.tests.factories import InspectionItemFactory

    for _ in range(n):
        InspectionItemFactory(organisation=world.brigade_a)


# (id, who looks, page path or None, API path or None, rows maker): each path gives one test.
REGISTERS = [
    ("cases", "head", "/cases/", "/api/v1/cases/?limit=200", cases),
    ("cases-search", "head", "/cases/?q=%E5%BD%93%E4%BA%8B%E4%BA%BA", "/api/v1/cases/?q=%E5%BD%93%E4%BA%8B%E4%BA%BA&limit=200", cases),
    ("cases-filtered", "head", "/cases/?status=opened&from=2000-01-01", "/api/v1/cases/?status=opened&registered_from=2000-01-01", cases),
    ("cases-mine", "officer", "/cases/mine/", "/api/v1/cases/?mine=true&limit=200", cases),
    ("cases-at-risk", "head", "/cases/at-risk/", "/api/v1/cases/at-risk", cases),
    ("dashboard", "head", "/", None, cases),
    ("organisations", "head", "/registers/organisations/", None, rows(OrganisationFactory, parent=in_a, kind="squad")),
    *[(key, "head", f"/registers/{key}/", f"/api/v1/core/{api}/?limit=200", rows(factory, organisation=in_a))
      for key, api, factory in [("parties", "parties", PersonPartyFactory), ("vehicles", "vehicles", VehicleFactory),
                                ("officers", "officers", OfficerFactory), ("companies", "companies", CompanyFactory),
                                ("drivers", "drivers", DriverFactory), ("sources", "source-units", SourceUnitFactory)]],
    ("permits", "head", "/permits/", "/api/v1/permits/applications?limit=200", permits),
    ("oversight-records", "supervisor", "/oversight/records/", "/api/v1/oversight/records/?limit=200", oversight_records),
    ("oversight-problems", "head", "/oversight/problems/", "/api/v1/oversight/problems/?limit=200", oversight_problems),
    ("complaints-soft", "head", None, "/api/v1/complaints/soft/?limit=200", soft_measures),
    ("inspections-catalogue", "head", "/inspections/catalogue/", None, inspection_items),
]
ENDPOINTS = [(f"{name}-{kind}", kind, who, path, make) for name, who, ui, api, make in REGISTERS
             for kind, path in (("ui", ui), ("api", api)) if path]


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's list endpoints (``shared_data``), and the counts measured so
    far."""
    with shared_data(django_db_blocker, tmp_path_factory.mktemp("query-counts")):
        yield build_world(), {}


@pytest.fixture
def world(shared_world, db):
    """The module's tests all read the shared world; ``db``: a test's own rows are rolled back with its
    savepoint (stranger review: without it a test's rows stayed in the module's shared transaction)."""
    return shared_world[0]


def _counts(world, measured: dict, make) -> dict:
    """The query counts of every endpoint that lists ``make``'s rows, measured at the first test that needs
    them: the rows are built once for all of them (eleven endpoints read cases; the 50 cases used to be built
    eleven times). Each endpoint is warmed, counted with 5 rows, and counted again after the 45 more rows, as
    it was in a test of its own; the rows are rolled back afterwards. name → (small, large), or the error that
    stopped the counting (raised by that endpoint's test)."""
    if make not in measured:
        counts = {}
        with transaction.atomic():
            client = {"api": with_token}
            endpoints = [(name, client.get(kind, signed_in)(world, who), path)
                         for name, kind, who, path, m in ENDPOINTS if m is make]
            make(world, SMALL)
            # Each endpoint in a savepoint of its own: on PostgreSQL a database error aborts the transaction,
            # and every later endpoint would report that error instead of its own counts.
            for name, client, path in endpoints:
                try:
                    with transaction.atomic():
                        _count(client, path)  # warm caches (content types, the legal calendar, sessions)
                        counts[name] = [_count(client, path)]
                except Exception as error:  # noqa: BLE001 — reported by the endpoint's own test
                    counts[name] = error
            make(world, LARGE - SMALL)
            for name, client, path in endpoints:
                if isinstance(counts[name], list):
                    try:
                        with transaction.atomic():
                            counts[name].append(_count(client, path))
                    except Exception as error:  # noqa: BLE001
                        counts[name] = error
            transaction.set_rollback(True)
        measured[make] = counts
    return measured[make]


@pytest.mark.django_db
@pytest.mark.parametrize("name,kind,who,path,make", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_list_queries_do_not_grow_with_rows(shared_world, name, kind, who, path, make):
    counted = _counts(*shared_world, make)[name]
    if isinstance(counted, Exception):
        raise counted
    small, large = counted
    assert large == small, f"{path}: {small} queries with {SMALL} rows, {large} with {LARGE}"


def test_case_list_reads_a_page_by_keyset(world, client_for):
    """The case list pages newest first by id and costs the same on a later page: no COUNT, no OFFSET."""
    cases(world, 30)
    client = client_for("head")
    first = client.get("/cases/")
    ids = [row[0].pk for row in first.context["rows"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 25
    assert first.context["next_cursor"] == ids[-1]
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(f"/cases/?before={ids[-1]}")
    assert [row[0].pk for row in second.context["rows"]] == sorted(Case.objects.filter(pk__lt=ids[-1]).values_list("pk", flat=True), reverse=True)
    assert second.context["next_cursor"] is None
    # The header's unread-notification count is a COUNT on the user's own inbox, not on the register.
    case_sql = [q["sql"].upper() for q in ctx.captured_queries if "CASES_CASE" in q["sql"].upper()]
    assert case_sql and not any("COUNT(" in q or "OFFSET" in q for q in case_sql)


# What every signed-in page pays before its own reads: the session, the user with their organisation (one
# join: every page scopes by it), the version tokens of the reference data the process keeps (core.versions:
# the legal calendar, the user's roles, the organisation tree, the procedure periods) and the unread-message
# count of the header. Until 2026-12-06 these were 5 queries on every page and 7–9 on a page with clocks (the
# user's organisation apart, the roles, the calendar's two tables, the jurisdiction's units, the procedure
# periods).
EVERY_PAGE = 4
# The case page of an opened case, as an officer reads it: EVERY_PAGE, the case, its suspensions, extensions,
# penalty lines, list application, papers, status history, preservations, officers, legal reviews,
# transcripts, evidence and full-process record. It was 24: the shared part above (−4), the list application
# read a second time when the case has none (−1), and the history's names of the case's unit, party and
# people, which the page had read already (−3 here).
CASE_PAGE = EVERY_PAGE + 13


@pytest.mark.usefixtures("data_versions")
def test_every_page_pays_the_same_few_queries(world, client_for):
    """全部功能 reads nothing of its own: what it costs is what every page costs."""
    client = client_for("officer")
    _count(client, "/menu/")
    assert _count(client, "/menu/") == EVERY_PAGE


@pytest.mark.usefixtures("data_versions")
def test_case_page_baseline(world, client_for):
    case = case_factories.opened(world)
    client = client_for("officer")
    _count(client, f"/cases/{case.pk}/")
    assert _count(client, f"/cases/{case.pk}/") == CASE_PAGE


# What the ORM still compiles on the case page of a decided case once the connection has read one (everything
# is compiled once per connection, core.db.Compiled). It compiled 17 of its 18 queries at every visit until
# 2026-12-06 (docs/performance.md), and the session, the reference data's tokens and the unread count until
# later that day.
CASE_PAGE_COMPILED = 0


@pytest.mark.usefixtures("data_versions")
def test_case_page_compiles_its_case_reads_once(world, client_for, monkeypatch):
    """The case, its rows of each kind and its history are read by queries compiled once per connection: a
    second visit (of another case) compiles only the few queries every page shares."""
    from django.db.models.sql.compiler import SQLCompiler

    first, second = case_factories.decided(world), case_factories.decided(world)
    client = client_for("officer")
    client.get(f"/cases/{first.pk}/")
    compiled = []
    execute_sql = SQLCompiler.execute_sql
    monkeypatch.setattr(SQLCompiler, "execute_sql",
                        lambda self, *a, **kw: compiled.append(self) or execute_sql(self, *a, **kw))
    count = _count(client, f"/cases/{second.pk}/")
    assert count >= 17 and len(compiled) == CASE_PAGE_COMPILED, [c.query.model for c in compiled]


@pytest.mark.usefixtures("data_versions")
def test_the_lists_compile_their_clock_reads_once(world, client_for, monkeypatch):
    """The case list's and the at-risk list's reads of their cases' suspensions, extensions and late
    payment notices, the case list's page, the at-risk page's rows and their handling officers are compiled
    once per connection (core.db.Compiled, ``many``): a second visit compiles none of them (each was compiled
    at every page until 2026-12-06)."""
    from django.db.models.sql.compiler import SQLCompiler

    from zhifa.cases.models import Extension
    from zhifa.core.models import Officer
    from zhifa.payments.models import PaymentNotice

    today = timezone.localdate()
    made = []
    for i in range(3):
        case = case_factories.opened(world)
        made.append(case)
        Case.objects.filter(pk=case.pk).update(opened_on=today - timedelta(days=120),
                                               clock_due_on=today - timedelta(days=30))
        ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.TESTING,
                                       started_on=today - timedelta(days=10))
        Extension.objects.create(case=case, days=30, basis=Extension.Basis.HEAD, reason="案情复杂",
                                 approved_by=world.users["head"], approved_on=today - timedelta(days=5))
        if i == 0:  # a fine to pay: its clock reads the late payment notices
            Case.objects.filter(pk=case.pk).update(delivered_on=today - timedelta(days=20),
                                                   penalty_kind=Case.PenaltyKind.FINE, fine_amount=200)
    client, compiled, execute_sql = client_for("officer"), [], SQLCompiler.execute_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return execute_sql(self, *args, **kwargs)

    for path in ("/cases/", "/cases/at-risk/"):
        client.get(path)
        compiled.clear()
        monkeypatch.setattr(SQLCompiler, "execute_sql", counting)
        body = client.get(path).content.decode()
        monkeypatch.undo()
        assert made[0].number in body  # overdue to pay (the others' deadlines stand still, suspended)
        once = {ClockSuspension, Extension, PaymentNotice, Officer, Case.officers.through}
        assert not once & set(compiled), (path, compiled)
        # the case list's page compiled once; at-risk compiles its count and its page's ids, not its rows
        assert compiled.count(Case) == (0 if path == "/cases/" else 2), (path, compiled)
