"""Authentication: the model backend with failed-login lockout, and bearer tokens for system clients."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken, User


class LockoutModelBackend(ModelBackend):
    """After ``LOGIN_MAX_FAILURES`` consecutive failures an account is locked for ``LOGIN_LOCKOUT_MINUTES``;
    while locked even the right password is refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_locked():
            if request is not None:
                request.zhifa_locked = True
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return result
        if result is None:
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            user.refresh_from_db(fields=["failed_login_count"])
            if user.failed_login_count >= settings.LOGIN_MAX_FAILURES:
                until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                User.objects.filter(pk=user.pk).update(locked_until=until, failed_login_count=0)
                if request is not None:
                    request.zhifa_locked = True
        elif user.failed_login_count or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        return result


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: User, name: str) -> str:
    """Create a token and return its plain key (shown once; only the hash is kept)."""
    key = "zf_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=token_hash(key))
    return key


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.objects.select_related("user", "user__organisation").filter(key_hash=token_hash(token), revoked=False).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user
