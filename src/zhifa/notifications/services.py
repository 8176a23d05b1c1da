"""Telling people: :func:`notify` records the notifications of one event (one per recipient, idempotent by key) in
the caller's transaction, with a Delivery row per channel and, for each channel to send, an outbox message
(``integrations`` target ``notice``): the outbox sends it after commit with its retries, backoff, dead letter and
console — one delivery mechanism for everything that leaves the platform. :func:`send_delivery` is the outbox
adapter's transport (e-mail, the SMS gateway)."""

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


def notify(*, kind: str, event: str, users: Iterable = (), party=None, title: str, body: str, url: str = "", subject=None,
           organisation=None) -> list[Notification]:
    """Record one notification per recipient of event ``event`` (e.g. ``case:12:hearing:2026-11-20``) and, in the
    same transaction, its e-mail and SMS as outbox messages (sent after commit). A recipient already told of this
    event is skipped (the key is unique), so callers may run twice. Returns the notifications created now."""
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
    _queue(created)
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
    _queue([n])
    return [n]


def _queue(notifications: list[Notification]) -> None:
    """One Delivery row per notification and channel (skipped ones with the reason), and one outbox message per
    channel to send (``integrations`` target ``notice``): the outbox is the one delivery mechanism — it claims,
    retries with backoff, stops after its maximum of tries and shows each sending in the delivery console. Written
    in the caller's transaction, sent after commit."""
    from zhifa.integrations.models import Target
    from zhifa.integrations.outbox import outbox_enqueue_many

    items: list[dict] = []
    for n in notifications:
        for channel, address, why_not in channels_for(n):
            if not address:
                Delivery.objects.create(notification=n, channel=channel, status=Delivery.Status.SKIPPED,
                                        note=why_not or ("无电子邮件地址" if channel == Delivery.Channel.EMAIL else "无手机号码"))
                continue
            d = Delivery.objects.create(notification=n, channel=channel, address=address)
            items.append({"kind": channel,
                "subject": ("notifications.delivery", str(d.pk), f"{n.title}（{Delivery.Channel(channel).label}）"[:200]),
                "idempotency_key": f"notice:{channel}:{n.key}"[:160], "organisation": n.organisation,
                "payload": {"notification_id": n.pk, "delivery_id": d.pk, "channel": channel}})
    if items:
        outbox_enqueue_many(target=Target.NOTICE, kind="email", items=items, summary="消息通知")


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
    """Send a notification's waiting channels now (the outbox's messages of its deliveries, backoff or not) and
    return each channel's status. A channel already sent is not sent twice (its message is acknowledged)."""
    from zhifa.integrations.models import Message, Target
    from zhifa.integrations.outbox import deliver_one

    ids = [str(pk) for pk in Delivery.objects.filter(notification_id=notification_id).values_list("pk", flat=True)]
    for message in Message.objects.filter(target=Target.NOTICE, subject_type="notifications.delivery", subject_id__in=ids,
                                          status=Message.Status.PENDING).order_by("pk"):
        deliver_one(message)
    return dict(Delivery.objects.filter(notification_id=notification_id).values_list("channel", "status"))


def send_delivery(delivery_id: int) -> str:
    """Send one delivery on its channel (called by the outbox's ``notice`` adapter for each try): the provider's
    reference, or the gateway's exception (the outbox retries). The row records every try."""
    d = Delivery.objects.select_related("notification__recipient", "notification__party").get(pk=delivery_id)
    if d.status == Delivery.Status.SENT:  # sent before the answer was recorded: never twice
        return d.provider_ref or "sent"
    Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1)
    try:
        ref = _send(d.channel, d.address, d.notification)
    except Exception as exc:
        Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.FAILED, note=str(exc)[:300])
        raise
    Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(), provider_ref=ref[:120], note="")
    return ref


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
