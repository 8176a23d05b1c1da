"""Optional second factor (TOTP, RFC 6238) for sign-in, recommended for legal reviewers and heads of agency.

A user who has confirmed a device must enter a current code after the password; a code is accepted once
(replay within its time step is refused). Wrong codes are throttled per user: after ``TOTP_MAX_FAILURES`` within
``TOTP_LOCKOUT_MINUTES`` the second factor is locked (even a right code is refused) for the window, so a million
codes cannot be tried. Ten one-time recovery codes are issued when the device is confirmed (only their keyed
digests are kept); turning the second factor off needs the password and a current code or a recovery code."""

import base64
import hashlib
import hmac
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import DomainError
from .models import RecoveryCode, TotpDevice, User
from .ratelimit import failure, failures, forget

ISSUER = "zhifa 交通运输行政执法"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def device_for(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def totp_required(user: User) -> bool:
    device = device_for(user)
    return bool(device and device.confirmed)


def second_factor_locked(user: User) -> bool:
    return failures("totp", str(user.pk)) >= settings.TOTP_MAX_FAILURES


def _locked_error() -> DomainError:
    return DomainError("totp_locked", f"动态口令错误次数过多，二次验证已锁定{settings.TOTP_LOCKOUT_MINUTES}分钟，请稍后再试或联系管理员。",
                       status=429)


def _failed(user: User) -> None:
    if failure("totp", str(user.pk), window=settings.TOTP_LOCKOUT_MINUTES * 60) == settings.TOTP_MAX_FAILURES:
        with transaction.atomic():
            audit.record(actor=None, action="user.totp_locked", subject=user,
                         summary=f"动态口令连续错误{settings.TOTP_MAX_FAILURES}次，二次验证锁定{settings.TOTP_LOCKOUT_MINUTES}分钟")


def totp_begin(*, user: User) -> TotpDevice:
    """Create (or replace an unconfirmed) device with a fresh secret."""
    if totp_required(user):
        raise DomainError("totp_enabled", "动态口令已启用；如需更换，请先停用。")
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


def _recovery_digest(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), f"zhifa-recovery:{normal}".encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns the plain codes (shown once)."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_digest(c)) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def totp_confirm(*, user: User, code: str) -> list[str]:
    """Confirm the device with a current code; returns the ten recovery codes to write down (shown only now)."""
    device = device_for(user)
    if device is None:
        raise DomainError("totp_missing", "请先生成动态口令密钥。")
    if second_factor_locked(user):
        raise _locked_error()
    step = _check(device, code)
    if step is None:
        _failed(user)
        raise DomainError("totp_invalid", "动态口令不正确，请核对手机上的6位数字。")
    with transaction.atomic():
        if TotpDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True, last_step=step) != 1:
            raise DomainError("totp_enabled", "动态口令已启用。", status=409)
        codes = _new_recovery_codes(user)
        audit.record(actor=user, action="user.totp_confirm", subject=user, summary=f"已启用动态口令二次验证，生成{len(codes)}个恢复码")
    forget("totp", str(user.pk))
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    digest = _recovery_digest(code)
    with transaction.atomic():
        used = RecoveryCode.objects.filter(user=user, code_hash=digest, used_at__isnull=True).update(used_at=timezone.now()) == 1
        if used:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record(actor=user, action="user.recovery_code_used", subject=user, summary=f"使用恢复码登录或验证，剩余{left}个")
    return used


def second_factor_verify(*, user: User, code: str) -> bool:
    """Accept a current TOTP code once (a conditional update on last_step refuses replays) or an unused recovery
    code. Raises ``totp_locked`` while the user's second factor is locked; a wrong code counts towards the lock."""
    device = device_for(user)
    if device is None or not device.confirmed:
        return False
    if second_factor_locked(user):
        raise _locked_error()
    code = (code or "").strip()
    if code.replace(" ", "").isdigit():
        step = _check(device, code)
        ok = step is not None and TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step) == 1
    else:
        ok = len(code) >= 10 and _use_recovery_code(user, code)
    if ok:
        forget("totp", str(user.pk))
    else:
        _failed(user)
    return ok


def totp_verify(*, user: User, code: str) -> bool:
    """Sign-in check of the second factor (TOTP or a recovery code); False also while locked."""
    try:
        return second_factor_verify(user=user, code=code)
    except DomainError:
        return False


def totp_disable(*, actor: User, user: User, password: str, code: str) -> None:
    """Turn the second factor off: only the user, re-authenticated with the password and a current code or a
    recovery code (a stolen session alone cannot remove the second factor)."""
    if actor.pk != user.pk:
        raise DomainError("forbidden", "只能停用本人的动态口令。", status=403)
    if not user.check_password(password or ""):
        _failed(user)
        raise DomainError("reauth_failed", "密码不正确，未停用动态口令。")
    if not second_factor_verify(user=user, code=code):
        raise DomainError("reauth_failed", "动态口令或恢复码不正确，未停用动态口令。")
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(actor=actor, action="user.totp_disable", subject=user, summary="停用动态口令二次验证（已验证密码和动态口令）")


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_renew(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current TOTP code."""
    if not (code or "").strip().isdigit() or not second_factor_verify(user=user, code=code):
        raise DomainError("reauth_failed", "动态口令不正确，未生成新的恢复码。")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(actor=user, action="user.recovery_codes_renew", subject=user, summary=f"重新生成{len(codes)}个恢复码（原恢复码作废）")
    return codes
