"""The ordinary procedure up to the proposed decision: lead (线索登记), opening (立案) or not, the provisions, the
discovery facts, transcripts and evidence, the investigation report, the head's review, legal review (法制审核,
Art. 58) and collective discussion (Art. 57)."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit, workflow
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
from zhifa.core.models import EvidenceFile, Officer, Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_officers_can_act, assert_role

from .. import rules
from ..models import Case, EvidenceItem, LegalReview, Transcript
from ..workflow import WORKFLOW, Status
from .checks import (
    RANGE_END,
    RANGE_UNCHECKED,
    assert_discovery,
    assessment_proposal,
    cited_basis,
    discovery_date,
    limitation_end,
    limitation_expired,
    review_requirement,
    standing_reviews,
)
from .common import (
    TRANSCRIPT_DOCUMENTS,
    assert_act_date,
    catalogue_item,
    check,
    cited_provisions,
    create_case,
    evidence_kind,
    handling_officers,
    issue_document,
    move,
    reviewers_for,
    tell_officers,
    today,
)

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
    discovery_evidence = assert_discovery(timezone.localtime(occurred_at).date(), act_ended_on=act_ended_on,
                                           discovered_on=discovered_on, evidence=discovery_evidence)
    origin_type, origin_id = (str(origin[0]), str(origin[1])) if origin else ("", "")
    if origin_id:
        existing = _origin_case(actor, organisation, origin_type, origin_id)
        if existing is not None:
            return existing
    item = catalogue_item(violation_item_code)
    harm = life_health_harm if life_health_harm is not None else bool(item and getattr(item, "life_health_safety", False))
    with transaction.atomic():
        try:
            case = create_case(
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
            EvidenceItem.objects.create(case=case, kind=evidence_kind(ef.content_type), title=ef.original_name[:120],
                                        file=ef, captured_at=ef.captured_at, description="线索登记时附带的证据")
        workflow.created(WORKFLOW, case, "register", actor=actor, note=f"线索登记（{case.get_source_display()}）",
                         summary=f"登记案件线索 {case.number}：{party.name}，{case.get_source_display()}")
    return case


def case_set_provisions(*, actor, case: Case, violated_provision: str, penalty_provision: str) -> Case:
    """Record the violated provision and the penalty provision of a case (required for a violation outside the
    catalogue; for a catalogue item it replaces the item's citation in this case's papers)."""
    check("provisions", case, actor)
    violated, penalty = cited_provisions(case, violated=violated_provision, penalty=penalty_provision)
    return move(case, "provisions", actor, target=case.status, fields={"violated_provision": violated, "penalty_provision": penalty},
                 summary=f"写明违反条款：{violated[:120]}；处罚依据：{penalty[:120]}")


def case_discovery_record(*, actor, case: Case, discovered_on: date | None, evidence: str = "",
                          act_ended_on: date | None = None) -> Case:
    """Record (or correct) the day of discovery with its evidence and the end of a continuing act (行政处罚法
    Art. 36 ¶1–2) before the case is decided; a recorded act in the case's history."""
    check("discovery", case, actor)
    evidence = assert_discovery(case.occurred_on, act_ended_on=act_ended_on, discovered_on=discovered_on, evidence=evidence)
    if discovered_on is not None and discovered_on > timezone.localtime(case.registered_at).date():
        raise DomainError("discovery_after_registration", f"发现日期不能晚于线索登记日期（{timezone.localtime(case.registered_at):%Y年%m月%d日}），"
                          "登记时即已发现（行政处罚法第三十六条）。")
    fields = {"discovered_on": discovered_on, "discovery_evidence": evidence, "act_ended_on": act_ended_on}
    parts = ([f"发现日期{discovered_on}（依据：{evidence[:150]}）"] if discovered_on else ["发现日期以线索登记日期为准"]) + (
        [f"违法行为处于连续或者继续状态，{act_ended_on}终了"] if act_ended_on else [])
    return move(case, "discovery", actor, target=case.status, fields=fields, summary="记录追责期限起算事实：" + "；".join(parts))


