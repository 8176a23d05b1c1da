"""Dashboard card: overdue fines, reminders due, enforcement candidates."""

from django.db.models import Count, Q
from django.urls import reverse

from zhifa.core.roles import Role, has_role

from . import selectors


def widgets(request) -> list[dict]:
    user = request.user
    if not has_role(user, Role.OFFICER, Role.HEAD, Role.SUPERVISOR, Role.ADMIN):
        return []
    # Counted on the open-notice index (payments migration 0006); the card shows notice fields only (no case joined).
    scoped = selectors.notices_for(user).select_related(None)
    open_qs = scoped.filter(status__in=selectors.OPEN)
    overdue = open_qs.filter(overdue_on__isnull=False)
    # Open and overdue in one count (the open-notice index, payments migration 0006).
    counts = open_qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(overdue_on__isnull=False)))
    # On the scoped notices, not ``open_qs``: the open-status condition twice made the planner expect one row and
    # read every open notice of the database by the status index (39 ms instead of 1 for a brigade at a million).
    candidates = selectors.enforcement_candidates(scoped)
    items = [{"label": f"{n.party_name} {n.amount}元（期限 {n.due_on:%m-%d}）", "badge": "已催告" if n.reminded_on else "逾期",
              "badge_class": "red" if n.reminded_on else "amber", "url": reverse("payments:detail", args=[n.pk])}
             for n in overdue.order_by("due_on")[:6]]
    return [{
        "title": "罚款缴纳",
        "stat": f"{counts['open']} 待缴 / {counts['overdue']} 逾期 / {candidates.count()} 可申请强制执行",
        "items": items,
        "link": reverse("payments:list") + "?status=overdue",
    }]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
