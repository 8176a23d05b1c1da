"""The faster read paths of the case lists (docs/performance.md): the search resolves party and vehicle matches to
ids (or keeps a subquery when there are many), the at-risk list shows one page of the most urgent cases with the
counts of all, and ``with_clocks`` reads suspensions and extensions in bulk with the same result as the case page."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from zhifa.cases import clocks, selectors, views
from zhifa.cases.models import Case, ClockSuspension, Extension
from zhifa.cases.tests.factories import lead, opened, person
from zhifa.core.tests.factories import VehicleFactory


def test_search_matches_party_and_plate_through_ids_and_through_subquery(world, monkeypatch):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·Q7731")
    by_party = lead(world, party=person(world, name="欧阳三丰"))
    by_plate = lead(world, vehicle=vehicle)
    other = lead(world)
    officer = world.users["officer"]
    for limit in (selectors.SEARCH_ID_LIMIT, 0):  # 0: every match set is "too large", the subquery path
        monkeypatch.setattr(selectors, "SEARCH_ID_LIMIT", limit)
        assert list(selectors.cases_for(officer, search="阳三丰")) == [by_party]
        assert list(selectors.cases_for(officer, search="q7731")) == [by_plate]  # plates are matched upper-case
        assert other not in selectors.cases_for(officer, search="阳三丰")
    # Another jurisdiction finds nothing by the same terms.
    assert not selectors.cases_for(world.users["officer_b"], search="阳三丰").exists()


# A fixed Wednesday, so the amber case's 90th day (two days ahead) is a working day and stays in the amber window.
@time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_at_risk_page_shows_the_most_urgent_and_counts_them_all(world, client_for, monkeypatch):
    monkeypatch.setattr(views, "AT_RISK_PAGE", 2)
    today = timezone.localdate()
    cases = [opened(world) for _ in range(3)]
    for c in cases:  # 行政处罚法 Art. 60: 90 days from opening, all three overdue
        Case.objects.filter(pk=c.pk).update(opened_on=today - timedelta(days=120))
    amber = opened(world)
    Case.objects.filter(pk=amber.pk).update(opened_on=today - timedelta(days=88))
    client = client_for("head")
    body = client.get("/cases/at-risk/").content.decode()
    assert "已超期 3 件" in body and "即将到期 1 件" in body
    assert cases[0].number in body and cases[1].number in body
    assert cases[2].number not in body and amber.number not in body
    assert "第 1 / 2 页" in body
    second = client.get("/cases/at-risk/?page=2").content.decode()
    assert cases[2].number in second and amber.number in second and cases[0].number not in second
    # The officer of another county sees none of them.
    assert cases[0].number not in client_for("officer_b").get("/cases/at-risk/").content.decode()


def test_with_clocks_reads_suspensions_and_extensions_like_the_case_page(world):
    today = date(2026, 6, 1)
    case = opened(world)
    Case.objects.filter(pk=case.pk).update(opened_on=date(2026, 2, 2))
    Extension.objects.create(case=case, days=30, basis=Extension.Basis.HEAD, reason="案情复杂", approved_by=world.users["head"],
                             approved_on=date(2026, 4, 20))
    ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.TESTING, started_on=date(2026, 3, 1), ended_on=date(2026, 3, 11))
    plain = opened(world)
    Case.objects.filter(pk=plain.pk).update(opened_on=date(2026, 2, 2))
    rows = {r[0].pk: r[1] for r in selectors.with_clocks(Case.objects.filter(pk__in=[case.pk, plain.pk]), today=today)}
    fresh = Case.objects.get(pk=case.pk)
    expected = {c.key: c.deadline.date for c in clocks.clocks(fresh, today=today)}
    assert {c.key: c.deadline.date for c in rows[case.pk]} == expected
    # 90 + 30 extended + 10 suspended days after 2026-02-02, against 90 for the case with neither.
    decision = {pk: next(c for c in cs if c.key == "decision").deadline.date for pk, cs in rows.items()}
    assert decision[case.pk] >= date(2026, 2, 2) + timedelta(days=130)
    assert decision[plain.pk] < date(2026, 2, 2) + timedelta(days=100)


def test_registration_window_reads_the_same_pages_through_ids_and_through_the_walk(world, monkeypatch):
    """A date window's cases are read as ids first (``WINDOW_ID_LIMIT``) or, for a denser window, by the ordered walk:
    the same rows, pages and cursor either way, within the jurisdiction and with the other filters applied."""
    registered = {}
    for day in (1, 2, 3, 4, 5, 10, 20):
        for _ in range(2):
            case = lead(world)
            moment = timezone.make_aware(datetime(2022, 3, day, 9, 0))
            Case.objects.filter(pk=case.pk).update(registered_at=moment)
            registered[case.pk] = moment.date()
    officer = world.users["officer"]
    window = {"registered_from": date(2022, 3, 2), "registered_to": date(2022, 3, 10)}
    expected = sorted((pk for pk, day in registered.items() if date(2022, 3, 2) <= day <= date(2022, 3, 10)), reverse=True)
    assert len(expected) == 10

    def pages(**filters):
        seen, before = [], None
        while True:
            rows, before = selectors.page_before(selectors.cases_for(officer, **window, **filters), before=before, size=3)
            seen += [c.pk for c in rows]
            if before is None:
                return seen

    for limit in (selectors.WINDOW_ID_LIMIT, 3):  # 3: the window holds more, the walk path
        monkeypatch.setattr(selectors, "WINDOW_ID_LIMIT", limit)
        assert pages() == expected
        assert pages(status="lead") == expected
        assert pages(status="closed") == []
        assert pages(mine=True) == [pk for pk in expected if Case.objects.get(pk=pk).registered_by_id == officer.pk]
    assert list(selectors.cases_for(world.users["officer_b"], **window)) == []


def test_the_list_reads_clock_rows_only_for_cases_whose_decision_clock_runs(world, client_for):
    """A page of leads has no decision clock (行政处罚法 Art. 60 runs from the opening): it reads no suspensions,
    extensions or history (it read all three, each compiled and built, for every page). An opened case's page
    reads its suspensions and extensions; a case withdrawn without a decision its history too, and its clock
    stops on the day it was withdrawn, as on the case page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhifa.cases import services

    def clock_reads():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/cases/")
        assert response.status_code == 200
        return {table: sum(f'"{table}"' in q["sql"] for q in ctx.captured_queries)
                for table in ("cases_clocksuspension", "cases_extension", "cases_statuschange")}

    client = client_for("officer")
    leads = [lead(world) for _ in range(3)]
    client.get("/cases/")
    assert clock_reads() == {"cases_clocksuspension": 0, "cases_extension": 0, "cases_statuschange": 0}
    running = opened(world)
    assert clock_reads() == {"cases_clocksuspension": 1, "cases_extension": 1, "cases_statuschange": 0}
    withdrawn = services.case_withdraw(actor=world.users["head"], case=opened(world), reason="违法事实不能成立")
    assert clock_reads() == {"cases_clocksuspension": 1, "cases_extension": 1, "cases_statuschange": 1}
    rows = {case.pk: cs for case, cs, _ in client.get("/cases/").context["rows"]}
    for case in (*leads, running, withdrawn):
        fresh = Case.objects.get(pk=case.pk)
        assert [(c.key, c.deadline, c.done_on) for c in rows[case.pk]] == [
            (c.key, c.deadline, c.done_on) for c in clocks.clocks(fresh)]
    assert next(c for c in rows[withdrawn.pk] if c.key == "decision").done_on == timezone.localdate()


