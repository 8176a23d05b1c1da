"""Dashboard widgets: warnings received/closed this year (from the same selector as the warnings page, so
they tie out; ``unit_figures``, kept per unit and roles by core.cards) and the user's own inspections awaiting
action."""

from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import Inspection, ProvincialWarning


def unit_figures(request) -> dict:
    user = request.user
    year = timezone.localdate().year
    counts = selectors.warning_counts(user, year)
    t = counts["totals"]
    result = [{
        "title": f"预警抄告（{year}年）",
        "stat": f"接收 {counts['grand']['received']} / 办结 {counts['grand']['closed']}",
        "text": f"一类 {t[1]['received']}/{t[1]['closed']}，二类 {t[2]['received']}/{t[2]['closed']}，三类 {t[3]['received']}/{t[3]['closed']}；未办结 {counts['open']} 条；累计接收 {counts['all_time']['received']} / 办结 {counts['all_time']['closed']}",
        "items": [{"label": f"{w.external_id} {w.category}", "badge": w.get_warning_class_display(), "badge_class": "amber",
                   "url": reverse("inspections:warning", args=[w.pk])}
                  for w in selectors.warnings_for(user).filter(status=ProvincialWarning.Status.RECEIVED)[:5]],
        "link": reverse("inspections:warnings"),
    }]
    return {"warnings": result}


def widgets(request, figures: dict | None = None) -> list[dict]:
    """The cards, from the jurisdiction figures kept for the unit (computed here when not given)."""
    if figures is None:
        figures = unit_figures(request)
    user = request.user
    result = list(figures["warnings"])
    mine = Inspection.objects.filter(inspectors__user=user, status__in=[Inspection.Status.ASSIGNED, Inspection.Status.RECTIFYING]).select_related("party")
    shown = list(mine.order_by("pk")[:6])
    if shown:
        result.append({
            "title": "我的双随机检查任务",
            "stat": f"{len(shown) if len(shown) < 6 else mine.count()} 项",
            "items": [{"label": i.party.name, "badge": i.get_status_display(), "badge_class": "amber" if i.status == "rectifying" else "",
                       "url": reverse("inspections:inspection", args=[i.pk])} for i in shown],
            "link": reverse("inspections:plans"),
        })
    return result
