"""Reads of cases, always within the user's jurisdiction (core.selectors.scope): lists with filters, the at-risk
lists per user and per agency, and one case (404 outside the jurisdiction).

Lists are read a page at a time by keyset (newest first, ``before`` a case id): no COUNT and no OFFSET over a
register of a million cases (docs/performance.md)."""

from datetime import date, datetime, time, timedelta

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.db import MANY_LIMIT, NUMBER_PLACEHOLDER, Compiled
from zhifa.core.models import Officer, Party, Vehicle
from zhifa.core.selectors import jurisdiction_ids, organisations_for, scope_by_ids, within

from . import clocks, rules
from .models import (
    CLOCK_FIELDS,
    Case,
    CaseDocument,
    ClockSuspension,
    Correction,
    EvidenceItem,
    EvidencePreservation,
    Extension,
    LegalReview,
    ListApplication,
    PenaltyLine,
    StatusChange,
    Transcript,
)
from .workflow import OPEN_STATES

# The history rows a list's clocks read (the day a case ended without a decision, clocks._ended), not all of it.
ENDING_CHANGES = Prefetch("status_changes",
                          queryset=StatusChange.objects.filter(to_status__in=sorted(clocks.ENDED_STATES)))
# Party and vehicle matches of a search are resolved to ids first when there are at most this many: the case
# condition is then ``party_id IN (…)``, which joins the trigram conditions in one bitmap OR. More matches (a common
# surname) stay a subquery: the newest-first walk meets such cases at once.
SEARCH_ID_LIMIT = 500
# Case number, decision number and place are searched from three characters on: a trigram index cannot answer a
# shorter substring (it read every row of the register), and a two-character term is a surname-and-name (王伟) or a
# plate fragment, which the party and vehicle matches find. The list page says so (cases/list.html).
SEARCH_MIN_CASE_TERM = 3


def cases_for(user, *, search: str = "", status: str = "", procedure: str = "", mine: bool = False, open_only: bool = False,
              unit: int | None = None, registered_from: date | None = None, registered_to: date | None = None) -> QuerySet:
    """Cases in the user's jurisdiction; ``unit`` narrows to one organisation's subtree within it, the dates to the
    registration period (inclusive)."""
    qs = scope_by_ids(Case.objects.select_related("organisation", "party", "vehicle"), user)
    if search:
        # Party and vehicle matches as ids rather than joins: each term is then an indexed condition on the case row
        # (trigram indexes on PostgreSQL, migration 0003), combined by a bitmap OR.
        match = (Q(party__in=_ids_or_subquery(_containing(Party.objects.all(), "name", search)))
                 | Q(vehicle__in=_ids_or_subquery(_containing(Vehicle.objects.all(), "plate", search.upper()))))
        if len(search) >= SEARCH_MIN_CASE_TERM:
            match |= Q(number__contains=search) | Q(decision_number__contains=search) | Q(place__contains=search)
        qs = qs.filter(match)
    if status:
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if unit:
        units = organisations_for(user).filter(pk=unit).values_list("path", flat=True)[:1]
        qs = qs.filter(organisation__path__startswith=units[0]) if units else qs.none()
    # Day bounds as moments in the local time zone, so the condition is a range on the indexed column.
    if registered_from:
        qs = qs.filter(registered_at__gte=_start_of(registered_from))
    if registered_to:
        qs = qs.filter(registered_at__lt=_start_of(registered_to + timedelta(days=1)))
    if mine:
        # EXISTS instead of a join + DISTINCT: the ordered index walk stays usable.
        qs = qs.filter(Q(pk__in=Case.officers.through.objects.filter(officer__user=user).values("case_id")) | Q(registered_by=user))
    if open_only:
        qs = qs.filter(status__in=OPEN_STATES)
    if registered_from and registered_to:
        qs = _window_ids_first(qs)
    return qs


# A registration window with at most this many cases is read by its index first and the page taken from the ids.
WINDOW_ID_LIMIT = 5000


def _window_ids_first(qs: QuerySet) -> QuerySet:
    """A registration window's cases as an id list (read on the unit/registration-date index, unordered) when there
    are at most WINDOW_ID_LIMIT. Ordered newest first with a limit, the planner otherwise walked the whole register
    backwards from the newest case until it met the window: 0.45 s for a quarter four years back at a million cases
    (832,448 rows passed over). The same rows either way; a denser window keeps the walk, which meets it at once."""
    ids = list(qs.order_by().values_list("pk", flat=True)[: WINDOW_ID_LIMIT + 1])
    if len(ids) > WINDOW_ID_LIMIT:
        return qs
    # The ids carry every condition: the page is then read by the primary key alone (with the conditions repeated,
    # the planner expected a few rows and joined all of the window's before taking the page: 50–80 ms).
    return Case.objects.select_related("organisation", "party", "vehicle").filter(pk__in=ids)


