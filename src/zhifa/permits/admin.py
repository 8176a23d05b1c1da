"""Admin for the permit items list (law as data); applications are read-only here (they change through
the services so that every step is in the full-process record)."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import PermitApplication, PermitItem


@admin.register(PermitItem)
class PermitItemAdmin(AuditedAdmin):
    list_display = ("code", "name", "category", "statutory_days", "committed_days", "power_code", "is_active")
    list_filter = ("is_active", "category")
    search_fields = ("code", "name")


@admin.register(PermitApplication)
class PermitApplicationAdmin(ReadOnlyAdmin):
    list_display = ("number", "item", "applicant", "status", "submitted_on", "committed_due", "decided_on")
    list_filter = ("status", "item")
    search_fields = ("number", "decision_number", "certificate_number")
    raw_id_fields = ("applicant",)

