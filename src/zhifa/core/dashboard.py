"""Dashboard widgets of the core: certificate alerts and the calendar's state."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from . import legal_calendar, selectors
from .models import Officer


def widgets(request) -> list[dict]:
    user = request.user
    today = timezone.localdate()
    officers = selectors.officers_for(user)
    expired = officers.filter(cert_expires_on__lt=today, is_active=True) | officers.exclude(cert_status=Officer.CertStatus.VALID).filter(is_active=True)
    expiring = officers.filter(cert_status=Officer.CertStatus.VALID, cert_expires_on__gte=today, cert_expires_on__lte=today + timedelta(days=62))
    items = [{"label": f"{o.name}（{o.organisation}）", "badge": o.certificate_state_label, "badge_class": "red",
              "url": reverse("core:register_detail", args=["officers", o.pk])} for o in expired.distinct()[:8]]
    items += [{"label": f"{o.name}：{o.cert_expires_on:%Y-%m-%d} 到期", "badge": "即将到期", "badge_class": "amber",
               "url": reverse("core:register_detail", args=["officers", o.pk])} for o in expiring[:8]]
    result = [{
        "title": "执法证预警",
        "stat": f"{expired.distinct().count()} 失效 / {expiring.count()} 两月内到期",
        "items": items,
        "link": reverse("core:register_list", args=["officers"]),
    }]
    next_year = today.year + 1
    status = legal_calendar.year_status(next_year)
    if not status["confirmed"]:
        result.append({"title": "工作日历", "text": f"{next_year}年放假安排尚未确认：涉及{next_year}年的期限按法定节假日（元旦、春节、清明、劳动节、端午、中秋、国庆）推算，调休未计，并标注“日历未确认”。请系统管理员在国务院办公厅公布后，在管理后台录入或导入全年安排。",
                       "link": reverse("core:calendar")})
    return result


# The cards count the jurisdiction's registers only, nothing of the user's own: computed once per unit and roles
# within the cache window and shared by the colleagues who have both (core.cards).
SHARED_BY_UNIT = True
