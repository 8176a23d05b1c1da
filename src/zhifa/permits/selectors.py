"""Reads of the permit register, scoped to the user's jurisdiction."""

from django.db.models import Q, QuerySet

from zhifa.core.selectors import scope

from .models import PermitApplication, PermitItem


def applications_for(user, *, search: str = "", status: str = "") -> QuerySet:
    qs = scope(PermitApplication.objects.select_related("organisation", "item", "applicant"), user)
    if search:
        qs = qs.filter(Q(number__contains=search) | Q(applicant__name__contains=search) | Q(certificate_number__contains=search)
                       | Q(decision_number__contains=search))
    if status:
        qs = qs.filter(status=status)
    return qs


def items_active() -> QuerySet:
    return PermitItem.objects.filter(is_active=True)
