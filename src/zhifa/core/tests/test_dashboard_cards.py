"""The dashboard's cards (core.cards): the user's own cards kept for DASHBOARD_CACHE_SECONDS and dropped by
their act, the jurisdiction figures kept per unit and roles (computed by a visit without a worker, by the
worker's beat and after an act with one); the page says when the figures were computed."""

from datetime import date, timedelta

import pytest

from zhifa.core import cards
from zhifa.core.models import Officer
from zhifa.core.tests.data_versions import data_versions  # noqa: F401 — a fixture
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
    assert "数据更新于" in first and "辖区统计每1分钟更新一次" in first
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


def test_a_hung_cache_is_waited_for_once_per_page(world, rf, cached, settings, monkeypatch):
    """After the first failure of a page's computation every further cache call fails at once (a hung Redis
    costs one socket timeout, not one per card); the next page tries the cache again."""

    settings.CELERY_TASK_ALWAYS_EAGER = False  # the worker's path: the most cache calls (wanted, units, own)
    calls = []

    class Hung:
        def __getattr__(self, name):
            def fail(*a, **k):
                calls.append(name)
                raise TimeoutError("redis socket timeout")
            return fail

    monkeypatch.setattr(cards, "caches", {"dashboard": Hung()})
    request = rf.get("/")
    request.user = world.users["head"]
    widgets, _ = cards.cards_for(request)
    assert any(w["title"] == "执法证预警" for w in widgets)
    assert len(calls) == 1
    cards.touch(request.user.pk, request.user)
    assert len(calls) == 2


@pytest.mark.usefixtures("data_versions")
def test_the_cards_read_the_calendar_once(world, rf):
    """Several cards compute deadlines (clocks, enforcement windows, the calendar state): one snapshot."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request = rf.get("/")
    request.user = world.users["officer"]
    with CaptureQueriesContext(connection) as ctx:
        cards.compute(request)
    reads = [q for q in ctx.captured_queries if "core_calendarday" in q["sql"]]
    assert len(reads) <= 1  # none when the process already holds the calendar (core.versions)
    # Outside the block each use reads the calendar's version token, so an act that changes the calendar
    # sees its change (core/tests/test_versions.py).
    from zhifa.core import legal_calendar

    legal_calendar.calendar()
    with CaptureQueriesContext(connection) as ctx:
        legal_calendar.calendar()
        legal_calendar.calendar()
    assert [q["sql"] for q in ctx.captured_queries if "core_calendarday" in q["sql"]] == []
    assert sum("core_dataversion" in q["sql"] for q in ctx.captured_queries) == 2


def test_after_the_window_the_cards_are_computed_again_on_the_visit(world, client_for, cached):
    """Without a worker (the embedded default) a visit after the window computes the figures itself."""
    import time_machine
    from django.utils import timezone

    client = client_for("head")
    before = int(_expired_figure(client.get("/").content.decode()))
    OfficerFactory(organisation=world.brigade_a, cert_status=Officer.CertStatus.VALID,
                   cert_expires_on=date.today() - timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert int(_expired_figure(client.get("/").content.decode())) == before
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        assert int(_expired_figure(client.get("/").content.decode())) == before + 1


def test_with_a_worker_the_figures_are_computed_off_the_request(world, rf, cached, settings, monkeypatch):
    """With a Celery worker, a visit notes its unit; beat's refresh computes the unit's figures (a colleague's
    visit then reads them, computing only their own cards); a user's act asks the worker for their unit
    instead of dropping its entries; a unit nobody looked at recently is left alone."""
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from zhifa.core import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DASHBOARD_STALE_SECONDS = 600
    queued = []
    monkeypatch.setattr(tasks.refresh_dashboard_cards, "apply_async",
                        lambda kwargs=None, **options: queued.append(kwargs))

    def visit(user):
        request = rf.get("/")
        request.user = user
        widgets, at = cards.compute_at(request)
        [card] = [w for w in widgets if w["title"] == "执法证预警"]
        return int(str(card["stat"]).split()[0]), at

    officer, colleague, other = world.users["officer"], world.users["officer2"], world.users["officer_b"]
    before, _ = visit(officer)
    before_b, _ = visit(other)
    assert set(cards._cache().get(cards.WANTED)) == {cards._unit(officer), cards._unit(other)}
    OfficerFactory(organisation=world.brigade_a, cert_status=Officer.CertStatus.VALID,
                   cert_expires_on=date.today() - timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        # past the window, within the stale limit: read as kept (the worker recomputes it)
        assert visit(colleague)[0] == before
        # beat: both units looked at recently, a share of them at each tick (one of two per tick here)
        assert [cards.refresh_units() for _tick in range(3)] == [1, 1, 0]
        with CaptureQueriesContext(connection) as ctx:
            figure, at = visit(colleague)
        assert figure == before + 1 and (timezone.now() - at).total_seconds() < 5
        # the unit's certificate count was read from the kept entry, not queried
        assert not any('"cert_expires_on" <' in q["sql"] for q in ctx.captured_queries)
        assert visit(other)[0] == before_b
    cards.touch(colleague.pk, colleague)  # the colleague acted: the worker is asked for their unit
    assert queued == [{"unit": cards._unit(colleague)}]
    assert visit(officer)[0] == before + 1  # the entry was not dropped
    later = timedelta(seconds=120 + settings.DASHBOARD_WANTED_SECONDS + 60)
    with time_machine.travel(timezone.now() + later):
        assert cards.refresh_units() == 0  # nobody looked since


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


def test_a_users_own_work_is_their_own_and_current_after_their_act(world, client_for, rf, cached):
    """The oversight card's jurisdiction counts are shared by the unit's officers; "本人负责 N 项" is each
    officer's own: computed for them, kept a minute, dropped by their own act."""
    from zhifa.oversight.tests.factories import problem

    problem(world, owner="officer")
    officer = client_for("officer")
    assert "本人负责 1 项" in officer.get("/").content.decode()
    assert "本人负责" not in client_for("officer2").get("/").content.decode()  # same unit and roles, own work
    problem(world, owner="officer")  # written behind the page's back
    assert "本人负责 1 项" in officer.get("/").content.decode()  # within the window: as kept
    assert officer.post("/notifications/read/").status_code == 302  # the officer acts
    assert "本人负责 2 项" in officer.get("/").content.decode()


