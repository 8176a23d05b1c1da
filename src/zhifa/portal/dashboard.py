"""Dashboard card of the publication register: items waiting for review, and late publications/withdrawals."""

from django.urls import reverse

from . import selectors
from .models import Publication


def widgets(request) -> list[dict]:
    user = request.user
    review = selectors.publications_for(user, status=Publication.Status.REVIEW)
    # Each count once (the late ones on their partial index, portal migration 0005).
    in_review, late = review.count(), selectors.publications_for(user, late=True).count()
    if not in_review and not late:
        return []
    items = [{"label": p.title, "url": reverse("portal:office_detail", args=[p.pk]), "badge": "待审核", "badge_class": "amber"}
             for p in (review[:6] if in_review else [])]
    return [{"title": "执法决定公开", "stat": f"{in_review} 待审核 / {late} 逾期",
             "text": "去标识化后仍有疑似个人信息的，须经人工审核后公开（国办发〔2018〕118号）。", "items": items,
             "link": reverse("portal:office_list") + ("?status=review" if in_review else "?late=1")}]


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
