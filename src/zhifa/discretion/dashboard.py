"""Dashboard widget: the benchmark edition in force, any edition waiting to take effect, and the items whose
provisions still need checking against the current text."""

from django.urls import reverse
from django.utils import timezone

from .engine import edition_in_force
from .models import BenchmarkEdition, ViolationItem


def widgets(request) -> list[dict]:
    today = timezone.localdate()
    current = edition_in_force(today)
    if current is None:
        return []
    upcoming = BenchmarkEdition.objects.filter(effective_from__gt=today).order_by("effective_from").first()
    unchecked = ViolationItem.objects.filter(active=True, provision_status="unconfirmed").count()
    items = [{"label": f"待施行：{upcoming.name}", "url": reverse("discretion:edition_detail", args=[upcoming.code]),
              "badge": f"{upcoming.effective_from:%m-%d}", "badge_class": "amber"}] if upcoming else []
    return [{
        "title": "裁量基准",
        "stat": current.region,
        "text": f"现行《{current.name}》，{current.effective_from:%Y-%m-%d}起施行；"
                f"{ViolationItem.objects.filter(active=True).count()}个事项，{unchecked}个条款待核对。",
        "items": items,
        "link": reverse("discretion:edition_list"),
    }]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
