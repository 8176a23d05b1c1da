"""Dashboard widgets of the complaints app: my open complaints with their deadlines, and this year's KPIs."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from zhifa.core.roles import Role, has_role

from . import selectors
from .models import Complaint


def widgets(request) -> list[dict]:
    user = request.user
    if not has_role(user, Role.OFFICER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR):
        return []
    today = timezone.localdate()
    open_qs = selectors.complaints_for(user).filter(status__in=[Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED, Complaint.Status.REOPENED])
    officer = getattr(user, "officer", None) if hasattr(user, "officer") else None
    # Heads and supervisors watch the whole jurisdiction; an officer sees what is assigned to them.
    watcher = has_role(user, Role.HEAD, Role.ADMIN, Role.SUPERVISOR) or officer is None
    mine = open_qs if watcher else open_qs.filter(assigned_officer=officer)
    items = []
    for c in mine.order_by("due_on")[:8]:
        overdue = c.due_on < today
        items.append({"label": f"{c.number} {c.get_category_display()}：{c.due_on:%m-%d} 前答复", "url": reverse("complaints:detail", args=["complaints", c.pk]),
                      "badge": "已超期" if overdue else ("今日到期" if c.due_on == today else ""), "badge_class": "red" if overdue else "amber"})
    from zhifa.notifications.selectors import inbox_for

    unread = inbox_for(user, unread_only=True).filter(subject_type="complaints.complaint").count()
    kpis = selectors.complaint_kpis(selectors.complaints_in_period(user, start=date(today.year, 1, 1), end=today), today=today)
    fmt = lambda v: "—" if v is None else f"{v}%"  # noqa: E731
    return [{
        "title": "投诉在办" if watcher else "投诉待办",
        "stat": f"{mine.count()} 件在办",
        "text": f"未读分派通知 {unread} 条。本年：即时答复率 {fmt(kpis.instant_rate)}，限时办结率 {fmt(kpis.on_time_rate)}，回访满意率 {fmt(kpis.satisfaction_rate)}（受理 {kpis.received} 件）。",
        "items": items,
        "link": reverse("complaints:analysis"),
    }]
