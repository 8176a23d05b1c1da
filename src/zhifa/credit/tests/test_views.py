"""Credit pages: officer pages within the jurisdiction, the printable repair guide and the public online
repair application (refused before the minimum period, accepted after)."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit import services
from zhifa.credit.models import RepairApplication

pytestmark = pytest.mark.django_db


def test_officer_pages(world, client_for):
    firm = CompanyFactory(organisation=world.brigade_a)
    services.grade_compute(actor=None, party=firm.party)
    c = client_for("officer")
    for url in ("/credit/", f"/credit/parties/{firm.party_id}/", "/credit/dishonesty/", "/credit/publications/", "/credit/repairs/"):
        assert c.get(url).status_code == 200, url
    assert client_for("officer_b").get(f"/credit/parties/{firm.party_id}/").status_code == 404
    r = c.post(f"/credit/parties/{firm.party_id}/", {"reason": "一年内超限运输3次", "basis": "《公路安全保护条例》第六十六条"})
    assert r.status_code == 302 and firm.party.dishonesty_entries.filter(status="listed").exists()


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
