"""Admin for the overload app's law-as-data and registers (policies are versioned rows: add a new version with
its effective date rather than editing the one in force)."""

from django.contrib import admin

from .models import (
    Device,
    DimensionLimit,
    Exemption,
    FourPenaltyPolicy,
    IngestBatch,
    Lane,
    LeniencyRule,
    ScreeningPolicy,
    Station,
    TolerancePolicy,
    Violation,
)


class LaneInline(admin.TabularInline):
    model = Lane
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organisation", "road", "stake", "location_published_on", "is_active")
    search_fields = ("code", "name")
    inlines = [LaneInline]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("code", "station", "accuracy_class", "calibration_certificate", "calibration_valid_until", "review_passed_on")
    list_filter = ("accuracy_class",)
    search_fields = ("code", "calibration_certificate")


@admin.register(TolerancePolicy)
class TolerancePolicyAdmin(admin.ModelAdmin):
    list_display = ("accuracy_class", "percent", "effective_from", "citation")


@admin.register(DimensionLimit)
class DimensionLimitAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "max_height_mm", "max_width_mm", "max_length_mm", "citation")


@admin.register(ScreeningPolicy)
class ScreeningPolicyAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "min_speed_kmh", "max_speed_kmh", "merge_window_hours", "citation")


@admin.register(LeniencyRule)
class LeniencyRuleAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "min_excess_kg", "max_excess_kg", "reduction_percent", "citation")


@admin.register(FourPenaltyPolicy)
class FourPenaltyPolicyAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "window_months", "vehicle_max", "driver_max", "company_share_percent", "source_min", "citation")


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ("permit_number", "plate", "plate_colour", "valid_from", "valid_until", "max_gross_kg")
    search_fields = ("permit_number", "plate")
    filter_horizontal = ("stations",)


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    list_display = ("pk", "source", "name", "status", "read", "accepted", "rejected", "duplicates", "violations_new", "started_at")
    readonly_fields = [f.name for f in IngestBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ("plate", "first_passed_at", "station", "excess_kg", "pass_count", "status")
    list_filter = ("status",)
    search_fields = ("plate",)
    readonly_fields = [f.name for f in Violation._meta.fields]

    def has_add_permission(self, request):
        return False