def _containing(qs: QuerySet, field: str, term: str) -> QuerySet:
    """The rows of ``qs`` whose ``field`` contains ``term``. On PostgreSQL a two-character term is found through the
    bigram index of that column (cases migration 0021: a trigram index cannot answer it, and the search read every
    party and every vehicle), the substring condition kept beside it: the same rows."""
    qs = qs.filter(**{f"{field}__contains": term})
    if len(term) == 2 and connection.vendor == "postgresql":
        # zhifa_bigrams(<column>) @> ARRAY[<term>], the column as the query names it (an alias in a subquery).
        bigrams = models.Func(models.F(field), function="zhifa_bigrams", output_field=models.TextField())
        wanted = models.Func(models.Value(term), template="ARRAY[%(expressions)s]", output_field=models.TextField())
        qs = qs.filter(models.Func(bigrams, wanted, template="%(expressions)s", arg_joiner=" @> ",
                                   output_field=models.BooleanField()))
    return qs


def _ids_or_subquery(qs: QuerySet):
    """The ids of ``qs`` as a list when there are at most SEARCH_ID_LIMIT, else ``qs`` as a subquery. A subquery
    ORed with the case's own conditions is a hashed filter the planner cannot estimate, and it then walked the whole
    register newest first (0.5 s at a million cases for a plate that matched nothing); a list is one more indexed arm
    of a bitmap OR."""
    ids = list(qs.values_list("pk", flat=True)[: SEARCH_ID_LIMIT + 1])
    return ids if len(ids) <= SEARCH_ID_LIMIT else qs.values("pk")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# What a row of the case list reads (cases/_table.html and the clocks): a case has over a hundred columns, and
# compiling the query and building the instances of all of them for 25 rows, with the unit's row joined (the
# list does not show it), cost the page more CPU than its clocks (docs/performance.md, 2026-12-06 10:30).
TABLE_FIELDS = ("number", "occurred_at", "party__name", "vehicle__plate", *sorted(CLOCK_FIELDS))
# What a row of the at-risk list reads (cases/at_risk.html: no vehicle, no time of the offence).
AT_RISK_FIELDS = ("number", "party__name", *sorted(CLOCK_FIELDS))


def for_table(qs: QuerySet) -> QuerySet:
    """``qs`` (of :func:`cases_for`) reading only what the case list shows, with what its clocks read (the
    rows they read besides: :func:`with_clocks`)."""
    return qs.select_related(None).select_related("party", "vehicle").only(*TABLE_FIELDS)


TABLE_PAGE = 25  # rows of a page of the case list
# The case list's page without filters (the list as opened and its next pages: the load test's most read
# pages), read by a query compiled once per connection (core.db.Compiled; the cursor and the jurisdiction's
# units are its values): the query of ~30 columns of three tables was compiled anew at every page.
_TABLE_PAGE = Compiled(
    lambda values: for_table(Case.objects.filter(pk__lt=values[0], organisation_id__in=values[1:]))
    .order_by("-pk")[: TABLE_PAGE + 1], placeholder=NUMBER_PLACEHOLDER, many=True)
_NO_CURSOR = 2**63 - 1  # the first page: every key is below it


def table_page(user, *, before: int | None, mine: bool = False, **filters) -> tuple[list[Case], int | None]:
    """A page of the case list: :func:`page_before` of :func:`for_table` of :func:`cases_for` (``filters`` its
    keyword arguments), the same rows and cursor; without filters by the compiled query."""
    units = jurisdiction_ids(user)  # none for a user who sees every unit, or none
    if units and not mine and not any(filters.values()) and len(units) < MANY_LIMIT:
        rows = _TABLE_PAGE.all((_NO_CURSOR if before is None else min(before, _NO_CURSOR), *units))
        return rows[:TABLE_PAGE], (rows[TABLE_PAGE - 1].pk if len(rows) > TABLE_PAGE else None)
    return page_before(for_table(cases_for(user, mine=mine, **filters)), before=before, size=TABLE_PAGE)


