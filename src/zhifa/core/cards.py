"""The dashboard's cards: each app's ``dashboard`` module, in the order of the work (``ZHIFA_WORK_ORDER``).

Two kinds of figures make a card, and they are kept apart because they cost differently:

- **Jurisdiction figures** depend only on the user's unit and roles (counts of the unit's registers: fines
  overdue, certificates expiring, this year's complaints KPIs …). An app declares them either as a whole
  (``SHARED_BY_UNIT = True``: its ``widgets(request)`` reads nothing of the user's own) or as a part
  (``unit_figures(request) -> dict``, which its ``widgets(request, figures)`` combines with the user's own
  work). They are computed once per unit and roles and kept in the ``dashboard`` cache (shared by the web
  processes: Redis with ``CACHE_URL``, else files under ``var/``) with the moment they were computed;
  colleagues of the same unit and roles read the same entry, another unit's never. Where a Celery worker
  runs (a broker is configured), beat recomputes every unit's entry that somebody looked at recently
  about every ``DASHBOARD_REFRESH_SECONDS``, a few units at each tick (:func:`refresh_units`, task
  ``core.refresh_dashboard_cards``, every ``DASHBOARD_REFRESH_TICK_SECONDS``) and a user's
  act asks the worker to recompute their unit's entry at once: the figures are computed off the web
  processes, at the worker's lower priority, and a visit only reads them. Without a worker (the embedded
  default) a visit computes an entry older than ``DASHBOARD_CACHE_SECONDS`` itself, and a user's act drops
  their unit's entries.
- **The user's own work** (my cases at risk, complaints assigned to me, my inspections, problems I own) is a
  handful of indexed queries, computed in the request and kept per user for ``DASHBOARD_CACHE_SECONDS``; the
  user's own act (:class:`TouchMiddleware`: any successful POST/PUT/PATCH/DELETE, pages and API alike) drops
  it, so an officer who has just acted sees their own work as it now is.

The page says when the oldest figure it shows was computed (数据更新于 HH:MM); an entry of yesterday is never
shown today (dates in the cards: due today, overdue …)."""

from __future__ import annotations

import logging
import math
import pickle
import threading
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from . import legal_calendar
from .roles import user_roles

log = logging.getLogger(__name__)
VERSION = 2  # bump when the shape of a card changes, so no process reads an entry of the old shape
WANTED = f"cards:v{VERSION}:wanted"  # {unit key: (a user of that unit and roles, last visit timestamp)}
REFRESHED = f"cards:v{VERSION}:refreshed"  # {unit key: when the worker last computed its figures (timestamp)}
LAST_TICK = f"cards:v{VERSION}:last-tick"  # when beat's last tick ran (timestamp)


class CacheUnavailable(Exception):
    """The cache failed once in this computation: the rest of it does without (no second wait on a hung
    server)."""


class _Guarded:
    """The dashboard cache for one page or one refresh: after its first failure every further call fails at
    once, so a hung or unreachable Redis costs one timeout (``socket_timeout``, settings) and the queries,
    never twenty timeouts."""

    def __init__(self, cache):
        self.cache, self.broken = cache, False

    def __getattr__(self, name):
        method = getattr(self.cache, name)

        def call(*args, **kwargs):
            if self.broken:
                raise CacheUnavailable(name)
            try:
                return method(*args, **kwargs)
            except Exception:
                self.broken = True
                raise

        return call


_local = threading.local()


def _cache():
    return getattr(_local, "cache", None) or caches["dashboard"]


class _guarded:
    """``with _guarded():`` — the calls inside share one :class:`_Guarded` cache."""

    def __enter__(self):
        self.outer = getattr(_local, "cache", None)
        if self.outer is None:
            _local.cache = _Guarded(caches["dashboard"])
        return _local.cache

    def __exit__(self, *exc):
        if self.outer is None:
            _local.cache = None
        return False


def _warn(message: str) -> None:
    # One line per failure, with the trace only for the first (the others are CacheUnavailable).
    exc = __import__("sys").exc_info()[1]
    log.warning(message, exc_info=not isinstance(exc, CacheUnavailable))


def _unit(user) -> str:
    # The unit, the roles and whether the user is a superuser without a unit (who sees everything) decide the
    # jurisdiction figures: a user moved to another unit or given other roles never reads their former entry.
    roles = ",".join(sorted(user_roles(user)))
    return f"{user.organisation_id}:{int(bool(user.is_superuser))}:{roles}"


