"""行政强制执行申请书 (行政强制法 Arts. 53–55): golden text for a person and an organisation; the application is
refused inside the party's remedy periods and after the three months that follow them."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from zhifa.cases.models import Case
from zhifa.cases.tests.factories import company, decided, person
from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.documents.kinds import KINDS
from zhifa.documents.models import Document
from zhifa.documents.render import render_html
from zhifa.payments.enforcement import remedy_periods_end, window
from zhifa.payments.models import PaymentNotice
from zhifa.payments.services import payment_enforcement_apply

pytestmark = pytest.mark.django_db
DELIVERED = date(2026, 3, 2)


def _cn(d):
    return f"{d.year}年{d.month}月{d.day}日"


def _reminded(world, party):
    from zhifa.cases import services

    case = decided(world, party=party, amount=Decimal("2000"))
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    notice = PaymentNotice.objects.get(case=case)
    # The decision was delivered on 2 March and the 催告书 on 1 April (history set directly: the dates are the scenario).
    PaymentNotice.objects.filter(pk=notice.pk).update(delivered_on=DELIVERED, due_on=DELIVERED + timedelta(days=15),
                                                      reminded_on=date(2026, 4, 1), reminder_number="豫R召交催〔2026〕0003号",
                                                      overdue_on=date(2026, 3, 18))
    Case.objects.filter(pk=case.pk).update(decided_on=date(2026, 2, 27), delivered_on=DELIVERED)
    notice.refresh_from_db()
    return notice


def test_art53_window_after_the_remedy_periods(world):
    notice = _reminded(world, person(world))
    end = remedy_periods_end(DELIVERED)
    assert end == date(2026, 9, 2)  # six months from delivery (a Wednesday, a working day)
    assert window(notice) == (date(2026, 9, 3), date(2026, 12, 2))
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        payment_enforcement_apply(actor=world.users["head"], notice=notice, applied_on=date(2026, 9, 2))
    assert exc.value.code == "not_enforceable"
    with pytest.raises(DomainError) as exc:
        payment_enforcement_apply(actor=world.users["head"], notice=notice, applied_on=date(2026, 12, 3))
    assert exc.value.code == "enforcement_too_late"
    notice.refresh_from_db()
    assert notice.enforcement_applied_on is None and Event.objects.count() == n and not Document.objects.filter(kind="enforcement_application").exists()


@pytest.mark.parametrize("who", ["person", "organisation"])
def test_golden_enforcement_application(world, settings, tmp_path, who):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = person(world, name="赵六") if who == "person" else company(world, name="南阳宏达物流有限公司")
    notice = _reminded(world, party)
    notice = payment_enforcement_apply(actor=world.users["head"], notice=notice, applied_on=date(2026, 9, 10))
    doc = Document.objects.get(kind="enforcement_application", subject_id=str(notice.case_id))
    html = render_html(kind=KINDS[doc.kind], organisation=doc.organisation, number=doc.number, context=doc.context)
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    ident = ("身份证件号码：" + party.id_number) if who == "person" else ("统一社会信用代码：" + party.credit_code)
    surcharge = doc.context["surcharge"]
    assert surcharge == "2000.00"  # 3% a day since 18 March, never more than the fine (行政处罚法 Art. 72 ¶1 (一))
    assert "南召县交通运输综合行政执法大队行政强制执行申请书" in text and "南召县人民法院：申请人：南召县交通运输综合行政执法大队" in text
    assert f"被申请人：{party.name}（{ident}）" in text
    assert (f"请求依法强制执行申请人作出的{notice.decision_number}行政处罚决定书，由被申请人缴纳尚欠的罚款人民币贰仟元整（￥2,000.00）"
            "及加处罚款人民币贰仟元整（￥2,000.00），合计人民币肆仟元整（￥4,000.00）。") in text
    assert (f"申请人于2026年2月27日对被申请人作出{notice.decision_number}行政处罚决定书，该决定书于{_cn(DELIVERED)}送达被申请人。"
            "被申请人在法定期限内未申请行政复议，也未提起行政诉讼，又不履行缴纳罚款的义务。"
            "申请人于2026年4月1日向被申请人送达豫R召交催〔2026〕0003号催告书，催告期满后被申请人仍未履行。") in text
    assert "《中华人民共和国行政处罚法》第七十二条第一款第（四）项和《中华人民共和国行政强制法》第五十三条、第五十四条、第五十五条" in text
    assert "负责人（签名）" in text and "None" not in text and "你（单位）" not in text
    # Art. 55: dated the day of the application (not the decision's date, not today's).
    assert text.endswith("南召县交通运输综合行政执法大队2026年9月10日")


def test_art54_art69_enforcement_candidates_count_the_reminder_in_working_days(world):
    # Regression: the list of 申请法院强制执行 candidates counted the 催告书's ten days as calendar days; Art. 69 makes
    # them working days, as ``window`` (and the application itself) counts them — across National Day here.
    from zhifa.payments.selectors import enforcement_candidates

    notice = _reminded(world, person(world))
    PaymentNotice.objects.filter(pk=notice.pk).update(reminded_on=date(2026, 9, 28))
    notice.refresh_from_db()
    first = window(notice)[0]
    assert first > date(2026, 9, 28) + timedelta(days=11)
    qs = PaymentNotice.objects.all()
    for today in (date(2026, 9, 28) + timedelta(days=11), first - timedelta(days=1)):
        assert notice not in enforcement_candidates(qs, today=today)
    assert notice in enforcement_candidates(qs, today=first)
