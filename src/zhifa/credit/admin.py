"""Admin for the credit rules (law as data) and read access to the ledgers."""

from django.contrib import admin

from .models import CreditEvent, CreditRuleSet, GradePolicy, RepairPeriod, RepairRegime


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
