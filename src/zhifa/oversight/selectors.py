"""Reads of internal oversight, with the user's jurisdiction applied in one place (core.selectors.scope)."""

from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhifa.core.selectors import scope
from zhifa.discretion.models import ViolationItem

from .models import CaseEvaluation, CaseRecord, EvaluationRound, Power, Problem, SupervisionListing


def case_records_for(user, *, search: str = "") -> QuerySet:
    qs = scope(CaseRecord.objects.select_related("organisation").prefetch_related("handling_officers"), user)
    if search:
        qs = qs.filter(Q(number__contains=search) | Q(title__contains=search) | Q(party_name__contains=search))
    return qs


def rounds_for(user, *, search: str = "") -> QuerySet:
    qs = scope(EvaluationRound.objects.select_related("organisation", "standard").annotate(
        drawn=Count("evaluations"), scored=Count("evaluations", filter=Q(evaluations__scored_at__isnull=False))), user).order_by("-period_to", "-pk")
    if search:
        qs = qs.filter(name__contains=search)
    return qs


def evaluations_for(user, *, search: str = "") -> QuerySet:
    qs = scope(CaseEvaluation.objects.select_related("round", "record", "organisation", "evaluator"), user)
    if search:
        qs = qs.filter(Q(record__number__contains=search) | Q(record__title__contains=search))
    return qs


def problems_for(user, *, search: str = "", status: str = "", source: str = "", overdue: bool = False, key: bool = False) -> QuerySet:
    qs = scope(Problem.objects.select_related("organisation", "owner", "listing"), user)
    if search:
        qs = qs.filter(Q(number__contains=search) | Q(title__contains=search) | Q(source_ref__contains=search))
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.filter(status__in=Problem.OPEN_STATUSES, deadline__lt=timezone.localdate())
    if key:
        qs = qs.filter(listing__isnull=False)
    return qs


def listings_for(user, *, search: str = "", status: str = "") -> QuerySet:
    qs = scope(SupervisionListing.objects.select_related("problem", "problem__organisation", "problem__owner", "listed_by"), user, "problem__organisation")
    if search:
        qs = qs.filter(Q(number__contains=search) | Q(problem__title__contains=search) | Q(problem__number__contains=search))
    if status:
        qs = qs.filter(status=status)
    return qs


def powers_for(user, *, search: str = "", kind: str = "", include_cancelled: bool = True) -> QuerySet:
    """Powers of the user's subtree and of the units above it (a brigade officer works under the county's list)."""
    qs = Power.objects.select_related("organisation")
    within = scope(qs, user)
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    if org is not None:
        parts = org.path.strip("/").split("/")
        ancestors = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts))]
        qs = qs.filter(Q(pk__in=within.values("pk")) | Q(organisation__path__in=ancestors))
    else:
        qs = within
    return _filter_powers(qs, search=search, kind=kind, include_cancelled=include_cancelled)


def public_powers(*, search: str = "", kind: str = "", organisation_id: int | None = None) -> QuerySet:
    """The published list: every active power, for anyone (no login)."""
    qs = Power.objects.select_related("organisation").filter(is_active=True)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return _filter_powers(qs, search=search, kind=kind, include_cancelled=False)


def _filter_powers(qs, *, search, kind, include_cancelled):
    if not include_cancelled:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(code__contains=search) | Q(legal_basis__contains=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def powers_for_violation(code: str) -> QuerySet:
    """Powers that a violation item (the discretion catalogue's code) is exercised under."""
    code = code.strip()
    if not code:
        return Power.objects.none()
    candidates = Power.objects.filter(is_active=True, violation_codes__contains=code)
    return candidates.filter(pk__in=[p.pk for p in candidates if code in p.violation_code_list()])


def rectification_table(evaluations: QuerySet) -> dict:
    """整改统计表: one row per problem found in the given evaluations, plus totals by category and status."""
    problems = (Problem.objects.filter(evaluation__in=evaluations).select_related("owner", "organisation", "deduction__item", "evaluation__record")
                .order_by("evaluation__record__number", "number"))
    rows = list(problems)
    by_category = Counter(p.deduction.item.get_category_display() if p.deduction_id else "其他" for p in rows)
    by_status = Counter(p.get_status_display() for p in rows)
    today = timezone.localdate()
    return {
        "rows": rows,
        "total": len(rows),
        "closed": sum(1 for p in rows if p.status == Problem.Status.CLOSED),
        "overdue": sum(1 for p in rows if p.is_overdue(today)),
        "by_category": sorted(by_category.items(), key=lambda kv: -kv[1]),
        "by_status": sorted(by_status.items()),
    }


def problem_stats(qs: QuerySet) -> dict:
    today = timezone.localdate()
    open_ = Q(status__in=Problem.OPEN_STATUSES)
    # One aggregate for the counts of the problems themselves (the dashboard card and the register's head).
    stats = qs.order_by().aggregate(
        total=Count("pk"), open=Count("pk", filter=open_),
        awaiting_recheck=Count("pk", filter=Q(status=Problem.Status.RECTIFIED)),
        closed=Count("pk", filter=Q(status=Problem.Status.CLOSED)),
        overdue=Count("pk", filter=open_ & Q(deadline__lt=today)))
    stats["key"] = qs.filter(listing__status=SupervisionListing.Status.ACTIVE).count()
    return stats


def violation_items_for(power: Power) -> list:
    """The violation catalogue items (``discretion.ViolationItem``) linked to a power by code."""
    codes = power.violation_code_list()
    if not codes:
        return []
    return list(ViolationItem.objects.filter(code__in=codes).order_by("code"))
