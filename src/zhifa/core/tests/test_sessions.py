"""Sessions on the shared Redis cache (settings.SESSION_ENGINE, cached_db when CACHE_URL names Redis): a
signed-in page reads its session from Redis, not the database, and signing out ends the session for every
process."""

import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PASSWORD = "pw-test-123!"


@pytest.fixture
def redis_sessions(settings):
    """The deployment's shape: the default cache on Redis (a database of its own, a prefix per test)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/11",
            "KEY_PREFIX": f"sessions-test-{uuid.uuid4().hex}",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield
    caches["default"].clear()
    caches["default"].close()


@pytest.mark.django_db
def test_a_page_reads_the_session_from_the_cache_and_signing_out_ends_it_everywhere(world, redis_sessions):
    officer = Client()
    assert (
        officer.post(
            "/login/", {"username": world.user("officer").username, "password": PASSWORD}
        ).status_code
        == 302
    )
    key = officer.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # written through: a cache flush loses no session

    with CaptureQueriesContext(connection) as ctx:
        assert officer.get("/menu/").status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]

    # Another process (another client with the same cookie) sees the session end when the officer signs out.
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/menu/").status_code == 200
    officer.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert stolen.get("/menu/").status_code == 302
