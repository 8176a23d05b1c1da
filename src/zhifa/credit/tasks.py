"""Background jobs of credit: the nightly exit of listings whose term has run out and the regrade, so that events
leaving the 12-month window (and penalty cases decided in the cases app) move grades without waiting for a new event."""

from celery import shared_task

from zhifa.core.models import Organisation

from . import services


@shared_task(name="credit.regrade_all")
def regrade_all_task() -> dict:
    # Listings whose term ran out leave the list first (exit on expiry, 国办发〔2020〕49号), so the regrade sees it.
    expired = services.dishonesty_expire_due()
    changed = 0
    for root in Organisation.objects.filter(parent__isnull=True):
        changed += services.grades_recompute(actor=None, organisation=root)
    return {"changed": changed, "expired": expired}