def case_open(*, actor, case: Case, officers: Sequence[Officer] | None = None, limitation_override: str = "",
              legal_review_required: bool | None = None, discussion_required: bool | None = None) -> Case:
    """立案: the head approves opening the case with (at least) two certified handling officers."""
    check("open", case, actor)
    handlers = handling_officers(case, officers, act="立案调查")
    expired = limitation_expired(case)
    if expired and not limitation_override.strip():
        years = rules.LIMITATION_YEARS_LIFE_HEALTH if case.life_health_harm else rules.LIMITATION_YEARS
        start = f"终了于{case.act_ended_on:%Y年%m月%d日}" if case.act_ended_on else f"发生于{case.occurred_on:%Y年%m月%d日}"
        raise DomainError("limitation_expired", f"违法行为{start}，至{discovery_date(case):%Y年%m月%d日}发现时已超过{years}年追责期限，"
                          "不得立案（行政处罚法第三十六条）。确需立案的，须由负责人填写理由。")
    fields = {"opened_on": today(), "opened_by": actor, "limitation_override": limitation_override.strip() if expired else ""}
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
        case = move(case, "open", actor, fields=fields, summary=summary)
        if expired:
            # The override is its own act in the case's history and the full-process record (Art. 36, Art. 47).
            note = f"负责人决定超过追责期限仍予立案（期限至{limitation_end(case)}，发现于{discovery_date(case)}）：{limitation_override.strip()[:300]}"
            workflow.note_step(WORKFLOW, case, "limitation_override", actor=actor, note=note, summary=note)
        issue_document(actor=actor, case=case, kind="register")
        tell_officers(case, kind="task_assigned", event=f"case:{case.pk}:open", users=[o.user for o in handlers if o.user_id],
                       title=f"承办案件 {case.number}", body=f"您被指定为案件{case.number}（{case.party.name}）的承办人员，立案日期{case.opened_on}。")
    return case


def case_decline(*, actor, case: Case, reason: str) -> Case:
    check("decline", case, actor)
    if not reason.strip():
        raise DomainError("reason_required", "请填写不予立案的理由。")
    return move(case, "decline", actor, fields={"ended_reason": reason.strip()}, summary=f"不予立案 {case.number}：{reason.strip()[:200]}")


def case_set_review(*, actor, case: Case, legal_review_required: bool, discussion_required: bool, basis: str = "") -> Case:
    """The head's explicit decision whether legal review (Art. 58) and collective discussion (Art. 57) apply;
    recorded, and it overrides the catalogue's proposal."""
    check("set_review", case, actor)
    fields = {"legal_review_required": legal_review_required, "discussion_required": discussion_required,
              "legal_review_basis": (basis.strip() or "负责人决定")[:300], "review_set_by_head": True}
    return move(case, "set_review", actor, fields=fields,
                 summary=f"负责人设定：{'需要' if legal_review_required else '不需要'}法制审核，{'需要' if discussion_required else '不需要'}集体讨论。{basis.strip()[:200]}")




def transcript_create(*, actor, case: Case, kind: str, started_at: datetime, ended_at: datetime, place: str,
                      officers: Sequence[Officer], person_name: str, content: dict | list, person_id_number: str = "",
                      person_relation: str = "", signed_by_person: bool = True, refusal_note: str = "") -> Transcript:
    """询问笔录 / 现场笔录 / 勘验笔录, taken by at least two certified officers (Art. 42)."""
    check("transcript", case, actor)
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
        Case.objects.select_for_update(no_key=True).filter(pk=case.pk).first()
        t = Transcript.objects.create(case=case, kind=kind, started_at=started_at, ended_at=ended_at, place=place,
                                      person_name=person_name, person_id_number=person_id_number, person_relation=person_relation,
                                      content=content, signed_by_person=signed_by_person, refusal_note=refusal_note,
                                      recorded_by=actor if getattr(actor, "pk", None) else None)
        t.officers.set(handlers)
        if kind in TRANSCRIPT_DOCUMENTS:
            issue_document(actor=actor, case=case, kind=TRANSCRIPT_DOCUMENTS[kind], transcript=t)
        audit.record(actor=actor, action="case.transcript", subject=case, after=audit.snapshot(t), organisation=case.organisation,
                     summary=f"{t.get_kind_display()}：{person_name}，{place}（{'、'.join(o.name for o in handlers)}）")
    return t


