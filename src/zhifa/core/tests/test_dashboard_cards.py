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
    # no background threads (their own connection would not see the test's transaction); tests that
    # exercise the refresh run it in this thread
    settings.DASHBOARD_REFRESH_BEHIND = False
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
    assert "数据更新于" in first and "每1分钟在后台更新一次" in first
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


def test_after_the_window_the_kept_cards_show_at_once_and_are_computed_again_behind(world, client_for, cached,
                                                                                   monkeypatch):
    """Stale-while-revalidate: a visit after the window shows the kept cards (with their time) and one
    background refresh computes them for the next visit; an act of the user during the refresh wins."""
    import time_machine
    from django.utils import timezone

    refreshes = []

    def refresh_now(request):  # the background thread, run in this thread (same test connection)
        refreshes.append(request.user.pk)
        cards._refresh(request, close=False)

    monkeypatch.setattr(cards, "_refresh_later", refresh_now)
    client = client_for("head")
    before = int(_expired_figure(client.get("/").content.decode()))
    OfficerFactory(organisation=world.brigade_a, cert_status=Officer.CertStatus.VALID,
                   cert_expires_on=date.today() - timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert int(_expired_figure(client.get("/").content.decode())) == before and refreshes == []
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        stale = client.get("/").content.decode()
        assert int(_expired_figure(stale)) == before  # shown at once, as kept
        assert len(refreshes) == 1
        assert int(_expired_figure(client.get("/").content.decode())) == before + 1  # computed behind


def test_a_refresh_that_started_before_the_users_act_keeps_nothing(world, rf, cached):
    from django.utils import timezone

    request = rf.get("/")
    request.user = world.users["head"]
    cards.cards_for(request)
    cards.touch(request.user.pk)
    # the refresh "started" before the act: its figures may predate it
    cards._cache().set(f"{cards._prefix(request.user.pk)}touched", timezone.now().timestamp() + 5, 600)
    cards._refresh(request, close=False)
    assert cards._cache().get(cards._key(request.user)) is None


def test_jurisdiction_cards_are_shared_by_unit_and_roles_and_dropped_by_a_colleagues_act(world, rf, cached):
    """An app's cards that count only the jurisdiction (``SHARED_BY_UNIT``) are computed once per unit and
    roles: a colleague of the same unit and roles reads them; another county's officer never does; an act of
    either colleague drops them."""
    def figure(user):
        request = rf.get("/")
        request.user = user
        widgets, _ = cards.compute_at(request)
        [card] = [w for w in widgets if w["title"] == "执法证预警"]
        return int(str(card["stat"]).split()[0])

    officer, colleague, other = world.users["officer"], world.users["officer2"], world.users["officer_b"]
    before, before_b = figure(officer), figure(other)
    OfficerFactory(organisation=world.brigade_a, cert_status=Officer.CertStatus.VALID,
                   cert_expires_on=date.today() - timedelta(days=1))
    OfficerFactory(organisation=world.brigade_b, cert_status=Officer.CertStatus.VALID,
                   cert_expires_on=date.today() - timedelta(days=1))
    assert figure(colleague) == before  # the unit's shared cards, as computed for the first officer
    assert figure(other) == before_b  # county B's own entry (computed before the new officers)
    cards.touch(colleague.pk, colleague)  # the colleague acted
    assert figure(officer) == before + 1
    assert figure(other) == before_b  # county B's entry untouched by county A's act


def test_the_users_act_computes_their_cards_again_behind_the_response(world, client_for, cached, monkeypatch):
    calls = []
    monkeypatch.setattr(cards, "_refresh_later",
                        lambda request, restart=False: calls.append((request.user.pk, restart)))
    client = client_for("head")
    client.get("/")
    assert calls == []
    assert client.post("/notifications/read/").status_code == 302
    assert calls == [(world.users["head"].pk, True)]
