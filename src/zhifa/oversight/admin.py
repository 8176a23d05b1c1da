"""Admin of internal oversight. Standards and items are data an administrator maintains; registers with a
workflow (problems, listings, powers) are read-only here so that every change goes through the services."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    CaseEvaluation,
    CaseRecord,
    EvaluationItem,
    EvaluationRound,
    EvaluationStandard,
    Power,
    PowerRevision,
    Problem,
    ProblemStep,
    RoundStep,
    SupervisionEntry,
    SupervisionListing,
)


class EvaluationItemInline(admin.TabularInline):
    model = EvaluationItem
    extra = 0


@admin.register(EvaluationStandard)
class EvaluationStandardAdmin(AuditedAdmin):
    list_display = ("name", "code", "version", "effective_from", "pass_score", "excellent_score", "is_active")
    inlines = [EvaluationItemInline]


@admin.register(CaseRecord)
class CaseRecordAdmin(AuditedAdmin):
    list_display = ("number", "title", "organisation", "closed_on", "involves_enterprise", "case_id")
    search_fields = ("number", "title", "party_name")
    list_filter = ("involves_enterprise",)
    filter_horizontal = ("handling_officers",)


class RoundStepInline(admin.TabularInline):
    model = RoundStep
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "note", "actor", "at")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "period_from", "period_to", "sample_size", "seed", "status")
    inlines = [RoundStepInline]


@admin.register(CaseEvaluation)
class CaseEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("record", "round", "score", "grade", "vetoed", "evaluator")
    list_filter = ("grade", "vetoed")


class ProblemStepInline(admin.TabularInline):
    model = ProblemStep
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "note", "actor", "at")


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "source", "category", "organisation", "owner", "deadline", "status")
    list_filter = ("status", "source", "category")
    search_fields = ("number", "title")
    inlines = [ProblemStepInline]


class SupervisionEntryInline(admin.TabularInline):
    model = SupervisionEntry
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "on", "note", "actor")


@admin.register(SupervisionListing)
class SupervisionListingAdmin(ReadOnlyAdmin):
    list_display = ("number", "problem", "reason", "listed_on", "due_on", "status")
    inlines = [SupervisionEntryInline]


class PowerRevisionInline(admin.TabularInline):
    model = PowerRevision
    extra = 0
    can_delete = False
    readonly_fields = ("version", "change", "reason", "authority", "changes", "actor", "at")


@admin.register(Power)
class PowerAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "organisation", "version", "is_active", "basis_verified")
    list_filter = ("kind", "is_active", "basis_verified")
    search_fields = ("code", "name", "legal_basis")
    inlines = [PowerRevisionInline]
