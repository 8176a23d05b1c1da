"""One publication pipeline: a decision is published once, in the portal's register (``portal.Publication``), and
every other channel follows that row — the credit app's publication list (行政处罚信息公示, penalties only) and the
双公示 export (``credit_export``, which sends what changed). A revocation, an expiry or a credit repair changes the
portal row, and the change reaches the other channels from it.

``inconsistencies`` recomputes the invariant "published everywhere or nowhere" from the raw rows; the consistency
check (``zhifa check figures``) prints what it yields."""

from collections.abc import Iterator
from datetime import date, timedelta
from types import SimpleNamespace

from django.apps import apps
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from zhifa.core import legal_calendar

from . import sources
from .models import Publication, PublicationRule

P = Publication.Status
# The credit publication's state that follows each portal state (the portal row leads).
CREDIT_STATE = {P.PUBLISHED: "published", P.WITHDRAWN: "revoked", P.EXPIRED: "expired", P.REPAIRED: "withdrawn"}


def _model(label: str):
    try:
        model = apps.get_model(label)
    except LookupError:
        return None
    return model if model._meta.db_table in connection.introspection.table_names() else None


# --- severity and publication period (credit rules as data) ------------------------------------------------

def publicity_period(decided_on: date, severity: str, *, special_field: bool = False) -> tuple[date, bool, str]:
    """(公示截止期, published to the credit channels?, citation) from the credit-repair regime in force on the decision
    day and its period for the severity: 2023 NDRC Order 58 (3 months–3 years), the 2026 《信用修复管理办法》 (minor:
    in principle not published, ≤ 3 months; general ≤ 1 year; serious 1–3 years). Months count by the calendar
    (three years from 2026-03-31 end on 2029-03-31, not after 1,095 days)."""
    from zhifa.core.errors import DomainError
    from zhifa.credit import selectors as credit_selectors
    from zhifa.credit.models import RepairRegime
    from zhifa.credit.services import add_months

    try:
        regime = credit_selectors.regime_on(decided_on)
    except DomainError:
        # Before the 2023 measures: their periods (3 months–3 years) codified the practice already in place.
        regime = RepairRegime.objects.order_by("effective_from").first()
        if regime is None:
            raise
    period = credit_selectors.repair_period(regime, SimpleNamespace(severity=severity, special_field=special_field))
    return add_months(decided_on, period.max_months), period.published, f"{regime.name}：{period.note}"


# --- portal → credit publications --------------------------------------------------------------------------

def credit_sync(publication: Publication, *, record: sources.DecisionRecord | None = None) -> None:
    """Bring the credit app's publication of a penalty decision in line with the portal row: create it when the
    portal publishes (unless the credit rules keep the severity unpublished), follow a revocation, expiry or repair."""
    if publication.kind != PublicationRule.Kind.PENALTY:
        return
    CreditPublication = _model("credit.CreditPublication")
    if CreditPublication is None:
        return
    existing = CreditPublication.objects.filter(source_type=publication.subject_type, source_id=publication.subject_id).first()
    wanted = CREDIT_STATE.get(publication.status)
    if existing is None:
        if publication.status != P.PUBLISHED or not publication.credit_published:
            return
        record = record or sources.record_for(publication.subject_type, publication.subject_id)
        if record is None or record.party is None:
            return
        from zhifa.credit import services as credit_services

        credit_services.publication_create(
            actor=None, party=record.party, decision_number=publication.decision_number, decision_date=publication.decided_on,
            summary=(record.credit.get("违法行为类型") or publication.title)[:300], severity=publication.severity,
            penalty_performed=record.performed_on is not None, performed_on=record.performed_on,
            source_type=publication.subject_type, source_id=publication.subject_id)
        return
    if wanted and wanted != "published" and existing.status == "published":
        from zhifa.credit import services as credit_services

        # The credit app's own move (its workflow kernel table: step and record), taken by the system.
        with transaction.atomic():
            credit_services.publication_follow(
                publication=existing, status=wanted, withdrawn_on=publication.withdrawn_on,
                reason=f"随门户公开信息{publication.get_status_display()}：{publication.withdraw_reason}")


def credit_performed_sync() -> int:
    """Penalties paid (or executed) since their credit publication was made: mark the publication performed, which
    credit repair requires (《信用修复管理办法》). Returns how many were marked."""
    CreditPublication, Case = _model("credit.CreditPublication"), _model("cases.Case")
    if CreditPublication is None or Case is None:
        return 0
    from zhifa.credit import services as credit_services

    pending = CreditPublication.objects.filter(source_type=sources.CASE_TYPE, penalty_performed=False)
    ids = {str(pk): performed for pk, paid, executed in Case.objects.filter(
        pk__in=[int(i) for i in pending.values_list("source_id", flat=True) if i.isdigit()]).filter(
        executed_on__isnull=False).values_list("pk", "paid_on", "executed_on") for performed in [paid or executed]}
    n = 0
    for pub in pending.filter(source_id__in=list(ids)):
        credit_services.publication_mark_performed(actor=None, publication=pub, performed_on=ids[pub.source_id])
        n += 1
    return n


