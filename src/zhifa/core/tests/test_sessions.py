"""core.sessions: Django's database session store with its look-up compiled once answers as Django's does — a
live session signs the user in, an expired, deleted or unknown one is no session (the login page), and the
look-up is one query."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.core.sessions import SessionStore


def test_the_project_uses_the_compiled_store():
    assert settings.SESSION_ENGINE == "zhifa.core.sessions"


def test_a_session_loads_as_with_django_s_store(db):
    store = SessionStore()
    store["who"] = "张三"
    store.create()
    key = store.session_key
    for _ in range(2):  # compiled at the first load, reused at the second
        with CaptureQueriesContext(connection) as queries:
            ours = SessionStore(session_key=key).load()
        assert len(queries) == 1
        assert ours == DjangoStore(session_key=key).load() == {"who": "张三"}
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    ours, django = SessionStore(session_key=key), DjangoStore(session_key=key)
    assert ours.load() == django.load() == {}
    assert ours.session_key is None and django.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_a_signed_in_page_and_an_expired_session(world, client):
    client.force_login(world.users["officer"])
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