def test_the_list_without_filters_reads_the_pages_the_filtered_path_reads(world, monkeypatch):
    """The case list as opened and its next pages come from a compiled query (selectors.table_page): the
    same rows, cursor and jurisdiction as :func:`page_before` of the ORM's query, for a brigade's officer, a
    county's head (several units) and another county's officer; the filtered lists keep the ORM's query."""
    monkeypatch.setattr(selectors, "TABLE_PAGE", 3)
    monkeypatch.setattr(selectors, "_TABLE_PAGE", selectors.Compiled(
        lambda values: selectors.for_table(Case.objects.filter(pk__lt=values[0],
                                                               organisation_id__in=values[1:]))
        .order_by("-pk")[:4], placeholder=selectors.NUMBER_PLACEHOLDER, many=True))
    for _ in range(4):
        lead(world)
        opened(world, days_ago=1)
    for who in ("officer", "head", "officer_b"):
        user, compiled, expected, before = world.users[who], [], [], None
        while True:
            rows, cursor = selectors.table_page(user, before=before)
            orm_rows, orm_cursor = selectors.page_before(selectors.for_table(selectors.cases_for(user)),
                                                         before=before, size=3)
            assert ([(c.pk, c.number, c.party.name, c.status, c.opened_on) for c in rows], cursor) == (
                [(c.pk, c.number, c.party.name, c.status, c.opened_on) for c in orm_rows], orm_cursor)
            compiled += rows
            if cursor is None:
                break
            before = cursor
        expected = list(selectors.cases_for(user).order_by("-pk"))
        assert [c.pk for c in compiled] == [c.pk for c in expected]
        assert len(expected) >= 8 if who != "officer_b" else not expected
    assert selectors.table_page(world.users["officer"], before=2**70)[0] == selectors.table_page(
        world.users["officer"], before=None)[0]
    assert selectors.table_page(world.users["officer"], before=0) == ([], None)


