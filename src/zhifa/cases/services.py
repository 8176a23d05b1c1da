"""State changes of enforcement cases. Each service checks role and jurisdiction, looks its action up in
``workflow`` (TRANSITIONS / ACTS), enforces the rules of 行政处罚法 that apply to it, updates the case with a
condition on its old status (exactly one row), appends a ``StatusChange`` and writes the full-process record,
all in one transaction. A refusal raises ``DomainError`` and changes nothing.

Interfaces used by other apps (documented in docs/cases.md): ``lead_register``, ``case_open``, ``case_notify``,
``case_waive``, ``case_statement``, ``case_decide``, ``case_deliver``, ``case_on_paid``.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit, legal_calendar, numbering, workflow
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
from zhifa.core.models import EvidenceFile, Officer, Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_officers_can_act, assert_role
from zhifa.discretion import engine as discretion_engine
from zhifa.discretion import review as discretion_review
from zhifa.discretion.models import ViolationItem

from . import penalties, rules
from .models import (
    CASE_NUMBERS,
    Case,
    ClockSuspension,
    Correction,
    EvidenceItem,
    Extension,
    LegalReview,
    Transcript,
)
from .workflow import WORKFLOW, Status

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------------------------
# helpers


def _today() -> date:
    return timezone.localdate()


def _label(status: str) -> str:
    return Status(status).label


def _check(action: str, case: Case, actor) -> None:
    """The action must be in the table for the case's status, and the actor must hold one of its roles."""
    WORKFLOW.check(action, case, actor)


def _move(case: Case, action: str, actor, *, target: str | None = None, fields: dict | None = None, summary: str,
          note: str = "") -> Case:
    """The workflow kernel's move: conditional UPDATE on the old status (exactly one row), ``StatusChange`` row,
    audit record and the outbox message, atomically."""
    return workflow.transition(WORKFLOW, case, action, actor=actor, target=target, fields=fields, summary=summary, note=note)


def _handling_officers(case: Case, officers: Iterable[Officer] | None, *, act: str, on: date | None = None) -> list[Officer]:
    # 行政处罚法 Art. 42: at least two officers holding valid certificates take part in every act.
    chosen = list(officers) if officers is not None else list(case.officers.all())
    return assert_officers_can_act(chosen, on=on or _today(), act=act)


def _issue_document(*, actor, case: Case, kind: str, transcript: Transcript | None = None) -> None:
    """Call for the standard form (documents app): a pending row in this transaction, the paper numbered, rendered
    and stored after the commit, off the request (``tasks.queue_document``). A decision document carries the number
    reserved in the deciding transaction (one numbering authority: the case, the paper, the payment notice and the
    API agree)."""
    from .tasks import queue_document

    queue_document(actor=actor, case=case, kind=kind, transcript=transcript)


TRANSCRIPT_DOCUMENTS = {"inquiry": "inquiry_record", "scene": "scene_record", "inspection": "inspection_record"}
DECISION_DOCUMENTS = {"penalty_decision", "no_penalty_decision", "onspot_decision"}


def _violation_item(code: str | None):
    if not code:
        return None
    return ViolationItem.objects.filter(code=code).first()


def _new_number(organisation: Organisation, year: int) -> str:
    """The next case number (core.numbering, series cases.case), reserved in the registering transaction."""
    return numbering.reserve(CASE_NUMBERS, organisation=organisation, year=year)


def _create_case(**fields) -> Case:
    """Insert with a fresh case number; a number taken meanwhile by a parallel insert is retried."""
    for _ in range(5):
        case = Case(number=_new_number(fields["organisation"], _today().year), **fields)
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            return case
        except IntegrityError:
            if fields.get("origin_id") and Case.objects.filter(organisation=fields["organisation"], origin_type=fields["origin_type"],
                                                               origin_id=fields["origin_id"]).exists():
                raise
            continue
    raise DomainError("case_number_busy", "案件编号生成冲突，请重试。")


def _decision_number(case: Case, on: date, kind: str) -> str:
    """The decision's number from the one numbering authority (documents.numbering), reserved inside the deciding
    transaction: a rolled-back decision gives its number back, and the document issued after the commit uses it."""
    from zhifa.documents.numbering import reserve_number

    return reserve_number(organisation=case.organisation, kind=kind, year=on.year)


def _provisions(case: Case, *, violated: str = "", penalty: str = "", need_penalty: bool = True) -> tuple[str, str]:
    """The violated provision and the penalty provision the case's papers will cite (the case's own, else its
    catalogue item's), checked as citations (core.provisions). A violation outside the catalogue must state both
    (行政处罚法 Arts. 44, 59: the decision names the provisions violated and the basis of the penalty)."""
    from zhifa.core import provisions

    item = case.violation_item
    violated = (violated or case.violated_provision or (item.violated_provision if item else "")).strip()
    penalty = (penalty or case.penalty_provision or (item.penalty_basis if item else "")).strip()
    if not provisions.parse(violated):
        raise DomainError("provision_missing", "未写明当事人违反的条款（法规名称和第几条），不在违法行为事项目录中的违法行为须在案件中写明。")
    if need_penalty and not provisions.parse(penalty):
        raise DomainError("provision_missing", "未写明处罚依据条款（法规名称和第几条第几项），不在违法行为事项目录中的违法行为须在案件中写明。")
    return violated, penalty


def case_set_provisions(*, actor, case: Case, violated_provision: str, penalty_provision: str) -> Case:
    """Record the violated provision and the penalty provision of a case (required for a violation outside the
    catalogue; for a catalogue item it replaces the item's citation in this case's papers)."""
    _check("provisions", case, actor)
    violated, penalty = _provisions(case, violated=violated_provision, penalty=penalty_provision)
    return _move(case, "provisions", actor, target=case.status, fields={"violated_provision": violated, "penalty_provision": penalty},
                 summary=f"写明违反条款：{violated[:120]}；处罚依据：{penalty[:120]}")


def _evidence_kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return EvidenceItem.Kind.PHOTO
    if content_type.startswith("audio/"):
        return EvidenceItem.Kind.AUDIO
    if content_type.startswith("video/"):
        return EvidenceItem.Kind.VIDEO
    return EvidenceItem.Kind.DATA


def _age_on_violation(case_or_party: Party, on: date) -> int | None:
    """Full years of age (周岁) on the day of the act. ADR 0005: a person reaches N 周岁 on the day after the N-th
    birthday (the birthday itself is not counted, 民法典 Art. 201; 法释〔2006〕1号 Art. 2), so on the 14th
    birthday the party is still under 14 (行政处罚法 Art. 30). Born on 29 February: the anniversary in a common
    year is 28 February (民法典 Art. 202), the age is reached on 1 March."""
    if case_or_party.kind != Party.Kind.PERSON or case_or_party.birth_date is None:
        return None
    born = case_or_party.birth_date
    return on.year - born.year - ((on.month, on.day) <= (born.month, born.day))


# ---------------------------------------------------------------------------------------------------------------
# dates of acts (行政处罚法 Arts. 60, 63–64): none in the future, none before the act it depends on


def _assert_act_date(day: date, *, act: str, article: str, after: Sequence[tuple[date | None, str]] = ()) -> None:
    """Refuse an act dated after today or before an act it depends on; ``after`` lists (date, name) pairs."""
    if day > _today():
        raise DomainError("date_in_future", f"{act}日期{day:%Y年%m月%d日}晚于今天，不能登记尚未发生的行为（{article}）。")
    for earlier, name in after:
        if earlier is not None and day < earlier:
            raise DomainError("date_before_prerequisite",
                              f"{act}日期{day:%Y年%m月%d日}早于{name}（{earlier:%Y年%m月%d日}），日期不能成立（{article}）。")


# ---------------------------------------------------------------------------------------------------------------
# lead and opening


# Origins that name an object of another app: the object's own jurisdiction decides who may register a case from
# it, and one object has one case wherever it was registered. Any other origin is the client's idempotency key,
# which is its organisation's own (two counties may use the same key without seeing each other's case).
ORIGIN_OBJECTS = {"overload.violation": "overload.Violation", "overload.four_penalty": "overload.FourPenaltyTrigger",
                  "inspections.inspection": "inspections.Inspection", "inspections.warning": "inspections.ProvincialWarning"}