def page_before(qs: QuerySet, *, before: int | None, size: int = 25) -> tuple[list[Case], int | None]:
    """One page of ``qs`` newest first (by id, which follows registration), strictly before the case ``before``;
    and the cursor of the next page (None on the last one). Two indexed reads at any depth, never a COUNT."""
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-pk")[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


# A case with its unit, party, vehicle and item: the look-up of every case page, act and API read, its SQL
# (four tables, ~150 columns) compiled once per connection (core.db.Compiled): compiled anew it cost more CPU
# than the query.
_CASE = Compiled(
    lambda pk: Case.objects.select_related("organisation", "party", "vehicle", "violation_item")
    .filter(pk=pk)[:1],
    placeholder=NUMBER_PLACEHOLDER)


def case_get(user, pk: int) -> Case:
    """The case if it lies in the user's jurisdiction (the test of ``core.selectors.scope``, applied by
    :func:`~zhifa.core.selectors.within` to the case's unit), else Http404 as for a case that does not
    exist."""
    pk = int(pk)
    # a key beyond 64 bits is no case (the ORM says so; given raw to SQLite it would overflow)
    case = _CASE.first(pk) if 0 < pk < 2**63 else None
    if case is None or not within(user, case.organisation):
        raise Http404("案件不存在")
    return case


def _by_case(build) -> Compiled:
    return Compiled(build, placeholder=NUMBER_PLACEHOLDER)


# The rows of each kind the case page reads of one case, by related name, each query compiled once per
# connection (core.db.Compiled): a dozen small queries whose compilation was about a third of the page's CPU
# (cProfile, docs/performance.md 2026-12-06 13:15). Each as the related manager orders it; the page's joins
# included.
CASE_ROWS = {
    "suspensions": _by_case(lambda pk: ClockSuspension.objects.filter(case_id=pk)),
    "extensions": _by_case(lambda pk: Extension.objects.filter(case_id=pk)),
    # in their own order: the model's default ("case" first) joined the case table again
    "penalty_lines": _by_case(lambda pk: PenaltyLine.objects.filter(case_id=pk).order_by("stage", "seq")),
    "documents": _by_case(lambda pk: CaseDocument.objects.filter(case_id=pk)),
    "status_changes": _by_case(lambda pk: StatusChange.objects.filter(case_id=pk).select_related("actor")),
    "officers": _by_case(lambda pk: Officer.objects.filter(cases=pk)),
    "transcripts": _by_case(lambda pk: Transcript.objects.filter(case_id=pk)),
    "evidence_items": _by_case(lambda pk: EvidenceItem.objects.filter(case_id=pk).select_related("file")),
    "legal_reviews": _by_case(
        lambda pk: LegalReview.objects.filter(case_id=pk).select_related("reviewer", "range_checked_by")),
    "corrections": _by_case(lambda pk: Correction.objects.filter(case_id=pk)),
    "preservations": _by_case(
        lambda pk: EvidencePreservation.objects.filter(case_id=pk).select_related("approved_by")),
}
_LIST_APPLICATION = _by_case(lambda pk: ListApplication.objects.filter(case_id=pk).order_by("pk")[:1])


def case_rows(case: Case, *names: str) -> Case:
    """Read the case's rows of each named relation (:data:`CASE_ROWS`) into the case, as
    ``prefetch_related_objects`` does: ``case.<name>.all()`` then answers without a query. A relation read
    already is left as it is."""
    cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in names:
        if name in cache:
            continue
        _read_into(case, name, CASE_ROWS[name].all(case.pk))
    return case


def _read_into(case: Case, name: str, rows: list) -> None:
    """``rows`` as the case's rows of the relation ``name``, as ``prefetch_related_objects`` leaves them."""
    relation = Case._meta.get_field(name)
    if relation.one_to_many:  # each row's case is this one, as the related manager's rows know it
        for row in rows:
            relation.field.set_cached_value(row, case)
    # the manager's own queryset (filtered, not run), so that a .filter() on it stays within the case
    queryset = getattr(case, name).get_queryset()
    queryset._result_cache, queryset._prefetch_done = rows, True
    case.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


# The handling officers of a page of cases (the at-risk list's 承办人): the case–officer links with each
# officer, in the officers' own order (Officer.Meta, as ``case.officers.all()`` gives them), by a query
# compiled once per connection. The ORM's prefetch, its query compiled at every page, was a sixth of the
# at-risk page's CPU in cProfile (zhifa_load, 2026-12-06).
_HANDLING_OFFICERS = Compiled(
    lambda ids: Case.officers.through.objects.filter(case_id__in=ids).select_related("officer")
    .order_by(*(f"officer__{name}" for name in Officer._meta.ordering)), placeholder=NUMBER_PLACEHOLDER,
    many=True)


