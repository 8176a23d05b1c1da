"""Background job of the complaints app: telling handlers of complaints about to fall due."""

from celery import shared_task

from .services import complaints_notify_due


@shared_task(name="complaints.notify_due")
def notify_due_task() -> int:
    return complaints_notify_due()