def _origin_case(actor, organisation: Organisation, origin_type: str, origin_id: str) -> Case | None:
    """The case an origin registered before, looked up within the caller's jurisdiction; an origin object outside
    it answers "not found" like a foreign case page (nothing is created, nothing of it is shown)."""
    from django.apps import apps

    from zhifa.core.selectors import scope, within

    not_found = DomainError("not_found", "对象不存在或无权访问", status=404)
    label = ORIGIN_OBJECTS.get(origin_type)
    if label is None:
        return Case.objects.filter(organisation=organisation, origin_type=origin_type, origin_id=origin_id).first()
    if actor is not None:
        model = apps.get_model(label)
        if not origin_id.isdigit() or not scope(model.objects.all(), actor).filter(pk=int(origin_id)).exists():
            raise not_found
    existing = Case.objects.filter(origin_type=origin_type, origin_id=origin_id).select_related("organisation").first()
    if existing is not None and actor is not None and not within(actor, existing.organisation):
        raise not_found
    return existing


def lead_register(*, actor, organisation: Organisation, source: str, party: Party, occurred_at: datetime, place: str,
                  facts: str, violation_item_code: str | None = None, vehicle=None, origin: tuple[str, str] | None = None,
                  officers: Sequence[Officer] | None = None, evidence: Iterable[EvidenceFile] = (),
                  life_health_harm: bool | None = None, violation_name: str = "", act_ended_on: date | None = None,
                  discovered_on: date | None = None, discovery_evidence: str = "") -> Case:
    """Register a lead (线索登记). ``actor=None`` is a system detection (e.g. off-site weighing). Idempotent on
    ``origin`` = (type, id): the same origin returns the case it created before. ``violation_name`` names a
    violation that is not (yet) in the catalogue; a catalogue item's own name takes precedence. ``act_ended_on``:
    the end of a continuing act; ``discovered_on`` (with its evidence): the day the act was discovered, when
    earlier than this registration (行政处罚法 Art. 36)."""
    if actor is not None:
        assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员可以登记案件线索。")
        assert_in_jurisdiction(actor, organisation)
    if source not in Case.Source.values:
        raise DomainError("invalid_source", "案件来源应为：检查发现、举报核实、上级交办、下级报请、部门移送、其他。")
    if not facts.strip() or not place.strip():
        raise DomainError("invalid_lead", "请填写违法地点和案情。")
    if occurred_at > timezone.now():
        raise DomainError("invalid_lead", "违法行为发生时间不能晚于当前时间。")
    discovery_evidence = _assert_discovery(timezone.localtime(occurred_at).date(), act_ended_on=act_ended_on,
                                           discovered_on=discovered_on, evidence=discovery_evidence)
    origin_type, origin_id = (str(origin[0]), str(origin[1])) if origin else ("", "")
    if origin_id:
        existing = _origin_case(actor, organisation, origin_type, origin_id)
        if existing is not None:
            return existing
    item = _violation_item(violation_item_code)
    harm = life_health_harm if life_health_harm is not None else bool(item and getattr(item, "life_health_safety", False))
    with transaction.atomic():
        try:
            case = _create_case(
                organisation=organisation, source=source, party=party, vehicle=vehicle, occurred_at=occurred_at, place=place,
                facts=facts, violation_item=item, violation_code=violation_item_code or "",
                violation_name=getattr(item, "name", "") if item else violation_name.strip()[:200],
                life_health_harm=harm, origin_type=origin_type, origin_id=origin_id,
                registered_by=actor if getattr(actor, "pk", None) else None,
                act_ended_on=act_ended_on, discovered_on=discovered_on, discovery_evidence=discovery_evidence,
            )
        except IntegrityError:
            return Case.objects.get(organisation=organisation, origin_type=origin_type, origin_id=origin_id)
        if officers:
            case.officers.set(officers)
        for ef in evidence:
            EvidenceItem.objects.create(case=case, kind=_evidence_kind(ef.content_type), title=ef.original_name[:120],
                                        file=ef, captured_at=ef.captured_at, description="线索登记时附带的证据")
        workflow.created(WORKFLOW, case, "register", actor=actor, note=f"线索登记（{case.get_source_display()}）",
                         summary=f"登记案件线索 {case.number}：{party.name}，{case.get_source_display()}")
    return case


def _assert_discovery(occurred_on: date, *, act_ended_on: date | None, discovered_on: date | None, evidence: str) -> str:
    """行政处罚法 Art. 36: the end of a continuing act and the day of discovery are dated acts: neither in the future
    nor before the act began; a discovery date needs its evidence (举报登记, 检查记录, 移送函 …)."""
    if act_ended_on is not None:
        _assert_act_date(act_ended_on, act="违法行为终了", article="行政处罚法第三十六条第二款",
                         after=[(occurred_on, "违法行为发生日期")])
    if discovered_on is not None:
        _assert_act_date(discovered_on, act="发现违法行为", article="行政处罚法第三十六条", after=[(occurred_on, "违法行为发生日期")])
        if not evidence.strip():
            raise DomainError("discovery_evidence_required", "填写发现日期的，须写明发现的依据（如举报登记编号、检查记录），"
                              "追责期限计算至发现之日（行政处罚法第三十六条）。")
    return evidence.strip() if discovered_on is not None else ""


def discovery_date(case: Case) -> date:
    """The day the act was discovered: the officer-entered date (with its evidence), else the lead's registration."""
    return case.discovered_on or timezone.localtime(case.registered_at).date()


def limitation_end(case: Case) -> date:
    """The last day on which discovery is in time (行政处罚法 Art. 36): 2 years (5 with life/health harm) from the
    act, or from its end when it continued (¶2); the first day is not counted and the period ends on the
    anniversary (民法典 Arts. 201–202; 29 February → 28 February)."""
    years = rules.LIMITATION_YEARS_LIFE_HEALTH if case.life_health_harm else rules.LIMITATION_YEARS
    start = case.act_ended_on or case.occurred_on
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def limitation_expired(case: Case, on: date | None = None) -> bool:
    """行政处罚法 Art. 36: not discovered within the limitation → no penalty. Measured to the day of discovery
    (``discovery_date``), never to the day the case happens to be opened; ``on`` measures to another day."""
    return (on or discovery_date(case)) > limitation_end(case)


def case_discovery_record(*, actor, case: Case, discovered_on: date | None, evidence: str = "",
                          act_ended_on: date | None = None) -> Case:
    """Record (or correct) the day of discovery with its evidence and the end of a continuing act (行政处罚法
    Art. 36 ¶1–2) before the case is decided; a recorded act in the case's history."""
    _check("discovery", case, actor)
    evidence = _assert_discovery(case.occurred_on, act_ended_on=act_ended_on, discovered_on=discovered_on, evidence=evidence)
    if discovered_on is not None and discovered_on > timezone.localtime(case.registered_at).date():
        raise DomainError("discovery_after_registration", f"发现日期不能晚于线索登记日期（{timezone.localtime(case.registered_at):%Y年%m月%d日}），"
                          "登记时即已发现（行政处罚法第三十六条）。")
    fields = {"discovered_on": discovered_on, "discovery_evidence": evidence, "act_ended_on": act_ended_on}
    parts = ([f"发现日期{discovered_on}（依据：{evidence[:150]}）"] if discovered_on else ["发现日期以线索登记日期为准"]) + (
        [f"违法行为处于连续或者继续状态，{act_ended_on}终了"] if act_ended_on else [])
    return _move(case, "discovery", actor, target=case.status, fields=fields, summary="记录追责期限起算事实：" + "；".join(parts))


def case_open(*, actor, case: Case, officers: Sequence[Officer] | None = None, limitation_override: str = "",
              legal_review_required: bool | None = None, discussion_required: bool | None = None) -> Case:
    """立案: the head approves opening the case with (at least) two certified handling officers."""
    _check("open", case, actor)
    handlers = _handling_officers(case, officers, act="立案调查")
    expired = limitation_expired(case)
    if expired and not limitation_override.strip():
        years = rules.LIMITATION_YEARS_LIFE_HEALTH if case.life_health_harm else rules.LIMITATION_YEARS
        start = f"终了于{case.act_ended_on:%Y年%m月%d日}" if case.act_ended_on else f"发生于{case.occurred_on:%Y年%m月%d日}"
        raise DomainError("limitation_expired", f"违法行为{start}，至{discovery_date(case):%Y年%m月%d日}发现时已超过{years}年追责期限，"
                          "不得立案（行政处罚法第三十六条）。确需立案的，须由负责人填写理由。")
    fields = {"opened_on": _today(), "opened_by": actor, "limitation_override": limitation_override.strip() if expired else ""}
    if legal_review_required is not None:
        fields["legal_review_required"] = legal_review_required
        fields["review_set_by_head"] = True
        fields["legal_review_basis"] = "负责人决定" + ("需要" if legal_review_required else "不需要") + "法制审核"
    if discussion_required is not None:
        fields["discussion_required"] = discussion_required
    summary = f"批准立案 {case.number}"
    if expired:
        summary += f"（超过追责期限，理由：{limitation_override.strip()[:200]}）"
    with transaction.atomic():
        case.officers.set(handlers)
        case = _move(case, "open", actor, fields=fields, summary=summary)
        if expired:
            # The override is its own act in the case's history and the full-process record (Art. 36, Art. 47).
            note = f"负责人决定超过追责期限仍予立案（期限至{limitation_end(case)}，发现于{discovery_date(case)}）：{limitation_override.strip()[:300]}"
            workflow.note_step(WORKFLOW, case, "limitation_override", actor=actor, note=note, summary=note)
        _issue_document(actor=actor, case=case, kind="register")
        _tell_officers(case, kind="task_assigned", event=f"case:{case.pk}:open", users=[o.user for o in handlers if o.user_id],
                       title=f"承办案件 {case.number}", body=f"您被指定为案件{case.number}（{case.party.name}）的承办人员，立案日期{case.opened_on}。")
    return case


