"""Helpers every step of a case uses: the workflow kernel's check and move for cases, the handling officers
(行政处罚法 Art. 42), the standard forms queued after the commit, case and decision numbers, the provisions a paper
cites, dates of acts and the messages to officers and parties. The other modules of the app import them from
here (``from zhifa.cases.services.common import check, move``); they are not part of the services' API."""

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import numbering, workflow
from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_officers_can_act
from zhifa.discretion.models import ViolationItem

from ..models import CASE_NUMBERS, Case, EvidenceItem, Transcript
from ..workflow import WORKFLOW, Status

log = logging.getLogger(__name__)


def today() -> date:
    """Today's date in the local time zone (the day an act is dated)."""
    return timezone.localdate()


def _label(status: str) -> str:
    return Status(status).label


def check(action: str, case: Case, actor) -> None:
    """The action must be in the table for the case's status, and the actor must hold one of its roles."""
    WORKFLOW.check(action, case, actor)


def move(case: Case, action: str, actor, *, target: str | None = None, fields: dict | None = None, summary: str,
         note: str = "") -> Case:
    """The workflow kernel's move: conditional UPDATE on the old status (exactly one row), ``StatusChange`` row,
    audit record and the outbox message, atomically."""
    return workflow.transition(WORKFLOW, case, action, actor=actor, target=target, fields=fields, summary=summary, note=note)


def handling_officers(case: Case, officers: Iterable[Officer] | None, *, act: str, on: date | None = None) -> list[Officer]:
    """The officers who do the act (by default the case's), each holding a valid certificate on ``on``."""
    # 行政处罚法 Art. 42: at least two officers holding valid certificates take part in every act.
    chosen = list(officers) if officers is not None else list(case.officers.all())
    return assert_officers_can_act(chosen, on=on or today(), act=act)


def issue_document(*, actor, case: Case, kind: str, transcript: Transcript | None = None) -> None:
    """Call for the standard form (documents app): a pending row in this transaction, the paper numbered, rendered
    and stored after the commit, off the request (``tasks.queue_document``). A decision document carries the number
    reserved in the deciding transaction (one numbering authority: the case, the paper, the payment notice and the
    API agree)."""
    from ..tasks import queue_document

    queue_document(actor=actor, case=case, kind=kind, transcript=transcript)


def case_document_retry(*, actor, document) -> None:
    """重新生成: an officer asks again for a paper that could not be made (a fault, or data since completed). The row
    goes back to pending only if it is still failed (one row), the ask is recorded, and the paper is made after the
    commit as the first time (``tasks.issue_document``), with this officer as its maker."""
    from zhifa.core.audit import record
    from zhifa.core.services import assert_in_jurisdiction, assert_role

    from ..models import CaseDocument
    from ..tasks import issue_document_task

    assert_role(actor, Role.OFFICER, Role.HEAD, Role.REVIEWER, message="只有执法人员、负责人或法制审核人员可以重新生成文书。")
    case = document.case
    assert_in_jurisdiction(actor, case.organisation)
    with transaction.atomic():
        changed = CaseDocument.objects.filter(pk=document.pk, state=CaseDocument.State.FAILED).update(
            state=CaseDocument.State.PENDING, error="")
        if changed != 1:
            raise DomainError("not_failed", "该文书正在生成或已生成，无需重新生成。")
        from zhifa.documents.kinds import KINDS
        from zhifa.documents.queue import after_commit

        title = KINDS[document.kind].title if document.kind in KINDS else "文书"
        record(actor=actor, action="case.document_retry", subject=case, organisation=case.organisation,
               summary=f"重新生成《{title}》（上次未能生成：{document.error}）")

        after_commit(issue_document_task, document.pk, actor.pk, document.transcript_id)


TRANSCRIPT_DOCUMENTS = {"inquiry": "inquiry_record", "scene": "scene_record", "inspection": "inspection_record"}


DECISION_DOCUMENTS = {"penalty_decision", "no_penalty_decision", "onspot_decision"}


def catalogue_item(code: str | None):
    """The violation's item in the catalogue (违法行为事项目录) by its code, or None."""
    if not code:
        return None
    return ViolationItem.objects.filter(code=code).first()


