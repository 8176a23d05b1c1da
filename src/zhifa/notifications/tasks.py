"""Sending notifications, and the daily job that looks for what is about to fall due."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="notifications.send", autoretry_for=(), acks_late=True)
def send_notification(notification_id: int) -> dict:
    from .services import deliver

    return deliver(notification_id)
