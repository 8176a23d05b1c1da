"""Dashboard widget: credit grade distribution and repair applications awaiting approval."""

from django.urls import reverse

from . import selectors
from .models import RepairApplication


def widgets(request) -> list[dict]:
    dist = selectors.grade_distribution(request.user)
    if not sum(dist.values()):
        return []
    pending = selectors.repairs_for(request.user).filter(status=RepairApplication.Status.CHECKED)
    return [{
        "title": "企业信用等级",
        "stat": " / ".join(f"{g} {n}" for g, n in dist.items()),
        "text": f"待审批信用修复 {pending.count()} 件；严重失信名单在列 {selectors.dishonesty_for(request.user).filter(status='listed').count()} 户",
        "link": reverse("credit:grades"),
    }]