def _new_number(organisation: Organisation, year: int) -> str:
    """The next case number (core.numbering, series cases.case), reserved in the registering transaction."""
    return numbering.reserve(CASE_NUMBERS, organisation=organisation, year=year)


def create_case(**fields) -> Case:
    """Insert with a fresh case number; a number taken meanwhile by a parallel insert is retried."""
    for _ in range(5):
        case = Case(number=_new_number(fields["organisation"], today().year), **fields)
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


def reserve_decision_number(case: Case, on: date, kind: str) -> str:
    """The decision's number from the one numbering authority (documents.numbering), reserved inside the deciding
    transaction: a rolled-back decision gives its number back, and the document issued after the commit uses it."""
    from zhifa.documents.numbering import reserve_number

    return reserve_number(organisation=case.organisation, kind=kind, year=on.year)


def cited_provisions(case: Case, *, violated: str = "", penalty: str = "", need_penalty: bool = True) -> tuple[str, str]:
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


def evidence_kind(content_type: str) -> str:
    """The kind of an uploaded evidence file, from its content type."""
    if content_type.startswith("image/"):
        return EvidenceItem.Kind.PHOTO
    if content_type.startswith("audio/"):
        return EvidenceItem.Kind.AUDIO
    if content_type.startswith("video/"):
        return EvidenceItem.Kind.VIDEO
    return EvidenceItem.Kind.DATA


def age_on_violation(case_or_party: Party, on: date) -> int | None:
    """Full years of age (周岁) on the day of the act. ADR 0005: a person reaches N 周岁 on the day after the N-th
    birthday (the birthday itself is not counted, 民法典 Art. 201; 法释〔2006〕1号 Art. 2), so on the 14th
    birthday the party is still under 14 (行政处罚法 Art. 30). Born on 29 February: the anniversary in a common
    year is 28 February (民法典 Art. 202), the age is reached on 1 March."""
    if case_or_party.kind != Party.Kind.PERSON or case_or_party.birth_date is None:
        return None
    born = case_or_party.birth_date
    return on.year - born.year - ((on.month, on.day) <= (born.month, born.day))


# dates of acts (行政处罚法 Arts. 60, 63–64): none in the future, none before the act it depends on


def assert_act_date(day: date, *, act: str, article: str, after: Sequence[tuple[date | None, str]] = ()) -> None:
    """Refuse an act dated after today or before an act it depends on; ``after`` lists (date, name) pairs."""
    if day > today():
        raise DomainError("date_in_future", f"{act}日期{day:%Y年%m月%d日}晚于今天，不能登记尚未发生的行为（{article}）。")
    for earlier, name in after:
        if earlier is not None and day < earlier:
            raise DomainError("date_before_prerequisite",
                              f"{act}日期{day:%Y年%m月%d日}早于{name}（{earlier:%Y年%m月%d日}），日期不能成立（{article}）。")




def tell_officers(case: Case, *, kind: str, event: str, users, title: str, body: str) -> None:
    """Officers hear of work for them (notifications app; sent after commit, once per event)."""
    from django.urls import reverse

    from zhifa.notifications.services import notify

    notify(kind=kind, event=event, users=users, title=title, body=body, url=reverse("cases:detail", args=[case.pk]), subject=case,
           organisation=case.organisation)


def tell_party(case: Case, *, kind: str, event: str, title: str, body: str) -> None:
    """The party hears of an act by SMS (and e-mail where known); a message, not the legal delivery (Art. 61)."""
    from zhifa.notifications.services import notify

    notify(kind=kind, event=event, party=case.party, title=title, body=body, subject=case, organisation=case.organisation)


def reviewers_for(case: Case):
    """Legal reviewers (法制审核人员) of the case's unit and the units above it."""
    from zhifa.core.models import User

    units, unit = [], case.organisation
    while unit is not None:
        units.append(unit.pk)
        unit = unit.parent
    return list(User.objects.filter(organisation_id__in=units, is_active=True, groups__name=Role.REVIEWER).distinct()[:50])
