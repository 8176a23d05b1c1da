"""The dashboard's cards: each app's ``dashboard.widgets(request)``, in the order of the work, kept per
user for ``DASHBOARD_CACHE_SECONDS`` (the ``dashboard`` cache, shared by the web processes).

A card's figures are those of its register at the moment they were computed; the page says when
(数据更新于 HH:MM). Within the window a visit reads one cache entry instead of the cards' queries. After
the window and up to ``DASHBOARD_STALE_SECONDS`` the visit still shows the kept cards at once (with their
time) and one background thread per user computes them again for the next visit (stale-while-revalidate:
an officer's home page never waits for fifteen registers' counts it saw a minute ago). The user's own acts
drop their entry (:class:`TouchMiddleware`: any successful POST/PUT/PATCH/DELETE of the
user, pages and API alike), so an officer who has just acted sees the effect at once; the acts of
others show within the window. The entry is per user, not per unit: several cards count the user's own
work (my cases at risk, complaints assigned to me, my inspections, problems I own, unread messages)."""

from __future__ import annotations

import copy
import logging
import pickle
import threading
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.utils import timezone

from . import legal_calendar
from .roles import user_roles

log = logging.getLogger(__name__)
VERSION = 1  # bump when the shape of a card changes, so no process reads an entry of the old shape


def _key(user) -> str:
    # The unit and roles are part of the key: a user moved to another unit or given other roles never sees
    # the cards of their former jurisdiction, even within the window.
    roles = ",".join(sorted(user_roles(user)))
    return f"cards:v{VERSION}:{user.pk}:{user.organisation_id}:{roles}"


def _prefix(user_id: int) -> str:
    return f"cards:v{VERSION}:{user_id}:"


def _cache():
    return caches["dashboard"]


def _unit_key(user, label: str) -> str:
    roles = ",".join(sorted(user_roles(user)))
    return f"cards:v{VERSION}:unit:{user.organisation_id}:{roles}:{label}"


def compute(request) -> list[dict]:
    """Every app's cards for ``request.user``, each with every key the template reads."""
    return compute_at(request)[0]


def compute_at(request) -> tuple[list[dict], object]:
    """(every app's cards, the moment the oldest of them was computed). An app whose cards depend only on
    the user's unit and roles (its ``dashboard.SHARED_BY_UNIT``: counts of the jurisdiction, no "mine") is
    computed once per unit and roles within the window and shared by the colleagues who have both."""
    widgets, oldest = [], timezone.now()
    seconds = settings.DASHBOARD_CACHE_SECONDS
    with legal_calendar.shared():  # the cards only read: one calendar snapshot for all of them
        for dotted in settings.ZHIFA_WORK_ORDER:
            if find_spec(f"{dotted}.dashboard") is None:
                continue
            module = import_module(f"{dotted}.dashboard")
            if seconds > 0 and getattr(module, "SHARED_BY_UNIT", False):
                cards, at = _shared(request, module, dotted.rsplit(".", 1)[-1], seconds)
                oldest = min(oldest, at)
            else:
                cards = _complete(module.widgets(request))
            widgets += cards
    return widgets, oldest


def _shared(request, module, label: str, seconds: int) -> tuple[list[dict], object]:
    key = _unit_key(request.user, label)
    try:
        hit = _cache().get(key)
    except Exception:  # noqa: BLE001
        hit = None
    now = timezone.now()
    if hit is not None and timezone.localdate(hit[1]) == timezone.localdate() and \
            (now - hit[1]).total_seconds() < seconds:
        return hit
    cards = _complete(module.widgets(request))
    try:
        pickle.dumps(cards)
        _cache().set(key, (cards, now), seconds)
    except Exception:  # noqa: BLE001
        log.warning("shared dashboard cards not cached", exc_info=True)
    return cards, now


def _complete(cards) -> list[dict]:
    # Every key the template reads is present, so a missing key never resolves to a dict method.
    blank = {"stat": None, "text": "", "items": [], "link": "", "template": "", "data": None, "wide": False}
    return [{**blank, **w} for w in cards or []]


