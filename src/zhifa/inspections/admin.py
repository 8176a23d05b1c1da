"""Admin for the inspection list, risk points and the rules kept as data (weights, publication deadline)."""

from django.contrib import admin

from .models import ConflictDeclaration, InspectionItem, PublicationRule, RiskPoint, SamplingRule


@admin.register(InspectionItem)
class InspectionItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "subject_type", "is_key", "max_ratio_percent", "active")
    list_filter = ("subject_type", "is_key", "active")


@admin.register(RiskPoint)
class RiskPointAdmin(admin.ModelAdmin):
    list_display = ("title", "subject_type", "level", "item", "published")
    list_filter = ("subject_type", "level", "published")


@admin.register(SamplingRule)
class SamplingRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "threshold", "multiplier", "effective_from", "active")


@admin.register(PublicationRule)
class PublicationRuleAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "working_days", "confirmed")


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ("officer", "party", "relation", "declared_on")
    raw_id_fields = ("officer", "party")
