"""The SMS gateway adapter. ``settings.ZHIFA_SMS_GATEWAY`` names a class with ``send(phone, text) -> str`` that
returns the provider's message id and raises :class:`SmsError` on refusal. The default writes each message to a
file (``var/sms-outbox.jsonl``) and the log, so development and tests send nothing; a real provider (阿里云短信,
腾讯云短信, a province's 政务短信平台) is one small class — see docs/notifications.md."""

import json
import logging
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or failed to take the message (the delivery is recorded as failed and retried)."""


class FileSink:
    """Development gateway: appends ``{"at", "phone", "text", "id"}`` lines to ``SMS_OUTBOX_FILE``."""

    def send(self, phone: str, text: str) -> str:
        ref = uuid.uuid4().hex[:16]
        path = settings.SMS_OUTBOX_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text, "id": ref}, ensure_ascii=False) + "\n")
        log.info("sms to %s: %s", phone, text)
        return ref


class Memory:
    """Test gateway: keeps messages in ``Memory.outbox`` (like Django's locmem e-mail backend)."""

    outbox: list[dict] = []

    def send(self, phone: str, text: str) -> str:
        ref = uuid.uuid4().hex[:16]
        Memory.outbox.append({"phone": phone, "text": text, "id": ref})
        return ref


def gateway():
    return import_string(settings.ZHIFA_SMS_GATEWAY)()
