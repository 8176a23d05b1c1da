"""Reads of the training registers, scoped to the user's jurisdiction, and the per-officer yearly hours against the
requirement."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from zhifa.core.kit import search_filter
from zhifa.core.models import Officer
from zhifa.core.selectors import scope

from .models import (
    Attendance,
    CertificateReview,
    Equipment,
    Exam,
    HoursRequirement,
    SocialSupervisor,
    SupervisorFeedback,
    TrainingEvent,
)


def events_for(user, *, search: str = "") -> QuerySet:
    qs = scope(TrainingEvent.objects.select_related("organisation").annotate(n_attendances=Count("attendances")).order_by("-start_on", "-pk"), user)
    return search_filter(qs, search.strip(), ["title", "teacher", "place"])


def exams_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Exam.objects.select_related("organisation").annotate(n_scores=Count("scores")).order_by("-held_on", "-pk"), user)
    return search_filter(qs, search.strip(), ["title"])


def reviews_for(user, *, search: str = "") -> QuerySet:
    qs = scope(CertificateReview.objects.select_related("officer__organisation"), user, "officer__organisation")
    return search_filter(qs, search.strip(), ["officer__name", "officer__cert_number"])


def equipment_for(user, *, search: str = "") -> QuerySet:
    qs = scope(Equipment.objects.select_related("organisation").prefetch_related("assignments__officer"), user)
    return search_filter(qs, search.strip(), ["asset_number", "model_name", "serial", "assignments__officer__name"]).distinct()


def supervisors_for(user, *, search: str = "") -> QuerySet:
    qs = scope(SocialSupervisor.objects.select_related("organisation").annotate(n_feedback=Count("feedback")).order_by("organisation__path", "name"), user)
    return search_filter(qs, search.strip(), ["name", "employer", "phone"])


def feedback_for(user, *, search: str = "") -> QuerySet:
    qs = scope(SupervisorFeedback.objects.select_related("organisation", "supervisor"), user)
    return search_filter(qs, search.strip(), ["supervisor__name", "content", "response"])


def requirement_for(year: int) -> HoursRequirement | None:
    return HoursRequirement.objects.filter(effective_from__lte=date(year, 1, 1)).order_by("-effective_from").first() or \
        HoursRequirement.objects.filter(effective_from__lte=date(year, 12, 31)).order_by("-effective_from").first()


def hours_by_officer(officers: QuerySet, year: int, *, until: date | None = None) -> dict[int, Decimal]:
    """Business and law training hours credited to each officer in ``year`` (events starting in that year; with
    ``until``, only those started by that day — what an annual review on that day can see)."""
    qs = Attendance.objects.filter(officer__in=officers, event__start_on__year=year, event__category__in=TrainingEvent.COUNTED)
    if until is not None:
        qs = qs.filter(event__start_on__lte=until)
    rows = qs.values("officer_id").annotate(h=Sum("hours"))
    return {r["officer_id"]: r["h"] or Decimal(0) for r in rows}


@dataclass(frozen=True)
class OfficerHours:
    """One officer's counted hours in a year against the requirement."""

    officer: Officer
    hours: Decimal
    required: Decimal

    @property
    def short_by(self) -> Decimal:
        return max(self.required - self.hours, Decimal(0))

    @property
    def is_short(self) -> bool:
        return self.hours < self.required


def officer_hours(user, year: int, *, search: str = "") -> tuple[list[OfficerHours], HoursRequirement | None]:
    """Every active officer in the user's jurisdiction with their hours in ``year`` and the requirement."""
    requirement = requirement_for(year)
    required = requirement.min_hours if requirement else Decimal(0)
    officers = scope(Officer.objects.filter(is_active=True).select_related("organisation"), user)
    if search:
        officers = officers.filter(Q(name__contains=search) | Q(cert_number__contains=search))
    hours = hours_by_officer(officers, year)
    return [OfficerHours(o, hours.get(o.pk, Decimal(0)), required) for o in officers], requirement


def officers_short_of_hours(user, year: int) -> list[OfficerHours]:
    rows, _ = officer_hours(user, year)
    return sorted((r for r in rows if r.is_short), key=lambda r: r.hours)


def reviews_due(user, *, today: date | None = None) -> QuerySet:
    """Active officers whose last annual review is more than a year ago (or never recorded)."""
    today = today or timezone.localdate()
    officers = scope(Officer.objects.filter(is_active=True), user)
    return officers.filter(Q(annual_review_on__isnull=True) | Q(annual_review_on__lt=today - timedelta(days=365)))
