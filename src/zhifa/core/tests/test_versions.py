"""Reference data kept in each process under version tokens the database changes (``core.versions``): the
legal calendar, users' roles and the organisation tree. A change, however it is written, applies at the very
next request; a rolled-back change leaves nothing behind; a read-only request reads every token in one
query."""

import importlib
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhifa.cases.models import Case
from zhifa.cases.tests import factories as case_factories
from zhifa.core import legal_calendar, versions
from zhifa.core.models import CalendarDay, CalendarYear, DataVersion, Organisation, User
from zhifa.core.roles import Role, user_roles
from zhifa.core.tests.data_versions import data_versions  # noqa: F401 — a fixture
from zhifa.core.tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_versions")]


def _token(key):
    return DataVersion.objects.get(key=key).token


def _raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _head_group():
    return Group.objects.get(name=Role.HEAD)


# (key, set-up before the token is read, the write): each way a row can be written.
def _rest_day(w=None):
    return CalendarDay.objects.create(date=date(2031, 1, 6), is_working_day=False)


WRITES = {
    "calendar-day-save": ("calendar", None, _rest_day),
    "calendar-year-update": ("calendar", lambda w: CalendarYear.objects.create(year=2031),
                             lambda w: CalendarYear.objects.filter(year=2031).update(confirmed=True)),
    "calendar-day-raw-delete": ("calendar", _rest_day, lambda w: _raw("DELETE FROM core_calendarday")),
    "role-given": ("roles", None, lambda w: w.users["officer"].groups.add(_head_group())),
    "role-taken": ("roles", None, lambda w: w.users["head"].groups.remove(_head_group())),
    "group-renamed": ("roles", None, lambda w: Group.objects.filter(name=Role.HEAD).update(name="负责人")),
    "membership-raw": ("roles", None, lambda w: _raw("DELETE FROM core_user_groups")),
    "unit-added": ("organisations", None, lambda w: OrganisationFactory(parent=w.brigade_a, kind="squad")),
    "unit-raw": ("organisations", None, lambda w: _raw("UPDATE core_organisation SET name = name")),
}


@pytest.mark.parametrize("how", list(WRITES))
def test_every_write_to_a_tracked_table_gives_a_new_token(world, how):
    """The database changes the token (triggers, migration core/0009): a queryset update, a membership
    change or raw SQL as a save does."""
    key, setup, write = WRITES[how]
    if setup:
        setup(world)
    before = _token(key)
    write(world)
    assert _token(key) != before


def test_every_table_the_kept_data_is_read_from_is_tracked():
    """The tables each kept value is read from (add a new one to the migration's TRACKED)."""
    tracked = importlib.import_module("zhifa.core.migrations.0009_data_versions").TRACKED
    assert set(tracked["calendar"]) == {CalendarDay._meta.db_table, CalendarYear._meta.db_table}
    assert set(tracked["roles"]) == {Group._meta.db_table, User.groups.through._meta.db_table}
    assert set(tracked["organisations"]) == {Organisation._meta.db_table}
    # The other keys are tracked by their own app's migration, which its tests check against the readers:
    # procedure_periods by cases/0020, discretion by discretion/0007 (discretion/tests/test_engine_memo.py).
    assert set(tracked) | {"procedure_periods", "discretion"} == set(versions.KEYS)


def test_a_role_taken_applies_at_the_next_request(world, client_for):
    """The head's act on a lead (批准立案) is theirs while they hold the role: taken away, the very next
    request refuses it (404, as for any act the user may not take); given back, the next request serves
    it."""
    case = case_factories.lead(world)
    head = client_for("head")
    form = f"/cases/{case.pk}/act/open/form/"
    assert head.get(form).status_code == 200
    assert head.get(form).status_code == 200  # kept by the process now
    world.users["head"].groups.remove(_head_group())
    assert head.get(form).status_code == 404
    assert "批准立案" not in head.get(f"/cases/{case.pk}/").content.decode()
    world.users["head"].groups.add(_head_group())
    assert head.get(form).status_code == 200


def test_roles_are_read_once_per_process_until_they_change(world):
    officer = User.objects.get(username="officer")
    assert user_roles(officer) == {Role.OFFICER}
    again = User.objects.get(username="officer")  # another request's instance
    with CaptureQueriesContext(connection) as ctx:
        assert user_roles(again) == {Role.OFFICER}
    assert [q["sql"] for q in ctx.captured_queries if "auth_group" in q["sql"]] == []
    officer.groups.add(_head_group())
    assert user_roles(User.objects.get(username="officer")) == {Role.OFFICER, Role.HEAD}


def _decision_clock(response):
    return next(c for c in response.context["clocks"] if c.key == "decision")


def test_a_holiday_entered_applies_at_the_next_request(world, client_for):
    """The decision period of an opened case ends on a working day: a rest day entered by an administrator
    on that day moves the deadline on the very next visit of the case page."""
    case = case_factories.opened(world)
    client = client_for("officer")
    client.get(f"/cases/{case.pk}/")
    before = _decision_clock(client.get(f"/cases/{case.pk}/")).deadline.date
    CalendarDay.objects.create(date=before, is_working_day=False, name="临时调整")
    response = client.get(f"/cases/{case.pk}/")
    after = _decision_clock(response).deadline.date
    assert after > before and legal_calendar.calendar().is_working_day(after)
    assert f"{after:%Y-%m-%d}" in response.content.decode()


