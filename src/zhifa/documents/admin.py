"""Admin views of issued documents and counters: read-only — documents are issued, never edited, and numbers
are taken only by the numbering service."""

from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin

from .models import Document, NumberSeries


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "subject_label", "organisation", "issued_at", "pages"]
    list_filter = ["kind"]
    search_fields = ["number", "subject_label"]


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    """An agency's series words are data an administrator sets (the national defaults apply without a row)."""

    list_display = ["organisation", "kind", "series"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "series"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            from django import forms

            from .numbering import SERIES_KINDS

            return forms.ChoiceField(label="文书种类", choices=SERIES_KINDS)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
