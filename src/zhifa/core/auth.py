"""Authentication: the model backend with failed-login lockout, and bearer tokens for system clients."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from ninja.security import HttpBearer

from .db import NUMBER_PLACEHOLDER, Compiled
from .models import ApiToken, User
from .ratelimit import client_key, failure, failures, forget


def _account(username: str) -> str:
    # a digest: any text a client types becomes a safe cache key of fixed length
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def login_locked(request, username: str) -> bool:
    """Whether sign-in is locked for this (account, client address) pair or for the address as a whole. The
    same answer whether or not the account exists, so a lock tells nobody which usernames are real."""
    address = client_key(request) if request is not None else "local"
    return (failures("login", f"{_account(username)}:{address}") >= settings.LOGIN_MAX_FAILURES
            or failures("login-address", address) >= settings.LOGIN_ADDRESS_MAX_FAILURES)


class LockoutModelBackend(ModelBackend):
    """Failed sign-ins are counted per (account, client address) and per client address
    (``LOGIN_MAX_FAILURES``, ``LOGIN_ADDRESS_MAX_FAILURES`` within ``LOGIN_LOCKOUT_MINUTES``); over either limit even
    the right password is refused. Unknown usernames count like known ones, a lock is answered after the same
    password-hashing work as a real check, and the messages do not depend on the account existing: the sign-in
    form reveals no usernames. A stranger cannot lock an officer out (the lock is theirs, by address), and a spray
    of one password over many accounts from one address is stopped by the address limit. ``User.locked_until``
    is the administrator's own lock (admin), answered like a wrong password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        if login_locked(request, username):
            User().set_password(password)  # the hashing a real check costs: a lock answers in the same time
            if request is not None:
                request.zhifa_locked = True
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        address = client_key(request) if request is not None else "local"
        pair = f"{_account(username)}:{address}"
        if result is None or result.is_locked():
            window = settings.LOGIN_LOCKOUT_MINUTES * 60
            over_pair = failure("login", pair, window=window) >= settings.LOGIN_MAX_FAILURES
            over_address = failure("login-address", address, window=window) >= settings.LOGIN_ADDRESS_MAX_FAILURES
            if request is not None and (over_pair or over_address):
                request.zhifa_locked = True
            return None
        forget("login", pair)
        return result

    def get_user(self, user_id):
        """The signed-in user of a request, with their organisation in the same query: every page scopes by
        it."""
        user = _SIGNED_IN.first(User._meta.pk.get_prep_value(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None


# Every signed-in page and every API call runs one of these two look-ups: their SQL compiled once (core.db).
_SIGNED_IN = Compiled(lambda pk: User._default_manager.select_related("organisation").filter(pk=pk)[:1],
                      placeholder=NUMBER_PLACEHOLDER)
# key_hash is unique: a slice, not .first(), whose ORDER BY the database would sort by for nothing.
_TOKEN = Compiled(lambda key_hash: ApiToken.objects.select_related("user", "user__organisation")
                  .filter(key_hash=key_hash, revoked=False)[:1])


TOKEN_USE_RESOLUTION = 60  # seconds: ApiToken.last_used_at is written at most this often


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: User, name: str) -> str:
    """Create a token and return its plain key (shown once; only the hash is kept)."""
    key = "zf_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=token_hash(key))
    return key


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = _TOKEN.first(token_hash(token))
        if row is None or not row.user.is_active:
            return None
        # Kept to the minute: one write a minute per token, not one per request (a busy client's every call
        # would otherwise be a write, and on SQLite a lock of the whole database).
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= TOKEN_USE_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
