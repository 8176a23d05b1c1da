"""Reads of the publication register: public (no login, only what is published) and scoped (officers)."""

from django.db.models import Q, QuerySet

from zhifa.core.models import Organisation
from zhifa.core.selectors import enforcing_officers, scope

from .models import Publication


def public_publications(*, search: str = "", kind: str = "", year: int | None = None) -> QuerySet:
    """Only published rows; only de-identified fields are ever rendered from them."""
    qs = Publication.objects.filter(status=Publication.Status.PUBLISHED).select_related("organisation")
    if search:
        qs = qs.filter(Q(title__contains=search) | Q(decision_number__contains=search) | Q(party_display__contains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(decided_on__year=year)
    return qs.order_by("-decided_on", "-pk")


def publications_for(user, *, status: str = "", late: bool = False, search: str = "") -> QuerySet:
    qs = scope(Publication.objects.select_related("organisation"), user)
    if status:
        qs = qs.filter(status=status)
    if late:
        qs = qs.filter(Q(is_late=True) | Q(withdraw_late=True))
    if search:
        qs = qs.filter(Q(title__contains=search) | Q(decision_number__contains=search))
    return qs


def enforcement_bodies_with_officers(on=None) -> list[dict]:
    """事前公开: each enforcement body and its officers holding a valid certificate today (name, number)."""
    bodies = []
    for org in Organisation.objects.filter(is_enforcement_body=True).exclude(kind__in=[Organisation.Kind.SQUAD, Organisation.Kind.STATION]):
        officers = enforcing_officers(org, on).filter(organisation__in=_own_units(org)).order_by("name").values("name", "cert_number", "organisation__name")
        bodies.append({"org": org, "officers": list(officers)})
    return [b for b in bodies if b["officers"] or b["org"].kind != Organisation.Kind.PROVINCE]


def _own_units(org: Organisation) -> QuerySet:
    """The body itself and its squads/stations (officers of subordinate bodies are listed under those)."""
    return Organisation.objects.filter(Q(pk=org.pk) | Q(parent=org, kind__in=[Organisation.Kind.SQUAD, Organisation.Kind.STATION])
                                       | Q(parent__parent=org, kind__in=[Organisation.Kind.SQUAD, Organisation.Kind.STATION]))
