"""Reads of the inbox: a user sees their own notifications only."""

from zhifa.core.db import NUMBER_PLACEHOLDER, Compiled

from .models import Notification


def inbox_for(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return _UNREAD.count(user.pk)


# The count next to 消息 in the header of every signed-in page: its SQL compiled once (core.db); the ORM's
# compilation of the count cost ~15 times the query itself (0.3 ms a page on SQLite, 2026-12-06).
_UNREAD = Compiled(lambda user_id: Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
                   .order_by().values_list("pk"), placeholder=NUMBER_PLACEHOLDER)
