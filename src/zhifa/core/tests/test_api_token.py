"""API tokens (core.auth.ApiTokenAuth): the key is kept only as its hash, a revoked or inactive user's token
is refused, and the token's last use is written at most once a minute (not a write per request)."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from zhifa.core.auth import TOKEN_USE_RESOLUTION, token_create, token_hash
from zhifa.core.models import ApiToken


def _get(client, key):
    return client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_is_kept_as_its_hash_and_its_use_written_once_a_minute(world, client):
    key = token_create(user=world.users["officer"], name="测试")
    token = ApiToken.objects.get(user=world.users["officer"], name="测试")
    assert token.key_hash == token_hash(key) and key not in token.key_hash
    assert _get(client, key).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert _get(client, key).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first  # within the minute: not written again
    with time_machine.travel(timezone.now() + timedelta(seconds=TOKEN_USE_RESOLUTION + 1)):
        assert _get(client, key).status_code == 200
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_a_revoked_token_or_an_inactive_user_is_refused(world, client):
    key = token_create(user=world.users["officer2"], name="测试")
    ApiToken.objects.filter(key_hash=token_hash(key)).update(revoked=True)
    assert _get(client, key).status_code == 401
    other = token_create(user=world.users["officer2"], name="测试2")
    world.users["officer2"].is_active = False
    world.users["officer2"].save(update_fields=["is_active"])
    assert _get(client, other).status_code == 401
    assert _get(client, "zf_not-a-token").status_code == 401
