from django.contrib import admin

from .models import Delivery, Notification, Preference


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "address", "status", "attempts", "sent_at", "provider_ref", "note"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "title", "recipient", "party", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "key"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email", "sms"]
