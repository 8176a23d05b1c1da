"""Admin for the credit rules (law as data) and read access to the ledgers."""

from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin

from .models import (
    CreditEvent,
    CreditRuleSet,
    DishonestyCategory,
    DishonestyEntry,
    DishonestyStep,
    GradePolicy,
    RepairPeriod,
    RepairRegime,
)


class GradePolicyInline(admin.TabularInline):
    model = GradePolicy
    extra = 0


@admin.register(CreditRuleSet)
class CreditRuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "effective_from", "local_penalty_rule", "local_penalty_count")
    inlines = [GradePolicyInline]


class RepairPeriodInline(admin.TabularInline):
    model = RepairPeriod
    extra = 0


@admin.register(RepairRegime)
class RepairRegimeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "effective_from")
    inlines = [RepairPeriodInline]


@admin.register(CreditEvent)
class CreditEventAdmin(admin.ModelAdmin):
    list_display = ("party", "kind", "occurred_on", "bad_conduct", "source_type", "source_id")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DishonestyCategory)
class DishonestyCategoryAdmin(admin.ModelAdmin):
    """The recognition standards and their periods are law as data: the administrator edits them."""

    list_display = ("code", "name", "statement_working_days", "term_months", "repair_after_months", "effective_from", "active")


class DishonestyStepInline(admin.TabularInline):
    model = DishonestyStep
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "acted_on", "actor", "note", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DishonestyEntry)
class DishonestyEntryAdmin(ReadOnlyAdmin):
    """Read only: every change of a listing goes through the procedure's services (notice, decision, exit)."""

    list_display = ("party", "category", "status", "proposed_on", "decision_number", "listed_on", "expires_on", "removed_on")
    list_filter = ("status", "category", "source")
    inlines = [DishonestyStepInline]

