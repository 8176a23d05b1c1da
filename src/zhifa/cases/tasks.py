"""Background jobs of the cases app: the daily flagging of overdue statutory clocks, and the case's papers made
off the request."""

import logging
from datetime import timedelta
from importlib.util import find_spec

from celery import shared_task
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhifa.core import audit, legal_calendar

from . import clocks
from .models import Case, CaseDocument, ClockFlag
from .workflow import OPEN_STATES

log = logging.getLogger(__name__)


def flag_overdue(today=None) -> int:
    """Record every overdue running clock once (per case, clock and due date) in the full-process record, and tell
    the case's officers when a clock turns amber (due within rules.AMBER_DAYS) or red.
    Idempotent: running it twice a day flags and notifies nothing new."""
    today = today or timezone.localdate()
    cal = legal_calendar.calendar()
    flagged = 0
    qs = (Case.objects.filter(status__in=OPEN_STATES).select_related("organisation", "party", "registered_by")
          .prefetch_related("suspensions", "extensions", "officers__user"))
    starts = clocks.payment_starts()  # the few notices whose period runs from a late 缴款码 (Art. 67)
    for case in qs.iterator(chunk_size=500):
        for clock in clocks.running(case, cal=cal, today=today, payment_from=starts):
            state = clock.state(today)
            if state in ("amber", "red"):
                _notify_clock(case, clock, state)
            if state != "red":
                continue
            try:
                with transaction.atomic():
                    ClockFlag.objects.create(case=case, clock=clock.key, due_on=clock.deadline.date)
                    audit.record(actor=None, action="case.clock_overdue", subject=case, organisation=case.organisation,
                                 summary=f"{clock.label}已于{clock.deadline.date}届满（{clock.basis}），案件{case.number}超期")
            except IntegrityError:
                continue
            flagged += 1
    return flagged


def _notify_clock(case, clock, state: str) -> None:
    from zhifa.notifications.services import notify

    users = [o.user for o in case.officers.all() if o.user_id]
    if not users and case.registered_by_id:
        users = [case.registered_by]
    due = clock.deadline.date
    when = f"已于{due:%Y年%m月%d日}届满" if state == "red" else f"将于{due:%Y年%m月%d日}届满"
    with transaction.atomic():
        notify(kind=f"clock_{state}", event=f"case:{case.pk}:{clock.key}:{due}", users=users, subject=case, organisation=case.organisation,
               title=f"{case.number}：{clock.label}{'已届满' if state == 'red' else '即将届满'}",
               body=f"案件{case.number}（{case.party.name}）的{clock.label}{when}（{clock.basis}）。",
               url=reverse("cases:detail", args=[case.pk]))


@shared_task(name="cases.flag_overdue")
def flag_overdue_task() -> dict:
    count = flag_overdue()
    if count:
        log.warning("cases: %s overdue statutory clocks flagged", count)
    return {"flagged": count}


def queue_document(*, actor, case: Case, kind: str, transcript=None) -> None:
    """Call for the standard form ``kind`` of ``case`` inside the act's transaction: a ``pending`` row now (the case
    page shows it and polls it), the paper made by :func:`issue_document` after the commit, off the request
    (``documents.queue``). Rendering a PDF is a side effect, never a reason to undo the procedural act."""
    if find_spec("zhifa.documents.services") is None:
        return
    from zhifa.documents.queue import after_commit

    row = CaseDocument.objects.create(case=case, kind=kind, state=CaseDocument.State.PENDING,
                                      requested_by_id=getattr(actor, "pk", None), transcript_id=getattr(transcript, "pk", None))
    after_commit(issue_document_task, row.pk, row.requested_by_id, row.transcript_id)


