"""Optional TOTP second factor: enrol, sign in with password + code, refuse wrong and replayed codes."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.utils import timezone

from zhifa.core import totp
from zhifa.core.models import Event


@pytest.mark.django_db
def test_enrol_and_sign_in_with_second_factor(world, client):
    user = world.users["reviewer"]
    device = totp.totp_begin(user=user)
    totp.totp_confirm(user=user, code=pyotp.TOTP(device.secret).now())
    assert Event.objects.filter(action="user.totp_confirm").exists()

    r = client.post("/login/", {"username": "reviewer", "password": "pw-test-123!"})
    assert r.status_code == 302 and r["Location"].endswith("/login/2fa/")
    assert client.get("/").status_code == 302  # not signed in yet
    r = client.post("/login/2fa/", {"code": "000000"})
    assert "不正确" in r.content.decode()
    # The confirmation code's time step is spent; the next step's code signs in.
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        code = pyotp.TOTP(device.secret).now()
        r = client.post("/login/2fa/", {"code": code})
    assert r.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_code_is_accepted_once(world):
    user = world.users["head"]
    device = totp.totp_begin(user=user)
    first = pyotp.TOTP(device.secret).now()
    totp.totp_confirm(user=user, code=first)
    assert not totp.totp_verify(user=user, code=first)  # replay of the confirmation code


@pytest.mark.django_db
def test_users_without_a_device_sign_in_with_password_only(world, client):
    r = client.post("/login/", {"username": "officer", "password": "pw-test-123!"})
    assert r.status_code == 302 and r["Location"] == "/"
