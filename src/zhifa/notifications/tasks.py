"""Sending notifications, and the daily job that looks for what is about to fall due."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="notifications.send", autoretry_for=(), acks_late=True)
def send_notification(notification_id: int) -> dict:
    """Send a notification's waiting channels now through the outbox (tasks queued before the outbox carried
    notifications still run)."""
    from .services import deliver

    return deliver(notification_id)
