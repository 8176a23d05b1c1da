"""Optional second factor (TOTP, RFC 6238) for sign-in, recommended for legal reviewers and heads of agency.

A user who has confirmed a device must enter a current code after the password; a code is accepted once
(replay within its time step is refused)."""

import base64
import io

import pyotp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import DomainError
from .models import TotpDevice, User

ISSUER = "zhifa 交通运输行政执法"


def device_for(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def totp_required(user: User) -> bool:
    device = device_for(user)
    return bool(device and device.confirmed)


def totp_begin(*, user: User) -> TotpDevice:
    """Create (or replace an unconfirmed) device with a fresh secret."""
    with transaction.atomic():
        device, _ = TotpDevice.objects.update_or_create(user=user, defaults={"secret": pyotp.random_base32(), "confirmed": False, "last_step": 0})
        audit.record(actor=user, action="user.totp_begin", subject=user, summary="开始绑定动态口令")
    return device


def provisioning_qr_data_uri(device: TotpDevice) -> str:
    uri = pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name=ISSUER)
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _check(device: TotpDevice, code: str) -> int | None:
    """The matching time step for ``code`` (±1 step for clock drift), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now.timestamp() + drift * totp.interval
        if totp.verify(code, for_time=at, valid_window=0):
            return int(at // totp.interval)
    return None


def totp_confirm(*, user: User, code: str) -> TotpDevice:
    device = device_for(user)
    if device is None:
        raise DomainError("totp_missing", "请先生成动态口令密钥。")
    step = _check(device, code)
    if step is None:
        raise DomainError("totp_invalid", "动态口令不正确，请核对手机上的6位数字。")
    with transaction.atomic():
        TotpDevice.objects.filter(pk=device.pk).update(confirmed=True, last_step=step)
        audit.record(actor=user, action="user.totp_confirm", subject=user, summary="已启用动态口令二次验证")
    device.refresh_from_db()
    return device


def totp_verify(*, user: User, code: str) -> bool:
    """Accept a sign-in code once: a conditional update on last_step refuses replays."""
    device = device_for(user)
    if device is None or not device.confirmed:
        return False
    step = _check(device, code)
    if step is None:
        return False
    return TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step) == 1


def totp_disable(*, actor: User, user: User) -> None:
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        audit.record(actor=actor, action="user.totp_disable", subject=user, summary="停用动态口令二次验证")
