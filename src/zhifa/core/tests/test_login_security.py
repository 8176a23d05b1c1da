"""Sign-in under attack (issue 17): lockout by account *and* client address, no username enumeration, password
spraying throttled by address; the second factor throttled with a lock, one-time recovery codes kept as digests,
re-authentication to turn it off."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from zhifa.core import totp
from zhifa.core.models import Event, RecoveryCode, TotpDevice

PASSWORD = "pw-test-123!"


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def limits(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_ADDRESS_MAX_FAILURES = 8
    settings.TOTP_MAX_FAILURES = 5


@pytest.mark.django_db
def test_a_stranger_cannot_lock_an_officer_out(world, limits):
    """Regression (issue 17): the lock was per account, so anyone could lock out `admin` for everybody."""
    attacker = client_at("203.0.113.9")
    for _ in range(3):
        login(attacker, "admin", "wrong")
    assert "禁止登录" in login(attacker, "admin").content.decode()  # the attacker's own pair is locked
    assert login(client_at("10.1.2.3"), "admin").status_code == 302  # the officer at their desk signs in


@pytest.mark.django_db
def test_answers_do_not_tell_which_usernames_exist(world, limits, monkeypatch):
    """Regression (issue 17): the lockout revealed which usernames exist. The same message for a real and an unknown
    username, before and after the lock, and the same password-hashing work in every branch (timing)."""
    hashings = []
    real_encode = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: hashings.append(1) or real_encode(self, *a, **k))

    def answers(username):
        client, texts, work = client_at("198.51.100.7" if username == "officer" else "198.51.100.8"), [], []
        for _ in range(4):
            hashings.clear()
            response = login(client, username, "wrong")
            assert response.status_code == 200
            texts.append(response.context["form"].non_field_errors()[0])
            work.append(len(hashings) >= 1)
        return texts, work

    real, real_work = answers("officer")
    unknown, unknown_work = answers("nobody-here")
    assert real == unknown and "禁止登录" in real[-1]  # the fourth attempt meets the lock in both cases
    assert all(real_work) and all(unknown_work)


@pytest.mark.django_db
def test_password_spray_across_accounts_is_throttled_by_address(world, limits):
    """Regression (issue 17): one password tried over many accounts was not throttled."""
    sprayer = client_at("192.0.2.44")
    for name in ["officer", "officer2", "officer3", "reviewer", "head", "supervisor", "admin", "officer_b"]:
        login(sprayer, name, "Spring2026!")
    assert "禁止登录" in login(sprayer, "officer_b2").content.decode()  # even the right password from there
    assert login(client_at("192.0.2.45"), "officer_b2").status_code == 302


def _enrolled(user):
    device = totp.totp_begin(user=user)
    codes = totp.totp_confirm(user=user, code=pyotp.TOTP(device.secret).now())
    device.refresh_from_db()
    return device, codes


def _second_step(client, user):
    assert login(client, user.username).status_code == 302
    return lambda code: client.post("/login/2fa/", {"code": code})


@pytest.mark.django_db
def test_wrong_codes_lock_the_second_factor(world, limits):
    """Regression (issue 17): 300 wrong TOTP codes in 17 s, no lock."""
    user = world.users["reviewer"]
    device, _ = _enrolled(user)
    client = Client()
    second = _second_step(client, user)
    for n in range(300):
        page = second(f"{n:06d}").content.decode()
        if "锁定" in page:
            break
    assert n == 5  # five wrong codes, then the lock answers
    assert Event.objects.filter(action="user.totp_locked", subject_id=str(user.pk)).count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        right = pyotp.TOTP(device.secret).now()
        assert "锁定" in second(right).content.decode() and client.get("/").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert second(pyotp.TOTP(device.secret).now()).status_code == 302
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_recovery_codes_are_digests_and_work_once(world, limits):
    """Regression (issue 17): there were no recovery codes."""
    user = world.users["head"]
    _, codes = _enrolled(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    client = Client()
    assert _second_step(client, user)(codes[0].lower()).status_code == 302 and client.get("/").status_code == 200
    again = Client()
    assert "不正确或已使用" in _second_step(again, user)(codes[0]).content.decode()
    assert again.get("/").status_code == 302
    assert Event.objects.filter(action="user.recovery_code_used", subject_id=str(user.pk)).count() == 1


@pytest.mark.django_db
def test_turning_the_second_factor_off_needs_password_and_code(world, client_for, limits):
    """Regression (issue 17): disabling 2FA needed only the session."""
    user = world.users["reviewer"]
    device, codes = _enrolled(user)
    client = client_for("reviewer")
    events = Event.objects.filter(action="user.totp_disable").count()
    for form in ({"action": "disable"}, {"action": "disable", "password": "wrong", "code": codes[1]},
                 {"action": "disable", "password": PASSWORD, "code": "123456"}):
        page = client.post("/account/2fa/", form)
        assert page.status_code == 200 and "未停用动态口令" in page.content.decode()
        assert TotpDevice.objects.filter(user=user, confirmed=True).exists()
    assert Event.objects.filter(action="user.totp_disable").count() == events
    client.post("/account/2fa/", {"action": "disable", "password": PASSWORD, "code": codes[1]})
    assert not TotpDevice.objects.filter(user=user).exists() and not RecoveryCode.objects.filter(user=user).exists()
    assert Event.objects.filter(action="user.totp_disable").count() == events + 1
