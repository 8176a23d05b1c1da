"""Reads of the operations register, with the user's jurisdiction applied here and nowhere else."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from zhifa.core.models import Organisation
from zhifa.core.selectors import scope

from .models import Department, Material, Operation, OperationCase, OperationOfficer, OperationPartner
from .workflow import COUNTED


def operations_for(user, *, search: str = "", kind: str = "", status: str = "", unit: Organisation | None = None,
                   start: date | None = None, end: date | None = None, counts: bool = True) -> QuerySet:
    """Operations in the user's jurisdiction; ``unit`` narrows to a subtree, ``start``/``end`` to operations
    overlapping the period; ``counts`` adds the number of linked cases and officers."""
    qs = scope(Operation.objects.select_related("organisation", "lead_department"), user)
    if unit is not None:
        qs = qs.filter(organisation__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if start:
        qs = qs.filter(ends_on__gte=start)
    if end:
        qs = qs.filter(starts_on__lte=end)
    if search:
        qs = qs.filter(Q(title__contains=search) | Q(number__contains=search) | Q(location__contains=search))
    if not counts:
        return qs
    # An aggregate drops Meta.ordering, so the order is given again.
    return qs.annotate(n_cases=Count("case_links", distinct=True), n_officers=Count("officer_links", distinct=True)).order_by("-starts_on", "-pk")


def get_operation(user, pk: int) -> Operation:
    from zhifa.core.selectors import get_scoped

    return get_scoped(Operation.objects.select_related("organisation", "lead_department", "created_by"), user, pk=pk)


def _ancestor_codes(org: Organisation) -> list[str]:
    return org.path.strip("/").split("/")


def departments_for(user, *, search: str = "", active_only: bool = False) -> QuerySet:
    """The shared catalogue, the departments of the user's units above (a city's police detachment is a partner of
    its counties) and those registered within the user's jurisdiction."""
    qs = Department.objects.select_related("organisation")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if not (user.is_superuser and user.organisation_id is None):
        if user.organisation_id is None:
            return qs.filter(organisation__isnull=True)
        org = user.organisation
        qs = qs.filter(Q(organisation__isnull=True) | Q(organisation__code__in=_ancestor_codes(org)) | Q(organisation__path__startswith=org.path))
    if active_only:
        qs = qs.filter(active=True)
    if search:
        qs = qs.filter(name__contains=search)
    return qs


@dataclass
class Totals:
    """The year's figures of one jurisdiction, as on the dashboard card."""

    joint: int
    campaigns: int
    publicity: int
    departments: int
    officers: int
    cases: int
    materials: int


def totals(user, *, start: date, end: date, unit: Organisation | None = None) -> Totals:
    ops = operations_for(user, unit=unit, counts=False).filter(status__in=COUNTED, starts_on__gte=start, starts_on__lte=end)
    by_kind = dict(ops.order_by().values_list("kind").annotate(n=Count("pk")))
    pks = ops.values("pk")
    enforcement = ops.exclude(kind=Operation.Kind.PUBLICITY).values("pk")
    return Totals(
        joint=by_kind.get(Operation.Kind.JOINT, 0),
        campaigns=by_kind.get(Operation.Kind.CAMPAIGN, 0),
        publicity=by_kind.get(Operation.Kind.PUBLICITY, 0),
        departments=OperationPartner.objects.filter(operation__in=enforcement).values("department").distinct().count(),
        officers=OperationOfficer.objects.filter(operation__in=enforcement).count(),
        cases=OperationCase.objects.filter(operation__in=pks).count(),
        materials=Material.objects.filter(operation__in=pks, kind__in=Material.HANDED_OUT).aggregate(n=Sum("quantity"))["n"] or 0,
    )