def _unit_key(unit: str, label: str) -> str:
    return f"cards:v{VERSION}:unit:{unit}:{label}"


def _own_key(user) -> str:
    return f"cards:v{VERSION}:own:{user.pk}:{_unit(user)}"


def _own_pointer(user_id: int) -> str:
    return f"cards:v{VERSION}:own:{user_id}:key"


def _modules() -> list[tuple[str, object]]:
    found = []
    for dotted in settings.ZHIFA_WORK_ORDER:
        if find_spec(f"{dotted}.dashboard") is not None:
            found.append((dotted.rsplit(".", 1)[-1], import_module(f"{dotted}.dashboard")))
    return found


def _shares(module) -> bool:
    return getattr(module, "SHARED_BY_UNIT", False) or hasattr(module, "unit_figures")


def _unit_value(request, module):
    """What an app's jurisdiction part is: the whole cards (``SHARED_BY_UNIT``) or its ``unit_figures``."""
    if getattr(module, "SHARED_BY_UNIT", False):
        return _complete(module.widgets(request))
    return module.unit_figures(request)


def _cards(request, module, figures) -> list[dict]:
    if getattr(module, "SHARED_BY_UNIT", False):
        return figures
    if hasattr(module, "unit_figures"):
        return _complete(module.widgets(request, figures))
    return _complete(module.widgets(request))


def _worker() -> bool:
    """Whether a Celery worker computes the jurisdiction figures (a broker, tasks not eager)."""
    return not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)


def refresh_seconds() -> int:
    """How often the jurisdiction figures are computed again: by the worker's beat, or by a visit after the
    window."""
    return settings.DASHBOARD_REFRESH_SECONDS if _worker() else settings.DASHBOARD_CACHE_SECONDS


def _fresh(at, now) -> bool:
    # With a worker refreshing them, an entry stays readable for the stale limit (the worker is at most one
    # beat behind); without one, for the cache window.
    limit = settings.DASHBOARD_STALE_SECONDS if _worker() else settings.DASHBOARD_CACHE_SECONDS
    return timezone.localdate(at) == timezone.localdate(now) and (now - at).total_seconds() < limit


def compute(request) -> list[dict]:
    """Every app's cards for ``request.user``, computed now (nothing read from or written to the cache)."""
    with legal_calendar.shared():  # the cards only read: one calendar snapshot for all of them
        return [card for _label, module in _modules() for card in _cards(
            request, module, _unit_value(request, module) if _shares(module) else None)]


def compute_at(request) -> tuple[list[dict], object]:
    """(every app's cards, the moment the oldest of them was computed): the jurisdiction figures from the
    unit's entries (computed here when missing or old), the user's own work computed now."""
    if settings.DASHBOARD_CACHE_SECONDS <= 0:
        return compute(request), timezone.now()
    now = timezone.now()
    oldest, widgets = now, []
    modules = _modules()
    unit = _unit(request.user)
    _want(request.user, unit, now)
    keys = {label: _unit_key(unit, label) for label, module in modules if _shares(module)}
    try:
        kept = _cache().get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 — a broken cache costs the queries, never the page
        _warn("dashboard cache unreadable")
        kept = {}
    with legal_calendar.shared():
        for label, module in modules:
            figures = None
            if label in keys:
                hit = kept.get(keys[label])
                if hit is not None and _fresh(hit[1], now):
                    figures, at = hit
                    oldest = min(oldest, at)
                else:
                    figures = _unit_value(request, module)
                    _store(keys[label], figures, timezone.now())
            widgets += _cards(request, module, figures)
    return widgets, oldest


def _store(key: str, figures, at) -> None:
    try:
        pickle.dumps(figures)  # a card carrying an unpicklable object is simply not kept
        keep = max(settings.DASHBOARD_STALE_SECONDS, settings.DASHBOARD_CACHE_SECONDS)
        _cache().set(key, (figures, at), keep)
    except Exception:  # noqa: BLE001
        _warn("dashboard figures not kept")


def _want(user, unit: str, now) -> None:
    """Note that somebody of this unit and roles looks at the dashboard (at most once a minute per unit), so
    the worker keeps its entries fresh; units nobody looked at for ``DASHBOARD_WANTED_SECONDS`` are left
    alone."""
    if not _worker():
        return
    try:
        wanted = _cache().get(WANTED) or {}
        seen = wanted.get(unit)
        if seen is None or now.timestamp() - seen[1] > 60:
            wanted[unit] = (user.pk, now.timestamp())
            _cache().set(WANTED, wanted, 24 * 3600)
    except Exception:  # noqa: BLE001 — a lost hint costs one computation in a request
        _warn("dashboard unit not noted")


