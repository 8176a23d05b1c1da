"""Admin for the publication rules (law as data) and a read-only view of the register; edits are audited."""

import re

from django import forms
from django.contrib import admin

from zhifa.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import DeidentRule, ExportBatch, ExportItem, Publication, PublicationRule, SeverityRule


@admin.register(PublicationRule)
class PublicationRuleAdmin(AuditedAdmin):
    list_display = ("kind", "working_days", "public_days", "withdraw_working_days", "effective_from", "citation")
    list_filter = ("kind",)


class DeidentRuleForm(forms.ModelForm):
    class Meta:
        model = DeidentRule
        fields = ["name", "kind", "pattern", "replacement", "order", "is_active", "citation"]

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise forms.ValidationError(f"正则表达式无效：{exc}") from exc
        return pattern


@admin.register(DeidentRule)
class DeidentRuleAdmin(AuditedAdmin):
    form = DeidentRuleForm
    list_display = ("name", "kind", "pattern", "replacement", "order", "is_active")
    list_editable = ("order", "is_active")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    """Read-only: publications change only through the services (publish, review, withdraw)."""

    list_display = ("title", "kind", "status", "decided_on", "due_on", "published_on", "is_late", "withdraw_late")
    list_filter = ("kind", "status", "is_late")
    search_fields = ("title", "decision_number")


@admin.register(ExportBatch)
class ExportBatchAdmin(PublicationAdmin):
    list_display = ("pk", "layout", "file_format", "rows", "new", "changed", "withdrawn", "accepted", "rejected", "created_by", "created_at")
    list_filter = ("layout",)
    search_fields = ()


@admin.register(ExportItem)
class ExportItemAdmin(PublicationAdmin):
    list_display = ("publication", "layout", "action", "status", "batch", "sent_at", "answered_at")
    list_filter = ("layout", "status", "action")
    search_fields = ("publication__decision_number",)


@admin.register(SeverityRule)
class SeverityRuleAdmin(AuditedAdmin):
    list_display = ("category", "party_kind", "min_fine", "severity", "effective_from", "confirmed", "citation")
    list_filter = ("severity", "effective_from")