def _stale_seconds() -> int:
    return max(getattr(settings, "DASHBOARD_STALE_SECONDS", 0), settings.DASHBOARD_CACHE_SECONDS)


def _keep(user, widgets, computed_at) -> None:
    try:
        blob = (widgets, computed_at)
        pickle.dumps(blob)  # a card carrying an unpicklable object is simply not kept
        _cache().set(_key(user), blob, _stale_seconds())
        _cache().set(f"{_prefix(user.pk)}key", _key(user), _stale_seconds())
    except Exception:  # noqa: BLE001
        log.warning("dashboard cards not cached", exc_info=True)


def _refresh(request, *, close: bool = True) -> None:
    """Compute the user's cards again and keep them (on a background thread: its own database connection,
    closed at the end)."""
    try:
        started = timezone.now()
        widgets, now = compute_at(request)
        # An act of the user while the thread computed: its figures may predate the act, keep nothing.
        touched = _cache().get(f"{_prefix(request.user.pk)}touched")
        if touched is None or touched < started.timestamp():
            _keep(request.user, widgets, now)
    except Exception:  # noqa: BLE001 — the next visit computes them itself
        log.warning("dashboard cards not refreshed", exc_info=True)
    finally:
        try:
            _cache().delete(f"{_prefix(request.user.pk)}refreshing")
        except Exception:  # noqa: BLE001
            pass
        if close:
            connections.close_all()


def _refresh_later(request, *, restart: bool = False) -> None:
    """One background refresh per user at a time (``cache.add`` is the lock; it lapses after 60 s).
    ``restart``: after the user's act, a refresh already running (which started before the act and will
    keep nothing) does not stop a new one."""
    if not getattr(settings, "DASHBOARD_REFRESH_BEHIND", True):
        return
    try:
        if restart:
            _cache().delete(f"{_prefix(request.user.pk)}refreshing")
        if not _cache().add(f"{_prefix(request.user.pk)}refreshing", 1, 60):
            return
    except Exception:  # noqa: BLE001
        return
    background = copy.copy(request)  # the thread reads the user and the request's per-request caches only
    threading.Thread(target=_refresh, args=(background,), name="dashboard-cards", daemon=True).start()


def cards_for(request) -> tuple[list[dict], object]:
    """(cards, the moment they were computed): from the cache within the window; after it (up to the stale
    limit) the kept cards while a background thread computes them again; else computed now and kept."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    today = timezone.localdate()
    if seconds > 0:
        try:
            hit = _cache().get(_key(request.user))
        except Exception:  # noqa: BLE001 — a broken cache costs the queries, never the page
            log.warning("dashboard cache unreadable", exc_info=True)
            hit = None
        # An entry of yesterday is never shown today (dates in the cards: due today, overdue …).
        if hit is not None and timezone.localdate(hit[1]) == today:
            age = (timezone.now() - hit[1]).total_seconds()
            if age >= seconds:
                _refresh_later(request)
            return hit
    widgets, now = compute_at(request)
    if seconds > 0:
        _keep(request.user, widgets, now)
    return widgets, now


def touch(user_id: int, user=None) -> None:
    """Drop the user's cached cards (their own act changed what the cards count), and the cards shared by
    their unit and roles (the act may have changed those counts too)."""
    try:
        if user is not None:
            _cache().delete_many([_unit_key(user, d.rsplit(".", 1)[-1]) for d in settings.ZHIFA_WORK_ORDER])
        _cache().set(f"{_prefix(user_id)}touched", timezone.now().timestamp(), _stale_seconds())
        key = _cache().get(f"{_prefix(user_id)}key")
        if key:
            _cache().delete(key)
    except Exception:  # noqa: BLE001
        log.warning("dashboard cache not cleared", exc_info=True)


class TouchMiddleware:
    """After a successful write of a signed-in user (a page's form or the API), drop their cached cards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400
        if writes and settings.DASHBOARD_CACHE_SECONDS > 0:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                touch(user.pk, user)
                # Computed again at once behind the response: the officer's next look at the dashboard (a
                # few seconds later) reads cards that include the act instead of waiting for them.
                _refresh_later(request, restart=True)
        return response
