from zhifa.core.models import Officer


def test_portal_pages_need_no_login(world, client):
    for url in ("/portal/", "/portal/bodies/", "/portal/basis/", "/portal/process/", "/portal/rights/", "/portal/decisions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "交通运输行政执法公开平台" in response.content.decode()


def test_bodies_list_valid_certificates_only(world, client):
    page = client.get("/portal/bodies/").content.decode()
    assert world.officers["officer"].cert_number in page
    assert world.officers["expired"].cert_number not in page
    Officer.objects.filter(pk=world.officers["officer2"].pk).update(cert_status=Officer.CertStatus.SUSPENDED)
    assert world.officers["officer2"].cert_number not in client.get("/portal/bodies/").content.decode()


def test_office_pages_require_login(world, client):
    assert client.get("/portal/office/").status_code == 302


def test_links_only_to_pages_that_resolve(world, client):
    from django.urls import resolve

    from zhifa.portal.public_links import available_links

    links = available_links()
    for link in links:
        resolve(link["url"])  # raises Resolver404 if a link points nowhere
    html = client.get("/portal/").content.decode()
    for link in links:
        assert link["url"] in html


def test_pay_sends_the_code_to_the_payments_page(world, client):
    from zhifa.portal.public_links import payment_url

    response = client.get("/portal/pay/?code=ABC123")
    expected = payment_url("ABC123")
    if expected is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response["Location"] == expected
    assert client.get("/portal/pay/").status_code == 200


def test_dashboard_card_and_admin_rule_validation(world, client_for):
    from datetime import date

    from django.test import RequestFactory

    from zhifa.core.tests.factories import PersonPartyFactory
    from zhifa.portal import dashboard, services
    from zhifa.portal.admin import DeidentRuleForm
    from zhifa.portal.tests.test_publication import _granted

    request = RequestFactory().get("/")
    request.user = world.users["officer"]
    assert dashboard.widgets(request) == []
    _granted(world, party=PersonPartyFactory(organisation=world.brigade_a), content="南召县白河路12号")
    services.publication_run(today=date(2026, 10, 8))
    card = dashboard.widgets(request)[0]
    assert card["stat"] == "1 待审核 / 0 逾期" and card["items"][0]["badge"] == "待审核"
    request.user = world.users["officer_b"]
    assert dashboard.widgets(request) == []
    form = DeidentRuleForm(data={"name": "x", "kind": "regex", "pattern": "([", "replacement": "", "order": 1, "is_active": True, "citation": "c"})
    assert not form.is_valid() and "正则表达式无效" in str(form.errors)