def refresh_units(*, unit: str | None = None) -> int:
    """Compute the jurisdiction figures of the units somebody looked at in the last
    ``DASHBOARD_WANTED_SECONDS`` that are due (:func:`_due`; beat, every
    ``DASHBOARD_REFRESH_TICK_SECONDS``), or of ``unit`` only (after a user's act), and keep them. Run by the
    worker; returns the number of units computed. One beat's refresh at a time (ticks do not pile up behind a
    slow one)."""
    with _guarded():
        lock = f"cards:v{VERSION}:refreshing:{unit or '*'}"
        try:
            if not _cache().add(lock, 1, max(60, settings.DASHBOARD_REFRESH_SECONDS * 4)):
                return 0
        except Exception:  # noqa: BLE001 — without the cache nothing could be kept anyway
            _warn("dashboard figures not refreshed")
            return 0
        try:
            return _refresh_units(unit)
        finally:
            try:
                _cache().delete(lock)
            except Exception:  # noqa: BLE001 — it lapses
                pass


def _due(looked_at: set[str], stamp: float) -> list[str]:
    """The units beat computes at this tick: those whose figures the worker has not computed for an interval
    (``DASHBOARD_REFRESH_SECONDS``, less half a tick), the longest waiting first, and at most the tick's share
    of all the units looked at (units × tick ÷ interval, rounded up). So every unit is still computed about
    once an interval,
    but the work is spread over the interval's ticks: computing every unit at once (about 1.5 s of the
    worker's CPU and as much of the database's for 22 units, every 30 s) kept both cores busy for three
    seconds, and the officers' pages in flight then waited (docs/performance.md, "2026-12-06, 10:03–11:56 UTC:
    where the tail comes from")."""
    refreshed = _cache().get(REFRESHED) or {}
    interval = max(1, settings.DASHBOARD_REFRESH_SECONDS)
    tick = min(interval, max(1, settings.DASHBOARD_REFRESH_TICK_SECONDS))
    waiting = sorted((refreshed.get(key, 0.0), key) for key in looked_at
                     if stamp - refreshed.get(key, 0.0) >= interval - tick / 2)
    # The share of the ticks since the last one that ran: ticks lost behind a busy worker are made up.
    # Whole ticks, not seconds: a tick that starts a few milliseconds late (beat's jitter, a busy worker) is
    # one tick, not one and a sliver — ceil(6 × 10.003 ÷ 30) would compute three units instead of two.
    last = _cache().get(LAST_TICK)
    ticks = 1 if last is None else max(1, math.floor((stamp - last) / tick + 0.5))
    elapsed = min(interval, ticks * tick)
    _cache().set(LAST_TICK, stamp, interval * 4)
    share = math.ceil(len(looked_at) * elapsed / interval)
    return [key for _at, key in waiting[:share]]


def _note_refreshed(key: str, looked_at: set[str], stamp: float) -> None:
    try:
        refreshed = _cache().get(REFRESHED) or {}
        kept = {k: at for k, at in refreshed.items() if k in looked_at}  # units nobody looks at any more go
        kept[key] = stamp
        _cache().set(REFRESHED, kept, 24 * 3600)
    except Exception:  # noqa: BLE001 — the unit is computed again at the next tick
        _warn("dashboard refresh not noted")


def _refresh_units(unit: str | None) -> int:
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    now = timezone.now()
    wanted = _cache().get(WANTED) or {}
    looked_at = {key for key, (_pk, seen) in wanted.items()
                 if now.timestamp() - seen <= settings.DASHBOARD_WANTED_SECONDS}
    if unit is not None:
        todo = [unit] if unit in looked_at else []
    else:
        todo = _due(looked_at, now.timestamp())
    modules = [(label, module) for label, module in _modules() if _shares(module)]
    done = 0
    for key in todo:
        user_pk = wanted[key][0]
        users = get_user_model().objects.filter(pk=user_pk, is_active=True).select_related("organisation")
        user = users.first()
        if user is None or _unit(user) != key:  # moved or deactivated: a colleague's visit notes the unit
            # noted all the same: left waiting, it would take one of the tick's places at every tick
            _note_refreshed(key, looked_at, timezone.now().timestamp())
            continue
        request = RequestFactory().get("/")
        request.user = user
        with legal_calendar.shared():
            for label, module in modules:
                try:
                    _store(_unit_key(key, label), _unit_value(request, module), timezone.now())
                except Exception:  # noqa: BLE001 — one app's failure leaves its entry to the next visit
                    log.exception("dashboard figures of %s not computed for unit %s", label, key)
        _note_refreshed(key, looked_at, timezone.now().timestamp())
        done += 1
    return done


