"""Reads of the overload app, with the user's jurisdiction applied (another jurisdiction's row is a 404)."""

from django.db.models import Count, QuerySet

from zhifa.core.selectors import get_scoped, scope

from .models import FourPenaltyTrigger, IngestBatch, Station, Violation


def stations_for(user) -> QuerySet:
    return scope(Station.objects.select_related("organisation").prefetch_related("devices", "lanes"), user)


def violations_for(user, *, status: str = "", plate: str = "") -> QuerySet:
    qs = scope(Violation.objects.select_related("station", "vehicle__owner", "organisation"), user)
    if status:
        qs = qs.filter(status=status)
    if plate:
        qs = qs.filter(plate__contains=plate.strip().upper())
    return qs


def violation_get(user, pk: int) -> Violation:
    return get_scoped(Violation.objects.select_related("station", "device", "vehicle__owner", "vehicle__company", "organisation",
                                                      "tolerance_policy", "driver", "source_unit"), user, pk=pk)


def triggers_for(user) -> QuerySet:
    return scope(FourPenaltyTrigger.objects.select_related("party", "vehicle", "driver", "company", "source_unit", "organisation"), user)


def batches_for(user) -> QuerySet:
    """Ingest batches: file imports are visible to the whole bureau; station pushes within the jurisdiction."""
    qs = IngestBatch.objects.select_related("station__organisation")
    if user.is_superuser and user.organisation_id is None:
        return qs
    path = user.organisation.path if user.organisation_id else "\0"
    return qs.filter(station__isnull=True) | qs.filter(station__organisation__path__startswith=path)


def four_penalty_trigger_counts(party_ids, *, since, until) -> dict[int, int]:
    """一超四罚 triggers against each of the parties in [since, until], in one query (the credit grade counts
    them; registered with credit). A party without any is left out."""
    rows = (FourPenaltyTrigger.objects
            .filter(party_id__in=list(party_ids), triggered_on__gte=since, triggered_on__lte=until)
            .values("party_id").annotate(n=Count("id")).order_by())
    return {r["party_id"]: r["n"] for r in rows}