def with_officers(cases) -> None:
    """The handling officers of ``cases`` read into them as ``prefetch_related_objects(cases, "officers")``
    does (``case.officers.all()`` then answers without a query); a case whose officers were read already is
    left as it is."""
    cases = [c for c in cases if "officers" not in c.__dict__.get("_prefetched_objects_cache", {})]
    ids, found = [c.pk for c in cases], {}
    for start in range(0, len(ids), MANY_LIMIT):
        for link in _HANDLING_OFFICERS.all(ids[start:start + MANY_LIMIT]):
            found.setdefault(link.case_id, []).append(link.officer)
    for case in cases:
        _read_into(case, "officers", found.get(case.pk, []))


def list_application(case: Case) -> ListApplication | None:
    """The case's list application (四张清单), or None."""
    return _LIST_APPLICATION.first(case.pk)


def with_clocks(cases, *, today: date | None = None) -> list[tuple[Case, list[clocks.Clock], str]]:
    """Each case with its clocks and worst state, on one calendar and one period-table snapshot, with the cases'
    suspensions and extensions read in one query each (no query per case; cheaper than ``prefetch_related``, whose
    per-case managers cost more than the clocks at a few thousand cases), and the history rows that say when a
    case ended without a decision (:data:`ENDING_CHANGES`).

    Only the cases whose decision clock runs (``clocks.has_decision_clock``) have such rows read, and the
    history only of those that ended without a decision: a page of leads or simplified cases reads none of the
    three (they were three queries compiled, and their rows built, on every page of the list)."""
    cases = list(cases)
    cal = legal_calendar.calendar()
    periods = rules.period_table()
    today = today or timezone.localdate()
    timed = [c for c in cases if clocks.has_decision_clock(c)]
    suspensions = rows_by_case(_SUSPENSIONS, timed)
    extensions = rows_by_case(_EXTENSIONS, timed)
    ended = [c for c in timed if not c.decided_on and c.status in clocks.ENDED_STATES]
    if ended:
        prefetch_related_objects(ended, ENDING_CHANGES)
    starts = clocks.payment_starts([c.pk for c in cases if clocks.has_payment_clock(c)])
    rows = []
    for case in cases:
        cs = clocks.clocks(case, cal=cal, today=today, periods=periods, payment_from=starts,
                           suspensions=suspensions.get(case.pk, ()), extensions=extensions.get(case.pk, ()))
        running = [c for c in cs if c.done_on is None and c.tracked]
        worst = next((s for s in ("red", "amber", "green") if any(c.state(today) == s for c in running)), "")
        rows.append((case, cs, worst))
    return rows


# The rows of a list's cases its clocks read (with_clocks), each query compiled once per connection and number
# of cases (core.db.Compiled, ``many``) instead of at every page of the list, at-risk and the dashboard.
_SUSPENSIONS = Compiled(lambda ids: ClockSuspension.objects.filter(case_id__in=ids),
                        placeholder=NUMBER_PLACEHOLDER, many=True)
_EXTENSIONS = Compiled(lambda ids: Extension.objects.filter(case_id__in=ids), placeholder=NUMBER_PLACEHOLDER,
                       many=True)


def rows_by_case(qs: QuerySet | Compiled, cases: list[Case], batch: int = 900) -> dict[int, list]:
    """Rows of ``qs`` (a model with a ``case`` foreign key; or a ``many`` Compiled query of such rows by case
    ids) for ``cases``, grouped by case id."""
    grouped: dict[int, list] = {}
    ids = [c.pk for c in cases]
    if isinstance(qs, Compiled):
        batch = min(batch, MANY_LIMIT)  # the most values a ``many`` query takes at once
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        for row in qs.all(chunk) if isinstance(qs, Compiled) else qs.filter(case_id__in=chunk):
            grouped.setdefault(row.case_id, []).append(row)
    return grouped


