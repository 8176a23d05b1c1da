"""Admin view of cases: read-only. Every change of a case goes through the services (transition table, rules,
full-process record), so the admin neither adds, edits nor deletes."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Case, ClockFlag, EvidenceItem, LegalReview, ProcedurePeriod, StatusChange, Transcript


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "party", "procedure", "status", "organisation", "decided_on", "fine_amount")
    list_filter = ("procedure", "status", "organisation")
    search_fields = ("number", "party__name", "decision_number")
    inlines = [StatusChangeInline]


admin.site.register(LegalReview, ReadOnlyAdmin)
admin.site.register(Transcript, ReadOnlyAdmin)
admin.site.register(EvidenceItem, ReadOnlyAdmin)
admin.site.register(ClockFlag, ReadOnlyAdmin)


@admin.register(ProcedurePeriod)
class ProcedurePeriodAdmin(AuditedAdmin):
    """Unconfirmed or provincial procedural periods, versioned by effective date (changes are recorded)."""

    list_display = ["key", "value", "effective_from", "confirmed", "citation"]
    list_filter = ["key", "confirmed"]
