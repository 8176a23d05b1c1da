"""Admin of the measure kinds (data an administrator maintains, every change recorded) and a read-only view of
measures: their states change only through the services."""

from django.contrib import admin
from django.db import transaction

from zhifa.core import audit

from .models import Measure, MeasureBasis, SeizedItem


@admin.register(MeasureBasis)
class MeasureBasisAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "legal_basis", "period_days", "max_extension_days", "effective_from", "active", "confirmed")
    list_filter = ("kind", "active", "confirmed")

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(MeasureBasis.objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(actor=request.user, action="coercion.basis_" + ("update" if change else "create"), subject=obj,
                         before=before, after=audit.snapshot(obj), summary=f"{'修改' if change else '新增'}行政强制措施事项 {obj}")


class ItemInline(admin.TabularInline):
    model = SeizedItem
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "party", "case", "status", "starts_on", "organisation")
    list_filter = ("status", "kind", "emergency")
    search_fields = ("number", "party__name", "case__number", "decision_number")
    inlines = [ItemInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
