"""The unread count next to 消息 in the header of every signed-in page."""

from django.urls import reverse

from .selectors import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_url": reverse("notifications:inbox"), "inbox_unread": unread_count(user)}
