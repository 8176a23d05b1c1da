"""Credit pages: officer pages within the jurisdiction, the printable repair guide and the public online
repair application (refused before the minimum period, accepted after)."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit import services
from zhifa.credit.models import DishonestyCategory, RepairApplication

pytestmark = pytest.mark.django_db


def test_officer_pages(world, client_for):
    firm = CompanyFactory(organisation=world.brigade_a)
    services.grade_compute(actor=None, party=firm.party)
    c = client_for("officer")
    for url in ("/credit/", f"/credit/parties/{firm.party_id}/", "/credit/dishonesty/", "/credit/publications/", "/credit/repairs/"):
        assert c.get(url).status_code == 200, url
    assert client_for("officer_b").get(f"/credit/parties/{firm.party_id}/").status_code == 404



def test_party_page_post_proposes_and_never_lists(world, client_for):
    """The page used to list a party in one POST (no notice, no statement, no decision document): it now only
    proposes; the detail page then walks the procedure, the decision form only for the head."""
    firm = CompanyFactory(organisation=world.brigade_a)
    category = DishonestyCategory.objects.get(code="overload_vehicle")
    c = client_for("officer")
    with time_machine.travel(date(2026, 12, 1)):  # a Tuesday: 5 working days of statement period end on 12-08
        r = c.post(f"/credit/parties/{firm.party_id}/", {"category": category.pk, "reason": "一年内超限运输4次",
                                                         "facts": "豫R·A1234一年内超限运输4次"})
    entry = firm.party.dishonesty_entries.get()
    assert r.status_code == 302 and r.url == f"/credit/dishonesty/{entry.pk}/"
    assert entry.status == "proposed" and not firm.party.dishonesty_entries.filter(status="listed").exists()
    page = c.get(r.url).content.decode()
    assert "拟列入（待告知）" in page and "建议尚未生效" in page and "制作并送达告知书" in page and "作出决定" not in page
    with time_machine.travel(date(2026, 12, 1)):
        c.post(f"/credit/dishonesty/{entry.pk}/notify/", {"notify-on": ""})
    entry.refresh_from_db()
    assert entry.status == "notified" and entry.notice_number
    head = client_for("head")
    assert "作出决定" in head.get(f"/credit/dishonesty/{entry.pk}/").content.decode()
    # Decided inside the statement period: refused with the reason, nothing changed.
    with time_machine.travel(date(2026, 12, 2)):
        r = head.post(f"/credit/dishonesty/{entry.pk}/decide/", {"decide-list_party": "1", "decide-on": ""}, follow=True)
    assert "期限届满前不能作出列入决定" in r.content.decode()
    entry.refresh_from_db()
    assert entry.status == "notified"
    with time_machine.travel(date(2026, 12, 9)):  # the day after the last day of the period
        head = client_for("head")  # logged in on that day (sessions expire when idle)
        head.post(f"/credit/dishonesty/{entry.pk}/decide/", {"decide-list_party": "1", "decide-on": ""})
    entry.refresh_from_db()
    assert entry.status == "listed" and entry.decision_number
    page = head.get(f"/credit/dishonesty/{entry.pk}/").content.decode()
    assert "列入严重失信主体名单决定书" in page and entry.decision_number in page
    assert client_for("officer_b").get(f"/credit/dishonesty/{entry.pk}/").status_code == 404
    listing = c.get("/credit/dishonesty/?status=listed").content.decode()
    assert firm.name in listing and "overload." not in listing and "four_penalty" not in listing
    party_page = c.get(f"/credit/parties/{firm.party_id}/").content.decode()
    assert "一超四罚自动提出" not in party_page and "执法人员提出" in party_page and "来源 " not in party_page


def test_public_guide_and_online_repair(world):
    firm = CompanyFactory(organisation=world.brigade_a)
    pub = services.publication_create(actor=None, party=firm.party, decision_number="豫R召交罚〔2026〕12号", decision_date=date(2026, 5, 1),
                                      summary="超范围经营", severity="general", penalty_performed=True, performed_on=date(2026, 5, 5))
    anon = Client()
    guide = anon.get("/credit/public/repair-guide/").content.decode()
    assert "信用修复管理办法" in guide and "轻微" in guide and "58号" in guide
    form = {"credit_code": firm.credit_code, "decision_number": pub.decision_number, "applicant_name": firm.name, "applicant_phone": "13800000000",
            "commitment_signed": "on"}
    with time_machine.travel(date(2026, 6, 1)):
        body = anon.post("/credit/public/repair/", form).content.decode()
    assert "不予受理" in body
    with time_machine.travel(date(2026, 8, 2)):
        body = anon.post("/credit/public/repair/", form).content.decode()
    assert "自动核查通过" in body
    assert list(RepairApplication.objects.values_list("status", flat=True).order_by("pk")) == ["checks_failed", "checked"]
