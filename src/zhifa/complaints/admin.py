"""Admin of the complaints app; saves and deletes are recorded like service changes (core AuditedAdmin)."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin

from .models import (
    Complaint,
    ComplaintStep,
    DeadlineRule,
    Mediation,
    MediationSession,
    MediationStep,
    Notice,
    RoutingRule,
    SoftMeasure,
)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedAdmin):
    list_display = ["channel", "effective_from", "days", "working_days", "instant_minutes", "confirmed", "citation"]
    list_filter = ["channel", "confirmed"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ["__str__", "organisation", "priority", "active"]
    list_filter = ["active", "channel", "category"]
    raw_id_fields = ["target_officer"]


class StepInline(admin.TabularInline):
    model = ComplaintStep
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "actor", "actor_name", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(AuditedAdmin):
    list_display = ["number", "channel", "received_at", "category", "organisation", "status", "due_on", "replied_on_time", "satisfaction"]
    list_filter = ["channel", "status", "category", "satisfaction"]
    search_fields = ["number", "external_id", "content", "firm_name", "plate"]
    raw_id_fields = ["firm", "vehicle", "assigned_officer", "created_by"]
    readonly_fields = ["status", "number"]
    inlines = [StepInline]


class SessionInline(admin.TabularInline):
    model = MediationSession
    extra = 0


class MediationStepInline(StepInline):
    model = MediationStep
    readonly_fields = ["at", "action", "actor", "from_status", "to_status", "note"]


@admin.register(Mediation)
class MediationAdmin(AuditedAdmin):
    list_display = ["number", "kind", "applicant", "respondent", "applied_on", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "applicant__name", "respondent__name"]
    raw_id_fields = ["applicant", "respondent", "mediator", "complaint"]
    readonly_fields = ["status"]
    inlines = [SessionInline, MediationStepInline]


@admin.register(SoftMeasure)
class SoftMeasureAdmin(AuditedAdmin):
    list_display = ["occurred_on", "kind", "party", "officer", "organisation"]
    list_filter = ["kind"]
    search_fields = ["party__name", "matter", "case_number"]
    raw_id_fields = ["party", "officer", "complaint"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "text", "read_at"]
    raw_id_fields = ["recipient", "complaint"]