# --- the invariant ----------------------------------------------------------------------------------------
# Each part of "published everywhere or nowhere" is one query over the registers: ``inconsistent_sets`` returns
# (queryset of failing rows, how to describe a row); the consistency check lists the first rows and counts the rest,
# so it runs in the database at any size (a million cases) instead of walking every publication in Python.

def _publication_threshold(kind: str, today: date) -> date:
    """The latest decision day whose publication deadline (working days of the rule in force on that day) is already
    past today. Deadlines grow with the decision day, so every earlier decision is past its deadline too; the days
    near today are computed one by one on the legal calendar."""
    day, cal = today, legal_calendar.calendar()
    while day > today - timedelta(days=120):
        rule = PublicationRule.in_force(kind, day)
        if cal.add_working_days(day, rule.working_days).date < today:
            return day
        day -= timedelta(days=1)
    return day


def _unpublished_sets(today: date) -> list:
    """Decisions past their publication deadline with no row in the portal register."""
    out = []
    for subject_type, label in ((sources.CASE_TYPE, "行政处罚决定"), (sources.PERMIT_TYPE, "行政许可决定")):
        model = _model(subject_type)
        if model is None:
            continue
        kind = "penalty" if subject_type == sources.CASE_TYPE else "permit"
        # NOT EXISTS, not NOT IN: an anti-join the database hashes or walks on the index at any size, where a NOT IN
        # list of a million publications outgrows work_mem and is scanned once per decision.
        registered = Publication.objects.filter(subject_type=subject_type, subject_id=Cast(OuterRef("pk"), CharField()))
        if subject_type == sources.CASE_TYPE:
            qs = model.objects.filter(outcome="penalty", decided_on__isnull=False, revoked_on__isnull=True).exclude(decision_number="")
        else:
            qs = model.objects.filter(status="approved", decided_on__isnull=False)
        qs = qs.filter(decided_on__lte=_publication_threshold(kind, today)).exclude(Exists(registered)).order_by("pk")

        def describe(row, label=label, kind=kind):
            due = legal_calendar.add_working_days(row.decided_on, PublicationRule.in_force(kind, row.decided_on).working_days).date
            return f"{label} {row.decision_number}（{row.decided_on}）应于 {due} 前公开，门户登记簿中没有"

        out.append((qs, describe))
    return out


def _credit_sets() -> list:
    """Portal penalties against the credit app's publications (matched by the source record)."""
    CreditPublication = _model("credit.CreditPublication")
    if CreditPublication is None:
        return []
    from django.db.models import Q

    same = CreditPublication.objects.filter(source_type=OuterRef("subject_type"), source_id=OuterRef("subject_id"))
    penalties = (Publication.objects.filter(kind=PublicationRule.Kind.PENALTY).exclude(status=P.REVIEW)
                 .annotate(credit_any=Exists(same), credit_shown=Exists(same.filter(status="published"))))
    missing = penalties.filter(status=P.PUBLISHED, credit_published=True, credit_any=False).order_by("pk")
    differs = penalties.filter(Q(status=P.PUBLISHED, credit_any=True, credit_shown=False) | (~Q(status=P.PUBLISHED) & Q(credit_shown=True))
                               ).order_by("pk")

    def describe_differs(pub):
        c = CreditPublication.objects.filter(source_type=pub.subject_type, source_id=pub.subject_id).first()
        return f"行政处罚决定 {pub.decision_number} 门户为“{pub.get_status_display()}”，信用公示为“{c.get_status_display()}”"

    on_portal = Publication.objects.filter(kind=PublicationRule.Kind.PENALTY, subject_type=OuterRef("source_type"),
                                           subject_id=OuterRef("source_id")).exclude(status=P.REVIEW)
    orphans = CreditPublication.objects.filter(status="published").exclude(Exists(on_portal)).select_related("party").order_by("pk")
    return [(missing, lambda pub: f"行政处罚决定 {pub.decision_number} 已在门户公开，信用公示中没有"),
            (differs, describe_differs),
            (orphans, lambda c: f"信用公示 {c.decision_number}（{c.party}）不是门户公开的处罚决定（门户、双公示导出中都没有）")]


def inconsistent_sets(*, today: date) -> list:
    """Every part of the invariant as (failing rows, describe)."""
    from . import credit_export

    return [*_unpublished_sets(today), *_credit_sets(), *credit_export.inconsistent_sets(today=today)]


def inconsistencies(*, today: date) -> Iterator[str]:
    """Every failure of the invariant, described (all rows; the consistency check lists the first and counts the rest)."""
    for qs, describe in inconsistent_sets(today=today):
        for row in qs.iterator(chunk_size=2000):
            yield describe(row)
