"""The fields each standard form needs, taken from the case as recorded (the documents app's composer turns them
into the words of the form; see its ``kinds.KINDS`` for the required names). Times are passed as they are stored
(aware datetimes): the composer states them in Beijing time."""

import re

from django.utils import timezone

from . import leniency, penalties
from .models import Case, StatusChange


def _penalty_text(case: Case, stage: str = "decided") -> str:
    """The penalty as the notice or the decision states it: every line (kind, amount, licence or items named)."""
    return penalties.lines_text(penalties.case_lines(case, stage))


def _reasoning(case: Case) -> str:
    """The decision's reasoning: the officer's text, then a departure from the benchmark with its reason and the
    list applied with the facts that meet it."""
    text = case.decision_reasoning or (case.assessment or {}).get("reasoning", "")
    if text.strip().rstrip("。") == case.facts.strip().rstrip("。"):
        text = ""  # a simplified decision without reasoning keeps the facts there: the paper states them once
    extra = "".join(x for x in (penalties.deviation_sentence(case), leniency.reasoning_sentence(case)) if x and x not in text)
    return (text.rstrip("。") + "。" + extra) if (text and extra) else (text or extra)


def provisions_of(case: Case) -> tuple[str, str]:
    """(violated provision, penalty provision) as citation text: the case's own (a violation outside the
    catalogue states both), else its catalogue item's. Once decided, the decision's ``legal_basis`` is the penalty
    provision (for a no-penalty decision: the article it rests on)."""
    item = case.violation_item
    violated = case.violated_provision or (item.violated_provision if item is not None else "")
    penalty = case.legal_basis or case.penalty_provision or (item.penalty_basis if item is not None else "")
    return violated, penalty


def _evidence(case: Case) -> list[str]:
    # an item registered from a file is titled by the file's name: the paper names the evidence, not "….json"
    items = [f"{e.get_kind_display()}：{re.sub(r'[.][A-Za-z0-9]{2,5}$', '', e.title)}" for e in case.evidence_items.all()]
    items += [f"{t.get_kind_display()}（{t.person_name}，{timezone.localtime(t.started_at):%Y年%-m月%-d日}）" for t in case.transcripts.all()]
    return items or ["现场检查情况"]


def _actor_name(case: Case, action: str) -> str:
    change = StatusChange.objects.filter(case=case, action=action).select_related("actor").order_by("-at", "-pk").first()
    user = getattr(change, "actor", None)
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


def _payment(case: Case) -> dict:
    """The payment notice's code, link, amount due and last day, once it exists (罚缴分离, 行政处罚法 Art. 67)."""
    notice = getattr(case, "payment_notice", None) if case.pk else None
    if notice is None:
        return {}
    from zhifa.payments.services import payment_fields

    return payment_fields(notice)


def _decision_title(case: Case) -> str:
    if case.procedure == Case.Procedure.SIMPLIFIED:
        return "当场行政处罚决定书"
    return "行政处罚决定书" if case.outcome == Case.Outcome.PENALTY else "不予行政处罚决定书"


def _local(moment) -> str:
    """A time as the party reads it: local (Asia/Shanghai), 2026年12月1日10时30分."""
    t = timezone.localtime(moment)
    return f"{t.year}年{t.month}月{t.day}日{t.hour}时{t.minute:02d}分"


