"""Reads of coercive measures, with the user's jurisdiction applied in one place (``core.selectors.scope``)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhifa.core.selectors import get_scoped, scope

from . import periods
from .models import Measure, MeasureBasis
from .workflow import RUNNING


def measures_for(user, *, search: str = "", status: str = "", kind: str = "", case_id: int | None = None) -> QuerySet:
    qs = scope(Measure.objects.select_related("organisation", "party", "vehicle", "case", "basis"), user)
    if search:
        qs = qs.filter(Q(number__contains=search) | Q(party__name__contains=search) | Q(case__number__contains=search)
                       | Q(decision_number__contains=search) | Q(vehicle__plate__contains=search.upper()))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if case_id:
        qs = qs.filter(case_id=case_id)
    return qs


def measure_get(user, pk: int) -> Measure:
    return get_scoped(Measure.objects.select_related("organisation", "party", "vehicle", "case", "basis"), user, pk=pk)


def with_periods(measures, *, deadline: str = "") -> list[tuple[Measure, periods.Period]]:
    """Each measure with its current period; ``deadline`` keeps only red / amber ones."""
    today, now = timezone.localdate(), timezone.now()
    rows = [(m, periods.current(m, today=today, now=now)) for m in measures]
    return [r for r in rows if not deadline or r[1].state == deadline]


def at_risk(user) -> list[tuple[Measure, periods.Period]]:
    """Running measures whose period (or 24-hour report) is overdue or close, most urgent first."""
    qs = measures_for(user).filter(status__in=RUNNING).prefetch_related("pauses")
    rows = [r for r in with_periods(qs) if r[1].state in ("red", "amber")]
    return sorted(rows, key=lambda r: (r[1].state != "red", str(r[1].due)))


def bases_in_force() -> QuerySet:
    return MeasureBasis.objects.filter(active=True, effective_from__lte=timezone.localdate())
