"""The one call each reporting app makes, inside the transaction of its act. Each decides whether the act is
reportable, builds the message from the record and writes it to the outbox."""

from . import adapters, overload_net, provincial, regulation
from .models import Message, Target
from .outbox import outbox_enqueue


def case_changed(case, action: str) -> None:
    """cases._move: a decision (or no-penalty decision), a closure or a revocation goes to the supervision
    platform, and, for a case opened from an overload violation, to the 四级联网 as well; a penalty decided is also
    a 监管行为 for 互联网+监管, withdrawn there when the decision is revoked."""
    overload_net.case_changed(case, action)
    kind = adapters.CASE_KINDS.get(action)
    if kind is None:
        return
    outbox_enqueue(target=Target.SUPERVISION, subject=case, kind=kind, payload=adapters.case_payload(case, kind),
                   idempotency_key=adapters.case_key(case, kind), organisation=case.organisation)
    if action in regulation.PENALTY_ACTS and case.outcome == "penalty":
        # 互联网+监管: a penalty decided is a 监管行为 (行政处罚) of its own (docs/integrations/internet-regulation.md).
        outbox_enqueue(target=Target.REGULATION, subject=case, kind="penalty_decided", payload=regulation.penalty_payload(case),
                       idempotency_key=regulation.penalty_key(case), organisation=case.organisation)
    elif action == regulation.REVOKE_ACT and regulation.penalty_reported(case):
        # Its revocation withdraws it there (行政处罚法 Art. 48 ¶2), a message of its own.
        outbox_enqueue(target=Target.REGULATION, subject=case, kind="penalty_revoked",
                       payload=regulation.revocation_payload(case), organisation=case.organisation,
                       idempotency_key=regulation.penalty_key(case, "penalty_revoked"))


def case_corrected(case, correction) -> None:
    """cases.case_correct: a 补正 of the delivered decision changes the record the supervision platform holds; each
    correction is a message (a version) of its own, after the case's earlier messages."""
    outbox_enqueue(target=Target.SUPERVISION, subject=case, kind="case_corrected",
                   payload=adapters.correction_payload(case, correction),
                   idempotency_key=adapters.case_key(case, "case_corrected", correction.pk), organisation=case.organisation)


def publication_changed(publication) -> None:
    """portal: a publication the credit platform must show is pushed to 双公示; its end (withdrawal after a change or
    revocation, expiry, credit repair) is a withdrawal message of its own, sent only for what was pushed."""
    from zhifa.portal.credit_export import should_be_sent

    if publication.status == "published":
        if not should_be_sent(publication):
            return
        kind = "publication"
    elif publication.status in adapters.WITHDRAWAL_REASONS:
        if not Message.objects.filter(target=Target.PUBLICITY, kind="publication", subject_type="portal.publication",
                                      subject_id=str(publication.pk)).exists():
            return
        kind = "withdrawal"
    else:
        return
    payload = adapters.publication_payload(publication, kind)
    if payload is None:
        return
    outbox_enqueue(target=Target.PUBLICITY, subject=publication, kind=kind, payload=payload, organisation=publication.organisation,
                   idempotency_key=f"publicity:{kind}:{publication.subject_type}:{publication.subject_id}")


def complaint_replied(complaint) -> None:
    """complaints: the answer to a work order the hotline platform pushed goes back to that platform."""
    if complaint.channel not in adapters.HOTLINE_CHANNELS or not complaint.external_id:
        return
    outbox_enqueue(target=Target.HOTLINE, subject=complaint, kind="work_order_reply", payload=adapters.reply_payload(complaint),
                   idempotency_key=f"hotline:reply:{complaint.channel}:{complaint.external_id}:{complaint.reopen_count}",
                   organisation=complaint.organisation)


def four_penalty_recorded(trigger) -> None:
    """overload: a 一超四罚 result (vehicle, driver, company or source unit over its threshold) goes to
    the 四级联网."""
    overload_net.four_penalty_recorded(trigger)


def inspection_recorded(inspection, kind: str = "inspection_result") -> None:
    """inspections: a 双随机 inspection recorded (``inspection_result``) or followed up (``inspection_follow_up``) is
    a 监管行为 (行政检查) with its random-inspection result for the 互联网+监管 / 事中事后监管平台."""
    outbox_enqueue(target=Target.REGULATION, subject=inspection, kind=kind, payload=regulation.inspection_payload(inspection, kind),
                   idempotency_key=regulation.inspection_key(kind, inspection), organisation=inspection.organisation)


def warning_closed(warning) -> None:
    """inspections: a provincial warning received by API and handled (办结) is answered to the provincial platform."""
    if warning.source != "api" or warning.status != "closed":
        return
    outbox_enqueue(target=Target.WARNING, subject=warning, kind="warning_reply", payload=provincial.reply_payload(warning),
                   idempotency_key=provincial.reply_key(warning), organisation=warning.organisation)
