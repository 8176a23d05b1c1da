"""Keep ``Case.clock_due_on`` (the nearest running deadline, read by the at-risk list and the dashboard) true when a
case is saved, a suspension or extension is written or removed, or a procedure period changes. Updates through a
case queryset are covered by ``models.CaseQuerySet.update``; calendar changes by ``clocks.calendar_changed``."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CLOCK_FIELDS, Case, ClockSuspension, Extension, ProcedurePeriod


@receiver(post_save, sender=Case, dispatch_uid="cases.case_clock_due")
def case_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not CLOCK_FIELDS.intersection(update_fields)):
        return
    from .clocks import refresh_due

    refresh_due([instance.pk])  # writes the column only (a later full save() of a stale instance is refreshed again)


@receiver(post_save, sender=ClockSuspension, dispatch_uid="cases.suspension_clock_due")
@receiver(post_delete, sender=ClockSuspension, dispatch_uid="cases.suspension_deleted_clock_due")
@receiver(post_save, sender=Extension, dispatch_uid="cases.extension_clock_due")
@receiver(post_delete, sender=Extension, dispatch_uid="cases.extension_deleted_clock_due")
def clock_rows_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .clocks import refresh_due

    refresh_due([instance.case_id])


@receiver(post_save, sender=ProcedurePeriod, dispatch_uid="cases.period_clock_due")
@receiver(post_delete, sender=ProcedurePeriod, dispatch_uid="cases.period_deleted_clock_due")
def period_changed(sender, raw=False, **kwargs):
    if raw:
        return
    from .clocks import refresh_due_all

    refresh_due_all()
