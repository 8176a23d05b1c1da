"""Reads, with the user's jurisdiction applied in one place.

Every query of jurisdictional data goes through :func:`scope`, so no view or API can forget it: a user sees
their own organisation's subtree; an object outside it does not exist for them (404, not 403).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Driver, Officer, Organisation, Party, SourceUnit, TransportCompany, Vehicle
from .versions import Memo


def _jurisdiction(user) -> str | None:
    """The path of the user's jurisdiction: None for everything (a superuser without a unit), "" for nothing."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser and user.organisation_id is None:
        return None
    if user.organisation_id is None:
        return ""
    return user.organisation.path


def scope(qs: QuerySet, user, org_field: str = "organisation") -> QuerySet:
    """Restrict ``qs`` to rows whose ``org_field`` lies in the user's jurisdiction."""
    path = _jurisdiction(user)
    if path is None:
        return qs
    return qs.filter(**{f"{org_field}__path__startswith": path}) if path else qs.none()


def scope_by_ids(qs: QuerySet, user, org_field: str = "organisation") -> QuerySet:
    """:func:`scope` with the jurisdiction's organisations read first and given as ids (``org_field IN (…)``). For
    the large registers: a join on the organisation path left the planner guessing one unit where a city has forty,
    and it then repeated a case search once per unit (48 s instead of 20 ms at a million cases)."""
    path = _jurisdiction(user)
    if path is None:
        return qs
    if not path:
        return qs.none()
    return qs.filter(**{f"{org_field}_id__in": jurisdiction_ids(user)})


# The organisations of each jurisdiction (by path), kept by the process while no organisation changes
# (core.versions: a unit added, moved or removed applies from the next request on).
_subtrees = Memo("organisations", size=1000)


def jurisdiction_ids(user) -> tuple[int, ...]:
    """The ids of the organisations in the user's jurisdiction (a subtree: a unit and those below it), kept by
    the process (:data:`_subtrees`) and on the user instance for the request, as its roles are (a page's lists
    and cards each scope by them)."""
    path = _jurisdiction(user)
    cached = getattr(user, "_zhifa_jurisdiction", None)
    if cached is None or cached[0] != path:
        ids = _subtrees.get(path, lambda: tuple(
            Organisation.objects.filter(path__startswith=path).values_list("pk", flat=True))) if path else ()
        cached = (path, ids)
        user._zhifa_jurisdiction = cached
    return cached[1]


def within(user, organisation) -> bool:
    """Whether ``organisation`` lies in the user's jurisdiction (the test :func:`scope` applies to rows). For lookups
    by key (idempotency, origin, de-duplication): an object outside answers as if it did not exist."""
    path = _jurisdiction(user)
    if path is None:
        return True
    return bool(path) and organisation is not None and organisation.path.startswith(path)


def get_scoped(qs: QuerySet, user, org_field: str = "organisation", **lookup):
    """One object within the user's jurisdiction, or Http404."""
    return get_object_or_404(scope(qs, user, org_field), **lookup)


def organisations_for(user) -> QuerySet:
    qs = Organisation.objects.select_related("parent")  # lists show the parent: one join, not a query per row
    path = _jurisdiction(user)
    if path is None:
        return qs
    return qs.filter(path__startswith=path) if path else qs.none()


def officers_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Officer.objects.select_related("organisation", "user"), user)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(cert_number__contains=search))
    return qs


def parties_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Party.objects.select_related("organisation"), user)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(id_number=search.upper()) | Q(credit_code=search.upper()))
    return qs


def vehicles_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Vehicle.objects.select_related("organisation", "owner", "company"), user)
    if search:
        term = search.upper().replace("·", "").replace(" ", "")
        if len(term) > 2:
            term = term[:2] + "·" + term[2:]
        qs = qs.filter(Q(plate__contains=search.upper()) | Q(plate__contains=term) | Q(transport_cert_number=search))
    return qs


def drivers_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Driver.objects.select_related("organisation", "company"), user)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(id_number=search.upper()) | Q(qualification_number=search))
    return qs


def companies_for(user, *, search: str = "") -> QuerySet:
    qs = scope(TransportCompany.objects.select_related("organisation"), user)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(credit_code=search.upper()) | Q(licence_number=search))
    return qs


def source_units_for(user, *, search: str = "") -> QuerySet:
    qs = scope(SourceUnit.objects.select_related("organisation"), user)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(credit_code=search.upper()))
    return qs


def enforcing_officers(organisation: Organisation, on=None) -> QuerySet:
    """Officers of ``organisation``'s subtree whose certificate is valid on ``on`` (computed, never typed)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    return Officer.objects.filter(
        organisation__path__startswith=organisation.path,
        is_active=True,
        cert_status=Officer.CertStatus.VALID,
        cert_issued_on__lte=on,
        cert_expires_on__gte=on,
    )


def organisation_path(model, depth: int = 2) -> str:
    """The lookup path from ``model`` to the organisation whose jurisdiction it belongs to: ``organisation``, or
    through a parent (a legal review's case, an attendance's training event) — so the record of anything a user may
    see is open to them, and of nothing else."""
    names = {f.name for f in model._meta.fields}
    for name in ("organisation", "unit"):
        if name in names and model._meta.get_field(name).related_model is not None and \
                model._meta.get_field(name).related_model._meta.label_lower == "core.organisation":
            return name
    if depth:
        for f in model._meta.fields:
            if f.many_to_one and f.related_model is not None and f.related_model is not model and not f.null:
                inner = organisation_path(f.related_model, depth - 1)
                if inner:
                    return f"{f.name}__{inner}"
    return ""


def history_visible(user, obj) -> bool:
    """Whether ``user`` may open the full-process record of ``obj`` (the /history/ page answers 200, not 404)."""
    from .roles import Role, has_role

    path = organisation_path(type(obj))
    if path:
        return scope(type(obj)._default_manager.filter(pk=obj.pk), user, path).exists()
    return has_role(user, Role.ADMIN, Role.SUPERVISOR)