def test_at_risk_rows_by_compiled_query_in_batches(world, monkeypatch):
    """at_risk_page reads its rows by a compiled query per shape, in batches of MANY_LIMIT ids (the export
    reads 2,000): the same rows in the list's order, whatever the batch, with only the columns asked."""
    today = timezone.localdate()
    made = [opened(world) for _ in range(5)]
    for i, case in enumerate(made):
        Case.objects.filter(pk=case.pk).update(opened_on=today - timedelta(days=100 + i),
                                               clock_due_on=today - timedelta(days=10 + i % 2))
    qs = selectors.at_risk_queryset(world.users["head"])
    expected = list(qs)
    assert len(expected) >= 5
    for limit in (selectors.MANY_LIMIT, 2):
        monkeypatch.setattr(selectors, "MANY_LIMIT", limit)
        page = selectors.at_risk_page(qs, offset=1, size=4, related=("party",),
                                      fields=selectors.AT_RISK_FIELDS)
        assert [(c.pk, c.party.name, c.status) for c in page] == [
            (c.pk, c.party.name, c.status) for c in expected[1:5]]
        assert "place" in page[0].get_deferred_fields()
        full = selectors.at_risk_page(qs, offset=0, size=3)
        assert [(c.pk, c.organisation.name, c.place) for c in full] == [
            (c.pk, c.organisation.name, c.place) for c in expected[:3]]


def test_with_officers_reads_what_the_prefetch_reads(world):
    """selectors.with_officers (the at-risk page's 承办人) leaves each case's officers as
    ``prefetch_related_objects(cases, "officers")`` does, in their order, for cases with none, one and two, in
    one query; ``case.officers.all()`` then reads nothing."""
    from django.db import connection
    from django.db.models import prefetch_related_objects
    from django.test.utils import CaptureQueriesContext

    two, none, one = opened(world), lead(world), opened(world)
    one.officers.set([world.officers["officer2"]])
    none.officers.clear()
    ids = [two.pk, none.pk, one.pk]
    expected = list(Case.objects.filter(pk__in=ids))
    prefetch_related_objects(expected, "officers")
    cases = list(Case.objects.filter(pk__in=ids))
    with CaptureQueriesContext(connection) as queries:
        selectors.with_officers(cases)
        named = {c.pk: [(o.pk, o.name, o.organisation_id) for o in c.officers.all()] for c in cases}
    assert len(queries) == 1
    assert named == {c.pk: [(o.pk, o.name, o.organisation_id) for o in c.officers.all()] for c in expected}
    assert len(named[two.pk]) == 2 and named[none.pk] == [] and len(named[one.pk]) == 1
    # a filter on them still reads within the case
    without = next(c for c in cases if c.pk == none.pk)
    assert not without.officers.filter(pk=world.officers["officer"].pk).exists()


def test_the_lists_labels_are_django_s_without_building_the_choices_per_row(world, client_for, monkeypatch):
    """A case's state, procedure and outcome labels are Django's get_FOO_display text (every choice, an empty
    and an unknown value), and the case list reads no field's choices per row (Django built a dictionary of
    the choices at every label: 3 a row)."""
    from django.db.models import Field, Model

    case = lead(world)
    for name in ("status", "procedure", "outcome"):
        field = Case._meta.get_field(name)
        for value in [*(v for v, _ in field.flatchoices), "", "unknown", None]:
            setattr(case, name, value)
            assert getattr(case, f"get_{name}_display")() == Model._get_FIELD_display(case, field)
    calls, original = [], Field.flatchoices
    client, counts = client_for("officer"), []
    client.get("/cases/")
    for n in (2, 6):
        while Case.objects.filter(organisation=world.brigade_a).count() < n:
            lead(world)
        monkeypatch.setattr(Field, "flatchoices",
                            property(lambda self: calls.append(self) or original.fget(self)))
        body = client.get("/cases/").content.decode()
        monkeypatch.undo()
        assert "线索" in body or "立案" in body
        counts.append(len(calls))
        calls.clear()
    assert counts[0] == counts[1], counts