def prepare_on_login(sender, request, user, **kwargs) -> None:
    """Signed in (``user_logged_in``): where a worker runs, note the user's unit and have its figures computed
    now, so the dashboard the user lands on reads them instead of computing them in its request."""
    if not _worker() or settings.DASHBOARD_CACHE_SECONDS <= 0:
        return
    request.zhifa_cards_prepared = True  # the sign-in is not an act that changes figures (TouchMiddleware)
    with _guarded():
        _prepare(user)


def _prepare(user) -> None:
    try:
        unit = _unit(user)
        _want(user, unit, timezone.now())
        keys = [_unit_key(unit, label) for label, module in _modules() if _shares(module)]
        kept = _cache().get_many(keys)
        now = timezone.now()
        if len(kept) < len(keys) or any((now - at).total_seconds() >= settings.DASHBOARD_REFRESH_SECONDS
                                        for _figures, at in kept.values()):
            _ask_worker(unit)
    except Exception:  # noqa: BLE001 — the dashboard then computes them itself
        _warn("dashboard figures not prepared at sign-in")


def _complete(cards) -> list[dict]:
    # Every key the template reads is present, so a missing key never resolves to a dict method.
    blank = {"stat": None, "text": "", "items": [], "link": "", "template": "", "data": None, "wide": False}
    return [{**blank, **w} for w in cards or []]


def cards_for(request) -> tuple[list[dict], object]:
    """(cards, the moment the oldest was computed): the user's kept cards within the window, else computed
    (reading the unit's jurisdiction figures) and kept."""
    with _guarded():
        return _cards_for(request)


def _cards_for(request) -> tuple[list[dict], object]:
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds > 0:
        try:
            hit = _cache().get(_own_key(request.user))
        except Exception:  # noqa: BLE001 — a broken cache costs the queries, never the page
            _warn("dashboard cache unreadable")
            hit = None
        now = timezone.now()
        if hit is not None and timezone.localdate(hit[2]) == timezone.localdate(now) and \
                (now - hit[2]).total_seconds() < seconds:
            return hit[0], hit[1]
    widgets, oldest = compute_at(request)
    if seconds > 0:
        try:
            blob = (widgets, oldest, timezone.now())
            pickle.dumps(blob)
            _cache().set(_own_key(request.user), blob, seconds)
            _cache().set(_own_pointer(request.user.pk), _own_key(request.user), seconds)
        except Exception:  # noqa: BLE001
            _warn("dashboard cards not cached")
    return widgets, oldest


def _ask_worker(unit: str) -> None:
    """Ask the worker for the unit's figures — once per refresh interval per unit (``cache.add`` is the
    de-duplication), and the task expires after that interval: a worker that is down finds no heap of
    refreshes waiting before the papers and the exchanges when it comes back."""
    if _cache().add(f"cards:v{VERSION}:asked:{unit}", 1, settings.DASHBOARD_REFRESH_SECONDS):
        from .tasks import refresh_dashboard_cards

        refresh_dashboard_cards.apply_async(kwargs={"unit": unit}, expires=settings.DASHBOARD_REFRESH_SECONDS)


def touch(user_id: int, user=None) -> None:
    """The user acted: drop their kept cards (their own work changed), and have their unit's jurisdiction
    figures computed again — by the worker at once where there is one, else by the next visit."""
    with _guarded():
        _touch(user_id, user)


def _touch(user_id: int, user) -> None:
    try:
        key = _cache().get(_own_pointer(user_id))
        if key:
            _cache().delete(key)
        if user is None:
            return
        unit = _unit(user)
        if _worker():
            _ask_worker(unit)
        else:
            _cache().delete_many([_unit_key(unit, label) for label, module in _modules() if _shares(module)])
    except Exception:  # noqa: BLE001
        _warn("dashboard cache not cleared")


class TouchMiddleware:
    """After a successful write of a signed-in user (a page's form or the API), drop their cached cards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400
        if writes and settings.DASHBOARD_CACHE_SECONDS > 0:
            user = getattr(request, "user", None)
            signed_in = getattr(request, "zhifa_cards_prepared", False)  # the sign-in itself
            if user is not None and user.is_authenticated and not signed_in:
                touch(user.pk, user)
        return response
