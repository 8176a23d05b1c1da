"""Dashboard widget of internal oversight: overdue problems and key problems under 挂牌督办."""

from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import Problem


def widgets(request) -> list[dict]:
    user = request.user
    qs = selectors.problems_for(user)
    stats = selectors.problem_stats(qs)
    if not stats["total"]:
        return []
    today = timezone.localdate()
    overdue = qs.filter(status__in=Problem.OPEN_STATUSES, deadline__lt=today).order_by("deadline")[:8]
    items = [{"label": f"{p.number} {p.title[:24]}（{p.owner.display_name}，时限 {p.deadline:%m-%d}）",
              "url": reverse("oversight:problem_detail", args=[p.pk]), "badge": f"逾期{(today - p.deadline).days}天", "badge_class": "red"}
             for p in overdue]
    mine = qs.filter(owner=user, status__in=Problem.OPEN_STATUSES).count()
    awaiting = stats["awaiting_recheck"]
    text = f"待整改 {stats['open']}，待回头看 {awaiting}，挂牌督办 {stats['key']}" + (f"；本人负责 {mine} 项" if mine else "")
    return [{
        "title": "问题清单逾期预警",
        "stat": f"{stats['overdue']} 项逾期",
        "text": text,
        "items": items,
        "link": reverse("oversight:problem_list") + "?overdue=1",
    }]
