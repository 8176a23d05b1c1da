"""Officer pages, the public pay page with the demo's simulated payment, the API and the dashboard card."""

import pytest

from zhifa.payments.models import Payment, PaymentNotice

from .factories import delivered_notice


@pytest.fixture
def notice(world):
    return delivered_notice(world)


def test_officer_list_and_detail(world, notice, client_for):
    c = client_for("officer")
    assert notice.code in c.get("/payments/").content.decode()
    page = c.get(f"/payments/{notice.pk}/").content.decode()
    assert "缴款二维码" in page and notice.pay_url in page
    assert client_for("officer_b").get(f"/payments/{notice.pk}/").status_code == 404


def test_public_pay_page_and_simulated_payment_go_through_the_callback(world, notice, client):
    r = client.get(f"/payments/pay/{notice.code}/")
    assert r.status_code == 200 and "2000.00" in r.content.decode()
    qr = client.get(f"/payments/pay/{notice.code}/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    client.post(f"/payments/pay/{notice.code}/simulate/")
    notice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.PAID and Payment.objects.get().channel == "模拟支付"


def test_mistyped_code_is_not_found(world, notice, client):
    wrong = notice.code[:-1] + str((int(notice.code[-1]) + 1) % 10)
    assert client.get(f"/payments/pay/{wrong}/").status_code == 404


def test_simulator_off_in_production(world, notice, client, settings):
    settings.ZHIFA_PAYMENT_SIMULATOR = False
    assert client.post(f"/payments/pay/{notice.code}/simulate/").status_code == 404
    assert not Payment.objects.exists()


def test_api_notices(world, notice, api_for):
    api = api_for("officer")
    items = api.get("/api/v1/payments/notices/").json()["items"]
    assert items[0]["code"] == notice.code
    detail = api.get(f"/api/v1/payments/notices/{notice.pk}").json()
    assert detail["state"]["outstanding"] == "2000.00"
    assert api_for("officer_b").get(f"/api/v1/payments/notices/{notice.pk}").status_code == 404


def test_dashboard_card(world, notice, rf):
    from zhifa.payments.dashboard import widgets

    request = rf.get("/")
    request.user = world.users["officer"]
    (card,) = widgets(request)
    assert card["title"] == "罚款缴纳" and card["stat"].startswith("1 待缴")
    request.user = world.users["officer_b"]
    assert widgets(request)[0]["stat"].startswith("0 待缴")
