"""The session store (settings.SESSION_ENGINE): Django's database store, its look-up of the session compiled
once (core.db). Every signed-in page reads its session; the ORM compiled that query anew each time, ~12 times
the query's own cost (0.2 ms a page on SQLite, 2026-12-06)."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .db import Compiled

# session_key is the primary key: one row or none. The expiry is compared here, not in the query (a value
# of its own would need a second parameter): an expired session is no session, as with Django's store.
_SESSION = Compiled(lambda key: Session.objects.filter(session_key=key)[:1])


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = _SESSION.first(self.session_key)
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
