"""Admin for the discretion data. Saves and deletes are recorded in the full-process record (the core's
``AuditedAdmin``); the pages under /discretion/ show each item's history. Values marked [unconfirmed] in the
legal reference (thresholds, rounding, lenient shares) are local settings: the help texts say so."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin

from .models import (
    BenchmarkEdition,
    BenchmarkLevel,
    ListEntry,
    OverloadRuleVersion,
    ReviewRule,
    ViolationItem,
)


@admin.register(ViolationItem)
class ViolationItemAdmin(AuditedAdmin):
    list_display = ["code", "name", "category", "penalty_basis", "statutory_min", "statutory_max", "provision_status", "active"]
    list_filter = ["category", "provision_status", "life_health_safety", "formula", "active"]
    search_fields = ["code", "name", "penalty_basis", "violated_provision"]


class LevelInline(admin.TabularInline):
    model = BenchmarkLevel
    extra = 0
    raw_id_fields = ["item"]


class ListEntryInline(admin.TabularInline):
    model = ListEntry
    extra = 0
    raw_id_fields = ["item"]


@admin.register(BenchmarkEdition)
class BenchmarkEditionAdmin(AuditedAdmin):
    list_display = ["code", "name", "region", "effective_from", "overload_rounding"]
    search_fields = ["code", "name", "region"]
    inlines = [LevelInline, ListEntryInline]


@admin.register(ListEntry)
class ListEntryAdmin(AuditedAdmin):
    list_display = ["kind", "item", "edition", "conditions"]
    list_filter = ["kind", "edition"]
    raw_id_fields = ["item"]


@admin.register(ReviewRule)
class ReviewRuleAdmin(AuditedAdmin):
    list_display = ["catalogue", "label", "party_kind", "threshold", "penalty_kind", "region", "effective_from", "confirmed"]
    list_filter = ["catalogue", "kind", "region", "confirmed"]


@admin.register(OverloadRuleVersion)
class OverloadRuleVersionAdmin(AuditedAdmin):
    list_display = ["code", "name", "effective_from", "cap_yuan"]
