"""Dashboard card of the permit register: open applications past or near their committed limit."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import PermitApplication


def widgets(request) -> list[dict]:
    today = timezone.localdate()
    open_apps = selectors.applications_for(request.user, status=PermitApplication.Status.ACCEPTED)
    due = open_apps.filter(committed_due__lte=today + timedelta(days=3)).order_by("committed_due")
    if not due.exists():
        return []
    items = [{"label": f"{a.number} {a.item.name}", "url": reverse("permits:detail", args=[a.pk]),
              "badge": "已超承诺期限" if a.committed_due < today else f"{a.committed_due:%m-%d} 到期",
              "badge_class": "red" if a.committed_due < today else "amber"} for a in due[:8]]
    return [{"title": "许可办理期限", "stat": f"{due.filter(committed_due__lt=today).count()} 超期 / {due.count()} 临期",
             "items": items, "link": reverse("permits:list") + "?status=accepted"}]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
