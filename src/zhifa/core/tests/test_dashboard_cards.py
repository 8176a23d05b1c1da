"""The dashboard's cards kept per user for DASHBOARD_CACHE_SECONDS (core.cards): the page says when the
figures were computed, serves them within the window, and drops them when the user acts."""

from datetime import date, timedelta

import pytest

from zhifa.core import cards
from zhifa.core.models import Officer
from zhifa.core.tests.factories import OfficerFactory


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cards-test"}
    settings.CACHES = {**settings.CACHES, "dashboard": memory}
    from django.core.cache import caches

    caches["dashboard"].clear()
    yield
    caches["dashboard"].clear()


def _expired_figure(page: str) -> str:
    return page.split("执法证预警", 1)[1].split('<div class="stat">', 1)[1].split(" 失效", 1)[0]


def test_cards_are_served_within_the_window_and_dropped_when_the_user_acts(world, client_for, cached):
    client = client_for("head")
    first = client.get("/").content.decode()
    assert "数据更新于" in first and "每1分钟更新一次" in first
    before = int(_expired_figure(first))
    OfficerFactory(organisation=world.brigade_a, cert_status=Officer.CertStatus.VALID,
                   cert_expires_on=date.today() - timedelta(days=1))  # written behind the page's back
    assert int(_expired_figure(client.get("/").content.decode())) == before  # within the window: as computed
    # Another user's cards are their own (computed now, with the new officer).
    assert int(_expired_figure(client_for("supervisor").get("/").content.decode())) == before + 1
    # The head acts (any successful write of theirs): their cards are computed again.
    assert client.post("/notifications/read/").status_code == 302
    assert int(_expired_figure(client.get("/").content.decode())) == before + 1


def test_cards_without_the_cache_are_computed_on_every_visit(world, client_for):
    client = client_for("head")
    page = client.get("/").content.decode()
    assert "数据更新于" not in page  # DASHBOARD_CACHE_SECONDS = 0 (tests): nothing to say
    before = int(_expired_figure(page))
    OfficerFactory(organisation=world.brigade_a, cert_expires_on=date.today() - timedelta(days=1))
    assert int(_expired_figure(client.get("/").content.decode())) == before + 1


def test_a_broken_cache_costs_the_queries_not_the_page(world, rf, cached, monkeypatch):
    class Broken:
        def get(self, *a, **k):
            raise OSError("disk full")

        set = delete = get

    monkeypatch.setattr(cards, "_cache", lambda: Broken())
    request = rf.get("/")
    request.user = world.users["head"]
    widgets, _ = cards.cards_for(request)
    assert any(w["title"] == "执法证预警" for w in widgets)
    cards.touch(request.user.pk)  # logged, not raised


def test_the_cards_read_the_calendar_once(world, rf):
    """Several cards compute deadlines (clocks, enforcement windows, the calendar state): one snapshot."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request = rf.get("/")
    request.user = world.users["officer"]
    with CaptureQueriesContext(connection) as ctx:
        cards.compute(request)
    reads = [q for q in ctx.captured_queries if "core_calendarday" in q["sql"]]
    assert len(reads) == 1
    # Outside the block each snapshot is read afresh (an act that changes the calendar sees its change).
    from zhifa.core import legal_calendar

    with CaptureQueriesContext(connection) as ctx:
        legal_calendar.calendar()
        legal_calendar.calendar()
    assert sum("core_calendarday" in q["sql"] for q in ctx.captured_queries) == 2
