"""Admin views of payment notices, payments and plans: read-only — money moves only through the signed callback
and the services, which record every change."""

from django.contrib import admin

from zhifa.core.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyMixin

from .models import CollectionAccount, Instalment, Payment, PaymentNotice, PaymentPlan


@admin.register(CollectionAccount)
class CollectionAccountAdmin(AuditedAdmin):
    """Which merchant id pays which agency's notices (the keys are in PAYMENT_MERCHANT_KEYS, not here)."""

    list_display = ("organisation", "merchant_id", "name", "active")
    search_fields = ("merchant_id", "name", "organisation__name")


class PaymentInline(ReadOnlyMixin, admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnlyAdmin):
    list_display = ["code", "party_name", "amount", "due_on", "status", "paid_on", "overdue_on", "reminded_on"]
    list_filter = ["status"]
    search_fields = ["code", "party_name", "decision_number"]
    inlines = [PaymentInline]


class InstalmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Instalment
    extra = 0


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyAdmin):
    list_display = ["notice", "kind", "status", "applied_on", "decided_on", "document_number"]
    list_filter = ["kind", "status"]
    inlines = [InstalmentInline]