def test_with_a_worker_signing_in_has_the_units_figures_computed(world, client, cached, settings,
                                                                 monkeypatch):
    """Where a worker runs, a sign-in notes the user's unit and asks the worker for its figures (the dashboard
    the user lands on reads them); figures computed within the refresh interval are not asked for again."""
    from zhifa.core import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.refresh_dashboard_cards, "apply_async",
                        lambda kwargs=None, **options: queued.append(kwargs))
    user = world.users["officer"]
    user.set_password("pw-123456789")
    user.save()
    assert client.post("/login/", {"username": user.username, "password": "pw-123456789"}).status_code == 302
    assert queued == [{"unit": cards._unit(user)}]
    assert cards._unit(user) in cards._cache().get(cards.WANTED)
    cards.refresh_units(unit=cards._unit(user))  # the worker
    client.logout()
    assert client.post("/login/", {"username": user.username, "password": "pw-123456789"}).status_code == 302
    assert len(queued) == 1  # just computed: not asked again


def test_acts_in_a_row_ask_the_worker_once_per_interval_and_the_task_expires(world, cached, settings,
                                                                              monkeypatch):
    """A worker that is down for hours does not find a heap of refreshes before the papers: one request per
    unit and refresh interval, each expiring after it."""
    from zhifa.core import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(tasks.refresh_dashboard_cards, "apply_async",
                        lambda kwargs=None, **options: sent.append((kwargs, options)))
    officer, colleague = world.users["officer"], world.users["officer2"]
    for _ in range(5):
        cards.touch(officer.pk, officer)
        cards.touch(colleague.pk, colleague)
    assert sent == [({"unit": cards._unit(officer)}, {"expires": settings.DASHBOARD_REFRESH_SECONDS})]
    beat = settings.CELERY_BEAT_SCHEDULE["dashboard-cards"]
    assert beat["schedule"] == settings.DASHBOARD_REFRESH_TICK_SECONDS
    assert beat["options"]["expires"] == settings.DASHBOARD_REFRESH_SECONDS


