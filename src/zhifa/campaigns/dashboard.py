"""Dashboard card of the operations register: this year's joint actions, campaigns and publicity events in the
user's jurisdiction, and the operations under way."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from zhifa.core.roles import Role, has_role

from . import selectors
from .models import Operation


def widgets(request) -> list[dict]:
    user = request.user
    if not has_role(user, Role.OFFICER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR):
        return []
    today = timezone.localdate()
    t = selectors.totals(user, start=date(today.year, 1, 1), end=today)
    running = selectors.operations_for(user, status=Operation.Status.IN_PROGRESS).order_by("ends_on")[:6]
    items = [{"label": f"{o.get_kind_display()}：{o.title}（至{o.ends_on:%m-%d}）", "url": reverse("campaigns:detail", args=[o.pk]),
              "badge": "已过计划结束日" if o.ends_on < today else "", "badge_class": "amber"} for o in running]
    return [{
        "title": "执法行动",
        "stat": f"{t.joint + t.campaigns + t.publicity} 次",
        "text": (f"本年：联合执法 {t.joint} 次（联合 {t.departments} 个部门，出动执法人员 {t.officers} 人次），专项整治 {t.campaigns} 项，"
                 f"立案查处 {t.cases} 件；宣传活动 {t.publicity} 场，发放宣传资料 {t.materials} 份。"),
        "items": items,
        "link": reverse("campaigns:list"),
    }]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
