"""Dashboard widget: credit grade distribution and repair applications awaiting approval."""

from django.urls import reverse

from . import selectors
from .models import RepairApplication


def widgets(request) -> list[dict]:
    dist = selectors.grade_distribution(request.user)
    if not sum(dist.values()):
        return []
    pending = selectors.repairs_for(request.user).filter(status=RepairApplication.Status.CHECKED)
    listings = selectors.dishonesty_for(request.user)
    return [{
        "title": "企业信用等级",
        "stat": " / ".join(f"{g} {n}" for g, n in dist.items()),
        "text": f"待审批信用修复 {pending.count()} 件；严重失信名单在列 {listings.filter(status='listed').count()} 户，"
                f"认定中 {listings.filter(status__in=['proposed', 'notified']).count()} 件（待告知或陈述申辩期内）",
        "link": reverse("credit:grades"),
    }]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