def _tell_officers(case: Case, *, kind: str, event: str, users, title: str, body: str) -> None:
    """Officers hear of work for them (notifications app; sent after commit, once per event)."""
    from django.urls import reverse

    from zhifa.notifications.services import notify

    notify(kind=kind, event=event, users=users, title=title, body=body, url=reverse("cases:detail", args=[case.pk]), subject=case,
           organisation=case.organisation)


def _tell_party(case: Case, *, kind: str, event: str, title: str, body: str) -> None:
    """The party hears of an act by SMS (and e-mail where known); a message, not the legal delivery (Art. 61)."""
    from zhifa.notifications.services import notify

    notify(kind=kind, event=event, party=case.party, title=title, body=body, subject=case, organisation=case.organisation)


def _reviewers_for(case: Case):
    """Legal reviewers (法制审核人员) of the case's unit and the units above it."""
    from zhifa.core.models import User
    from zhifa.core.roles import Role

    units, unit = [], case.organisation
    while unit is not None:
        units.append(unit.pk)
        unit = unit.parent
    return list(User.objects.filter(organisation_id__in=units, is_active=True, groups__name=Role.REVIEWER).distinct()[:50])


def review_requirement(case: Case, *, amount: Decimal | None = None, penalty_kind: str = "",
                       lines: list | None = None) -> tuple[bool, str]:
    """Whether legal review (行政处罚法 Art. 58) is required: always after a hearing (¶1(2)) and whenever the
    discretion app's legal-review catalogue lists the case (item, amount, every penalty kind of the notice or the
    decision — a combined penalty is listed when any of its lines is); otherwise as the head set it (or as the
    report made it, a proposal deviating from the benchmark). A head's "no review" never overrides the law."""
    if lines is None:
        lines = penalties.stored(case, "notified")
    if lines:
        kinds, by_kind = [x.kind for x in lines], penalties.kind_amounts(lines)
        amount = amount if amount is not None else by_kind.get(Case.PenaltyKind.FINE)
    else:
        kinds = [penalty_kind or (Case.PenaltyKind.FINE if (amount or case.proposed_amount) else Case.PenaltyKind.WARNING)]
        by_kind = {}
        # Before the notice names the kinds, the item's benchmark proposal does (e.g. 吊销 for 一超四罚).
        proposal = None if penalty_kind else assessment_proposal(case)
        if proposal is not None and proposal.penalty_kinds and case.proposed_outcome != Case.Outcome.NO_PENALTY:
            kinds = list(dict.fromkeys([*proposal.penalty_kinds, *([Case.PenaltyKind.FINE] if case.proposed_amount else [])]))
    required, reasons = discretion_review.review_requirement(
        item_code=case.violation_code, party_kind=case.party.kind, amount=amount if amount is not None else case.proposed_amount,
        penalty_kinds=kinds, hearing_held=case.hearing_held_on is not None, on=_today(), kind_amounts=by_kind)
    # Art. 58 ¶1(2): a case decided after a hearing is reviewed, whatever the catalogue's data says; and the head
    # may add review to a case but never waive it where the law or the catalogue requires it.
    if case.hearing_held_on is not None and not any("听证" in r for r in reasons):
        reasons.insert(0, "经过听证程序（行政处罚法第五十八条第一款第二项）")
    if required or case.hearing_held_on is not None:
        return True, "；".join(reasons)[:300]
    return case.legal_review_required, case.legal_review_basis


def case_decline(*, actor, case: Case, reason: str) -> Case:
    _check("decline", case, actor)
    if not reason.strip():
        raise DomainError("reason_required", "请填写不予立案的理由。")
    return _move(case, "decline", actor, fields={"ended_reason": reason.strip()}, summary=f"不予立案 {case.number}：{reason.strip()[:200]}")


def case_set_review(*, actor, case: Case, legal_review_required: bool, discussion_required: bool, basis: str = "") -> Case:
    """The head's explicit decision whether legal review (Art. 58) and collective discussion (Art. 57) apply;
    recorded, and it overrides the catalogue's proposal."""
    _check("set_review", case, actor)
    fields = {"legal_review_required": legal_review_required, "discussion_required": discussion_required,
              "legal_review_basis": (basis.strip() or "负责人决定")[:300], "review_set_by_head": True}
    return _move(case, "set_review", actor, fields=fields,
                 summary=f"负责人设定：{'需要' if legal_review_required else '不需要'}法制审核，{'需要' if discussion_required else '不需要'}集体讨论。{basis.strip()[:200]}")


# ---------------------------------------------------------------------------------------------------------------
# investigation and evidence


def transcript_create(*, actor, case: Case, kind: str, started_at: datetime, ended_at: datetime, place: str,
                      officers: Sequence[Officer], person_name: str, content: dict | list, person_id_number: str = "",
                      person_relation: str = "", signed_by_person: bool = True, refusal_note: str = "") -> Transcript:
    """询问笔录 / 现场笔录 / 勘验笔录, taken by at least two certified officers (Art. 42)."""
    _check("transcript", case, actor)
    handlers = assert_officers_can_act(officers, on=timezone.localtime(started_at).date(), act="制作笔录")
    if ended_at < started_at:
        raise DomainError("invalid_time", "笔录结束时间不能早于开始时间。")
    if kind == Transcript.Kind.INQUIRY:
        if not isinstance(content, list) or not content or not all(isinstance(x, dict) and x.get("q") and x.get("a") for x in content):
            raise DomainError("invalid_transcript", "询问笔录须逐条记录问与答。")
    elif not isinstance(content, dict) or not content.get("observations"):
        raise DomainError("invalid_transcript", "现场笔录/勘验笔录须记录现场情况。")
    if not signed_by_person and not refusal_note.strip():
        raise DomainError("invalid_transcript", "当事人未签名的，须注明拒绝签名情况。")
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        t = Transcript.objects.create(case=case, kind=kind, started_at=started_at, ended_at=ended_at, place=place,
                                      person_name=person_name, person_id_number=person_id_number, person_relation=person_relation,
                                      content=content, signed_by_person=signed_by_person, refusal_note=refusal_note,
                                      recorded_by=actor if getattr(actor, "pk", None) else None)
        t.officers.set(handlers)
        if kind in TRANSCRIPT_DOCUMENTS:
            _issue_document(actor=actor, case=case, kind=TRANSCRIPT_DOCUMENTS[kind], transcript=t)
        audit.record(actor=actor, action="case.transcript", subject=case, after=audit.snapshot(t), organisation=case.organisation,
                     summary=f"{t.get_kind_display()}：{person_name}，{place}（{'、'.join(o.name for o in handlers)}）")
    return t


def evidence_add(*, actor, case: Case, kind: str, title: str, description: str = "", fileobj=None, name: str = "",
                 content_type: str = "", captured_at: datetime | None = None, capture_device: str = "", capture_place: str = "",
                 officers: Sequence[Officer] | None = None, quantity: str = "", preserved: bool = False,
                 preserved_place: str = "", preserved_until: date | None = None) -> EvidenceItem:
    """Register an item of evidence; a file goes to the evidence store with its SHA-256 and capture metadata."""
    _check("evidence", case, actor)
    collectors = _handling_officers(case, officers, act="调查取证")
    if kind not in EvidenceItem.Kind.values:
        raise DomainError("invalid_kind", "证据种类不正确。")
    if preserved:
        # 行政处罚法 Art. 56: registered preservation needs the head's approval and a decision within 7 working days;
        # it is its own act (cases.preservation), never a flag set while registering evidence.
        raise DomainError("preservation_needs_approval", "先行登记保存须经行政机关负责人批准，并在七个工作日内作出处理决定，"
                          "请通过“先行登记保存”办理（行政处罚法第五十六条）。")
    with transaction.atomic():
        ef = None
        if fileobj is not None:
            meta = {"device": capture_device, "place": capture_place, "officers": [o.cert_number for o in collectors]}
            ef = evidence_store(actor=actor, organisation=case.organisation, fileobj=fileobj, name=name or title,
                                content_type=content_type, subject=case, captured_at=captured_at, meta=meta)
        item = EvidenceItem.objects.create(case=case, kind=kind, title=title, description=description, file=ef, quantity=quantity,
                                           captured_at=captured_at, capture_device=capture_device, capture_place=capture_place,
                                           preserved=preserved, preserved_place=preserved_place, preserved_until=preserved_until)
        item.captured_by.set(collectors)
        audit.record(actor=actor, action="case.evidence", subject=case, after=audit.snapshot(item), organisation=case.organisation,
                     summary=f"登记证据：{item.get_kind_display()} {title}" + (f"（SHA-256 {ef.sha256}）" if ef else "")
                     + ("，证据登记保存" if preserved else ""))
    return item


