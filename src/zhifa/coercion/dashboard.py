"""Dashboard card of the coercion app: running measures whose period (or 24-hour report) is overdue or close."""

from django.urls import reverse

from zhifa.core.roles import Role, has_role

from . import selectors


def widgets(request) -> list[dict]:
    user = request.user
    if not has_role(user, Role.OFFICER, Role.HEAD, Role.SUPERVISOR):
        return []
    rows = selectors.at_risk(user)
    if not rows:
        return []
    items = [{"label": f"{m.number} {m.party.name}：{p.label}{p.due:%m-%d}" if p.key == "period" else f"{m.number} {m.party.name}：{p.label}",
              "url": reverse("coercion:detail", args=[m.pk]), "badge": p.state_label, "badge_class": p.state} for m, p in rows[:8]]
    red = sum(1 for _, p in rows if p.state == "red")
    return [{"title": "行政强制措施期限", "stat": f"{red} 件超期", "text": f"{len(rows)} 件查封、扣押已超期或即将到期（行政强制法第十九条、第二十五条）。",
             "items": items, "link": reverse("coercion:list") + "?deadline=red"}]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