def test_a_unit_added_or_moved_applies_at_the_next_request(world, client_for):
    """The case list reads the jurisdiction's units from the process: a squad added under the officer's
    brigade brings its cases into the list at the next request, and moved to another county takes them
    out."""
    client = client_for("officer")
    client.get("/cases/")
    squad = OrganisationFactory(parent=world.brigade_a, kind="squad")
    case = case_factories.lead(world)
    Case.objects.filter(pk=case.pk).update(organisation=squad)
    assert f'href="/cases/{case.pk}/"' in client.get("/cases/").content.decode()
    squad.parent = world.county_b
    squad.save()
    assert f'href="/cases/{case.pk}/"' not in client.get("/cases/").content.decode()


def test_a_read_only_request_reads_every_token_in_one_query(world, client_for):
    case = case_factories.opened(world)
    client = client_for("officer")
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum("core_dataversion" in q for q in sql) == 1
    for kept in ("core_calendarday", "core_calendaryear", "auth_group", "cases_procedureperiod"):
        assert not any(kept in q for q in sql)


def test_outside_a_read_only_request_each_use_reads_its_token(world):
    """A POST, a task or a command reads the token at each use, so the change it has just made is seen."""
    with CaptureQueriesContext(connection) as ctx:
        versions.token("calendar")
        versions.token("roles")
    assert len(ctx.captured_queries) == 2
    with CaptureQueriesContext(connection) as ctx, versions.snapshot():
        versions.token("calendar")
        versions.token("roles")
    assert len(ctx.captured_queries) == 1


def test_each_use_reads_the_token_by_a_query_compiled_once(world, monkeypatch):
    """Outside a snapshot the token's query is compiled once per connection (``versions._TOKEN``), and each
    read still returns the token as it is now, a change of this transaction included."""
    from django.db.models.sql.compiler import SQLCompiler

    from zhifa.core.db import Compiled

    versions.token("calendar")  # compiled on this connection
    expected = (_token("calendar"), _token("roles"), None)
    built, through_the_orm = [], []
    compile_once, execute_sql = Compiled._compile, SQLCompiler.execute_sql
    monkeypatch.setattr(Compiled, "_compile", lambda self, *a: built.append(self) or compile_once(self, *a))
    monkeypatch.setattr(SQLCompiler, "execute_sql", lambda self, *a, **kw:
                        through_the_orm.append(self.query.model) or execute_sql(self, *a, **kw))
    before = versions.token("calendar")
    roles = versions.token("roles")
    missing = versions.token("no such key")
    CalendarDay.objects.create(date=date(2031, 1, 6), is_working_day=False)
    after = versions.token("calendar")
    assert DataVersion not in through_the_orm and built == []
    monkeypatch.undo()
    assert (before, roles, missing) == expected
    assert after == _token("calendar") != before  # the change of this transaction is seen


def test_a_snapshot_reads_every_token_as_the_orm_does_by_a_query_compiled_once(world):
    """A read-only request's one read of the tokens (``versions._TOKENS``): every row's token, compiled once
    per connection, a change of this transaction seen by the next snapshot."""
    with versions.snapshot():
        versions.token("calendar")  # compiled on this connection
    seen = []
    for day in (7, 8):
        with versions.snapshot(), CaptureQueriesContext(connection) as ctx:
            held = {key: versions.token(key) for key in versions.KEYS}
        assert len(ctx.captured_queries) == 1
        assert held == {key: _token(key) for key in versions.KEYS} and None not in held.values()
        assert held == dict(DataVersion.objects.values_list("key", "token"))
        seen.append(held["calendar"])
        CalendarDay.objects.create(date=date(2031, 1, day), is_working_day=False)
    assert seen[0] != seen[1]


MONDAY = date(2026, 12, 7)  # a working day in the package's tables


def test_a_change_is_seen_by_its_own_transaction_and_a_rolled_back_one_leaves_nothing_behind():
    """A rolled-back change's token is never seen again, even when a later change is made (a counter would
    come back to the same number and serve the rolled-back calendar)."""
    assert legal_calendar.calendar().is_working_day(MONDAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(date=MONDAY, is_working_day=False)
        assert not legal_calendar.calendar().is_working_day(MONDAY)  # under the change's token
        raise RuntimeError
    assert legal_calendar.calendar().is_working_day(MONDAY)
    CalendarDay.objects.create(date=date(2026, 12, 8), is_working_day=False)
    assert legal_calendar.calendar().is_working_day(MONDAY)


def test_without_its_row_the_data_is_read_at_each_use():
    """A database without the key's row (a test database emptied by a flush) keeps nothing."""
    DataVersion.objects.filter(key="calendar").delete()
    with CaptureQueriesContext(connection) as ctx:
        legal_calendar.calendar()
        legal_calendar.calendar()
    assert sum("core_calendarday" in q["sql"] for q in ctx.captured_queries) == 2
    CalendarDay.objects.create(date=MONDAY, is_working_day=False)
    assert not legal_calendar.calendar().is_working_day(MONDAY)
