"""The fields each standard form needs, taken from the case (the documents app renders them; see its
``kinds.KINDS`` for the required names)."""

from django.utils import timezone

from . import leniency, penalties
from .models import Case


def _penalty_text(case: Case, stage: str = "decided") -> str:
    """The penalty as the notice or the decision states it: every line (kind, amount, licence or items named)."""
    return penalties.lines_text(penalties.case_lines(case, stage))


def _reasoning(case: Case) -> str:
    """The decision's reasoning: the officer's text, then a departure from the benchmark with its reason and the
    list applied with the facts that meet it."""
    text = case.decision_reasoning or (case.assessment or {}).get("reasoning", "")
    extra = "".join(x for x in (penalties.deviation_sentence(case), leniency.reasoning_sentence(case)) if x and x not in text)
    return (text.rstrip("。") + "。" + extra) if (text and extra) else (text or extra)


def _basis(case: Case) -> str:
    if case.legal_basis:
        return case.legal_basis
    item = case.violation_item
    if item is not None:
        return f"违反{item.violated_provision}，依据{item.penalty_basis}"
    return case.report_text[:300]


def _evidence(case: Case) -> str:
    items = [f"{e.get_kind_display()}：{e.title}" for e in case.evidence_items.all()]
    items += [f"{t.get_kind_display()}（{t.person_name}，{t.started_at:%Y-%m-%d}）" for t in case.transcripts.all()]
    return "；".join(items) or "现场检查情况"


def _local(moment) -> str:
    """A time as the party reads it: local (Asia/Shanghai), 2026年12月1日10时30分."""
    t = timezone.localtime(moment)
    return f"{t.year}年{t.month}月{t.day}日{t.hour}时{t.minute:02d}分"


def document_context(case: Case, kind: str, transcript=None) -> dict:
    """Context for ``documents.services.document_issue`` of form ``kind`` for this case."""
    party = case.party
    base = {
        "case_number": case.number, "party_name": party.name, "party_kind": party.get_kind_display(),
        "party_identifier": party.identifier, "party_address": party.address, "party_phone": party.phone,
        "legal_representative": party.legal_representative, "occurred_at": case.occurred_at.strftime("%Y-%m-%d %H:%M"),
        "place": case.place, "facts": case.facts, "violation": case.violation_name,
        "officers": "、".join(f"{o.name}（{o.cert_number}）" for o in case.officers.all()),
        "vehicle": str(case.vehicle) if case.vehicle_id else "",
        "you": "你" if party.kind == "person" else "你单位",
        "issued_on": timezone.localdate(), "decided_on": case.decided_on, "decision_number": case.decision_number,
    }
    if kind == "inquiry_record" and transcript is not None:
        base.update(started_at=transcript.started_at.strftime("%Y-%m-%d %H:%M"), ended_at=transcript.ended_at.strftime("%Y-%m-%d %H:%M"),
                    place=transcript.place, interviewee=transcript.person_name, interviewee_id=transcript.person_id_number, questions=transcript.content,
                    relation=transcript.person_relation)
    elif kind == "inspection_record" and transcript is not None:
        base.update(started_at=_local(transcript.started_at), ended_at=_local(transcript.ended_at), place=transcript.place,
                    observations=transcript.content.get("observations", ""), measures=transcript.content.get("measures", ""),
                    witness=transcript.person_name, relation=transcript.person_relation)
    elif kind == "scene_record" and transcript is not None:
        base.update(started_at=transcript.started_at.strftime("%Y-%m-%d %H:%M"), ended_at=transcript.ended_at.strftime("%Y-%m-%d %H:%M"),
                    place=transcript.place, observations=transcript.content.get("observations", ""),
                    measures=transcript.content.get("measures", ""), witness=transcript.person_name)
    elif kind == "hearing_record":
        base.update(hearing_at=case.hearing_held_on or case.hearing_on, place=case.organisation.address or case.organisation.name,
                    host=case.organisation.name, statements=case.hearing_record)
    elif kind == "register":
        base.update(case_source=case.get_source_display(), brief=case.facts[:500], opened_on=case.opened_on)
    elif kind == "violation_notice":
        base.update(legal_basis=_basis(case), proposed_penalty=_penalty_text(case, "notified"),
                    notified_on=case.notified_on, hearing_right=case.hearing_right)
    elif kind == "hearing_notice":
        base.update(hearing_at=case.hearing_on, place=case.organisation.address or case.organisation.name,
                    host=case.organisation.name)
    elif kind in ("penalty_decision", "onspot_decision"):
        lines = penalties.case_lines(case)
        base.update(legal_basis=case.legal_basis, penalty=_penalty_text(case), penalty_lines=[penalties.line_text(x) for x in lines],
                    amount=case.payable_amount if case.payable_amount is not None else case.fine_amount,
                    money_lines=len([x for x in lines if x.money]),
                    decided_on=case.decided_on, evidence=_evidence(case), discretion_reasoning=_reasoning(case),
                    decision_number=case.decision_number, statement=case.statement, statement_adopted=case.statement_adopted)
    elif kind == "no_penalty_decision":
        base.update(legal_basis=case.legal_basis or _basis(case),
                    reason=case.get_no_penalty_reason_display() + "。" + case.decision_reasoning + leniency.reasoning_sentence(case),
                    decided_on=case.decided_on, evidence=_evidence(case))
    elif kind == "delivery_receipt":
        served = "当场行政处罚决定书" if case.procedure == Case.Procedure.SIMPLIFIED else (
            "行政处罚决定书" if case.outcome == Case.Outcome.PENALTY else "不予行政处罚决定书")
        base.update(served_document=f"{served} {case.decision_number}", method=case.get_delivery_method_display(),
                    delivered_on=case.delivered_on, address=case.delivery_address)
    elif kind == "commitment_letter":
        base.update(leniency.commitment_context(case))
    elif kind == "closing_report":
        base.update(brief=case.facts[:500], outcome=f"{case.get_outcome_display()} {_penalty_text(case)}",
                    execution=f"{case.executed_on or ''} 执行完毕" + (f"，{case.paid_on} 缴清罚款" if case.paid_on else ""),
                    closed_on=case.closed_on, report=case.closing_report)
    return base
