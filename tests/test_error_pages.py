"""The demo as a visitor meets it (issue 17): DEBUG off, Chinese 403/404/500 pages with a way home, static files
still served (WhiteNoise)."""

import pytest
from django.test import Client, RequestFactory
from django.views import defaults


@pytest.fixture
def no_debug(settings):
    settings.DEBUG = False


@pytest.mark.django_db
def test_404_is_a_chinese_page_without_the_url_patterns(no_debug, client_for, world):
    """Regression (issue 17): the demo's 404 was Django's English debug page listing every URL pattern."""
    for client in (Client(), client_for("officer")):
        page = client.get("/no-such-page/")
        text = page.content.decode()
        assert page.status_code == 404 and "页面不存在" in text and 'href="/"' in text and "返回首页" in text
        assert "URLconf" not in text and "Page not found" not in text and "api/v1/" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("view,status,words", [(defaults.server_error, 500, "系统暂时出错"),
                                               (defaults.permission_denied, 403, "无权访问")])
def test_403_and_500_are_chinese_pages(no_debug, view, status, words):
    request = RequestFactory().get("/x/")
    response = view(request, exception=Exception("x")) if status == 403 else view(request)
    text = response.content.decode()
    assert response.status_code == status and words in text and "返回首页" in text


@pytest.mark.django_db
def test_csrf_failure_is_a_chinese_page(no_debug, world):
    client = Client(enforce_csrf_checks=True)
    page = client.post("/login/", {"username": "officer", "password": "x"})
    assert page.status_code == 403 and "页面已过期" in page.content.decode()


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(no_debug):
    """WhiteNoise serves the apps' static files without DEBUG (Django's runserver would not)."""
    response = Client().get("/static/core/zhifa.css")
    assert response.status_code == 200 and b"{" in b"".join(response.streaming_content)


def test_the_demo_serves_with_debug_off(monkeypatch, settings):
    """`zhifa demo` switches DEBUG off before runserver builds its handler."""
    from zhifa.core.management.commands import demo

    settings.DEBUG = True
    seen = {}

    def fake_call_command(name, *args, **kwargs):
        if name == "runserver":
            seen["debug"] = settings.DEBUG

    monkeypatch.setattr(demo, "call_command", fake_call_command)
    monkeypatch.setattr(demo.Organisation.objects, "exists", lambda: True)
    monkeypatch.setattr(demo.User.objects, "filter", lambda **kw: type("Q", (), {"select_related": lambda self, *a: []})())
    demo.Command().handle(addr="127.0.0.1:0", no_serve=False)
    assert seen == {"debug": False}
