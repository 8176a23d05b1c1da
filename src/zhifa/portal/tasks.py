"""Daily publication job (eager in development, scheduled by Celery beat in production)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="portal.publication_run")
def publication_run_task(today: str | None = None) -> dict:
    """Publish, withdraw and take down (see services.publication_run)."""
    from datetime import date

    return services.publication_run(today=date.fromisoformat(today) if today else timezone.localdate())


@shared_task(name="portal.publication_sync_subject")
def publication_sync_subject_task(subject_type: str, subject_id: str) -> int | None:
    pub = services.publication_sync_subject(subject_type=subject_type, subject_id=subject_id, today=timezone.localdate())
    return pub.pk if pub else None
