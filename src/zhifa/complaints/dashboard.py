"""Dashboard widget of the complaints app: the open complaints with their deadlines (a watcher's whole jurisdiction,
an officer's own), and this year's KPIs.

The KPIs and a watcher's list are ``unit_figures``, kept per unit and roles (core.cards); an officer's own list and
unread notices are read for them."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from zhifa.core.roles import Role, has_role

from . import selectors
from .models import Complaint

OPEN = [Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED, Complaint.Status.REOPENED]
WATCHERS = (Role.HEAD, Role.ADMIN, Role.SUPERVISOR)


def _open(qs) -> dict:
    today = timezone.localdate()
    items = []
    for c in qs.order_by("due_on")[:8]:
        overdue = c.due_on < today
        items.append({"label": f"{c.number} {c.get_category_display()}：{c.due_on:%m-%d} 前答复", "url": reverse("complaints:detail", args=["complaints", c.pk]),
                      "badge": "已超期" if overdue else ("今日到期" if c.due_on == today else ""), "badge_class": "red" if overdue else "amber"})
    return {"count": qs.count(), "items": items}


def unit_figures(request) -> dict:
    user = request.user
    if not has_role(user, Role.OFFICER, *WATCHERS):
        return {}
    today = timezone.localdate()
    kpis = selectors.complaint_kpis(selectors.complaints_in_period(user, start=date(today.year, 1, 1), end=today), today=today)
    fmt = lambda v: "—" if v is None else f"{v}%"  # noqa: E731
    figures = {"kpis": f"本年：即时答复率 {fmt(kpis.instant_rate)}，限时办结率 {fmt(kpis.on_time_rate)}，回访满意率 {fmt(kpis.satisfaction_rate)}（受理 {kpis.received} 件）。"}
    if has_role(user, *WATCHERS):  # heads and supervisors watch the whole jurisdiction
        figures["watched"] = _open(selectors.complaints_for(user).filter(status__in=OPEN))
    return figures


def widgets(request, figures: dict | None = None) -> list[dict]:
    """The cards, from the jurisdiction figures kept for the unit (computed here when not given)."""
    if figures is None:
        figures = unit_figures(request)
    user = request.user
    if not figures:
        return []
    officer = getattr(user, "officer", None) if hasattr(user, "officer") else None
    # Heads and supervisors watch the whole jurisdiction; an officer sees what is assigned to them.
    watcher = "watched" in figures or officer is None
    if "watched" in figures:
        shown = figures["watched"]
    else:
        open_qs = selectors.complaints_for(user).filter(status__in=OPEN)
        shown = _open(open_qs if officer is None else open_qs.filter(assigned_officer=officer))
    from zhifa.notifications.selectors import inbox_for

    unread = inbox_for(user, unread_only=True).filter(subject_type="complaints.complaint").count()
    return [{
        "title": "投诉在办" if watcher else "投诉待办",
        "stat": f"{shown['count']} 件在办",
        "text": f"未读分派通知 {unread} 条。{figures['kpis']}",
        "items": shown["items"],
        "link": reverse("complaints:analysis"),
    }]