def case_report(*, actor, case: Case, report_text: str, proposed_outcome: str, proposed_amount: Decimal | None = None,
                deviation_reason: str = "") -> Case:
    """调查终结报告 with the proposed outcome, signed by the handling officers. A proposed fine that differs from the
    discretion engine's proposal needs a written reason; the case then goes to legal review (flagged to the reviewer)."""
    _check("report", case, actor)
    _handling_officers(case, None, act="调查终结")
    if not report_text.strip():
        raise DomainError("report_required", "请填写调查终结报告。")
    if proposed_outcome not in (Case.Outcome.PENALTY, Case.Outcome.NO_PENALTY):
        raise DomainError("invalid_outcome", "拟处理意见应为给予行政处罚或不予行政处罚。")
    if proposed_amount is not None and proposed_amount < 0:
        raise DomainError("invalid_amount", "罚款金额不能为负数。")
    fields = {"report_text": report_text.strip(), "proposed_outcome": proposed_outcome, "proposed_amount": proposed_amount}
    proposal = assessment_proposal(case)
    deviates = (proposal is not None and proposal.amount is not None and proposed_amount is not None
                and proposed_outcome == Case.Outcome.PENALTY and Decimal(proposed_amount) != proposal.amount)
    if deviates:
        if not deviation_reason.strip():
            raise DomainError("deviation_reason_required", f"裁量建议罚款{proposal.amount}元，拟罚款{proposed_amount}元与之不同，须书面说明理由（将提交法制审核）。")
        fields.update(deviation_reason=deviation_reason.strip(), legal_review_required=True,
                      legal_review_basis=f"拟罚款偏离裁量建议（建议{proposal.amount}元）")
    return _move(case, "report", actor, fields=fields, summary=f"提交调查终结报告，拟{Case.Outcome(proposed_outcome).label}"
                 + (f" 罚款{proposed_amount}元" if proposed_amount else "")
                 + (f"（偏离裁量建议{proposal.amount}元，理由：{deviation_reason.strip()[:200]}）" if deviates else ""))


def case_internal_review(*, actor, case: Case, approve: bool, opinion: str) -> Case:
    """The head's internal review of the report: on to legal review when required (Art. 58), or back. From 审查完毕
    (REVIEWED) or 听证结束 (HEARD) an approval sends the case to legal review."""
    _check("internal_review", case, actor)
    if not opinion.strip():
        raise DomainError("opinion_required", "请填写审查意见。")
    required, basis = review_requirement(case)
    if not approve:
        target = Status.OPENED
    elif case.status in (Status.HEARD, Status.REVIEWED):
        # After a hearing (Art. 58 ¶1(2)), or a reviewed case whose penalty became major: to legal review.
        target = Status.LEGAL_REVIEW
    else:
        target = Status.LEGAL_REVIEW if required else Status.REVIEWED
    fields = {"legal_review_required": required or target == Status.LEGAL_REVIEW, "legal_review_basis": basis}
    with transaction.atomic():
        case = _move(case, "internal_review", actor, target=target, fields=fields,
                     summary=f"审查调查终结报告：{'同意' if approve else '退回补充调查'}。{opinion.strip()[:300]}")
        if target == Status.LEGAL_REVIEW:
            step = case.status_changes.count()
            _tell_officers(case, kind="review_requested", event=f"case:{case.pk}:legal_review:{step}", users=_reviewers_for(case),
                           title=f"待法制审核：{case.number}", body=f"案件{case.number}（{case.party.name}）已提交法制审核（行政处罚法第五十八条）。")
    return case


def case_legal_review(*, actor, case: Case, opinion: str, text: str, modified_amount: Decimal | None = None) -> LegalReview:
    """法制审核 (行政处罚法 Art. 58) by a reviewer who is not a handling officer."""
    _check("legal_review", case, actor)
    officer = Officer.objects.filter(user=actor).first()
    if officer is not None and case.officers.filter(pk=officer.pk).exists():
        raise DomainError("reviewer_is_handler", "法制审核人员不得是本案承办人员（行政处罚法第五十八条）。")
    if actor.pk in (case.registered_by_id,):
        raise DomainError("reviewer_is_handler", "法制审核人员不得是本案线索登记人（行政处罚法第五十八条）。")
    # Art. 58: a first-time legal reviewer must hold the legal professional qualification.
    if not LegalReview.objects.filter(reviewer=actor).exists() and not (officer and officer.legal_qualification):
        raise DomainError("reviewer_not_qualified", "初次从事法制审核的人员须取得法律职业资格（行政处罚法第五十八条）。")
    if opinion not in LegalReview.Opinion.values:
        raise DomainError("invalid_opinion", "审核意见应为同意、修改或退回补充调查。")
    if not text.strip():
        raise DomainError("opinion_required", "请填写审核意见说明。")
    if opinion == LegalReview.Opinion.MODIFY and modified_amount is None and case.proposed_outcome == Case.Outcome.PENALTY:
        raise DomainError("amount_required", "修改意见须写明建议的罚款金额。")
    if opinion == LegalReview.Opinion.RETURN:
        target = Status.OPENED
    else:
        target = Status.HEARD if case.hearing_held_on else Status.REVIEWED
    fields = {"proposed_amount": modified_amount} if opinion == LegalReview.Opinion.MODIFY and modified_amount is not None else {}
    with transaction.atomic():
        review = LegalReview.objects.create(case=case, reviewer=actor, opinion=opinion, text=text.strip(), modified_amount=modified_amount)
        _move(case, "legal_review", actor, target=target, fields=fields,
              summary=f"法制审核意见：{review.get_opinion_display()}。{text.strip()[:300]}")
    return review


def case_discuss(*, actor, case: Case, minutes: str, on: date | None = None) -> Case:
    """集体讨论 of the heads (行政处罚法 Art. 57) for complex or major cases; the minutes are kept."""
    _check("discuss", case, actor)
    if not minutes.strip():
        raise DomainError("minutes_required", "请填写集体讨论记录。")
    on = on or _today()
    _assert_act_date(on, act="集体讨论", article="行政处罚法第五十七条", after=[(case.opened_on, "立案日期")])
    return _move(case, "discuss", actor, target=case.status, fields={"discussed_on": on, "discussion_minutes": minutes.strip()},
                 summary=f"集体讨论：{minutes.strip()[:300]}")


# ---------------------------------------------------------------------------------------------------------------
# notice, defence and hearing


def default_hearing_right(case: Case, penalty_kind: str = "", amount: Decimal | None = None, *, lines: list | None = None) -> bool:
    """行政处罚法 Art. 63: a hearing for large fines, confiscation of large amounts, lowering a qualification grade,
    revoking a licence, ordering suspension/closure, restricting practice, other heavy penalties — any line of a
    combined penalty gives the right. The thresholds and kinds are the discretion app's data."""
    lines = lines if lines is not None else [penalties.Line(kind=penalty_kind, amount=amount)]
    fine = next((x.amount for x in lines if x.kind == Case.PenaltyKind.FINE), None)
    right, _reason = discretion_review.hearing_right(party_kind=case.party.kind, amount=fine, penalty_kinds=[x.kind for x in lines],
                                                     on=_today(), kind_amounts=penalties.kind_amounts(lines))
    return bool(right)


def case_notify(*, actor, case: Case, penalty_kind: str = "", amount: Decimal | None = None, hearing_right: bool | None = None,
                officers: Sequence[Officer] | None = None, lines: list | None = None) -> Case:
    """违法行为通知书: tell the party the facts, basis, proposed penalty and rights (行政处罚法 Art. 44–45). The
    proposed penalty is one kind and amount, or ``lines`` (kind, amount, subject, term) combining several kinds
    of Art. 9; the hearing right follows every line (Art. 63); ``hearing_right=True`` grants it beyond the law's list."""
    _check("notify", case, actor)
    _handling_officers(case, officers, act="告知")
    _provisions(case)
    if case.discussion_required and not case.discussed_on:
        raise DomainError("discussion_required", "本案须经集体讨论后方可告知拟处罚决定（行政处罚法第五十七条）。")
    parsed = penalties.parse_lines(lines if lines is not None else penalties.lines_from(penalty_kind, amount))
    penalties.assert_provided_by_item(parsed, case.violation_item)
    derived = penalties.summary(parsed)
    amount = derived["fine_amount"]
    _assert_reviewed_before_notice(case, lines=parsed)
    # Art. 63 ("应当告知"): where any line gives the right, it is told; the head may add the right, never remove it.
    right = default_hearing_right(case, lines=parsed) or bool(hearing_right)
    fields = {"notified_on": _today(), "notified_amount": amount, "notified_penalty_kind": derived["penalty_kind"], "hearing_right": right,
              "rights_waived_on": None}
    with transaction.atomic():
        penalties.store_lines(case, "notified", parsed)
        case = _move(case, "notify", actor, fields=fields,
                     summary=f"送达违法行为通知书：拟{penalties.lines_text(parsed)}"
                     + ("，告知听证权利" if right else "，告知陈述申辩权利"))
        _issue_document(actor=actor, case=case, kind="violation_notice")
    return case


def _passed_reviews(case: Case):
    return case.legal_reviews.filter(opinion__in=[LegalReview.Opinion.AGREE, LegalReview.Opinion.MODIFY])


def _assert_reviewed_before_notice(case: Case, *, lines: list) -> None:
    """Art. 58: a penalty the legal-review catalogue lists (by item, amount or kind) is reviewed before the decision.
    The notice that proposes it is refused while no review has passed — otherwise the case would reach a decision
    it cannot take; the head sends it to legal review first (审查 → 法制审核)."""
    required, basis = review_requirement(case, lines=lines)
    if required and not _passed_reviews(case).exists():
        raise DomainError("legal_review_missing", f"拟作出的处罚须经法制审核（{basis or '法制审核目录'}），"
                          "请先由负责人审查后送法制审核，再行告知（行政处罚法第五十八条）。")


def _validate_penalty(penalty_kind: str, amount: Decimal | None) -> Decimal | None:
    if penalty_kind == Case.PenaltyKind.WARNING:
        return None
    if penalty_kind != Case.PenaltyKind.FINE:
        raise DomainError("invalid_penalty", "处罚种类应为警告或罚款。")
    if amount is None or Decimal(amount) <= 0:
        raise DomainError("invalid_amount", "罚款金额须大于零。")
    return Decimal(amount).quantize(Decimal("0.01"))


def window_deadline(case: Case, cal=None):
    """The last day of the statement/defence (and hearing request) window after the notice (Art. 44, 64)."""
    cal = cal or legal_calendar.calendar()
    days = rules.HEARING_REQUEST_WORKING_DAYS if case.hearing_right else rules.period("statement_working_days")
    return cal.add_working_days(case.notified_on, days)


def case_statement(*, actor, case: Case, statement: str, no_fault: bool = False, adopted: str = "") -> Case:
    """Record the party's statement and defence (陈述申辩) and the authority's review of it (Art. 45)."""
    _check("statement", case, actor)
    if not statement.strip():
        raise DomainError("statement_required", "请填写当事人的陈述申辩意见。")
    fields = {"statement": statement.strip(), "statement_adopted": adopted.strip(), "no_fault_claimed": no_fault}
    return _move(case, "statement", actor, target=case.status, fields=fields,
                 summary=f"记录陈述申辩：{statement.strip()[:200]}" + ("（主张无主观过错，证据成立）" if no_fault else ""))


def case_waive(*, actor, case: Case, statement: str = "") -> Case:
    """The party waives statement, defence and hearing in writing; the window closes now."""
    _check("waive", case, actor)
    fields = {"rights_waived_on": _today()}
    if statement.strip():
        # the waiver is its own record: it never replaces the party's statement and defence (Art. 45)
        fields["waiver_statement"] = statement.strip()
    return _move(case, "waive", actor, target=case.status, fields=fields, summary="当事人书面放弃陈述申辩和听证权利")


def case_hearing_request(*, actor, case: Case, requested_on: date | None = None) -> Case:
    """The party asks for a hearing: only with the right (Art. 63) and within 5 working days (Art. 64)."""
    _check("hearing_request", case, actor)
    requested_on = requested_on or _today()
    if not case.hearing_right:
        raise DomainError("no_hearing_right", "本案拟作出的处罚不属于听证范围（行政处罚法第六十三条）。")
    if case.rights_waived_on:
        raise DomainError("rights_waived", "当事人已书面放弃听证权利。")
    _assert_act_date(requested_on, act="申请听证", article="行政处罚法第六十四条")
    deadline = window_deadline(case)
    if requested_on > deadline.date or requested_on < case.notified_on:
        raise DomainError("hearing_request_late", f"听证申请应在告知后5个工作日内（{deadline.label}前）提出（行政处罚法第六十四条）。")
    with transaction.atomic():
        case = _move(case, "hearing_request", actor, fields={"hearing_requested_on": requested_on}, summary=f"当事人于{requested_on}申请听证")
        # The hearing period is not counted in the decision limit.
        ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.HEARING, started_on=requested_on, note="听证程序")
    return case


def case_hearing_schedule(*, actor, case: Case, hearing_on: date, notice_on: date | None = None, public: bool = True,
                          private_reason: str = "") -> Case:
    """听证通知书: the hearing is notified at least 7 working days before it is held, and held in public unless it
    concerns state secrets, trade secrets or personal privacy (Art. 64 (一)(三))."""
    _check("hearing_schedule", case, actor)
    if not public and not private_reason.strip():
        raise DomainError("private_reason_required", "不公开举行听证的，须写明理由（涉及国家秘密、商业秘密或者个人隐私，行政处罚法第六十四条）。")
    notice_on = notice_on or _today()
    earliest = legal_calendar.add_working_days(notice_on, rules.HEARING_NOTICE_WORKING_DAYS)
    if hearing_on < earliest.date:
        raise DomainError("hearing_notice_short", f"听证应在举行7个工作日前通知当事人，{notice_on}通知的听证最早于{earliest.label}举行（行政处罚法第六十四条）。")
    _assert_act_date(notice_on, act="听证通知", article="行政处罚法第六十四条",
                     after=[(case.notified_on, "违法行为通知书的告知日期"), (case.hearing_requested_on, "当事人申请听证的日期")])
    with transaction.atomic():
        case = _move(case, "hearing_schedule", actor, target=case.status,
                     fields={"hearing_notice_on": notice_on, "hearing_on": hearing_on, "hearing_public": public,
                             "hearing_private_reason": "" if public else private_reason.strip()[:200]},
                     summary=f"通知听证：{hearing_on}{'公开' if public else '不公开'}举行")
        _issue_document(actor=actor, case=case, kind="hearing_notice")
        _tell_party(case, kind="hearing_notice", event=f"case:{case.pk}:hearing:{hearing_on}", title="听证通知",
                    body=f"{case.organisation.name}定于{hearing_on:%Y年%m月%d日}举行案件{case.number}的听证，听证通知书另行送达。")
    return case


def case_hearing_hold(*, actor, case: Case, record: str, held_on: date | None = None, officers: Sequence[Officer] | None = None) -> Case:
    """听证笔录: the hearing is held on or after the notified day; the suspension of the clock ends."""
    _check("hearing_hold", case, actor)
    held_on = held_on or _today()
    if not case.hearing_on:
        raise DomainError("hearing_not_scheduled", "尚未通知听证。")
    if held_on < case.hearing_on:
        raise DomainError("hearing_too_early", f"听证通知的举行日期为{case.hearing_on}。")
    _assert_act_date(held_on, act="听证举行", article="行政处罚法第六十四条")
    _handling_officers(case, officers, act="听证")
    if not record.strip():
        raise DomainError("record_required", "请填写听证笔录。")
    with transaction.atomic():
        case = _move(case, "hearing_hold", actor, fields={"hearing_record": record.strip(), "hearing_held_on": held_on},
                     summary=f"举行听证（{held_on}）")
        ClockSuspension.objects.filter(case=case, reason=ClockSuspension.Reason.HEARING, ended_on__isnull=True).update(ended_on=held_on)
        _issue_document(actor=actor, case=case, kind="hearing_record")
    return case


# ---------------------------------------------------------------------------------------------------------------
# decision


def _assert_decidable(case: Case, *, amount: Decimal | None = None, penalty_kind: str = "", lines: list | None = None) -> None:
    """Checks every decision (penalty or not) passes in the ordinary procedure."""
    # The decision (dated today) never precedes the notice or the hearing it rests on (Arts. 44, 63–64).
    _assert_act_date(_today(), act="作出决定", article="行政处罚法第四十四条、第六十四条",
                     after=[(case.notified_on, "违法行为通知书的告知日期"), (case.hearing_held_on, "听证举行日期")])
    required, _basis = review_requirement(case, amount=amount, penalty_kind=penalty_kind, lines=lines)
    reviews = _passed_reviews(case)
    if case.hearing_held_on and required:
        reviews = reviews.filter(reviewed_at__date__gte=case.hearing_held_on)
    if required and not reviews.exists():
        raise DomainError("legal_review_missing", "本案须经法制审核，未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条）。")
    if case.discussion_required and not case.discussed_on:
        raise DomainError("discussion_required", "本案须经负责人集体讨论决定（行政处罚法第五十七条）。")
    if case.status == Status.NOTIFIED and not case.rights_waived_on:
        deadline = window_deadline(case)
        if _today() <= deadline.date:
            raise DomainError("defence_window_open", f"陈述申辩{'和听证申请' if case.hearing_right else ''}期限至{deadline.label}届满，"
                              "期限届满或当事人书面放弃前不得作出决定（行政处罚法第四十四条、第四十五条、第六十四条）。")


def _assert_may_penalise(case: Case, *, on: date, lenient: bool) -> None:
    age = _age_on_violation(case.party, case.occurred_on)
    if age is not None and age < rules.MINOR_NO_PENALTY_AGE:
        raise DomainError("minor_no_penalty", f"当事人违法时不满十四周岁（{age}岁），不予行政处罚，责令监护人加以管教（行政处罚法第三十条）。")
    if age is not None and age < rules.MINOR_LENIENT_AGE and not lenient:
        raise DomainError("minor_lenient", f"当事人违法时已满十四周岁不满十八周岁（{age}岁），应当从轻或者减轻处罚（行政处罚法第三十条）。")
    if case.no_fault_claimed:
        raise DomainError("no_fault", "当事人有证据足以证明没有主观过错，不予行政处罚（行政处罚法第三十三条第二款）。")
    if limitation_expired(case) and not case.limitation_override:
        raise DomainError("limitation_expired", "违法行为在追责期限内未被发现，不再给予行政处罚（行政处罚法第三十六条）。")


_NOISE = re.compile(r"[\s，。、；：,.;:·()（）\-—“”\"'《》]+")


def _plain(text: str) -> str:
    return _NOISE.sub("", text or "")


def _same_place(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)))


