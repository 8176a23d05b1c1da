"""The unread count next to 消息 in the header of every signed-in page."""

from functools import cache

from django.urls import reverse

from .selectors import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted when a template shows it (a template calls a callable value), once per response: a fragment
    # loaded into a page (an act's form, the papers block polled while one is being made) has no header
    # and does not count.
    return {"inbox_url": reverse("notifications:inbox"), "inbox_unread": cache(lambda: unread_count(user))}
