"""Reads of the inbox: a user sees their own notifications only."""

from .models import Notification


def inbox_for(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