def test_beat_spreads_the_units_over_the_interval(world, rf, cached, settings):
    """Each tick of beat computes a share of the units looked at (units × tick ÷ interval, rounded up), the
    longest waiting first, and a unit computed within the interval waits for the next one: every unit about
    once an interval, never all of them in one burst (docs/performance.md)."""
    import time_machine
    from django.utils import timezone

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DASHBOARD_REFRESH_SECONDS, settings.DASHBOARD_REFRESH_TICK_SECONDS = 30, 10
    start = timezone.now()
    keys = ("officer", "officer_b", "reviewer", "head", "supervisor", "admin")  # six units and roles
    units = set()
    for key in keys:
        request = rf.get("/")
        request.user = world.users[key]
        cards.compute_at(request)  # the visit notes its unit
        units.add(cards._unit(world.users[key]))
    assert len(units) == 6
    def tick(seconds):
        with time_machine.travel(start + timedelta(seconds=seconds)):
            before = dict(cards._cache().get(cards.REFRESHED) or {})
            count = cards.refresh_units()
            after = cards._cache().get(cards.REFRESHED) or {}
        return count, {unit for unit in after if after[unit] != before.get(unit)}

    first, second, third, again = tick(0), tick(10), tick(20), tick(20)
    assert [first[0], second[0], third[0], again[0]] == [2, 2, 2, 0]  # two at a time, then none is due
    assert first[1] | second[1] | third[1] == units  # all six within the interval, each once
    assert tick(30) == (2, first[1])  # an interval later: the two computed first, the others not yet
    assert tick(40) == (2, second[1])
    assert tick(80)[0] == 6  # the ticks between were lost (a busy worker): the next one makes them up
    assert cards.refresh_units(unit=cards._unit(world.users["officer"])) == 1  # an act's unit: at once


def test_a_tick_a_little_late_or_early_computes_one_tick_s_share(world, rf, cached, settings):
    """Beat's ticks are not exactly ``DASHBOARD_REFRESH_TICK_SECONDS`` apart (its own jitter, a busy worker):
    a tick 4 ms late is still one tick, whose share is two of six units — not ceil(6 × 10.004 ÷ 30) = 3. (This
    made ``test_beat_spreads_the_units_over_the_interval`` fail under load: [2, 3, 1, 0].)"""
    import time_machine
    from django.utils import timezone

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DASHBOARD_REFRESH_SECONDS, settings.DASHBOARD_REFRESH_TICK_SECONDS = 30, 10
    start = timezone.now()
    for key in ("officer", "officer_b", "reviewer", "head", "supervisor", "admin"):
        request = rf.get("/")
        request.user = world.users[key]
        cards.compute_at(request)

    def tick(seconds):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            return cards.refresh_units()

    assert [tick(0), tick(10.004), tick(19.997), tick(20.001)] == [2, 2, 2, 0]
    assert tick(42.0) == 4  # two ticks and two seconds since the last one ran: two ticks' share


def test_the_unit_key_tells_apart_everything_the_jurisdiction_figures_depend_on(world):
    """The jurisdiction figures are shared by the users whose unit, roles and superuser state are equal: a
    superuser without a unit (who sees everything) never shares with a user without a unit (who sees
    nothing); another role set or another unit is another entry."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    nobody = User.objects.create_user("no-unit", password="x-123456789")
    root = User.objects.create_superuser("root-no-unit", password="x-123456789")
    officer, colleague, head = world.users["officer"], world.users["officer2"], world.users["head"]
    assert cards._unit(officer) == cards._unit(colleague)
    assert len({cards._unit(nobody), cards._unit(root), cards._unit(officer), cards._unit(head),
                cards._unit(world.users["officer_b"])}) == 5


def test_a_unit_that_cannot_be_computed_does_not_hold_up_the_others(world, rf, cached, settings):
    """A unit whose noted user was deactivated (or moved) is skipped and noted as handled: left waiting, it
    took the tick's only place at every tick and no other unit was computed (found in review, 2026-12-06)."""
    import time_machine
    from django.utils import timezone

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DASHBOARD_REFRESH_SECONDS, settings.DASHBOARD_REFRESH_TICK_SECONDS = 30, 2
    start = timezone.now()
    for key in ("officer", "officer_b", "head"):
        request = rf.get("/")
        request.user = world.users[key]
        cards.compute_at(request)
    head = world.users["head"]
    head.is_active = False
    head.save(update_fields=["is_active"])
    live = {cards._unit(world.users["officer"]), cards._unit(world.users["officer_b"])}
    for second in range(0, 10, 2):
        with time_machine.travel(start + timedelta(seconds=second)):
            cards.refresh_units()
    refreshed = cards._cache().get(cards.REFRESHED) or {}
    assert live <= set(refreshed)
