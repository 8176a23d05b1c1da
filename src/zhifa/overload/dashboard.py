"""Dashboard card: off-site overload work waiting (cases to open, plates to review, remote acts to record,
Art. 44 notices due)."""

from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import RemoteAct, Violation


def widgets(request) -> list[dict]:
    user = request.user
    violations = selectors.violations_for(user)
    detected = violations.filter(status=Violation.Status.DETECTED).count()
    review = violations.filter(status=Violation.Status.REVIEW).count()
    pending_acts = RemoteAct.objects.filter(violation__in=violations, applied_at__isnull=True,
                                            kind__in=[RemoteAct.Kind.ACCEPT, RemoteAct.Kind.DEFEND]).select_related("violation")[:6]
    today = timezone.localdate()
    notices = selectors.triggers_for(user).filter(notice_sent_at__isnull=True).order_by("notice_due_on")[:6]
    items = [{"label": f"{a.violation.plate} {a.get_kind_display()}", "badge": "待记入案件", "badge_class": "amber",
              "url": reverse("overload:violation", args=[a.violation_id])} for a in pending_acts]
    items += [{"label": f"抄告 {t.party.name}：{t.notice_due_on:%m-%d} 前", "badge": "已逾期" if t.notice_due_on < today else "一超四罚",
               "badge_class": "red" if t.notice_due_on < today else "amber", "url": reverse("overload:four")} for t in notices]
    if not (detected or review or items):
        return []
    return [{"title": "超限非现场执法", "stat": f"{detected} 待立案 / {review} 待核查", "items": items, "link": reverse("overload:list")}]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
