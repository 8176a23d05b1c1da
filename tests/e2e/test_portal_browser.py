"""The portal and the dashboards in a real browser (Playwright + Debian chromium: the session's one,
tests/e2e/conftest.py); screenshots under test-artifacts/."""

from datetime import date
from pathlib import Path

import pytest

from zhifa.core.tests.factories import PersonPartyFactory
from zhifa.portal import services
from zhifa.portal.tests.test_publication import ID_NUMBER, _granted

from .conftest import screenshot

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_portal_in_browser_desktop_and_mobile(world, live_server, browser):
    person = PersonPartyFactory(organisation=world.brigade_a, name="王建国", id_number=ID_NUMBER,
                                phone="13912345678")
    app = _granted(world, party=person, content=f"王建国（{ID_NUMBER}）申请普通货运")
    services.publication_run(today=date(2026, 10, 8))
    errors = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/portal/")
    assert page.locator("h1").first.inner_text() == "交通运输行政执法公开平台"
    page.fill("input[name=q]", app.decision_number)
    page.click(".hero button")
    page.click(".pub-list li a")
    body = page.locator("main").inner_text()
    assert app.decision_number in body and "王＊＊" in body and ID_NUMBER not in body and "王建国" not in body
    screenshot(page, ARTIFACTS / "portal-decision.png", full_page=True)
    page.goto(live_server.url + "/portal/")
    screenshot(page, ARTIFACTS / "portal-home.png", full_page=True)
    mobile = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    mobile.goto(live_server.url + "/portal/bodies/")
    assert world.officers["officer"].cert_number in mobile.locator("main").inner_text()
    # Mobile-friendly: nothing wider than the screen.
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(mobile, ARTIFACTS / "portal-bodies-mobile.png", full_page=True)
    assert errors == []


def test_dashboard_charts_render_in_browser(world, live_server, browser):
    _granted(world, party=PersonPartyFactory(organisation=world.brigade_a))
    services.publication_run(today=date(2026, 10, 8))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", "head")
    page.fill("input[name=password]", "pw-test-123!")
    page.click("button[type=submit]")
    page.goto(live_server.url + f"/reports/?unit={world.county_a.code}&start=2026-01-01&end=2026-12-31")
    page.wait_for_function("document.querySelectorAll('[data-echarts][data-rendered]').length > 0")
    rendered = page.evaluate("document.querySelectorAll('[data-echarts][data-rendered] canvas').length")
    assert rendered >= 3
    screenshot(page, ARTIFACTS / "reports-dashboard.png", full_page=True)
    page.goto(live_server.url + f"/reports/annual/?unit={world.county_a.code}&year=2026")
    assert "年度行政执法工作报告" in page.locator("main").inner_text()
    screenshot(page, ARTIFACTS / "reports-annual.png", full_page=True)
    assert errors == []
