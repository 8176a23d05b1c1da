"""REST API of credit: a party's grade with its history, and the serious-dishonesty listing procedure step by step
(jurisdiction-scoped; each step is one service call — there is no endpoint that lists a party in one request)."""

from datetime import date, timedelta

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from zhifa.core.errors import DomainError
from zhifa.core.models import Party
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ERRORS, ErrorOut
from zhifa.core.selectors import get_scoped

from . import selectors, services, workflow
from .models import DishonestyCategory

router = Router(tags=["credit"])


ERR = ERRORS


class ChangeOut(Schema):
    from_grade: str
    to_grade: str
    score: int
    reasons: list[str]
    changed_on: date


class PenaltiesOut(Schema):
    since: date
    until: date
    total: int
    cases: int
    overload_cases: int
    four_penalty_cases: int
    ledger: int
    four_penalty_triggers: int


class GradeOut(Schema):
    party_id: int
    grade: str
    score: int | None
    bad_points: int | None
    penalties_12m: int | None
    rule_set: str | None
    changes: list[ChangeOut]
    penalties: PenaltiesOut


class StepOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    acted_on: date
    note: str


class EntryOut(Schema):
    id: int
    party_id: int
    party_name: str
    category: str | None
    reason: str
    facts: str
    basis: str
    source: str
    source_label: str
    status: str
    status_label: str
    proposed_on: date | None
    notified_on: date | None
    notice_number: str
    statement_due_on: date | None
    statement_due_confirmed: bool
    statement: str
    decided_on: date | None
    decision_number: str
    listed_on: date | None
    expires_on: date | None
    repair_from: date | None
    removed_on: date | None
    removal_kind: str
    removal_reason: str
    next_actions: list[str]

    @staticmethod
    def resolve_party_name(obj):
        return obj.party.name

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_next_actions(obj):
        return [t.action for t in workflow.next_actions(obj.status)]


class EntryDetailOut(EntryOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class EntryPage(Schema):
    items: list[EntryOut]
    next_cursor: int | None = None


@router.get("/parties/{party_id}/grade", response={200: GradeOut, 404: ErrorOut}, summary="企业信用等级与变更记录")
def party_grade(request, party_id: int):
    party = get_scoped(Party.objects.all(), request.user, pk=party_id)
    g = getattr(party, "credit_grade", None) if hasattr(party, "credit_grade") else None
    today = timezone.localdate()
    window = selectors.rule_set_on(today).window_days
    # penalties_12m: the figure stored with the grade on its day; penalties: the same definition counted now.
    return {"party_id": party.pk, "grade": g.grade if g else "B", "score": g.score if g else None, "bad_points": g.bad_points if g else None,
            "penalties_12m": g.penalties_12m if g else None, "rule_set": g.rule_set.version if g else None,
            "changes": list(party.grade_changes.all()[:50]),
            "penalties": selectors.penalty_breakdown(party.pk, since=today - timedelta(days=window - 1), until=today)}


@router.get("/dishonesty/", response=EntryPage, summary="严重失信主体名单（含认定中的程序）")
def dishonesty(request, status: str = "", after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    qs = selectors.dishonesty_for(request.user)
    if status:
        qs = qs.filter(status=status)
    rows, cursor = keyset(qs, after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/dishonesty/{int:entry_id}", response={200: EntryDetailOut, 404: ErrorOut}, summary="名单认定详情与各环节记录")
def dishonesty_detail(request, entry_id: int):
    return selectors.dishonesty_entry_for(request.user, entry_id)


class ProposeIn(Schema):
    party_id: int
    category: str
    reason: str
    facts: str = ""
    on: date | None = None


@router.post("/dishonesty/", response={201: EntryDetailOut, **ERR}, summary="提出列入严重失信主体名单的建议（不直接列入）")
def dishonesty_propose(request, payload: ProposeIn):
    party = get_scoped(Party.objects.all(), request.user, pk=payload.party_id)
    category = DishonestyCategory.objects.filter(code=payload.category).first()
    if category is None:
        raise DomainError("unknown_category", f"没有名单类别“{payload.category}”。")
    entry = services.dishonesty_propose(actor=request.user, party=party, category=category, reason=payload.reason,
                                        facts=payload.facts, on=payload.on)
    return Status(201, entry)


class OnIn(Schema):
    on: date | None = None


@router.post("/dishonesty/{int:entry_id}/notify", response={200: EntryDetailOut, **ERR}, summary="送达告知书（陈述申辩期开始）")
def dishonesty_notify(request, entry_id: int, payload: OnIn):
    return services.dishonesty_notify(actor=request.user, entry=selectors.dishonesty_entry_for(request.user, entry_id), on=payload.on)


class StatementIn(Schema):
    statement: str
    on: date | None = None


@router.post("/dishonesty/{int:entry_id}/statement", response={200: EntryDetailOut, **ERR}, summary="记录当事人陈述申辩")
def dishonesty_statement(request, entry_id: int, payload: StatementIn):
    return services.dishonesty_statement_record(actor=request.user, entry=selectors.dishonesty_entry_for(request.user, entry_id),
                                                statement=payload.statement, on=payload.on)


class DecideIn(Schema):
    list_party: bool
    review_note: str = ""
    reason: str = ""
    on: date | None = None


@router.post("/dishonesty/{int:entry_id}/decide", response={200: EntryDetailOut, **ERR}, summary="负责人决定列入或不予列入")
def dishonesty_decide(request, entry_id: int, payload: DecideIn):
    return services.dishonesty_decide(actor=request.user, entry=selectors.dishonesty_entry_for(request.user, entry_id), **payload.dict())


class RepairRemoveIn(Schema):
    reason: str
    corrected: bool
    commitment_signed: bool
    on: date | None = None


@router.post("/dishonesty/{int:entry_id}/repair-remove", response={200: EntryDetailOut, **ERR}, summary="信用修复提前移出（负责人）")
def dishonesty_repair_remove(request, entry_id: int, payload: RepairRemoveIn):
    return services.dishonesty_repair_remove(actor=request.user, entry=selectors.dishonesty_entry_for(request.user, entry_id),
                                             **payload.dict())
