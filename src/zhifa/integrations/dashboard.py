"""Dashboard card: deliveries rejected by a receiver or stopped after repeated failures (admin and supervisor)."""

from django.urls import reverse

from zhifa.core.roles import has_role

from . import selectors
from .adapters import KIND_LABELS


def widgets(request) -> list[dict]:
    user = request.user
    if not has_role(user, *selectors.CONSOLE_ROLES):
        return []
    failures = selectors.failures_for(user)
    count = failures.count()
    if not count:
        return []
    items = [{"label": f"{m.get_target_display()}：{KIND_LABELS.get(m.kind, m.kind)} {m.subject_label}",
              "url": reverse("integrations:message", args=[m.pk]), "badge": m.get_status_display(),
              "badge_class": "red" if m.status == "dead" else "amber"} for m in failures.order_by("-pk")[:6]]
    return [{"title": "接口报送异常", "stat": f"{count} 条待处理",
             "text": "被接收平台退回或多次发送失败的报送，须更正记录后重发。", "items": items,
             "link": reverse("integrations:console") + "?status=rejected"}]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
