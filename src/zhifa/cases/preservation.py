"""先行登记保存 and 抽样取证 of evidence (行政处罚法 Art. 56; 《交通运输行政执法程序规定》).

Preservation runs: the officers request it with the list of items and the reason the evidence may be lost or
be hard to obtain later → the agency's head approves (the numbered 证据登记保存清单 is issued in the same
transaction, and the items are registered as preserved evidence) → within 7 working days (Art. 56, working days
by Art. 85, on ``core.legal_calendar``) the head decides: release (解除证据登记保存决定书) or another handling
(testing, seizure, confiscation by the decision …), recorded. Sampling issues the numbered 抽样取证凭证.

Documents are issued inside the act's transaction, so the number on the record is the number on the paper. Each act
is an act of the case (its table's ``preserve``… acts, the case's history) and a move of the preservation through the
workflow kernel (``workflow.PRESERVATION_WORKFLOW``: conditional update, ``PreservationStep``, its record).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhifa.core import legal_calendar, workflow
from zhifa.core.errors import DomainError

from .models import Case, EvidenceItem, EvidencePreservation
from .workflow import PRESERVATION_WORKFLOW as WF

P = EvidencePreservation
# 行政处罚法 Art. 56: decide within seven days; Art. 85: "七日" are working days.
DECIDE_WORKING_DAYS = 7


def _clean_items(items: list) -> list[dict]:
    rows = []
    for raw in items or []:
        row = {k: str((raw or {}).get(k) or "").strip()[:120] for k in ("name", "spec", "quantity", "unit", "note")}
        if row["name"]:
            if not row["quantity"]:
                raise DomainError("invalid_items", f"物品“{row['name']}”须写明数量。")
            rows.append(row)
    if not rows:
        raise DomainError("invalid_items", "请逐项填写物品的名称、规格和数量。")
    return rows


def _act(case: Case, action: str, actor, summary: str) -> None:
    """The act's history row and record (the case's status does not change)."""
    from .services import common

    common.move(case, action, actor, target=case.status, summary=summary)


def issue_form(*, actor, case: Case, kind: str, context: dict):
    """Issue a form inside the current transaction (its number belongs to this act)."""
    from zhifa.documents.services import document_issue

    from .documents import document_context
    from .models import CaseDocument

    doc = document_issue(actor=actor, organisation=case.organisation, kind=kind, subject=case,
                         context={**document_context(case, kind), **context})
    CaseDocument.objects.create(case=case, kind=kind, number=doc.number, document_id=doc.pk)
    return doc


def _item_rows(p: EvidencePreservation) -> list[dict]:
    return [{"name": i["name"], "quantity": i["quantity"], "unit": i.get("unit", ""),
             "description": "；".join(x for x in (i.get("spec", ""), i.get("note", "")) if x)} for i in p.items]


def preservation_request(*, actor, case: Case, items: list, place: str, reason: str, holder: str = "") -> EvidencePreservation:
    """The officers ask the head to approve 先行登记保存 of the listed items (Art. 56: only where the evidence may
    be lost or be hard to obtain later)."""
    from .services import common

    common.check("preserve", case, actor)
    common.handling_officers(case, None, act="先行登记保存")
    rows = _clean_items(items)
    if not place.strip() or not reason.strip():
        raise DomainError("reason_required", "请写明保存地点和证据可能灭失或者以后难以取得的情形（行政处罚法第五十六条）。")
    with transaction.atomic():
        p = P.objects.create(case=case, kind=P.Kind.PRESERVATION, status=P.Status.REQUESTED, items=rows, place=place.strip(),
                             reason=reason.strip(), holder=holder.strip(), requested_by=actor)
        summary = f"申请先行登记保存：{p.items_text}（{reason.strip()[:100]}）"
        workflow.created(WF, p, "request", actor=actor, summary=f"{case.number} {summary}")
        _act(case, "preserve", actor, summary)
    return p


def preservation_approve(*, actor, preservation: EvidencePreservation, approve: bool, opinion: str = "") -> EvidencePreservation:
    """The head approves (or refuses) the preservation. On approval the 证据登记保存清单 is issued with its number,
    the items become preserved evidence of the case, and the 7-working-day decision period starts."""
    from .services import common

    p = preservation
    case = p.case
    common.check("preserve_approve", case, actor)
    if p.kind != P.Kind.PRESERVATION or p.status != P.Status.REQUESTED:
        raise DomainError("not_requested", "该先行登记保存不在待批准状态。")
    today = timezone.localdate()
    with transaction.atomic():
        if not approve:
            if not opinion.strip():
                raise DomainError("opinion_required", "不予批准的，请写明理由。")
            summary = f"负责人不予批准先行登记保存：{opinion.strip()[:200]}"
            p = workflow.transition(WF, p, "refuse", actor=actor, summary=f"{case.number} {summary}", fields={
                "approved_by": actor, "approved_on": today, "approval_opinion": opinion.strip()[:300]})
            _act(case, "preserve_approve", actor, summary)
            return p
        deadline = legal_calendar.add_working_days(today, DECIDE_WORKING_DAYS)
        p = workflow.transition(WF, p, "approve", actor=actor, summary=f"{case.number} 批准先行登记保存：{p.items_text}，"
                                f"应于{deadline.label}前作出处理决定（行政处罚法第五十六条）", fields={
                                    "approved_by": actor, "approved_on": today, "approval_opinion": opinion.strip()[:300],
                                    "decide_by": deadline.date, "decide_by_confirmed": deadline.confirmed})
        for row in p.items:
            EvidenceItem.objects.create(case=case, kind=EvidenceItem.Kind.PHYSICAL, title=row["name"][:120],
                                        quantity=f"{row['quantity']}{row.get('unit', '')}", description=row.get("spec", ""),
                                        preserved=True, preserved_place=p.place, preserved_until=p.decide_by)
        doc = issue_form(actor=actor, case=case, kind="preservation_list", context={
            "items": _item_rows(p), "preserve_place": p.place, "preserve_reason": p.reason, "approved_on": today,
            "decide_by": p.decide_by, "holder": p.holder})
        P.objects.filter(pk=p.pk).update(list_number=doc.number)
        _act(case, "preserve_approve", actor, f"批准先行登记保存 {doc.number}：{p.items_text}，应于{deadline.label}前作出处理决定"
             "（行政处罚法第五十六条）")
    p.refresh_from_db()
    return p


def preservation_release(*, actor, preservation: EvidencePreservation, reason: str, returned_to: str = "") -> EvidencePreservation:
    """解除证据登记保存: the items are returned; the numbered 解除证据登记保存决定书 is issued."""
    return _decide(actor=actor, preservation=preservation, release=True, text=reason, returned_to=returned_to)


def preservation_handle(*, actor, preservation: EvidencePreservation, handling: str) -> EvidencePreservation:
    """Another decision on preserved items within the period (e.g. 送交检测、鉴定; 依法扣押; 作为证据随案处理 and
    confiscated by the penalty decision), recorded as written."""
    return _decide(actor=actor, preservation=preservation, release=False, text=handling)


def _decide(*, actor, preservation: EvidencePreservation, release: bool, text: str, returned_to: str = "") -> EvidencePreservation:
    from .services import common

    p = preservation
    case = p.case
    common.check("preserve_decide", case, actor)
    if p.kind != P.Kind.PRESERVATION or p.status != P.Status.PRESERVED:
        raise DomainError("not_preserved", "该证据不在登记保存中。")
    if not text.strip():
        raise DomainError("reason_required", "请写明解除的理由或者处理决定。")
    today = timezone.localdate()
    late = today > p.decide_by
    note = f"（已超过{p.decide_by:%Y-%m-%d}的七日期限）" if late else ""
    with transaction.atomic():
        p = workflow.transition(WF, p, "release" if release else "handle", actor=actor,
                                summary=f"{case.number} {'解除证据登记保存' if release else '作出处理决定'}（{p.list_number}）："
                                f"{text.strip()[:200]}{note}",
                                fields={"handled_on": today, "handling": text.strip(), "returned_to": returned_to.strip()[:60]})
        if release:
            names = [i["name"][:120] for i in p.items]
            EvidenceItem.objects.filter(case=case, preserved=True, title__in=names, preserved_place=p.place).update(preserved=False)
            doc = issue_form(actor=actor, case=case, kind="preservation_release", context={
                "items": _item_rows(p), "original_decision": p.list_number, "release_reason": p.handling,
                "returned_to": p.returned_to or case.party.name, "released_on": today, "approved_on": p.approved_on})
            P.objects.filter(pk=p.pk).update(release_number=doc.number)
            _act(case, "preserve_decide", actor, f"解除证据登记保存 {doc.number}（原清单 {p.list_number}）：{p.handling[:200]}{note}")
        else:
            _act(case, "preserve_decide", actor, f"对登记保存的证据（{p.list_number}）作出处理决定：{p.handling[:200]}{note}")
    p.refresh_from_db()
    return p


def sampling_record(*, actor, case: Case, items: list, place: str, sampled_on: date | None = None, holder: str = "",
                    purpose: str = "") -> EvidencePreservation:
    """抽样取证: the samples taken (name, spec, quantity), issued on the numbered 抽样取证凭证 the party signs."""
    from .services import common

    common.check("sample", case, actor)
    common.handling_officers(case, None, act="抽样取证")
    rows = _clean_items(items)
    if not place.strip():
        raise DomainError("reason_required", "请写明抽样地点。")
    with transaction.atomic():
        p = P.objects.create(case=case, kind=P.Kind.SAMPLING, status=P.Status.SAMPLED, items=rows, place=place.strip(),
                             reason=purpose.strip(), holder=holder.strip(), requested_by=actor, handled_on=sampled_on or timezone.localdate())
        for row in rows:
            EvidenceItem.objects.create(case=case, kind=EvidenceItem.Kind.PHYSICAL, title=f"样品：{row['name']}"[:120],
                                        quantity=f"{row['quantity']}{row.get('unit', '')}", description=row.get("spec", ""),
                                        capture_place=p.place)
        doc = issue_form(actor=actor, case=case, kind="sampling_voucher", context={
            "items": _item_rows(p), "sample_place": p.place, "sampled_on": p.handled_on, "purpose": p.reason, "holder": p.holder})
        P.objects.filter(pk=p.pk).update(list_number=doc.number)
        p.list_number = doc.number
        workflow.created(WF, p, "sample", actor=actor, summary=f"{case.number} 抽样取证 {doc.number}：{p.items_text}")
        _act(case, "sample", actor, f"抽样取证 {doc.number}：{p.items_text}")
    p.refresh_from_db()
    return p


def overdue(case: Case) -> list[EvidencePreservation]:
    """Preservations whose 7-working-day period has passed without a decision (shown on the case page)."""
    today = timezone.localdate()
    return [p for p in case.preservations.all() if p.status == P.Status.PRESERVED and p.decide_by and p.decide_by < today]

