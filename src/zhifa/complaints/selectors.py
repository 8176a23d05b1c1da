"""Reads of complaints, mediations and the soft-enforcement ledger, with the user's jurisdiction applied; the
KPIs (即时答复率, 限时办结率, 回访满意率) and the high-frequency analysis computed from the records."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from zhifa.core.kit import search_filter
from zhifa.core.selectors import scope

from .models import Complaint, DeadlineRule, Mediation, RoutingRule, SoftMeasure


def complaints_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Complaint.objects.select_related("organisation", "assigned_officer", "firm"), user)
    return search_filter(qs, search.strip(), ["number", "external_id", "content", "firm_name", "plate", "place", "route", "complainant_name"])


def mediations_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Mediation.objects.select_related("organisation", "applicant", "respondent", "mediator"), user)
    return search_filter(qs, search.strip(), ["number", "applicant__name", "respondent__name", "claim"])


def soft_measures_for(user, *, search: str = "") -> QuerySet:
    qs = scope(SoftMeasure.objects.select_related("organisation", "party", "officer"), user)
    return search_filter(qs, search.strip(), ["party__name", "matter", "case_number", "officer__name"])


def routing_rules_for(user, *, search: str = "") -> QuerySet:
    qs = scope(RoutingRule.objects.select_related("organisation", "target_unit", "target_officer"), user)
    return search_filter(qs, search.strip(), ["keyword", "target_unit__name", "target_officer__name"])


def deadline_rules_for(user, *, search: str = "") -> QuerySet:
    qs = DeadlineRule.objects.all() if getattr(user, "is_authenticated", False) else DeadlineRule.objects.none()
    return search_filter(qs, search.strip(), ["citation"])


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ComplaintKpis:
    """The three hotline KPIs with their numerators and denominators, so every figure can be traced."""

    received: int
    instant: int
    instant_rate: Decimal | None  # 即时答复率 = instant replies / complaints received
    due: int
    on_time: int
    on_time_rate: Decimal | None  # 限时办结率 = answered by the due date / (answered + overdue unanswered)
    visited: int
    satisfied: int
    satisfaction_rate: Decimal | None  # 回访满意率 = satisfied or basically satisfied / reached on return call
    replied: int
    open_overdue: int

    @property
    def replied_rate(self) -> Decimal | None:
        return _rate(self.replied, self.received)


def complaint_kpis(qs: QuerySet, *, today: date | None = None) -> ComplaintKpis:
    """KPIs over the complaints in ``qs`` (already scoped and filtered to the period)."""
    today = today or timezone.localdate()
    S = Complaint.Satisfaction
    row = qs.aggregate(
        received=Count("pk"),
        instant=Count("pk", filter=Q(instant_reply=True)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        answered_judged=Count("pk", filter=Q(replied_on_time__isnull=False)),
        on_time=Count("pk", filter=Q(replied_on_time=True)),
        open_overdue=Count("pk", filter=Q(replied_on_time__isnull=True, due_on__lt=today)),
        visited=Count("pk", filter=Q(satisfaction__in=[S.SATISFIED, S.BASIC, S.DISSATISFIED])),
        satisfied=Count("pk", filter=Q(satisfaction__in=[S.SATISFIED, S.BASIC])),
    )
    due = row["answered_judged"] + row["open_overdue"]
    return ComplaintKpis(
        received=row["received"], instant=row["instant"], instant_rate=_rate(row["instant"], row["received"]),
        due=due, on_time=row["on_time"], on_time_rate=_rate(row["on_time"], due),
        visited=row["visited"], satisfied=row["satisfied"], satisfaction_rate=_rate(row["satisfied"], row["visited"]),
        replied=row["replied"], open_overdue=row["open_overdue"],
    )


def complaints_in_period(user, *, start: date, end: date) -> QuerySet:
    """Complaints received from ``start`` to ``end`` inclusive (local dates)."""
    return scope(Complaint.objects.all(), user).filter(received_at__date__gte=start, received_at__date__lte=end)


def complaint_breakdown(qs: QuerySet, by: str, *, limit: int = 15) -> list[tuple[str, int]]:
    """High-frequency analysis: counts by ``category``, ``firm``, ``route``, ``channel`` or ``month``."""
    if by == "month":
        rows = qs.annotate(m=TruncMonth("received_at")).values("m").annotate(n=Count("pk")).order_by("m")
        return [(f"{r['m']:%Y-%m}", r["n"]) for r in rows if r["m"]]
    if by == "category":
        labels = dict(Complaint._meta.get_field("category").choices)
        rows = qs.values("category").annotate(n=Count("pk")).order_by("-n")[:limit]
        return [(labels.get(r["category"], r["category"]), r["n"]) for r in rows]
    if by == "channel":
        labels = dict(Complaint._meta.get_field("channel").choices)
        rows = qs.values("channel").annotate(n=Count("pk")).order_by("-n")[:limit]
        return [(labels.get(r["channel"], r["channel"]), r["n"]) for r in rows]
    if by == "firm":
        rows = qs.exclude(firm_name="").values("firm_name").annotate(n=Count("pk")).order_by("-n", "firm_name")[:limit]
        return [(r["firm_name"], r["n"]) for r in rows]
    if by == "route":
        rows = qs.exclude(route="").values("route").annotate(n=Count("pk")).order_by("-n", "route")[:limit]
        return [(r["route"], r["n"]) for r in rows]
    raise ValueError(by)


def complaint_counts_by_firm(since: date) -> dict[int, int]:
    """Complaints per firm's party id received on or after ``since`` (all jurisdictions), for the inspections
    app's sampling ratios (high-frequency complaints raise a firm's sampling ratio)."""
    rows = (Complaint.objects.filter(received_at__date__gte=since, firm__isnull=False)
            .values("firm__party_id").annotate(n=Count("pk")))
    return {r["firm__party_id"]: r["n"] for r in rows}


def soft_measure_counts(qs: QuerySet, *, start: date, end: date) -> dict[str, int]:
    """Counts per kind of soft-enforcement measure in a period (the figures reported: 说服教育 142 …)."""
    rows = qs.filter(occurred_on__gte=start, occurred_on__lte=end).values("kind").annotate(n=Count("pk"))
    counts = {k: 0 for k in SoftMeasure.Kind.values}
    counts.update({r["kind"]: r["n"] for r in rows})
    return counts


def mediation_counts(qs: QuerySet, *, start: date, end: date) -> dict[str, int]:
    rows = qs.filter(applied_on__gte=start, applied_on__lte=end).values("status").annotate(n=Count("pk"))
    counts = {k: 0 for k in Mediation.Status.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts
