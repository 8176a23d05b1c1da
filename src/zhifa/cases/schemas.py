"""The schemas of the cases API (``cases.api``): what a case reads as (list, detail with clocks and the
actions
allowed now, penalty lines) and the body of each procedural act. The routes parse with these, call one
service and
serialise."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from . import clocks, penalties, workflow
from .models import Case, Extension, LegalReview, Transcript


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
        return [
            {
                "stage": x.stage,
                "kind": x.kind,
                "kind_label": x.get_kind_display(),
                "amount": x.amount,
                "subject": x.subject,
                "term": x.term,
                "text": penalties.line_text(x),
                "category_code": penalties.penalty_category(x.kind).code,
            }
            for x in sorted(obj.penalty_lines.all(), key=lambda x: (x.stage, x.seq))
        ]  # prefetched on lists

    @staticmethod
    def resolve_clocks(obj):
        # A list computes every case's clocks on one calendar snapshot (selectors.with_clocks) and leaves
        # them here.
        computed = getattr(obj, "computed_clocks", None)
        return [
            {
                "key": c.key,
                "label": c.label,
                "deadline": c.deadline.date,
                "confirmed": c.deadline.confirmed,
                "done_on": c.done_on,
                "state": c.state(),
                "basis": c.basis,
            }
            for c in (computed if computed is not None else clocks.clocks(obj))
        ]

    @staticmethod
    def resolve_next_actions(obj):
        return [t.action for t in workflow.next_actions(obj.status)]


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: int | None = None


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


class DiscoveryIn(Schema):
    discovered_on: date | None = None
    evidence: str = ""
    act_ended_on: date | None = None


class OpenIn(Schema):
    officer_ids: list[int] = []
    limitation_override: str = ""
    legal_review_required: bool | None = None
    discussion_required: bool | None = None


class ReasonIn(Schema):
    reason: str


class TransferIn(Schema):
    to: str
    reason: str


class SetReviewIn(Schema):
    legal_review_required: bool
    discussion_required: bool
    basis: str = ""


class ReportIn(Schema):
    report_text: str
    proposed_outcome: Case.Outcome
    proposed_amount: Decimal | None = None
    deviation_reason: str = ""


class InternalReviewIn(Schema):
    approve: bool
    opinion: str


class LegalReviewIn(Schema):
    opinion: LegalReview.Opinion
    text: str
    modified_amount: Decimal | None = None
    range_check: str = ""


class RangeCheckIn(Schema):
    range_check: str


class DiscussIn(Schema):
    minutes: str
    on: date | None = None


class ProvisionsIn(Schema):
    violated_provision: str
    penalty_provision: str


class PenaltyLineIn(Schema):
    """One penalty of 行政处罚法 Art. 9: kind, amount (money kinds), the licence/items it bears on, a term."""

    kind: Case.PenaltyKind
    amount: Decimal | None = None
    subject: str = Field("", max_length=300)
    term: str = Field("", max_length=60)


class NotifyIn(Schema):
    penalty_kind: Case.PenaltyKind | None = None
    amount: Decimal | None = None
    lines: list[PenaltyLineIn] | None = Field(
        None, description="多种处罚合并时逐项填写；填写后不再使用 penalty_kind/amount"
    )
    hearing_right: bool | None = None


class StatementIn(Schema):
    statement: str
    no_fault: bool = False
    adopted: str = ""


class WaiveIn(Schema):
    statement: str = ""


class HearingRequestIn(Schema):
    requested_on: date | None = None


class HearingScheduleIn(Schema):
    hearing_on: date
    notice_on: date | None = None
    public: bool = True
    private_reason: str = ""


class HearingHoldIn(Schema):
    record: str
    held_on: date | None = None


class DecideIn(Schema):
    penalty_kind: Case.PenaltyKind | None = None
    amount: Decimal | None = None
    lines: list[PenaltyLineIn] | None = None
    legal_basis: str
    reasoning: str
    lenient: bool = False
    deviation_reason: str = ""
    not_same_act: str = ""


class ListApplyIn(Schema):
    list_kind: str
    harm: str = ""
    corrected_on: date | None = None
    correction: str = ""


class CommitmentSignIn(Schema):
    signed_on: date | None = None


class NoPenaltyIn(Schema):
    reason: Case.NoPenaltyReason
    reasoning: str
    legal_basis: str = ""


class DeliverIn(Schema):
    method: Case.DeliveryMethod
    delivered_on: date | None = None
    consent: str = ""
    address: str = ""


class CloseIn(Schema):
    report: str


class CorrectIn(Schema):
    field_label: str
    old_text: str
    new_text: str
    reason: str


class ExtendIn(Schema):
    days: int = Field(ge=1, le=365)
    reason: str
    basis: Extension.Basis


class SuspendIn(Schema):
    reason: str
    started_on: date | None = None
    note: str = ""


class ResumeIn(Schema):
    ended_on: date | None = None


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


class OfficerChoiceOut(Schema):
    id: int
    name: str
    cert_number: str
