"""Dashboard widgets of the training app: officers short of the yearly training hours and overdue annual reviews.
Certificate expiry is core's widget (执法证预警) and is not repeated here."""

from django.urls import reverse
from django.utils import timezone

from zhifa.core.roles import Role, has_role

from . import selectors


def widgets(request) -> list[dict]:
    user = request.user
    if not has_role(user, Role.HEAD, Role.ADMIN, Role.SUPERVISOR, Role.OFFICER):
        return []
    today = timezone.localdate()
    short = selectors.officers_short_of_hours(user, today.year)
    items = [{"label": f"{r.officer.name}（{r.officer.organisation}）：{r.hours}/{r.required} 学时", "badge": f"差 {r.short_by}",
              "badge_class": "amber", "url": reverse("core:register_detail", args=["officers", r.officer.pk])} for r in short[:8]]
    due = selectors.reviews_due(user, today=today)
    due_count = due.count()
    items += [{"label": f"{o.name}：执法证年审逾期", "badge": "待年审", "badge_class": "red",
               "url": reverse("core:register_detail", args=["officers", o.pk])} for o in due[:4]]
    return [{
        "title": f"{today.year}年培训学时",
        "stat": f"{len(short)} 人未达标",
        "text": f"业务和法律培训学时低于年度要求的执法人员；执法证年审逾期 {due_count} 人。",
        "items": items,
        "link": reverse("training:hours") + "?short=1",
    }]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