def document_context(case: Case, kind: str, transcript=None) -> dict:
    """Context for ``documents.services.document_issue`` of form ``kind`` for this case."""
    party = case.party
    violated, penalty = provisions_of(case)
    base = {
        "case_number": case.number, "party_name": party.name, "party_kind": party.kind,
        "party_identifier": party.identifier, "party_address": party.address, "party_phone": party.phone,
        "legal_representative": party.legal_representative, "occurred_at": case.occurred_at,
        "place": case.place, "facts": case.facts, "violation": case.violation_name,
        "officers": "、".join(f"{o.name}（执法证号 {o.cert_number}）" for o in case.officers.all()),
        "vehicle": str(case.vehicle) if case.vehicle_id else "",
        "you": "你" if party.kind == "person" else "你单位",
        "issued_on": timezone.localdate(), "decided_on": case.decided_on, "decision_number": case.decision_number,
        "violated_provision": violated, "penalty_provision": penalty,
    }
    if kind == "inquiry_record" and transcript is not None:
        base.update(started_at=transcript.started_at, ended_at=transcript.ended_at,
                    place=transcript.place, interviewee=transcript.person_name, interviewee_id=transcript.person_id_number, questions=transcript.content,
                    relation=transcript.person_relation)
    elif kind == "inspection_record" and transcript is not None:
        base.update(started_at=_local(transcript.started_at), ended_at=_local(transcript.ended_at), place=transcript.place,
                    observations=transcript.content.get("observations", ""), measures=transcript.content.get("measures", ""),
                    witness=transcript.person_name, relation=transcript.person_relation)
    elif kind == "scene_record" and transcript is not None:
        base.update(started_at=transcript.started_at, ended_at=transcript.ended_at,
                    place=transcript.place, observations=transcript.content.get("observations", ""),
                    measures=transcript.content.get("measures", ""), witness=transcript.person_name)
    elif kind == "hearing_record":
        base.update(hearing_at=case.hearing_held_on or case.hearing_on, place=case.organisation.address or case.organisation.name,
                    host=case.organisation.name, statements=case.hearing_record, public=case.hearing_public)
    elif kind == "register":
        base.update(case_source=case.get_source_display(), brief=case.facts[:500], opened_on=case.opened_on,
                    received_at=case.registered_at, head_name=_actor_name(case, "open"))
    elif kind == "violation_notice":
        base.update(proposed_penalty=_penalty_text(case, "notified"),
                    notified_on=case.notified_on, hearing_right=case.hearing_right, evidence=_evidence(case))
    elif kind == "hearing_notice":
        base.update(hearing_at=case.hearing_on, place=case.organisation.address or case.organisation.name,
                    host=case.organisation.name, notified_on=case.hearing_notice_on, public=case.hearing_public,
                    private_reason=case.hearing_private_reason)
    elif kind in ("penalty_decision", "onspot_decision"):
        lines = penalties.case_lines(case)
        base.update(penalty=_penalty_text(case), penalty_lines=[penalties.line_text(x) for x in lines],
                    amount=case.payable_amount if case.payable_amount is not None else case.fine_amount,
                    money_lines=len([x for x in lines if x.money]), decided_on=case.decided_on,
                    evidence=_evidence(case), opened_on=case.opened_on, notified_on=case.notified_on,
                    discretion_reasoning=_reasoning(case),
                    statement=case.statement, statement_adopted=case.statement_adopted, hearing_right=case.hearing_right,
                    rights_waived_on=case.rights_waived_on, waiver_statement=case.waiver_statement,
                    hearing_requested_on=case.hearing_requested_on, hearing_held_on=case.hearing_held_on,
                    hearing_record=case.hearing_record, delivered_on=case.delivered_on if kind == "onspot_decision" else None)
        base.update(_payment(case))
    elif kind == "no_penalty_decision":
        base.update(reason=case.decision_reasoning + leniency.reasoning_sentence(case), decided_on=case.decided_on,
                    evidence=_evidence(case), opened_on=case.opened_on,
                    no_violation=case.no_penalty_reason == Case.NoPenaltyReason.FACTS)
    elif kind == "delivery_receipt":
        base.update(served_document=f"{_decision_title(case)} {case.decision_number}", method=case.get_delivery_method_display(),
                    delivered_on=case.delivered_on, delivery_address=case.delivery_address)
    elif kind == "payment_notice":
        base.update(decision_title=_decision_title(case), delivered_on=case.delivered_on)
        base.update(_payment(case))
    elif kind == "commitment_letter":
        base.update(leniency.commitment_context(case))
    elif kind == "closing_report":
        base.update(brief=case.facts[:500], outcome=f"{case.get_outcome_display()} {_penalty_text(case)}".strip(),
                    execution=_execution(case), closed_on=case.closed_on, opened_on=case.opened_on,
                    head_opinion=case.closing_report, head_name=_actor_name(case, "close"))
    return base


def _execution(case: Case) -> str:
    from zhifa.documents.templatetags.docforms import cn_date

    if case.paid_on:
        return f"罚款已于{cn_date(case.paid_on)}缴清，执行完毕。"
    if case.executed_on:
        return f"已于{cn_date(case.executed_on)}执行完毕。"
    return "尚未执行完毕。"