def evidence_add(*, actor, case: Case, kind: str, title: str, description: str = "", fileobj=None, name: str = "",
                 content_type: str = "", captured_at: datetime | None = None, capture_device: str = "", capture_place: str = "",
                 officers: Sequence[Officer] | None = None, quantity: str = "", preserved: bool = False,
                 preserved_place: str = "", preserved_until: date | None = None) -> EvidenceItem:
    """Register an item of evidence; a file goes to the evidence store with its SHA-256 and capture metadata."""
    check("evidence", case, actor)
    collectors = handling_officers(case, officers, act="调查取证")
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
    check("report", case, actor)
    handling_officers(case, None, act="调查终结")
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
    return move(case, "report", actor, fields=fields, summary=f"提交调查终结报告，拟{Case.Outcome(proposed_outcome).label}"
                 + (f" 罚款{proposed_amount}元" if proposed_amount else "")
                 + (f"（偏离裁量建议{proposal.amount}元，理由：{deviation_reason.strip()[:200]}）" if deviates else ""))


def case_internal_review(*, actor, case: Case, approve: bool, opinion: str) -> Case:
    """The head's internal review of the report: on to legal review when required (Art. 58), or back. From 审查完毕
    (REVIEWED) or 听证结束 (HEARD) an approval sends the case to legal review."""
    check("internal_review", case, actor)
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
        case = move(case, "internal_review", actor, target=target, fields=fields,
                     summary=f"审查调查终结报告：{'同意' if approve else '退回补充调查'}。{opinion.strip()[:300]}")
        if target == Status.LEGAL_REVIEW:
            step = case.status_changes.count()
            tell_officers(case, kind="review_requested", event=f"case:{case.pk}:legal_review:{step}", users=reviewers_for(case),
                           title=f"待法制审核：{case.number}", body=f"案件{case.number}（{case.party.name}）已提交法制审核（行政处罚法第五十八条）。")
    return case


def case_legal_review(*, actor, case: Case, opinion: str, text: str, modified_amount: Decimal | None = None,
                      range_check: str = "") -> LegalReview:
    """法制审核 (行政处罚法 Art. 58) by a reviewer who is not a handling officer. Where the system cannot check the
    fine's statutory range (罚款幅度未能自动核对: a provision the catalogue does not know, a multiple of illegal gains),
    an opinion that lets the fine go on must record the reviewer's check of the amount against the provision
    (``range_check``: the range the provision sets and that the amount lies within it, Arts. 4, 58)."""
    check("legal_review", case, actor)
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
    if opinion != LegalReview.Opinion.RETURN and case.proposed_outcome == Case.Outcome.PENALTY and not range_check.strip():
        amount = modified_amount if opinion == LegalReview.Opinion.MODIFY and modified_amount is not None else None
        _required, basis = review_requirement(case, amount=amount)
        if RANGE_UNCHECKED in basis:  # the flag is the first reason; a cited provision may itself hold a "；"
            flag = basis[basis.index(RANGE_UNCHECKED):]
            flag = flag[:flag.index(RANGE_END) + len(RANGE_END)] if RANGE_END in flag else flag
            raise DomainError("range_check_required", f"{flag}。请在“罚款幅度核对”中写明该条款规定的罚款幅度及拟罚款金额是否在幅度内。")
    if opinion == LegalReview.Opinion.RETURN:
        target = Status.OPENED
    else:
        target = Status.HEARD if case.hearing_held_on else Status.REVIEWED
    fields = {"proposed_amount": modified_amount} if opinion == LegalReview.Opinion.MODIFY and modified_amount is not None else {}
    snapshot = {}
    if opinion != LegalReview.Opinion.RETURN and range_check.strip():
        # what the check covered: the fine now proposed (the modified amount) under the basis now cited
        snapshot = {"range_checked_amount": fields.get("proposed_amount", case.proposed_amount),
                    "range_checked_basis": cited_basis(case), "range_checked_by": actor, "range_checked_at": timezone.now()}
    with transaction.atomic():
        review = LegalReview.objects.create(case=case, reviewer=actor, opinion=opinion, text=text.strip(), modified_amount=modified_amount,
                                           range_check=range_check.strip(), **snapshot)
        move(case, "legal_review", actor, target=target, fields=fields,
              summary=f"法制审核意见：{review.get_opinion_display()}。{text.strip()[:300]}"
              + (f" 罚款幅度核对：{range_check.strip()[:200]}" if range_check.strip() else ""))
    return review


