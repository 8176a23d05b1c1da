"""Telling people: :func:`notify` records the notifications of one event (one per recipient, idempotent by key) in
the caller's transaction and queues their sending with ``transaction.on_commit``; :func:`deliver` (run by the
task) sends each on its channels and records every sending."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhifa.core.errors import DomainError

from .kinds import KINDS
from .models import Delivery, Notification, Preference

MAX_ATTEMPTS = 5


def notify(*, kind: str, event: str, users: Iterable = (), party=None, title: str, body: str, url: str = "", subject=None,
           organisation=None) -> list[Notification]:
    """Record one notification per recipient of event ``event`` (e.g. ``case:12:hearing:2026-11-20``) and queue
    their sending after commit. A recipient already told of this event is skipped (the key is unique), so callers
    may run twice. Returns the notifications created now."""
    if kind not in KINDS:
        raise DomainError("unknown_notification_kind", f"未定义的通知类别：{kind}")
    subject_type, subject_id = _subject(subject)
    targets = [(f"user:{u.pk}", {"recipient": u}) for u in {u.pk: u for u in users if u is not None and u.is_active}.values()]
    if party is not None:
        targets.append((f"party:{party.pk}", {"party": party}))
    created = []
    for suffix, who in targets:
        key = f"{kind}:{event}:{suffix}"[:200]
        if Notification.objects.filter(key=key).exists():
            continue
        try:
            with transaction.atomic():
                n = Notification.objects.create(key=key, kind=kind, title=title[:120], body=body, url=url[:300], subject_type=subject_type,
                                                subject_id=subject_id, organisation=organisation, **who)
        except IntegrityError:  # a concurrent run recorded it first
            continue
        created.append(n)
    if created:
        from .tasks import send_notification

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: [send_notification.delay(pk) for pk in ids])
    return created


def notify_phone(*, kind: str, event: str, phone: str, name: str = "", title: str, body: str, subject=None, organisation=None) -> list[Notification]:
    """Like :func:`notify` for someone known only by a phone number (a complainant); SMS only."""
    if kind not in KINDS:
        raise DomainError("unknown_notification_kind", f"未定义的通知类别：{kind}")
    subject_type, subject_id = _subject(subject)
    key = f"{kind}:{event}:phone"[:200]
    if Notification.objects.filter(key=key).exists():
        return []
    try:
        with transaction.atomic():
            n = Notification.objects.create(key=key, kind=kind, phone=phone[:30], name=name[:60], title=title[:120], body=body,
                                            subject_type=subject_type, subject_id=subject_id, organisation=organisation)
    except IntegrityError:
        return []
    from .tasks import send_notification

    transaction.on_commit(lambda: send_notification.delay(n.pk))
    return [n]


def _subject(subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if hasattr(subject, "_meta"):
        return subject._meta.label_lower, str(subject.pk)
    return str(subject[0]), str(subject[1])


def channels_for(n: Notification) -> list[tuple[str, str, str]]:
    """[(channel, address, why-not)] for a notification: the address, or a reason it is not sent on that channel."""
    kind = KINDS[n.kind]
    out = []
    if n.recipient_id:
        pref = Preference.objects.filter(user_id=n.recipient_id, kind=n.kind).first()
        want_email = pref.email if pref else kind.email
        want_sms = pref.sms if pref else kind.sms
        email, phone = n.recipient.email, getattr(n.recipient, "phone", "")
    elif n.party_id:
        want_email, want_sms = kind.email, kind.sms
        email, phone = getattr(n.party, "email", ""), n.party.phone
    else:
        return [(Delivery.Channel.EMAIL, "", "仅以短信通知"), (Delivery.Channel.SMS, n.phone, "")]
    out.append((Delivery.Channel.EMAIL, email if want_email else "", "" if want_email else "按用户设置不发送"))
    out.append((Delivery.Channel.SMS, phone if want_sms else "", "" if want_sms else "按用户设置不发送"))
    return out


def deliver(notification_id: int) -> dict[str, str]:
    """Send a notification on its channels; every sending (or the reason for none) is a :class:`Delivery` row.
    Safe to run again: a channel already sent is not sent twice; a failed one is retried up to MAX_ATTEMPTS."""
    n = Notification.objects.select_related("recipient", "party").filter(pk=notification_id).first()
    if n is None:
        return {}
    result = {}
    for channel, address, why_not in channels_for(n):
        d, _ = Delivery.objects.get_or_create(notification=n, channel=channel, defaults={"address": address})
        if not address:
            Delivery.objects.filter(pk=d.pk, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.SKIPPED, note=why_not or ("无电子邮件地址" if channel == Delivery.Channel.EMAIL else "无手机号码"))
            result[channel] = "skipped"
            continue
        # Claim the row: only one worker moves it from pending/failed to sending.
        claimed = Delivery.objects.filter(pk=d.pk, status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
                                          attempts__lt=MAX_ATTEMPTS).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1,
                                                                            address=address)
        if claimed != 1:
            result[channel] = Delivery.objects.get(pk=d.pk).status
            continue
        try:
            ref = _send(channel, address, n)
        except Exception as exc:  # noqa: BLE001 — any gateway failure is recorded and retried
            Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.FAILED, note=str(exc)[:300])
            result[channel] = "failed"
        else:
            Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(), provider_ref=ref[:120])
            result[channel] = "sent"
    return result


def _send(channel: str, address: str, n: Notification) -> str:
    link = f"{settings.ZHIFA_PUBLIC_BASE_URL}{n.url}" if n.url.startswith("/") else n.url
    if channel == Delivery.Channel.EMAIL:
        text = n.body + (f"\n\n{link}" if link else "") + "\n\n（本邮件由交通运输行政执法综合管理平台自动发送，请勿回复。）"
        send_mail(f"【执法平台】{n.title}", text, settings.DEFAULT_FROM_EMAIL, [address])
        return "email"
    from .sms import gateway

    return gateway().send(address, f"【交通运输执法】{n.title}：{n.body}"[:300])


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def preferences_set(*, user, choices: dict[str, tuple[bool, bool]]) -> None:
    """Save the user's (email, sms) choice per kind of notification."""
    for kind, (email, sms) in choices.items():
        if kind not in KINDS:
            raise DomainError("unknown_notification_kind", f"未定义的通知类别：{kind}")
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"email": email, "sms": sms})
