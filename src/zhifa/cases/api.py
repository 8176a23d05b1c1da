"""REST API of cases: every action of the procedure, the list (keyset) and the at-risk list. Views only parse,
call one service and serialise; refusals answer ``{code, message}``."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Party, Vehicle
from zhifa.core.pagination import keyset
from zhifa.core.selectors import enforcing_officers, get_scoped, scope

from . import clocks, leniency, penalties, selectors, services, workflow
from .models import Case, EvidenceItem, Extension, LegalReview, Transcript

router = Router(tags=["cases"])


class ErrorOut(Schema):
    code: str
    message: str


ERR = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: dict}


class ClockOut(Schema):
    key: str
    label: str
    deadline: date
    confirmed: bool
    done_on: date | None
    state: str
    basis: str


class CaseOut(Schema):
    id: int
    number: str
    organisation_id: int
    procedure: str
    status: str
    status_label: str
    source: str
    party_id: int
    party_name: str
    vehicle_id: int | None
    violation_code: str
    violation_name: str
    violated_provision: str
    penalty_provision: str
    occurred_at: datetime
    act_ended_on: date | None
    discovered_on: date | None
    discovery_evidence: str
    place: str
    facts: str
    opened_on: date | None
    limitation_override: str
    not_same_act_reason: str
    officer_ids: list[int]
    legal_review_required: bool
    discussion_required: bool
    proposed_outcome: str
    proposed_amount: Decimal | None
    notified_on: date | None
    notified_amount: Decimal | None
    hearing_right: bool
    hearing_on: date | None
    outcome: str
    penalty_kind: str
    fine_amount: Decimal | None
    payable_amount: Decimal | None
    no_penalty_reason: str
    legal_basis: str
    decision_reasoning: str
    decision_number: str
    decided_on: date | None
    delivery_method: str
    delivered_on: date | None
    paid_on: date | None
    closed_on: date | None
    revoked_on: date | None
    assessment: dict

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_party_name(obj):
        return obj.party.name

    @staticmethod
    def resolve_officer_ids(obj):
        return [o.pk for o in obj.officers.all()]


class PenaltyLineOut(Schema):
    stage: str
    kind: str
    kind_label: str
    amount: Decimal | None
    subject: str
    term: str
    text: str
    category_code: str


class CaseDetailOut(CaseOut):
    clocks: list[ClockOut]
    next_actions: list[str]
    penalty_lines: list[PenaltyLineOut]

    @staticmethod
    def resolve_penalty_lines(obj):
        return [{"stage": x.stage, "kind": x.kind, "kind_label": x.get_kind_display(), "amount": x.amount, "subject": x.subject,
                 "term": x.term, "text": penalties.line_text(x), "category_code": penalties.penalty_category(x.kind).code}
                for x in sorted(obj.penalty_lines.all(), key=lambda x: (x.stage, x.seq))]  # prefetched on lists

    @staticmethod
    def resolve_clocks(obj):
        # A list computes every case's clocks on one calendar snapshot (selectors.with_clocks) and leaves them here.
        computed = getattr(obj, "computed_clocks", None)
        return [{"key": c.key, "label": c.label, "deadline": c.deadline.date, "confirmed": c.deadline.confirmed, "done_on": c.done_on,
                 "state": c.state(), "basis": c.basis} for c in (computed if computed is not None else clocks.clocks(obj))]

    @staticmethod
    def resolve_next_actions(obj):
        return [t.action for t in workflow.next_actions(obj.status)]


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: int | None = None


def _case(request, case_id: int) -> Case:
    return selectors.case_get(request.user, case_id)


def _officers(request, ids: list[int]) -> list[Officer]:
    return list(scope(Officer.objects.all(), request.user).filter(pk__in=ids)) if ids else []


def _own_org(user):
    if user.organisation_id is None:
        raise DomainError("no_organisation", "您的账号未关联机构。")
    return user.organisation


@router.get("/", response=CasePage, summary="案件列表")
def case_list(request, q: str = Query("", max_length=100), status: str = "", procedure: str = "", mine: bool = False,
              unit: int | None = None, registered_from: date | None = None, registered_to: date | None = None,
              after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    qs = selectors.cases_for(request.user, search=q.strip(), status=status, procedure=procedure, mine=mine, unit=unit,
                             registered_from=registered_from, registered_to=registered_to)
    rows, cursor = keyset(qs.prefetch_related("officers"), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/at-risk", response=list[CaseDetailOut], summary="期限预警（红/黄）")
def at_risk(request, mine: bool = False):
    rows = selectors.at_risk(request.user, mine=mine)
    selectors.with_display(row[0] for row in rows)
    for case, case_clocks, _worst in rows:
        case.computed_clocks = case_clocks
    return [row[0] for row in rows]


@router.get("/{int:case_id}", response={200: CaseDetailOut, 404: ErrorOut}, summary="案件详情（含法定期限和可办理事项）")
def case_detail(request, case_id: int):
    return _case(request, case_id)


class LeadIn(Schema):
    source: Case.Source
    party_id: int
    vehicle_id: int | None = None
    occurred_at: datetime
    place: str = Field(max_length=200)
    facts: str
    violation_item_code: str | None = None
    officer_ids: list[int] = []
    origin_type: str = ""
    origin_id: str = ""
    life_health_harm: bool | None = None
    act_ended_on: date | None = None
    discovered_on: date | None = None
    discovery_evidence: str = ""


@router.post("/leads", response={201: CaseOut, **ERR}, summary="登记案件线索（来源相同则返回原案件）")
def lead_register(request, payload: LeadIn):
    party = get_scoped(Party.objects.all(), request.user, pk=payload.party_id)
    vehicle = get_scoped(Vehicle.objects.all(), request.user, pk=payload.vehicle_id) if payload.vehicle_id else None
    origin = (payload.origin_type, payload.origin_id) if payload.origin_id else None
    case = services.lead_register(actor=request.user, organisation=_own_org(request.user), source=payload.source, party=party,
                                  occurred_at=payload.occurred_at, place=payload.place, facts=payload.facts,
                                  violation_item_code=payload.violation_item_code, vehicle=vehicle, origin=origin,
                                  officers=_officers(request, payload.officer_ids), life_health_harm=payload.life_health_harm,
                                  act_ended_on=payload.act_ended_on, discovered_on=payload.discovered_on,
                                  discovery_evidence=payload.discovery_evidence)
    return 201, case


class SimplifiedIn(Schema):
    party_id: int
    vehicle_id: int | None = None
    officer_ids: list[int]
    occurred_at: datetime
    place: str = Field(max_length=200)
    facts: str
    penalty_kind: Case.PenaltyKind
    amount: Decimal | None = None
    legal_basis: str
    reasoning: str = ""
    violation_item_code: str | None = None
    not_same_act: str = ""
    deviation_reason: str = Field("", description="罚款与裁量基准建议金额不同时必填（写入决定书）")
    violated_provision: str = ""


@router.post("/simplified", response={201: CaseOut, **ERR}, summary="简易程序当场处罚（行政处罚法第五十一条）")
def simplified(request, payload: SimplifiedIn):
    party = get_scoped(Party.objects.all(), request.user, pk=payload.party_id)
    vehicle = get_scoped(Vehicle.objects.all(), request.user, pk=payload.vehicle_id) if payload.vehicle_id else None
    case = services.case_simplified(actor=request.user, organisation=_own_org(request.user), party=party, vehicle=vehicle,
                                    officers=_officers(request, payload.officer_ids), occurred_at=payload.occurred_at, place=payload.place,
                                    facts=payload.facts, penalty_kind=payload.penalty_kind, amount=payload.amount,
                                    legal_basis=payload.legal_basis, reasoning=payload.reasoning,
                                    violation_item_code=payload.violation_item_code, not_same_act=payload.not_same_act,
                                    deviation_reason=payload.deviation_reason,
                                    violated_provision=payload.violated_provision)
    return 201, case


class DiscoveryIn(Schema):
    discovered_on: date | None = None
    evidence: str = ""
    act_ended_on: date | None = None


@router.post("/{int:case_id}/discovery", response={200: CaseOut, **ERR}, summary="记录发现日期和违法行为终了日期（行政处罚法第三十六条）")
def discovery(request, case_id: int, payload: DiscoveryIn):
    return services.case_discovery_record(actor=request.user, case=_case(request, case_id), **payload.dict())


class OpenIn(Schema):
    officer_ids: list[int] = []
    limitation_override: str = ""
    legal_review_required: bool | None = None
    discussion_required: bool | None = None


@router.post("/{int:case_id}/open", response={200: CaseOut, **ERR}, summary="批准立案")
def open_case(request, case_id: int, payload: OpenIn):
    case = _case(request, case_id)
    return services.case_open(actor=request.user, case=case, officers=_officers(request, payload.officer_ids) or None,
                              limitation_override=payload.limitation_override, legal_review_required=payload.legal_review_required,
                              discussion_required=payload.discussion_required)


class ReasonIn(Schema):
    reason: str


@router.post("/{int:case_id}/decline", response={200: CaseOut, **ERR}, summary="不予立案")
def decline(request, case_id: int, payload: ReasonIn):
    return services.case_decline(actor=request.user, case=_case(request, case_id), reason=payload.reason)


@router.post("/{int:case_id}/withdraw", response={200: CaseOut, **ERR}, summary="撤销立案")
def withdraw(request, case_id: int, payload: ReasonIn):
    return services.case_withdraw(actor=request.user, case=_case(request, case_id), reason=payload.reason)


class TransferIn(Schema):
    to: str
    reason: str


@router.post("/{int:case_id}/transfer", response={200: CaseOut, **ERR}, summary="移送")
def transfer(request, case_id: int, payload: TransferIn):
    return services.case_transfer(actor=request.user, case=_case(request, case_id), to=payload.to, reason=payload.reason)


class SetReviewIn(Schema):
    legal_review_required: bool
    discussion_required: bool
    basis: str = ""


@router.post("/{int:case_id}/set-review", response={200: CaseOut, **ERR}, summary="负责人设定法制审核/集体讨论")
def set_review(request, case_id: int, payload: SetReviewIn):
    return services.case_set_review(actor=request.user, case=_case(request, case_id), **payload.dict())


class ReportIn(Schema):
    report_text: str
    proposed_outcome: Case.Outcome
    proposed_amount: Decimal | None = None
    deviation_reason: str = ""


@router.post("/{int:case_id}/report", response={200: CaseOut, **ERR}, summary="提交调查终结报告")
def report(request, case_id: int, payload: ReportIn):
    return services.case_report(actor=request.user, case=_case(request, case_id), **payload.dict())


class InternalReviewIn(Schema):
    approve: bool
    opinion: str


@router.post("/{int:case_id}/internal-review", response={200: CaseOut, **ERR}, summary="审查调查终结报告")
def internal_review(request, case_id: int, payload: InternalReviewIn):
    return services.case_internal_review(actor=request.user, case=_case(request, case_id), **payload.dict())


class LegalReviewIn(Schema):
    opinion: LegalReview.Opinion
    text: str
    modified_amount: Decimal | None = None


@router.post("/{int:case_id}/legal-review", response={200: CaseOut, **ERR}, summary="法制审核（行政处罚法第五十八条）")
def legal_review(request, case_id: int, payload: LegalReviewIn):
    case = _case(request, case_id)
    services.case_legal_review(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


class DiscussIn(Schema):
    minutes: str
    on: date | None = None


@router.post("/{int:case_id}/discuss", response={200: CaseOut, **ERR}, summary="集体讨论（行政处罚法第五十七条）")
def discuss(request, case_id: int, payload: DiscussIn):
    return services.case_discuss(actor=request.user, case=_case(request, case_id), **payload.dict())


class ProvisionsIn(Schema):
    violated_provision: str
    penalty_provision: str


@router.post("/{int:case_id}/provisions", response={200: CaseOut, **ERR}, summary="写明违反条款和处罚依据")
def set_provisions(request, case_id: int, payload: ProvisionsIn):
    return services.case_set_provisions(actor=request.user, case=_case(request, case_id), **payload.dict())


class PenaltyLineIn(Schema):
    """One penalty of 行政处罚法 Art. 9: kind, amount (money kinds), the licence/items it bears on, a term."""

    kind: Case.PenaltyKind
    amount: Decimal | None = None
    subject: str = Field("", max_length=300)
    term: str = Field("", max_length=60)


class NotifyIn(Schema):
    penalty_kind: Case.PenaltyKind | None = None
    amount: Decimal | None = None
    lines: list[PenaltyLineIn] | None = Field(None, description="多种处罚合并时逐项填写；填写后不再使用 penalty_kind/amount")
    hearing_right: bool | None = None


@router.post("/{int:case_id}/notify", response={200: CaseOut, **ERR}, summary="告知拟处罚（违法行为通知书）")
def notify(request, case_id: int, payload: NotifyIn):
    data = payload.dict()
    return services.case_notify(actor=request.user, case=_case(request, case_id), **{**data, "penalty_kind": data["penalty_kind"] or ""})


class StatementIn(Schema):
    statement: str
    no_fault: bool = False
    adopted: str = ""


@router.post("/{int:case_id}/statement", response={200: CaseOut, **ERR}, summary="记录陈述申辩")
def statement(request, case_id: int, payload: StatementIn):
    return services.case_statement(actor=request.user, case=_case(request, case_id), **payload.dict())


class WaiveIn(Schema):
    statement: str = ""


@router.post("/{int:case_id}/waive", response={200: CaseOut, **ERR}, summary="当事人放弃陈述申辩和听证")
def waive(request, case_id: int, payload: WaiveIn):
    return services.case_waive(actor=request.user, case=_case(request, case_id), statement=payload.statement)


class HearingRequestIn(Schema):
    requested_on: date | None = None


@router.post("/{int:case_id}/hearing-request", response={200: CaseOut, **ERR}, summary="当事人申请听证")
def hearing_request(request, case_id: int, payload: HearingRequestIn):
    return services.case_hearing_request(actor=request.user, case=_case(request, case_id), requested_on=payload.requested_on)


class HearingScheduleIn(Schema):
    hearing_on: date
    notice_on: date | None = None
    public: bool = True
    private_reason: str = ""


@router.post("/{int:case_id}/hearing-schedule", response={200: CaseOut, **ERR}, summary="通知听证")
def hearing_schedule(request, case_id: int, payload: HearingScheduleIn):
    return services.case_hearing_schedule(actor=request.user, case=_case(request, case_id), **payload.dict())


class HearingHoldIn(Schema):
    record: str
    held_on: date | None = None


@router.post("/{int:case_id}/hearing-hold", response={200: CaseOut, **ERR}, summary="举行听证（听证笔录）")
def hearing_hold(request, case_id: int, payload: HearingHoldIn):
    return services.case_hearing_hold(actor=request.user, case=_case(request, case_id), **payload.dict())


class DecideIn(Schema):
    penalty_kind: Case.PenaltyKind | None = None
    amount: Decimal | None = None
    lines: list[PenaltyLineIn] | None = None
    legal_basis: str
    reasoning: str
    lenient: bool = False
    deviation_reason: str = ""
    not_same_act: str = ""


@router.post("/{int:case_id}/decide", response={200: CaseOut, **ERR}, summary="作出行政处罚决定")
def decide(request, case_id: int, payload: DecideIn):
    data = payload.dict()
    return services.case_decide(actor=request.user, case=_case(request, case_id), **{**data, "penalty_kind": data["penalty_kind"] or ""})


class ListApplyIn(Schema):
    list_kind: str
    harm: str = ""
    corrected_on: date | None = None
    correction: str = ""


@router.post("/{int:case_id}/list-apply", response={200: dict, **ERR}, summary="适用四张清单（行政处罚法第三十二条、第三十三条）")
def list_apply(request, case_id: int, payload: ListApplyIn):
    a = leniency.case_list_apply(actor=request.user, case=_case(request, case_id), **payload.dict())
    return {"list_kind": a.list_kind, "facts": leniency.facts_sentence(a), "earlier_cases": a.earlier_cases,
            "commitment_required": a.commitment_required, "commitment_signed_on": a.commitment_signed_on}


class CommitmentSignIn(Schema):
    signed_on: date | None = None


@router.post("/{int:case_id}/commitment-sign", response={200: dict, **ERR}, summary="当事人签署告知承诺书")
def commitment_sign(request, case_id: int, payload: CommitmentSignIn):
    a = leniency.case_commitment_sign(actor=request.user, case=_case(request, case_id), signed_on=payload.signed_on)
    return {"list_kind": a.list_kind, "commitment_signed_on": a.commitment_signed_on}


class NoPenaltyIn(Schema):
    reason: Case.NoPenaltyReason
    reasoning: str
    legal_basis: str = ""


@router.post("/{int:case_id}/no-penalty", response={200: CaseOut, **ERR}, summary="作出不予行政处罚决定")
def no_penalty(request, case_id: int, payload: NoPenaltyIn):
    return services.case_no_penalty(actor=request.user, case=_case(request, case_id), **payload.dict())


class DeliverIn(Schema):
    method: Case.DeliveryMethod
    delivered_on: date | None = None
    consent: str = ""
    address: str = ""


@router.post("/{int:case_id}/deliver", response={200: CaseOut, **ERR}, summary="送达决定书（行政处罚法第六十一条）")
def deliver(request, case_id: int, payload: DeliverIn):
    return services.case_deliver(actor=request.user, case=_case(request, case_id), **payload.dict())


class CloseIn(Schema):
    report: str


@router.post("/{int:case_id}/close", response={200: CaseOut, **ERR}, summary="结案")
def close(request, case_id: int, payload: CloseIn):
    return services.case_close(actor=request.user, case=_case(request, case_id), report=payload.report)


@router.post("/{int:case_id}/archive", response={200: CaseOut, **ERR}, summary="归档")
def archive(request, case_id: int):
    return services.case_archive(actor=request.user, case=_case(request, case_id))


@router.post("/{int:case_id}/revoke", response={200: CaseOut, **ERR}, summary="撤销处罚决定")
def revoke(request, case_id: int, payload: ReasonIn):
    return services.case_revoke(actor=request.user, case=_case(request, case_id), reason=payload.reason)


class CorrectIn(Schema):
    field_label: str
    old_text: str
    new_text: str
    reason: str


@router.post("/{int:case_id}/correct", response={200: CaseOut, **ERR}, summary="补正决定书")
def correct(request, case_id: int, payload: CorrectIn):
    case = _case(request, case_id)
    services.case_correct(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


class ExtendIn(Schema):
    days: int = Field(ge=1, le=365)
    reason: str
    basis: Extension.Basis


@router.post("/{int:case_id}/extend", response={200: CaseDetailOut, **ERR}, summary="延长办案期限")
def extend(request, case_id: int, payload: ExtendIn):
    case = _case(request, case_id)
    services.case_extend(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


class SuspendIn(Schema):
    reason: str
    started_on: date | None = None
    note: str = ""


@router.post("/{int:case_id}/suspend", response={200: CaseDetailOut, **ERR}, summary="中止办案期限（听证、公告、检测、鉴定）")
def suspend(request, case_id: int, payload: SuspendIn):
    case = _case(request, case_id)
    services.case_suspend(actor=request.user, case=case, **payload.dict())
    return case


class ResumeIn(Schema):
    ended_on: date | None = None


@router.post("/{int:case_id}/resume", response={200: CaseDetailOut, **ERR}, summary="恢复计算办案期限")
def resume(request, case_id: int, payload: ResumeIn):
    case = _case(request, case_id)
    services.case_resume(actor=request.user, case=case, ended_on=payload.ended_on)
    return case


class TranscriptIn(Schema):
    kind: Transcript.Kind
    started_at: datetime
    ended_at: datetime
    place: str
    officer_ids: list[int]
    person_name: str
    person_id_number: str = ""
    person_relation: str = ""
    content: dict | list
    signed_by_person: bool = True
    refusal_note: str = ""


class TranscriptOut(Schema):
    id: int
    kind: str
    started_at: datetime
    ended_at: datetime
    place: str
    person_name: str
    content: dict | list


@router.post("/{int:case_id}/transcripts", response={201: TranscriptOut, **ERR}, summary="制作笔录（询问/现场/勘验）")
def transcript(request, case_id: int, payload: TranscriptIn):
    data = payload.dict()
    officers = _officers(request, data.pop("officer_ids"))
    return 201, services.transcript_create(actor=request.user, case=_case(request, case_id), officers=officers, **data)


class EvidenceOut(Schema):
    id: int
    kind: str
    title: str
    sha256: str | None
    captured_at: datetime | None
    capture_device: str
    preserved: bool

    @staticmethod
    def resolve_sha256(obj):
        return obj.file.sha256 if obj.file_id else None


@router.post("/{int:case_id}/evidence", response={201: EvidenceOut, **ERR}, summary="登记证据（照片、录音录像等，记录SHA-256）")
def evidence(request, case_id: int, kind: EvidenceItem.Kind = Form(...), title: str = Form(...), description: str = Form(""),
             captured_at: datetime | None = Form(None), capture_device: str = Form(""), capture_place: str = Form(""),
             preserved: bool = Form(False), preserved_place: str = Form(""), file: UploadedFile | None = File(None)):
    case = _case(request, case_id)
    kwargs = {}
    if file is not None:
        kwargs = {"fileobj": file, "name": file.name, "content_type": file.content_type}
    item = services.evidence_add(actor=request.user, case=case, kind=kind, title=title, description=description, captured_at=captured_at,
                                 capture_device=capture_device, capture_place=capture_place, preserved=preserved,
                                 preserved_place=preserved_place, **kwargs)
    return 201, item


@router.get("/{int:case_id}/evidence", response={200: list[EvidenceOut], 404: ErrorOut}, summary="证据清单")
def evidence_list(request, case_id: int):
    return list(_case(request, case_id).evidence_items.select_related("file"))


class OfficerChoiceOut(Schema):
    id: int
    name: str
    cert_number: str


@router.get("/officers/available", response=list[OfficerChoiceOut], summary="可办案的持证执法人员")
def officers_available(request):
    if request.user.organisation_id is None:
        return []
    return list(enforcing_officers(request.user.organisation.enforcement_body())[:200])


__all__ = ["router", "get_object_or_404"]
