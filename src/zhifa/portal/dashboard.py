"""Dashboard card of the publication register: items waiting for review, and late publications/withdrawals."""

from django.urls import reverse

from . import selectors
from .models import Publication


def widgets(request) -> list[dict]:
    user = request.user
    review = selectors.publications_for(user, status=Publication.Status.REVIEW)
    late = selectors.publications_for(user, late=True)
    if not review.exists() and not late.exists():
        return []
    items = [{"label": p.title, "url": reverse("portal:office_detail", args=[p.pk]), "badge": "待审核", "badge_class": "amber"}
             for p in review[:6]]
    return [{"title": "执法决定公开", "stat": f"{review.count()} 待审核 / {late.count()} 逾期",
             "text": "去标识化后仍有疑似个人信息的，须经人工审核后公开（国办发〔2018〕118号）。", "items": items,
             "link": reverse("portal:office_list") + ("?status=review" if review.exists() else "?late=1")}]