def case_range_check(*, actor, case: Case, range_check: str) -> LegalReview:
    """罚款幅度核对 recorded by a legal reviewer on a case already reviewed and not yet decided (审查完毕, 告知, 听证):
    the check of the fine now proposed against the penalty provision now cited (行政处罚法 Arts. 4, 58), kept on the
    passed review the decision rests on (after the hearing, where one was held) with what it covered. For a case
    whose review predates the check, or whose fine or provision changed since; the state does not move."""
    check("range_check", case, actor)
    officer = Officer.objects.filter(user=actor).first()
    if (officer is not None and case.officers.filter(pk=officer.pk).exists()) or actor.pk == case.registered_by_id:
        raise DomainError("reviewer_is_handler", "法制审核人员不得是本案承办人员或线索登记人（行政处罚法第五十八条）。")
    if not range_check.strip():
        raise DomainError("range_check_required", "请在“罚款幅度核对”中写明处罚依据条款规定的罚款幅度及拟罚款金额是否在幅度内。")
    review = standing_reviews(case).order_by("-reviewed_at", "-pk").first()
    if review is None:
        raise DomainError("legal_review_missing", "本案尚无通过的法制审核意见（听证后须重新审核），请先经法制审核（行政处罚法第五十八条）。")
    basis = cited_basis(case)
    if not basis:
        raise DomainError("provision_required", "请先写明处罚依据，再核对罚款幅度。")
    amount = case.notified_amount if case.notified_on and case.notified_amount is not None else case.proposed_amount
    with transaction.atomic():
        LegalReview.objects.filter(pk=review.pk).update(
            range_check=range_check.strip(), range_checked_amount=amount, range_checked_basis=basis, range_checked_by=actor,
            range_checked_at=timezone.now())
        move(case, "range_check", actor, target=case.status,
             summary=f"罚款幅度核对：依据{basis[:200]}，罚款{f'{amount:,.2f}元' if amount is not None else '（未拟罚款）'}。"
             f"{range_check.strip()[:300]}")
    review.refresh_from_db()
    return review


def case_discuss(*, actor, case: Case, minutes: str, on: date | None = None) -> Case:
    """集体讨论 of the heads (行政处罚法 Art. 57) for complex or major cases; the minutes are kept."""
    check("discuss", case, actor)
    if not minutes.strip():
        raise DomainError("minutes_required", "请填写集体讨论记录。")
    on = on or today()
    assert_act_date(on, act="集体讨论", article="行政处罚法第五十七条", after=[(case.opened_on, "立案日期")])
    return move(case, "discuss", actor, target=case.status, fields={"discussed_on": on, "discussion_minutes": minutes.strip()},
                 summary=f"集体讨论：{minutes.strip()[:300]}")