def issue_document(row_id: int, *, actor_id: int | None = None, transcript_id: int | None = None) -> str:
    """Number, render and store the paper of a pending :class:`CaseDocument` row (``documents.services.document_issue``)
    and mark the row ready, in one transaction; a paper the data do not allow (incomplete, refused by the lint) marks
    it failed with the reason. Idempotent: a row no longer pending is left alone (a task delivered twice)."""
    from django.contrib.auth import get_user_model

    from zhifa.core.errors import DomainError
    from zhifa.documents.services import document_issue

    from .documents import document_context
    from .models import Transcript
    from .services import DECISION_DOCUMENTS  # papers numbered with the decision's number

    with transaction.atomic():
        row = CaseDocument.objects.select_for_update(no_key=True).filter(pk=row_id, state=CaseDocument.State.PENDING).first()
        if row is None:
            return "done"
        row.attempts, row.attempted_at = row.attempts + 1, timezone.now()
        case = (Case.objects.select_related("organisation", "party", "vehicle", "violation_item")
                .get(pk=row.case_id))
        # the issuer's unit (jurisdiction) and officer (the record's 执法证号) with the user: one query, not 3
        actor = (get_user_model().objects.select_related("organisation", "officer").filter(pk=actor_id)
                 .first() if actor_id else None)
        transcript = Transcript.objects.filter(pk=transcript_id).first() if transcript_id else None
        try:
            with transaction.atomic():  # a paper that fails leaves no number used
                context = document_context(case, row.kind, transcript=transcript)
                if row.kind == "payment_notice" and not context.get("payment_code"):
                    row.delete()  # paid or cancelled before the paper was made: nothing to ask the party to pay
                    return "skipped"
                number = case.decision_number if row.kind in DECISION_DOCUMENTS else ""
                doc = document_issue(actor=actor, organisation=case.organisation, kind=row.kind, subject=case,
                                     context=context, number=number)
        except DomainError as exc:
            log.warning("document %s for case %s not issued: %s", row.kind, case.number, exc.message)
            row.state, row.error = CaseDocument.State.FAILED, exc.message[:300]
            row.save(update_fields=["state", "error", "attempts", "attempted_at"])
            return "failed"
        except Exception:  # noqa: BLE001 — the act is committed; a rendering fault must not surface as its failure
            log.exception("document %s for case %s could not be rendered", row.kind, case.number)
            row.state, row.error = CaseDocument.State.FAILED, "生成文书时出错，请联系系统管理员"
            row.save(update_fields=["state", "error", "attempts", "attempted_at"])
            return "failed"
        row.number, row.document_id, row.state, row.error = doc.number or "", doc.pk, CaseDocument.State.READY, ""
        row.save(update_fields=["number", "document_id", "state", "error", "attempts", "attempted_at"])
    return "ready"


@shared_task(name="cases.issue_document", acks_late=True)
def issue_document_task(row_id: int, actor_id: int | None = None, transcript_id: int | None = None) -> str:
    return issue_document(row_id, actor_id=actor_id, transcript_id=transcript_id)


# The sweep of papers not made: a pending row whose task was lost (the embedded thread stopped with its process, a
# broker message dropped) or a failed one (a fault, or data since completed). Tried again a few times at most, so a
# paper the data still do not allow is not rendered every few minutes for ever (the officer's 重新生成 button is not
# bound by this limit).
RETRY_AFTER_MINUTES = 10
RETRY_MAX_ATTEMPTS = 3


def retry_documents(*, older_than_minutes: int = RETRY_AFTER_MINUTES, max_attempts: int = RETRY_MAX_ATTEMPTS,
                    limit: int = 500, now=None) -> dict:
    """Make again, here and now, the papers still pending ``older_than_minutes`` after they were called for (or last
    tried) and the failed ones last tried that long ago, each tried fewer than ``max_attempts`` times; as the person
    who called for the paper, with its transcript. Returns the count per outcome (ready, failed, done, skipped)."""
    from django.db.models.functions import Coalesce

    cutoff = (now or timezone.now()) - timedelta(minutes=older_than_minutes)
    rows = (CaseDocument.objects.exclude(state=CaseDocument.State.READY).filter(attempts__lt=max_attempts)
            .alias(last=Coalesce("attempted_at", "issued_at")).filter(last__lt=cutoff)
            .order_by("issued_at", "pk").values_list("pk", "requested_by_id", "transcript_id")[:limit])
    outcome: dict[str, int] = {}
    for pk, actor_id, transcript_id in list(rows):
        # A failed row becomes pending again only if it is still failed (another sweep or the button was quicker).
        CaseDocument.objects.filter(pk=pk, state=CaseDocument.State.FAILED).update(state=CaseDocument.State.PENDING, error="")
        result = issue_document(pk, actor_id=actor_id, transcript_id=transcript_id)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


@shared_task(name="cases.retry_documents")
def retry_documents_task() -> dict:
    outcome = retry_documents()
    if outcome.get("failed"):
        log.warning("cases: %s papers still not made after a retry", outcome["failed"])
    return outcome
