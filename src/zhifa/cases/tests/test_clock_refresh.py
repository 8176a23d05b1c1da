"""The nearest deadline's refresh after a case changes (``clocks.refresh_due``, run by every case move): its
reads compiled once per connection (issue 19), never a stale row, and the update's read of the rows it changes
left out only where the filter pins one key."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.cases import clocks, services
from zhifa.cases.models import Case, ClockSuspension, Extension
from zhifa.cases.tests.factories import lead, notified, opened
from zhifa.cases.workflow import OPEN_STATES
from zhifa.core.db import Compiled

# CaseQuerySet.update's read of the rows it is about to change (``values_list("pk")``).
IDS_READ = 'SELECT "cases_case"."id" AS "pk" FROM "cases_case"'


def _matches_clocks(*cases):
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        expected = clocks.due_on(clocks.clocks(case)) if case.status in OPEN_STATES else None
        assert case.clock_due_on == expected, case.number


def test_a_move_refreshes_the_clock_by_queries_compiled_once(world, monkeypatch):
    """Issue 19: the refresh after each move compiled its three reads (the case, its suspensions, its
    extensions) through the ORM at every move, and read the ids of the rows to update before the update; a
    second move compiles none of them, and reads no ids before its update."""
    first, second = opened(world), opened(world)
    report = {"report_text": "经调查，违法事实清楚。", "proposed_outcome": Case.Outcome.PENALTY,
              "proposed_amount": Decimal("2000")}
    services.case_report(actor=world.users["officer"], case=first, **report)
    compiled, built = [], []
    execute_sql, compile_once = SQLCompiler.execute_sql, Compiled._compile
    monkeypatch.setattr(SQLCompiler, "execute_sql",
                        lambda self, *a, **kw: compiled.append(self) or execute_sql(self, *a, **kw))
    monkeypatch.setattr(Compiled, "_compile", lambda self, *a: built.append(self) or compile_once(self, *a))
    with CaptureQueriesContext(connection) as queries:
        second = services.case_report(actor=world.users["officer"], case=second, **report)
    monkeypatch.undo()
    read = [c.query.model for c in compiled if type(c) is SQLCompiler]
    assert not {Case, ClockSuspension, Extension} & set(read), read  # not through the ORM
    assert built == []  # nor compiled again
    assert any(q["sql"].startswith('UPDATE "cases_case" SET "status"') for q in queries)
    assert not [q["sql"] for q in queries if q["sql"].startswith(IDS_READ)]
    assert second.status == "investigated"
    _matches_clocks(first, second)


def test_the_refresh_reads_suspensions_and_extensions_written_in_the_same_transaction(world):
    """Only the SQL is kept: rows written after the compiled queries ran once (in the same transaction,
    through a save, a queryset update without a signal, a delete) are read by the next refresh."""
    today = timezone.localdate()
    case = opened(world)
    Case.objects.filter(pk=case.pk).update(opened_on=today - timedelta(days=100))  # overdue: Art. 60
    due = Case.objects.get(pk=case.pk).clock_due_on
    assert due is not None and due < today
    extension = Extension.objects.create(case=case, days=30, basis=Extension.Basis.HEAD, reason="案情复杂",
                                         approved_by=world.users["head"], approved_on=today)
    assert Case.objects.get(pk=case.pk).clock_due_on > due
    _matches_clocks(case)
    Extension.objects.filter(pk=extension.pk).update(days=10)  # no signal: the next refresh reads it
    assert clocks.refresh_due([case.pk]) == 1
    _matches_clocks(case)
    suspension = ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.TESTING,
                                                started_on=today - timedelta(days=20))
    assert Case.objects.get(pk=case.pk).clock_due_on is None  # a suspended clock is neither red nor amber
    ClockSuspension.objects.filter(pk=suspension.pk).update(ended_on=today - timedelta(days=5))
    assert clocks.refresh_due([case.pk]) == 1
    _matches_clocks(case)
    extension.delete()
    suspension.delete()
    assert Case.objects.get(pk=case.pk).clock_due_on == due
    # A move right after (the case's row changed in the same transaction) reads the row as it is now.
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert Case.objects.get(pk=case.pk).clock_due_on is None


def test_an_update_reads_the_rows_it_changes_unless_one_key_is_pinned(world):
    """The ids are read before an update whose filter its own change may alter (the status) or that may touch
    several rows (an OR of keys, a negation, a key through a join); a filter pinning one key (``pk=…`` ANDed
    to everything else) needs no read: its row changed if the update counts one. Every changed row is
    refreshed."""
    today = timezone.localdate()
    cases = [opened(world) for _ in range(3)]
    old = today - timedelta(days=100)

    def ids_read(qs, **values):
        with CaptureQueriesContext(connection) as queries:
            qs.update(**values)
        return any(q["sql"].startswith(IDS_READ) for q in queries)

    assert not ids_read(Case.objects.filter(pk=cases[0].pk, status="opened"), opened_on=old)
    assert ids_read(Case.objects.filter(status="opened", pk__in=[c.pk for c in cases[1:]]), opened_on=old)
    _matches_clocks(*cases)
    assert ids_read(Case.objects.filter(Q(pk=cases[0].pk) | Q(pk=cases[1].pk)), opened_on=today)
    ids = [c.pk for c in cases]
    assert ids_read(Case.objects.exclude(pk=cases[2].pk).filter(pk__in=ids), opened_on=today)
    _matches_clocks(*cases)
    assert ids_read(Case.objects.filter(party__cases__pk=cases[2].pk, pk__in=ids),
                    opened_on=today - timedelta(days=3))
    _matches_clocks(*cases)
    # pinned but refused (another status): nothing changed, nothing refreshed
    assert not ids_read(Case.objects.filter(pk=cases[0].pk, status="lead"), opened_on=old)
    assert Case.objects.get(pk=cases[0].pk).opened_on == today
    _matches_clocks(*cases)


def test_refresh_due_in_batches_matches_the_clocks(world):
    """The batch path (the nightly sweep, a calendar change): cases of several states, a few at a time."""
    cases = [lead(world), opened(world), notified(world, amount=Decimal("2000")), opened(world)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(clock_due_on=None)  # not a clock field: kept
    assert clocks.refresh_due([c.pk for c in cases], batch=3) == 3
    _matches_clocks(*cases)
    assert clocks.refresh_due_all() == 0
