"""Admin for the core registers. Changes made here go through the same audit record as services."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from . import audit, legal_calendar, services
from .errors import DomainError
from .models import (
    ApiToken,
    AuditHead,
    CalendarDay,
    CalendarYear,
    Driver,
    Event,
    EvidenceFile,
    NumberCounter,
    NumberFormat,
    Officer,
    Organisation,
    Party,
    SourceUnit,
    TransportCompany,
    User,
    Vehicle,
)


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin save and delete in the full-process record, in the same transaction."""

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(actor=request.user, action=f"{obj._meta.model_name}.admin_{'change' if change else 'add'}",
                         subject=obj, before=before, after=audit.snapshot(obj), summary=f"后台{'修改' if change else '新增'}{obj._meta.verbose_name} {obj}",
                         organisation=getattr(obj, "organisation", None))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", subject=obj,
                         before=audit.snapshot(obj), summary=f"后台删除{obj._meta.verbose_name} {obj}", organisation=getattr(obj, "organisation", None))
            super().delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "code", "parent", "doc_prefix"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "organisation", "is_active", "locked_until"]
    fieldsets = BaseUserAdmin.fieldsets + (("机构与安全", {"fields": ("full_name", "organisation", "phone", "failed_login_count", "locked_until")}),)
    search_fields = ["username", "full_name"]


@admin.register(Officer)
class OfficerAdmin(AuditedAdmin):
    list_display = ["name", "cert_number", "organisation", "cert_status", "cert_expires_on", "legal_qualification"]
    list_filter = ["cert_status", "legal_qualification", "organisation"]
    search_fields = ["name", "cert_number"]
    raw_id_fields = ["user"]


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "id_number", "credit_code", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number", "credit_code"]


@admin.register(Vehicle)
class VehicleAdmin(AuditedAdmin):
    list_display = ["plate", "plate_colour", "vehicle_type", "axle_count", "owner", "company"]
    list_filter = ["plate_colour", "axle_count"]
    search_fields = ["plate", "transport_cert_number"]
    raw_id_fields = ["owner", "company"]


@admin.register(Driver)
class DriverAdmin(AuditedAdmin):
    list_display = ["name", "qualification_number", "qualification_status", "company"]
    search_fields = ["name", "qualification_number", "id_number"]
    raw_id_fields = ["party", "company"]


@admin.register(TransportCompany)
class TransportCompanyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "credit_code", "licence_number", "licence_status"]
    list_filter = ["kind", "licence_status"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["party"]


@admin.register(SourceUnit)
class SourceUnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "credit_code", "is_key_unit"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["party"]


class CalendarAuditedAdmin(AuditedAdmin):
    """Calendar rows: a save or delete in the admin recomputes every open deadline on the new calendar and records
    each moved one (``services.calendar_changed``), in the same transaction as the edit and its own record."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = legal_calendar.Calendar()
            super().save_model(request, obj, form, change)
            services.calendar_changed(actor=request.user, before=before, reason=f"后台{'修改' if change else '新增'}{obj._meta.verbose_name} {obj}")

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = legal_calendar.Calendar()
            label = f"后台删除{obj._meta.verbose_name} {obj}"
            super().delete_model(request, obj)
            services.calendar_changed(actor=request.user, before=before, reason=label)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name", "note"]

    def clean(self):
        data = super().clean()
        if data.get("date"):
            try:
                services.assert_statutory_holiday_kept(data["date"], bool(data.get("is_working_day")))
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAuditedAdmin):
    """One day of the official arrangement; a whole year is best imported (``zhifa calendar import``)."""

    form = CalendarDayForm
    list_display = ["date", "is_working_day", "name", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAuditedAdmin):
    list_display = ["year", "confirmed", "source"]


class ReadOnlyMixin:
    """Shown, never added, changed or deleted through the admin: the record changes only through the services,
    which check the transition and write the full-process record. For model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A read-only model admin (see ``ReadOnlyMixin``)."""


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """A read-only tabular inline (history steps, items of a record)."""

    extra = 0
    can_delete = False


@admin.register(NumberCounter)
class NumberCounterAdmin(ReadOnlyAdmin):
    """The counts are the numbering service's; an administrator reads them, never sets them."""

    list_display = ["series", "organisation", "year", "part", "last"]
    list_filter = ["series", "year"]


@admin.register(NumberFormat)
class NumberFormatAdmin(AuditedAdmin):
    """The layout of a numbering series (编号格式) is an administrator's data; each change is recorded."""

    list_display = ["series", "template", "note"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the record is append-only."""

    list_display = ["seq", "occurred_at", "actor_name", "action", "subject_type", "subject_id", "summary"]
    list_filter = ["action"]
    search_fields = ["subject_id", "action", "actor_name"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "sha256", "size", "content_type", "created_at"]
    readonly_fields = [f.name for f in EvidenceFile._meta.fields]

    def has_add_permission(self, request):
        return False


admin.site.register(ApiToken)


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdmin):
    """Read-only: the head moves only with an appended event (an edited head would break every later append
    and hide a truncated tail). A page shows the committed head (the admin runs no transaction with events)."""

    list_display = ["seq", "hash"]