def _same_facts(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    return bool(a and b) and (a == b or SequenceMatcher(None, a, b).ratio() >= rules.SAME_ACT_FACTS_SIMILARITY)


def likely_same_acts(case: Case) -> list[Case]:
    """Cases fining the same party for what may be the same act (行政处罚法 Art. 29), compared on the act itself:
    the same catalogue item on the same day, or — with or without a catalogue item — an act within
    ``rules.SAME_ACT_WINDOW_HOURS`` at the same place with the same facts. Revoked decisions do not count."""
    window = timedelta(hours=rules.SAME_ACT_WINDOW_HOURS)
    others = (Case.objects.filter(party=case.party, penalty_kind=Case.PenaltyKind.FINE, revoked_on__isnull=True,
                                  occurred_at__gte=case.occurred_at - window, occurred_at__lte=case.occurred_at + window)
              .exclude(pk=case.pk).order_by("occurred_at", "pk"))
    found = []
    for other in others:
        same_item = bool(case.violation_code) and other.violation_code == case.violation_code and other.occurred_on == case.occurred_on
        if same_item or (_same_place(case.place, other.place) and _same_facts(case.facts, other.facts)):
            found.append(other)
    return found


def _assert_not_fined_twice(case: Case, penalty_kind: str, not_same_act: str = "") -> str:
    """行政处罚法 Art. 29: one violation is not fined twice. A likely duplicate (``likely_same_acts``) is refused unless
    the officer confirms in writing that it is not the same act; the confirmation is returned for the record."""
    if penalty_kind != Case.PenaltyKind.FINE:
        return ""
    others = likely_same_acts(case)
    if not others:
        return ""
    numbers = "、".join(f"{o.number}（{o.decision_number or '决定书'}，{timezone.localtime(o.occurred_at):%Y-%m-%d %H:%M}，{o.place}）" for o in others[:3])
    if not not_same_act.strip():
        raise DomainError("fined_twice", f"当事人在相近时间、地点的相同违法事实已在案件{numbers}中被处以罚款，同一个违法行为不得给予"
                          "两次以上罚款的行政处罚（行政处罚法第二十九条）。如确属不同的违法行为，请写明理由确认“非同一违法行为”。")
    return f"确认非同一违法行为（已比对案件{'、'.join(o.number for o in others)}）：{not_same_act.strip()}"[:1000]


def _record_not_same_act(*, actor, case: Case, confirmation: str) -> None:
    """The officer's "not the same act" confirmation, kept on the case and in the full-process record (Art. 29)."""
    if confirmation:
        Case.objects.filter(pk=case.pk).update(not_same_act_reason=confirmation)
        audit.record(actor=actor, action="case.not_same_act", subject=case, organisation=case.organisation, summary=confirmation[:500])


def _assessment_snapshot(case: Case, amount: Decimal | None, deviation_reason: str) -> dict:
    """The discretion engine's proposal fixed on the case at decision time (later catalogue changes never
    change a decided case)."""
    proposal = assessment_proposal(case)
    data = audit.to_jsonable(proposal.as_dict()) if proposal is not None else {}
    data["decided_amount"] = str(amount) if amount is not None else None
    data["deviation_reason"] = deviation_reason
    return data


def assessment_proposal(case: Case):
    """The discretion engine's proposal for the case (``discretion.engine.Assessment``), or None without an item."""
    if not case.violation_code or not ViolationItem.objects.filter(code=case.violation_code).exists():
        return None
    try:
        return discretion_engine.assess(item_code=case.violation_code, facts=case.assessment.get("facts", {}) if case.assessment else {},
                                        violation_date=case.occurred_on, today=_today())
    except DomainError:
        return None


def case_decide(*, actor, case: Case, penalty_kind: str = "", amount: Decimal | None = None, legal_basis: str, reasoning: str,
                lenient: bool = False, deviation_reason: str = "", not_same_act: str = "", lines: list | None = None) -> Case:
    """行政处罚决定 (ordinary procedure): one kind and amount, or ``lines`` combining kinds of Art. 9 (e.g.
    没收违法所得 + 罚款; 吊销 道路运输证 No. …). Refused unless every condition of the law holds. ``not_same_act``:
    the officer's written confirmation that a likely duplicate fine (Art. 29) concerns a different act."""
    _check("decide", case, actor)
    parsed = penalties.parse_lines(lines if lines is not None else penalties.lines_from(penalty_kind, amount))
    derived = penalties.summary(parsed)
    penalty_kind, amount = derived["penalty_kind"], derived["fine_amount"]
    _assert_decidable(case, amount=amount, penalty_kind=penalty_kind, lines=parsed)
    penalties.assert_provided_by_item(parsed, case.violation_item)
    # 行政处罚法 Art. 45: never heavier than notified (the party must not be punished for defending itself).
    penalties.assert_not_heavier(parsed, penalties.case_lines(case, "notified"))
    _assert_may_penalise(case, on=_today(), lenient=lenient)
    confirmation = _assert_not_fined_twice(case, penalty_kind, not_same_act)
    if not legal_basis.strip() or not reasoning.strip():
        raise DomainError("reasoning_required", "决定书须写明法律依据和处罚理由（说理式文书）。")
    # The decision's legal basis is the penalty provision, cited as 《…》第…条…; the violated provision is the case's.
    _provisions(case, penalty=legal_basis)
    _handling_officers(case, None, act="作出处罚决定")
    deviation_reason = deviation_reason.strip() or case.deviation_reason
    proposal = _assessment_snapshot(case, amount, deviation_reason)
    penalties.assert_deviation_explained(proposal, amount, deviation_reason)
    today = _today()
    fields = {"outcome": Case.Outcome.PENALTY, **derived, "lenient": lenient,
              "legal_basis": legal_basis.strip(), "decision_reasoning": reasoning.strip(), "decided_on": today, "decided_by": actor,
              "assessment": proposal, "deviation_reason": deviation_reason}
    with transaction.atomic():
        fields["decision_number"] = _decision_number(case, today, "penalty_decision")
        penalties.store_lines(case, "decided", parsed)
        case = _move(case, "decide", actor, fields=fields,
                     summary=f"作出行政处罚决定 {fields['decision_number']}：{penalties.lines_text(parsed)}"
                     + (f"（偏离裁量建议，理由：{deviation_reason[:200]}）" if deviation_reason else ""))
        _record_not_same_act(actor=actor, case=case, confirmation=confirmation)
        _issue_document(actor=actor, case=case, kind="penalty_decision")
    return case


def case_no_penalty(*, actor, case: Case, reason: str, reasoning: str, legal_basis: str = "") -> Case:
    """不予行政处罚决定 (Art. 30 minors, Art. 33 trivial / first violation / no fault, facts not established);
    the party is educated (Art. 33 ¶3), which the reasoning records."""
    _check("no_penalty", case, actor)
    _assert_decidable(case, penalty_kind=Case.PenaltyKind.WARNING, amount=None)
    if reason not in Case.NoPenaltyReason.values or not reason:
        raise DomainError("invalid_reason", "请选择不予处罚的理由。")
    if not reasoning.strip():
        raise DomainError("reasoning_required", "请写明不予处罚的理由和对当事人的教育情况（行政处罚法第三十三条）。")
    # Art. 33 ¶1: 首违不罚 / 轻微不罚 only on the recorded facts of the list (and the signed commitment).
    from .leniency import assert_no_penalty_conditions

    assert_no_penalty_conditions(case, reason)
    # The basis of not penalising (Arts. 30, 33, 57); the act found is cited unless the facts were not established.
    legal_basis = legal_basis.strip() or rules.NO_PENALTY_BASIS[reason]
    if reason != Case.NoPenaltyReason.FACTS:
        _provisions(case, need_penalty=False)
    from zhifa.core import provisions

    if not provisions.parse(legal_basis):
        raise DomainError("provision_missing", "请写明不予处罚的法律依据。")
    today = _today()
    fields = {"outcome": Case.Outcome.NO_PENALTY, "penalty_kind": "", "fine_amount": None, "payable_amount": None, "no_penalty_reason": reason,
              "legal_basis": legal_basis, "decision_reasoning": reasoning.strip(), "decided_on": today, "decided_by": actor}
    with transaction.atomic():
        fields["decision_number"] = _decision_number(case, today, "no_penalty_decision")
        case = _move(case, "no_penalty", actor, fields=fields, summary=f"作出不予行政处罚决定：{Case.NoPenaltyReason(reason).label}")
        _issue_document(actor=actor, case=case, kind="no_penalty_decision")
    return case


# ---------------------------------------------------------------------------------------------------------------
# delivery, execution, closure


def case_deliver(*, actor, case: Case, method: str, delivered_on: date | None = None, consent: str = "", address: str = "") -> Case:
    """送达 the decision (行政处罚法 Art. 61); electronic delivery only with the party's signed consent."""
    _check("deliver", case, actor)
    delivered_on = delivered_on or _today()
    if method not in Case.DeliveryMethod.values:
        raise DomainError("invalid_method", "送达方式不正确。")
    if method == Case.DeliveryMethod.ELECTRONIC and not consent.strip():
        raise DomainError("consent_required", "电子送达须经当事人签署确认书同意（行政处罚法第六十一条）。")
    if delivered_on < case.decided_on or delivered_on > _today():
        raise DomainError("invalid_date", "送达日期应在决定日期之后且不晚于今天。")
    # 罚缴分离 (Art. 67): the money lines (罚款, 没收违法所得) are paid through a payment notice; a decision without
    # money (警告, 吊销 …) is executed on delivery.
    payable = case.payable_amount if case.payable_amount is not None else (
        case.fine_amount if case.penalty_kind == Case.PenaltyKind.FINE else None)
    is_fine = bool(payable)
    target = Status.EXECUTION if is_fine else Status.EXECUTED
    fields = {"delivery_method": method, "delivered_on": delivered_on, "delivery_consent": consent.strip(), "delivery_address": address.strip()}
    if not is_fine:
        fields["executed_on"] = delivered_on
    with transaction.atomic():
        case = _move(case, "deliver", actor, target=target, fields=fields, summary=f"{Case.DeliveryMethod(method).label}决定书（{delivered_on}）")
        _issue_document(actor=actor, case=case, kind="delivery_receipt")
        if is_fine:
            from zhifa.payments.services import payment_notice_issue as issue_notice

            # Art. 72 ¶1 (一): the surcharge runs on the fine, not on the confiscated income paid with it.
            issue_notice(actor=actor, case=case, amount=payable, delivered_on=delivered_on,
                         surcharge_base=(case.fine_amount or Decimal("0")) if case.fine_amount != payable else None)
            _issue_document(actor=actor, case=case, kind="payment_notice")  # the code and QR on paper (Art. 67)
        what = "罚款和没收的违法所得" if payable != case.fine_amount else "罚款"
        pay = f"请在收到决定书之日起十五日内缴纳{what}{payable}元（行政处罚法第六十七条）。" if is_fine else ""
        _tell_party(case, kind="decision_delivered", event=f"case:{case.pk}:delivered", title="行政处罚决定书已送达",
                    body=f"{case.organisation.name}的行政处罚决定书{case.decision_number}已于{delivered_on:%Y年%m月%d日}送达。{pay}")
    return case


def case_on_paid(*, case: Case, paid_on: date, actor=None) -> Case:
    """The fine is fully paid (called by the payments app): execution → executed. Calling it again for a case
    already executed returns the case unchanged (payment callbacks may repeat)."""
    if case.status == Status.EXECUTED and case.paid_on:
        return case
    _check("paid", case, actor)
    return _move(case, "paid", actor, fields={"paid_on": paid_on, "executed_on": paid_on}, summary=f"罚款{case.fine_amount}元已于{paid_on}缴清")


def case_close(*, actor, case: Case, report: str) -> Case:
    """结案 with the closing report (结案报告)."""
    _check("close", case, actor)
    if not report.strip():
        raise DomainError("report_required", "请填写结案报告。")
    with transaction.atomic():
        case = _move(case, "close", actor, fields={"closed_on": _today(), "closing_report": report.strip()}, summary="结案")
        _issue_document(actor=actor, case=case, kind="closing_report")
    return case


def case_archive(*, actor, case: Case) -> Case:
    _check("archive", case, actor)
    return _move(case, "archive", actor, fields={"archived_on": _today()}, summary="案卷归档")


def case_withdraw(*, actor, case: Case, reason: str) -> Case:
    """撤销立案 (e.g. facts not established, not within competence)."""
    _check("withdraw", case, actor)
    if not reason.strip():
        raise DomainError("reason_required", "请填写撤销立案的理由。")
    return _move(case, "withdraw", actor, fields={"ended_reason": reason.strip()}, summary=f"撤销立案：{reason.strip()[:200]}")


def case_transfer(*, actor, case: Case, to: str, reason: str) -> Case:
    """移送 to the competent authority (or to the judicial organs)."""
    _check("transfer", case, actor)
    if not to.strip() or not reason.strip():
        raise DomainError("reason_required", "请填写移送机关和理由。")
    return _move(case, "transfer", actor, fields={"transferred_to": to.strip(), "ended_reason": reason.strip()}, summary=f"移送{to.strip()}：{reason.strip()[:200]}")


def case_revoke(*, actor, case: Case, reason: str) -> Case:
    """Revocation of a decision is its own recorded act; the decision fields stay as they were."""
    _check("revoke", case, actor)
    if not reason.strip():
        raise DomainError("reason_required", "请填写撤销处罚决定的理由。")
    with transaction.atomic():
        case = _move(case, "revoke", actor, fields={"revoked_on": _today(), "revocation_reason": reason.strip()}, summary=f"撤销处罚决定 {case.decision_number}：{reason.strip()[:200]}")
        # A revoked decision leaves nothing to pay: its open payment notice is cancelled in the same transaction.
        from zhifa.payments.services import payment_notice_cancel

        payment_notice_cancel(actor=actor, case=case, reason=f"处罚决定已撤销：{reason.strip()}")
    return case


def case_correct(*, actor, case: Case, field_label: str, old_text: str, new_text: str, reason: str) -> Correction:
    """补正 a clerical error of a delivered decision; the decision itself is never edited."""
    _check("correct", case, actor)
    if not (field_label.strip() and new_text.strip() and reason.strip()):
        raise DomainError("invalid_correction", "请填写更正事项、更正内容和理由。")
    with transaction.atomic():
        _move(case, "correct", actor, target=case.status, summary=f"补正决定书{field_label}：{old_text[:60]} → {new_text[:60]}（{reason[:100]}）")
        return Correction.objects.create(case=case, field_label=field_label.strip(), old_text=old_text, new_text=new_text.strip(),
                                         reason=reason.strip(), corrected_by=actor, corrected_on=_today())


# ---------------------------------------------------------------------------------------------------------------
# clocks


def case_extend(*, actor, case: Case, days: int, reason: str, basis: str) -> Extension:
    """Extend the decision limit: once by up to 30 days with the head's approval; any further extension only by
    collective discussion ([unconfirmed] 《交通运输行政执法程序规定》; 行政处罚法 Art. 60)."""
    _check("extend", case, actor)
    if days <= 0 or not reason.strip():
        raise DomainError("invalid_extension", "请填写延长天数和理由。")
    if basis == Extension.Basis.HEAD:
        if case.extensions.filter(basis=Extension.Basis.HEAD).exists():
            raise DomainError("extension_needs_discussion", "负责人已批准过延长，再次延长须经集体讨论决定。")
        limit = rules.period("head_extension_days")
        if days > limit:
            raise DomainError("extension_too_long", f"负责人批准延长不得超过{limit}日，更长须经集体讨论决定。")
    elif basis == Extension.Basis.DISCUSSION:
        if not case.extensions.filter(basis=Extension.Basis.HEAD).exists():
            raise DomainError("extension_order", "应先由负责人批准延长30日。")
        if not case.discussed_on:
            raise DomainError("discussion_required", "再次延长须先经集体讨论并记录讨论意见。")
    else:
        raise DomainError("invalid_extension", "延长依据不正确。")
    with transaction.atomic():
        _move(case, "extend", actor, target=case.status, summary=f"延长办案期限{days}日（{Extension.Basis(basis).label}）：{reason.strip()[:200]}")
        return Extension.objects.create(case=case, days=days, basis=basis, reason=reason.strip(), approved_by=actor, approved_on=_today())


def case_suspend(*, actor, case: Case, reason: str, started_on: date | None = None, note: str = "") -> ClockSuspension:
    """Periods of hearing, public notice, testing and appraisal are not counted in the decision limit."""
    _check("suspend", case, actor)
    if reason not in ClockSuspension.Reason.values:
        raise DomainError("invalid_reason", "中止事由应为听证、公告、检测或鉴定。")
    if case.suspensions.filter(ended_on__isnull=True).exists():
        raise DomainError("already_suspended", "办案期限已在中止中。")
    started_on = started_on or _today()
    # Art. 60: the 90 days run from opening; a suspension neither precedes the case nor overlaps an earlier one.
    last_end = case.suspensions.exclude(ended_on__isnull=True).order_by("-ended_on").values_list("ended_on", flat=True).first()
    _assert_act_date(started_on, act="办案期限中止", article="行政处罚法第六十条",
                     after=[(case.opened_on, "立案日期"), (last_end, "上一次中止的恢复日期")])
    with transaction.atomic():
        _move(case, "suspend", actor, target=case.status, summary=f"办案期限中止：{ClockSuspension.Reason(reason).label}（{started_on}起） {note[:100]}")
        return ClockSuspension.objects.create(case=case, reason=reason, started_on=started_on, note=note)


def case_resume(*, actor, case: Case, ended_on: date | None = None) -> ClockSuspension:
    _check("resume", case, actor)
    running = case.suspensions.filter(ended_on__isnull=True).first()
    if running is None:
        raise DomainError("not_suspended", "办案期限未中止。")
    ended_on = ended_on or _today()
    if ended_on < running.started_on:
        raise DomainError("invalid_date", "恢复日期不能早于中止日期。")
    _assert_act_date(ended_on, act="恢复计算办案期限", article="行政处罚法第六十条")
    with transaction.atomic():
        _move(case, "resume", actor, target=case.status, summary=f"办案期限恢复计算（{running.get_reason_display()}，{running.started_on}至{ended_on}）")
        running.ended_on = ended_on
        running.save(update_fields=["ended_on"])
    return running


# ---------------------------------------------------------------------------------------------------------------
# simplified procedure


def case_simplified(*, actor, organisation: Organisation, party: Party, officers: Sequence[Officer], occurred_at: datetime,
                    place: str, facts: str, penalty_kind: str, amount: Decimal | None, legal_basis: str, reasoning: str = "",
                    violation_item_code: str | None = None, vehicle=None, lenient: bool = False, violation_name: str = "",
                    not_same_act: str = "", deviation_reason: str = "", violated_provision: str = "") -> Case:
    """当场行政处罚决定 (行政处罚法 Art. 51): only a warning or a fine ≤ 200 yuan (citizen) / ≤ 3000 yuan
    (organisation); delivered on the spot and reported to the agency (备案) at once. A fine that differs from the
    benchmark's suggestion for the item needs the officer's written reason, which the decision states."""
    assert_role(actor, Role.OFFICER, message="只有执法人员可以适用简易程序。")
    assert_in_jurisdiction(actor, organisation)
    handlers = assert_officers_can_act(officers, on=_today(), act="当场处罚")
    amount = _validate_penalty(penalty_kind, amount)
    if amount is not None:
        limit = rules.SIMPLIFIED_MAX_PERSON if party.kind == Party.Kind.PERSON else rules.SIMPLIFIED_MAX_ORGANISATION
        if amount > limit:
            who = "公民" if party.kind == Party.Kind.PERSON else "法人或者其他组织"
            words = rules.SIMPLIFIED_LIMIT_WORDS.get(limit, f"{limit}元")
            raise DomainError("simplified_not_allowed", f"对{who}罚款超过{words}（{limit}元）的，不适用简易程序，应按普通程序立案调查"
                              f"（行政处罚法第五十一条：对{who}处以{words}以下罚款或者警告的，可以当场作出行政处罚决定）。")
    if not facts.strip() or not legal_basis.strip():
        raise DomainError("reasoning_required", "当场处罚决定书须写明违法事实和法律依据。")
    item = _violation_item(violation_item_code)
    # the paper cites the violated provision (the item's, or stated for a violation outside the catalogue) and the
    # penalty provision (``legal_basis``) — both as 《…》第…条 citations
    violated, _penalty = _provisions(Case(violation_item=item, violated_provision=violated_provision.strip()), penalty=legal_basis)
    today = _today()
    with transaction.atomic():
        case = _create_case(organisation=organisation, procedure=Case.Procedure.SIMPLIFIED, violated_provision=violated_provision.strip(), status=Status.LEAD,
                            source=Case.Source.INSPECTION, party=party, vehicle=vehicle, occurred_at=occurred_at, place=place,
                            facts=facts.strip(), violation_item=item, violation_code=violation_item_code or "", violation_name=getattr(item, "name", "") if item else violation_name.strip()[:200],
                            registered_by=actor)
        case.officers.set(handlers)
        _assert_may_penalise(case, on=today, lenient=lenient)
        confirmation = _assert_not_fined_twice(case, penalty_kind, not_same_act)
        parsed = penalties.parse_lines(penalties.lines_from(penalty_kind, amount), allowed=penalties.SIMPLIFIED_KINDS)
        penalties.assert_provided_by_item(parsed, item)
        proposal = _assessment_snapshot(case, amount, deviation_reason.strip())
        penalties.assert_deviation_explained(proposal, amount, deviation_reason)
        penalties.store_lines(case, "decided", parsed)
        target = Status.EXECUTION if amount else Status.EXECUTED
        fields = {"status": target, "outcome": Case.Outcome.PENALTY, "penalty_kind": penalty_kind, "fine_amount": amount,
                  "payable_amount": amount, "assessment": proposal, "deviation_reason": deviation_reason.strip(),
                  "lenient": lenient, "legal_basis": legal_basis.strip(), "decision_reasoning": reasoning.strip() or facts.strip(),
                  "decided_on": today, "decided_by": actor, "decision_number": _decision_number(case, today, "onspot_decision"),
                  "delivery_method": Case.DeliveryMethod.ON_SPOT, "delivered_on": today, "filed_at": timezone.now(),
                  "executed_on": None if amount else today}
        Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
        workflow.created(WORKFLOW, case, "simplified", actor=actor, note="当场作出行政处罚决定并送达，自动备案",
                         summary=f"简易程序当场处罚 {case.decision_number}：{party.name}，{Case.PenaltyKind(penalty_kind).label}"
                         + (f" {amount}元" if amount else ""))
        audit.record(actor=actor, action="case.filed", subject=case, organisation=organisation,
                     summary=f"当场处罚决定书 {case.decision_number} 已报所属行政机关备案")
        WORKFLOW.on_move(case, "simplified")  # the outbox message of the decision
        _record_not_same_act(actor=actor, case=case, confirmation=confirmation)
        _issue_document(actor=actor, case=case, kind="onspot_decision")
        if amount:
            from zhifa.payments.services import payment_notice_issue as issue_notice

            issue_notice(actor=actor, case=case, amount=amount, delivered_on=today)
            _issue_document(actor=actor, case=case, kind="payment_notice")  # the code and QR on paper (Art. 67)
    return case
