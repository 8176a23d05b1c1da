"""Query-count baselines of the list endpoints: the number of queries a list page or list API costs must not grow
with the number of rows (no N+1). Each register is listed with 5 rows, then with 50, and the two counts must be
equal. The case register is the one the load test (benchmarks/load) reads a million rows of; the other registers
are the main lists of each app, reached the same way.

Registers not covered here (their rows need rendered documents, weighing data or generated plans) are listed in
docs/performance.md."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.cases.models import Case, ClockSuspension
from zhifa.cases.tests import factories as case_factories
from zhifa.core.tests.factories import (
    CompanyFactory,
    DriverFactory,
    OfficerFactory,
    OrganisationFactory,
    PersonPartyFactory,
    SourceUnitFactory,
    VehicleFactory,
)

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


@pytest.mark.parametrize("name,kind,who,path,make", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_list_queries_do_not_grow_with_rows(world, client_for, api_for, name, kind, who, path, make):
    client = client_for(who) if kind == "ui" else api_for(who)
    make(world, SMALL)
    _count(client, path)  # warm caches (content types, the legal calendar, sessions)
    small = _count(client, path)
    make(world, LARGE - SMALL)
    large = _count(client, path)
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
