"""Reads of the inspections app, with the user's jurisdiction applied (another jurisdiction's object is a 404)."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404

from zhifa.core.selectors import get_scoped, scope

from .models import Draw, Inspection, InspectionItem, Lead, Plan, ProvincialWarning, RiskPoint


def _ancestor_paths(user) -> list[str]:
    """Materialised paths of the user's organisation and every node above it."""
    org = getattr(user, "organisation", None)
    if org is None:
        return []
    parts = [p for p in org.path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def plans_for(user, field: str = "organisation") -> QuerySet:
    """Plans within the user's jurisdiction, and plans of the bureau above it: a county's plan is carried out
    by the officers of its brigade and squads, who must see it."""
    qs = Plan.objects.select_related("organisation")
    scoped = scope(qs, user)
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return scoped
    return qs.filter(Q(pk__in=scoped.values("pk")) | Q(organisation__path__in=_ancestor_paths(user)))


def plan_get(user, pk: int) -> Plan:
    return get_object_or_404(plans_for(user), pk=pk)


def draw_get(user, pk: int) -> Draw:
    return get_object_or_404(Draw.objects.select_related("plan__organisation").filter(plan__in=plans_for(user)), pk=pk)


def inspections_for(user) -> QuerySet:
    """Inspections within the user's jurisdiction, and those the user was drawn for (a squad officer may be
    drawn for a firm registered with the brigade)."""
    qs = Inspection.objects.select_related("party", "plan")
    scoped = scope(qs, user)
    if not getattr(user, "is_authenticated", False):
        return scoped
    return qs.filter(Q(pk__in=scoped.values("pk")) | Q(inspectors__user=user)).distinct()


def inspection_get(user, pk: int) -> Inspection:
    return get_object_or_404(inspections_for(user).select_related("organisation"), pk=pk)


def items_for(user) -> QuerySet:
    return InspectionItem.objects.filter(active=True)


def warnings_for(user) -> QuerySet:
    return scope(ProvincialWarning.objects.select_related("party"), user)


def warning_get(user, pk: int) -> ProvincialWarning:
    return get_scoped(ProvincialWarning.objects.select_related("party", "organisation"), user, pk=pk)


def leads_for(user) -> QuerySet:
    return scope(Lead.objects.select_related("party"), user)


def published_plans() -> QuerySet:
    """Plans whose results are public (一公开)."""
    return Plan.objects.filter(status=Plan.Status.PUBLISHED).select_related("organisation")


def published_risk_points() -> QuerySet:
    return RiskPoint.objects.filter(published=True).select_related("item")


def warning_counts(user, year: int) -> dict:
    """Received and closed warnings by class and month of ``year``: received by the receiving date, closed by
    the closing date — so the figures tie out with the records (seed 000: 338 received, 338 closed)."""
    qs = warnings_for(user)
    table = {m: {c: {"received": 0, "closed": 0} for c in (1, 2, 3)} for m in range(1, 13)}
    for row in (qs.filter(received_on__year=year).annotate(m=ExtractMonth("received_on"))
                .values("m", "warning_class").annotate(n=Count("id"))):
        table[row["m"]][row["warning_class"]]["received"] = row["n"]
    for row in (qs.filter(closed_on__year=year).annotate(m=ExtractMonth("closed_on"))
                .values("m", "warning_class").annotate(n=Count("id"))):
        table[row["m"]][row["warning_class"]]["closed"] = row["n"]
    totals = {c: {k: sum(table[m][c][k] for m in table) for k in ("received", "closed")} for c in (1, 2, 3)}
    grand = {k: sum(totals[c][k] for c in totals) for k in ("received", "closed")}
    # All, closed and (their difference) open in one count.
    ever = qs.order_by().aggregate(received=Count("pk"), closed=Count("pk", filter=Q(status=ProvincialWarning.Status.CLOSED)))
    open_now = ever["received"] - ever["closed"]
    all_time = {"received": ever["received"], "closed": ever["closed"]}
    return {"year": year, "months": table, "totals": totals, "grand": grand, "open": open_now, "all_time": all_time}


def plan_statistics(user, year: int | None = None) -> dict:
    """双随机 figures: rounds, firms inspected, problems found, rectified (legal-reference §11)."""
    year = year or date.today().year
    plans = plans_for(user).filter(starts_on__year=year)
    insp = inspections_for(user).filter(plan__in=plans).exclude(status=Inspection.Status.CANCELLED)
    done = insp.exclude(status=Inspection.Status.ASSIGNED)
    return {
        "rounds": plans.exclude(status__in=[Plan.Status.DRAFT, Plan.Status.COMMITTED]).count(),
        "inspected": done.values("party").distinct().count(),
        "problems": done.exclude(finding=Inspection.Finding.PASS).count(),
        "rectified": done.filter(finding=Inspection.Finding.RECTIFY, status=Inspection.Status.CLOSED).count(),
    }