def at_risk_queryset(user, *, mine: bool = False, today: date | None = None) -> QuerySet:
    """Cases of the jurisdiction (or the officer's own, ``mine``) whose nearest running deadline
    (``Case.clock_due_on``, kept by ``clocks.refresh_due``; None once a case is no longer open) is past or within
    the amber window: the most overdue first (earliest deadline, then lowest id). An index read of the unit's few
    thousand such cases (``case_clock_due_idx``), no clock computed."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=rules.AMBER_DAYS)
    qs = cases_for(user).select_related(None).filter(clock_due_on__lte=horizon)
    if mine:
        # Checked per candidate (a few thousand, one index probe each) rather than reading the officer's 27,000
        # cases of six years first, as the list's ``mine`` does.
        officer_ids = list(Officer.objects.filter(user=user).values_list("pk", flat=True))
        through = Case.officers.through.objects.filter(case_id=OuterRef("pk"), officer_id__in=officer_ids)
        qs = qs.filter(Q(Exists(through)) | Q(registered_by=user))
    return qs.order_by("clock_due_on", "pk")


def at_risk_counts(user, *, mine: bool = False, today: date | None = None) -> tuple[int, int]:
    """(overdue, within the amber window) over the whole list, by one count on the index."""
    today = today or timezone.localdate()
    counts = at_risk_queryset(user, mine=mine, today=today).order_by().aggregate(
        red=Count("pk", filter=Q(clock_due_on__lt=today)), all=Count("pk"))
    return counts["red"], counts["all"] - counts["red"]


def at_risk_page(qs: QuerySet, *, offset: int, size: int,
                 related: tuple[str, ...] = ("party", "vehicle", "organisation"),
                 fields: tuple[str, ...] = ()) -> list[Case]:
    """Rows ``offset``…``offset + size`` of ``at_risk_queryset``: the ids first (read from the index alone, sorted in
    memory), then those rows only, joined to ``related`` (what the page shows: no query per relation after);
    ``fields``: only these columns (``AT_RISK_FIELDS``: what the page's rows and their clocks read), else
    all."""
    ids = list(qs.values_list("pk", flat=True)[offset:offset + size])
    compiled = _AT_RISK_ROWS.get((related, fields))
    if compiled is None:  # one per shape asked for (the page's, the dashboard card's, the export's)
        compiled = _AT_RISK_ROWS.setdefault((related, fields), Compiled(
            lambda values: _rows_by_ids(values, related, fields), placeholder=NUMBER_PLACEHOLDER, many=True))
    rows = {c.pk: c for start in range(0, len(ids), MANY_LIMIT)
            for c in compiled.all(ids[start:start + MANY_LIMIT])}
    return [rows[pk] for pk in ids if pk in rows]


# at_risk_page's read of its rows by their ids, compiled once per connection, shape and power of two of ids.
_AT_RISK_ROWS: dict[tuple, Compiled] = {}


def _rows_by_ids(ids, related: tuple[str, ...], fields: tuple[str, ...]) -> QuerySet:
    rows = Case.objects.filter(pk__in=ids).select_related(*related)
    return rows.only(*fields) if fields else rows


def at_risk(user, *, mine: bool = False, today: date | None = None, limit: int = 2000) -> list[tuple[Case, list[clocks.Clock], str]]:
    """Open cases with a red or amber clock: for one officer (``mine``) or the whole jurisdiction (agency), the most
    overdue first; at most ``limit`` of them, each with its clocks computed exactly.

    Only what the clocks read is loaded; the party and officers of the rows a page shows are read by the caller with
    :func:`with_display`."""
    today = today or timezone.localdate()
    return at_risk_rows(at_risk_page(at_risk_queryset(user, mine=mine, today=today), offset=0, size=limit), today=today)


def at_risk_rows(cases, *, today: date | None = None) -> list[tuple[Case, list[clocks.Clock], str]]:
    """The clocks of at-risk ``cases`` (a page of ``at_risk_queryset``, in its order: red before amber)."""
    today = today or timezone.localdate()
    return [r for r in with_clocks(cases, today=today) if r[2] in ("red", "amber")]


DISPLAY_RELATED = ("party", "vehicle", "organisation", "officers", "penalty_lines")


def with_display(cases, related: tuple[str, ...] = DISPLAY_RELATED) -> None:
    """Load what rows about to be shown read: by default the party, vehicle, unit, handling officers and penalty
    lines of ``cases`` (already loaded relations cost no query)."""
    prefetch_related_objects(list(cases), *related)


def evidence_item_get(user, case_pk: int, item_pk: int):
    """One evidence item with a stored file, of a case in the user's jurisdiction (Http404 otherwise)."""
    from django.shortcuts import get_object_or_404

    case = case_get(user, case_pk)
    return get_object_or_404(case.evidence_items.select_related("file"), pk=item_pk, file__isnull=False)
