"""Background job of payments: the daily overdue flag."""

from celery import shared_task

from .services import payments_flag_overdue


@shared_task(name="payments.flag_overdue")
def flag_overdue_task() -> int:
    return payments_flag_overdue()
