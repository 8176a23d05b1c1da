"""Dashboard widget of internal oversight: overdue problems and key problems under 挂牌督办 (``unit_figures``, kept
per unit and roles by core.cards), and how many the user owns."""

from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import Problem


def unit_figures(request) -> dict:
    qs = selectors.problems_for(request.user)
    stats = selectors.problem_stats(qs)
    if not stats["total"]:
        return {}
    today = timezone.localdate()
    overdue = qs.filter(status__in=Problem.OPEN_STATUSES, deadline__lt=today).order_by("deadline")[:8]
    items = [{"label": f"{p.number} {p.title[:24]}（{p.owner.display_name}，时限 {p.deadline:%m-%d}）",
              "url": reverse("oversight:problem_detail", args=[p.pk]), "badge": f"逾期{(today - p.deadline).days}天", "badge_class": "red"}
             for p in overdue]
    return {"stats": stats, "items": items}


def widgets(request, figures: dict | None = None) -> list[dict]:
    """The cards, from the jurisdiction figures kept for the unit (computed here when not given)."""
    if figures is None:
        figures = unit_figures(request)
    if not figures:
        return []
    stats, items = figures["stats"], figures["items"]
    mine = selectors.problems_for(request.user).filter(owner=request.user, status__in=Problem.OPEN_STATUSES).count()
    awaiting = stats["awaiting_recheck"]
    text = f"待整改 {stats['open']}，待回头看 {awaiting}，挂牌督办 {stats['key']}" + (f"；本人负责 {mine} 项" if mine else "")
    return [{
        "title": "问题清单逾期预警",
        "stat": f"{stats['overdue']} 项逾期",
        "text": text,
        "items": items,
        "link": reverse("oversight:problem_list") + "?overdue=1",
    }]
