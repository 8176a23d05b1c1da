from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Attachment,
    Department,
    Material,
    Operation,
    OperationCase,
    OperationOfficer,
    OperationPartner,
    OperationStep,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)


class PartnerInline(ReadOnlyInline):
    model = OperationPartner


class OfficerInline(ReadOnlyInline):
    model = OperationOfficer


class CaseInline(ReadOnlyInline):
    model = OperationCase


class MaterialInline(ReadOnlyInline):
    model = Material


class AttachmentInline(ReadOnlyInline):
    model = Attachment


class StepInline(ReadOnlyInline):
    model = OperationStep


@admin.register(Operation)
class OperationAdmin(ReadOnlyAdmin):
    """Read-only: operations change through the services (audited), i.e. the pages under /campaigns/."""

    list_display = ("number", "kind", "title", "organisation", "starts_on", "ends_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("number", "title", "location")
    inlines = [PartnerInline, OfficerInline, CaseInline, MaterialInline, AttachmentInline, StepInline]

