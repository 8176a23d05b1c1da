"""REST API of cases: every action of the procedure, the list (keyset) and the at-risk list. Views only parse,
call one service and serialise; refusals answer ``{code, message}``. The schemas are in ``cases.schemas``."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from zhifa.core.kit import own_organisation
from zhifa.core.models import Officer, Party, Vehicle
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ERRORS, ErrorOut
from zhifa.core.selectors import enforcing_officers, get_scoped, scope

from . import leniency, selectors, services
from .models import Case, EvidenceItem
from .schemas import (
    CaseDetailOut,
    CaseOut,
    CasePage,
    CloseIn,
    CommitmentSignIn,
    CorrectIn,
    DecideIn,
    DeliverIn,
    DiscoveryIn,
    DiscussIn,
    EvidenceOut,
    ExtendIn,
    HearingHoldIn,
    HearingRequestIn,
    HearingScheduleIn,
    InternalReviewIn,
    LeadIn,
    LegalReviewIn,
    ListApplyIn,
    NoPenaltyIn,
    NotifyIn,
    OfficerChoiceOut,
    OpenIn,
    ProvisionsIn,
    RangeCheckIn,
    ReasonIn,
    ReportIn,
    ResumeIn,
    SetReviewIn,
    SimplifiedIn,
    StatementIn,
    SuspendIn,
    TranscriptIn,
    TranscriptOut,
    TransferIn,
    WaiveIn,
)

router = Router(tags=["cases"])


ERR = ERRORS


def _case(request, case_id: int) -> Case:
    return selectors.case_get(request.user, case_id)


def _officers(request, ids: list[int]) -> list[Officer]:
    return list(scope(Officer.objects.all(), request.user).filter(pk__in=ids)) if ids else []


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


@router.post("/leads", response={201: CaseOut, **ERR}, summary="登记案件线索（来源相同则返回原案件）")
def lead_register(request, payload: LeadIn):
    party = get_scoped(Party.objects.all(), request.user, pk=payload.party_id)
    vehicle = get_scoped(Vehicle.objects.all(), request.user, pk=payload.vehicle_id) if payload.vehicle_id else None
    origin = (payload.origin_type, payload.origin_id) if payload.origin_id else None
    case = services.lead_register(actor=request.user, organisation=own_organisation(request.user), source=payload.source, party=party,
                                  occurred_at=payload.occurred_at, place=payload.place, facts=payload.facts,
                                  violation_item_code=payload.violation_item_code, vehicle=vehicle, origin=origin,
                                  officers=_officers(request, payload.officer_ids), life_health_harm=payload.life_health_harm,
                                  act_ended_on=payload.act_ended_on, discovered_on=payload.discovered_on,
                                  discovery_evidence=payload.discovery_evidence)
    return 201, case


@router.post("/simplified", response={201: CaseOut, **ERR}, summary="简易程序当场处罚（行政处罚法第五十一条）")
def simplified(request, payload: SimplifiedIn):
    party = get_scoped(Party.objects.all(), request.user, pk=payload.party_id)
    vehicle = get_scoped(Vehicle.objects.all(), request.user, pk=payload.vehicle_id) if payload.vehicle_id else None
    case = services.case_simplified(actor=request.user, organisation=own_organisation(request.user), party=party, vehicle=vehicle,
                                    officers=_officers(request, payload.officer_ids), occurred_at=payload.occurred_at, place=payload.place,
                                    facts=payload.facts, penalty_kind=payload.penalty_kind, amount=payload.amount,
                                    legal_basis=payload.legal_basis, reasoning=payload.reasoning,
                                    violation_item_code=payload.violation_item_code, not_same_act=payload.not_same_act,
                                    deviation_reason=payload.deviation_reason,
                                    violated_provision=payload.violated_provision)
    return 201, case


@router.post("/{int:case_id}/discovery", response={200: CaseOut, **ERR}, summary="记录发现日期和违法行为终了日期（行政处罚法第三十六条）")
def discovery(request, case_id: int, payload: DiscoveryIn):
    return services.case_discovery_record(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/open", response={200: CaseOut, **ERR}, summary="批准立案")
def open_case(request, case_id: int, payload: OpenIn):
    case = _case(request, case_id)
    return services.case_open(actor=request.user, case=case, officers=_officers(request, payload.officer_ids) or None,
                              limitation_override=payload.limitation_override, legal_review_required=payload.legal_review_required,
                              discussion_required=payload.discussion_required)


@router.post("/{int:case_id}/decline", response={200: CaseOut, **ERR}, summary="不予立案")
def decline(request, case_id: int, payload: ReasonIn):
    return services.case_decline(actor=request.user, case=_case(request, case_id), reason=payload.reason)


@router.post("/{int:case_id}/withdraw", response={200: CaseOut, **ERR}, summary="撤销立案")
def withdraw(request, case_id: int, payload: ReasonIn):
    return services.case_withdraw(actor=request.user, case=_case(request, case_id), reason=payload.reason)


@router.post("/{int:case_id}/transfer", response={200: CaseOut, **ERR}, summary="移送")
def transfer(request, case_id: int, payload: TransferIn):
    return services.case_transfer(actor=request.user, case=_case(request, case_id), to=payload.to, reason=payload.reason)


@router.post("/{int:case_id}/set-review", response={200: CaseOut, **ERR}, summary="负责人设定法制审核/集体讨论")
def set_review(request, case_id: int, payload: SetReviewIn):
    return services.case_set_review(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/report", response={200: CaseOut, **ERR}, summary="提交调查终结报告")
def report(request, case_id: int, payload: ReportIn):
    return services.case_report(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/internal-review", response={200: CaseOut, **ERR}, summary="审查调查终结报告")
def internal_review(request, case_id: int, payload: InternalReviewIn):
    return services.case_internal_review(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/legal-review", response={200: CaseOut, **ERR}, summary="法制审核（行政处罚法第五十八条）")
def legal_review(request, case_id: int, payload: LegalReviewIn):
    case = _case(request, case_id)
    services.case_legal_review(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


@router.post("/{int:case_id}/range-check", response={200: CaseOut, **ERR}, summary="记录罚款幅度核对（法制审核人员，行政处罚法第四条、第五十八条）")
def range_check(request, case_id: int, payload: RangeCheckIn):
    case = _case(request, case_id)
    services.case_range_check(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


@router.post("/{int:case_id}/discuss", response={200: CaseOut, **ERR}, summary="集体讨论（行政处罚法第五十七条）")
def discuss(request, case_id: int, payload: DiscussIn):
    return services.case_discuss(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/provisions", response={200: CaseOut, **ERR}, summary="写明违反条款和处罚依据")
def set_provisions(request, case_id: int, payload: ProvisionsIn):
    return services.case_set_provisions(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/notify", response={200: CaseOut, **ERR}, summary="告知拟处罚（违法行为通知书）")
def notify(request, case_id: int, payload: NotifyIn):
    data = payload.dict()
    return services.case_notify(actor=request.user, case=_case(request, case_id), **{**data, "penalty_kind": data["penalty_kind"] or ""})


@router.post("/{int:case_id}/statement", response={200: CaseOut, **ERR}, summary="记录陈述申辩")
def statement(request, case_id: int, payload: StatementIn):
    return services.case_statement(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/waive", response={200: CaseOut, **ERR}, summary="当事人放弃陈述申辩和听证")
def waive(request, case_id: int, payload: WaiveIn):
    return services.case_waive(actor=request.user, case=_case(request, case_id), statement=payload.statement)


@router.post("/{int:case_id}/hearing-request", response={200: CaseOut, **ERR}, summary="当事人申请听证")
def hearing_request(request, case_id: int, payload: HearingRequestIn):
    return services.case_hearing_request(actor=request.user, case=_case(request, case_id), requested_on=payload.requested_on)


@router.post("/{int:case_id}/hearing-schedule", response={200: CaseOut, **ERR}, summary="通知听证")
def hearing_schedule(request, case_id: int, payload: HearingScheduleIn):
    return services.case_hearing_schedule(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/hearing-hold", response={200: CaseOut, **ERR}, summary="举行听证（听证笔录）")
def hearing_hold(request, case_id: int, payload: HearingHoldIn):
    return services.case_hearing_hold(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/decide", response={200: CaseOut, **ERR}, summary="作出行政处罚决定")
def decide(request, case_id: int, payload: DecideIn):
    data = payload.dict()
    return services.case_decide(actor=request.user, case=_case(request, case_id), **{**data, "penalty_kind": data["penalty_kind"] or ""})


@router.post("/{int:case_id}/list-apply", response={200: dict, **ERR}, summary="适用四张清单（行政处罚法第三十二条、第三十三条）")
def list_apply(request, case_id: int, payload: ListApplyIn):
    a = leniency.case_list_apply(actor=request.user, case=_case(request, case_id), **payload.dict())
    return {"list_kind": a.list_kind, "facts": leniency.facts_sentence(a), "earlier_cases": a.earlier_cases,
            "commitment_required": a.commitment_required, "commitment_signed_on": a.commitment_signed_on}


@router.post("/{int:case_id}/commitment-sign", response={200: dict, **ERR}, summary="当事人签署告知承诺书")
def commitment_sign(request, case_id: int, payload: CommitmentSignIn):
    a = leniency.case_commitment_sign(actor=request.user, case=_case(request, case_id), signed_on=payload.signed_on)
    return {"list_kind": a.list_kind, "commitment_signed_on": a.commitment_signed_on}


@router.post("/{int:case_id}/no-penalty", response={200: CaseOut, **ERR}, summary="作出不予行政处罚决定")
def no_penalty(request, case_id: int, payload: NoPenaltyIn):
    return services.case_no_penalty(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/deliver", response={200: CaseOut, **ERR}, summary="送达决定书（行政处罚法第六十一条）")
def deliver(request, case_id: int, payload: DeliverIn):
    return services.case_deliver(actor=request.user, case=_case(request, case_id), **payload.dict())


@router.post("/{int:case_id}/close", response={200: CaseOut, **ERR}, summary="结案")
def close(request, case_id: int, payload: CloseIn):
    return services.case_close(actor=request.user, case=_case(request, case_id), report=payload.report)


@router.post("/{int:case_id}/archive", response={200: CaseOut, **ERR}, summary="归档")
def archive(request, case_id: int):
    return services.case_archive(actor=request.user, case=_case(request, case_id))


@router.post("/{int:case_id}/revoke", response={200: CaseOut, **ERR}, summary="撤销处罚决定")
def revoke(request, case_id: int, payload: ReasonIn):
    return services.case_revoke(actor=request.user, case=_case(request, case_id), reason=payload.reason)


@router.post("/{int:case_id}/correct", response={200: CaseOut, **ERR}, summary="补正决定书")
def correct(request, case_id: int, payload: CorrectIn):
    case = _case(request, case_id)
    services.case_correct(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


@router.post("/{int:case_id}/extend", response={200: CaseDetailOut, **ERR}, summary="延长办案期限")
def extend(request, case_id: int, payload: ExtendIn):
    case = _case(request, case_id)
    services.case_extend(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return case


@router.post("/{int:case_id}/suspend", response={200: CaseDetailOut, **ERR}, summary="中止办案期限（听证、公告、检测、鉴定）")
def suspend(request, case_id: int, payload: SuspendIn):
    case = _case(request, case_id)
    services.case_suspend(actor=request.user, case=case, **payload.dict())
    return case


@router.post("/{int:case_id}/resume", response={200: CaseDetailOut, **ERR}, summary="恢复计算办案期限")
def resume(request, case_id: int, payload: ResumeIn):
    case = _case(request, case_id)
    services.case_resume(actor=request.user, case=case, ended_on=payload.ended_on)
    return case


@router.post("/{int:case_id}/transcripts", response={201: TranscriptOut, **ERR}, summary="制作笔录（询问/现场/勘验）")
def transcript(request, case_id: int, payload: TranscriptIn):
    data = payload.dict()
    officers = _officers(request, data.pop("officer_ids"))
    return 201, services.transcript_create(actor=request.user, case=_case(request, case_id), officers=officers, **data)


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


@router.get("/officers/available", response=list[OfficerChoiceOut], summary="可办案的持证执法人员")
def officers_available(request):
    if request.user.organisation_id is None:
        return []
    return list(enforcing_officers(request.user.organisation.enforcement_body())[:200])


__all__ = ["router", "get_object_or_404"]
