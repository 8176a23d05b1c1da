"""Admin views of issued documents and counters: read-only — documents are issued, never edited, and numbers
are taken only by the numbering service."""

from django.contrib import admin

from .models import Document, DocumentCounter


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "subject_label", "organisation", "issued_at", "pages"]
    list_filter = ["kind"]
    search_fields = ["number", "subject_label"]


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "series", "last"]
