"""责令改正违法行为通知书 for an inspection finding (双随机 检查结果“责令整改”) or a class 1–2 provincial warning
(预警抄告): the national form, numbered by the documents app's numbering authority (series 责改) in the same
transaction that records its number on the inspection or the warning, with the deadline the follow-up check
(回访 / 办结) is measured against. One notice per inspection or warning: asking again returns the one issued."""

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Party

from .models import Inspection, ProvincialWarning

KIND = "rectification_notice"


def _you(party: Party) -> str:
    return "你" if party.kind == Party.Kind.PERSON else "你单位"


def _issued(subject):
    from zhifa.documents.services import documents_of

    number = subject.notice_number
    return next((d for d in documents_of(subject) if d.kind == KIND and d.number == number), None) if number else None


def rectification_notice_issue(*, actor, subject: Inspection | ProvincialWarning, legal_basis: str, requirements: str = ""):
    """Issue the 责令改正违法行为通知书 for ``subject``. ``legal_basis``: the provisions the problems violate and under
    which correction is ordered, as the notice states them (e.g. 《道路运输车辆动态监督管理办法》第…条)."""
    from zhifa.documents.services import document_issue

    from .services import check_actor

    check_actor(actor, subject.organisation)
    existing = _issued(subject)
    if existing is not None:
        return existing
    if isinstance(subject, Inspection):
        if subject.status != Inspection.Status.RECTIFYING or not subject.rectify_deadline:
            raise DomainError("not_rectifying", "只有检查结果为“责令整改”且在整改期内的检查可以制作责令改正通知书。")
        party, problems, found_on, deadline = subject.party, subject.problems, subject.inspected_on, subject.rectify_deadline
        found_by = f"在“双随机、一公开”抽查（{subject.plan.number}）中"
        officers = [f"{o.name}（执法证号 {o.cert_number}）" for o in subject.inspectors.all()]
        basis = legal_basis.strip() or "；".join(dict.fromkeys(c.item.legal_basis for c in subject.checks.select_related("item")
                                                               if not c.compliant and c.item.legal_basis))
    else:
        if subject.warning_class == 3:
            raise DomainError("class3_is_case", "三类预警须移交立案查处，不适用责令改正通知书。")
        if subject.status != ProvincialWarning.Status.NOTIFIED or not subject.rectify_deadline:
            raise DomainError("not_notified", "请先确定整改期限（通知企业整改），再制作责令改正通知书。")
        if subject.party_id is None:
            raise DomainError("no_party", "该预警未关联企业，无法制作责令改正通知书。")
        party, found_on, deadline = subject.party, subject.received_on, subject.rectify_deadline
        problems = f"{subject.category}：{subject.description}" + (f"（车辆{subject.plate}）" if subject.plate else "")
        found_by = f"通过省综合交通运输服务管理平台预警（编号{subject.external_id}）"
        officer = Officer.objects.filter(user=actor).first()
        officers = [f"{officer.name}（执法证号 {officer.cert_number}）"] if officer else []
        basis = legal_basis.strip()
        requirements = requirements.strip() or subject.notice_note
    if not basis:
        raise DomainError("basis_required", "请写明违反的规定和责令改正的依据（条款）。")
    context = {"party_name": party.name, "party_kind": party.kind, "party_identifier": party.identifier, "party_address": party.address,
               "you": _you(party), "problems": problems, "violated_provision": basis, "order_basis": basis, "deadline": deadline,
               "found_on": found_on, "found_by": found_by, "requirements": requirements.strip(), "officers": officers,
               "issued_on": timezone.localdate()}
    with transaction.atomic():
        doc = document_issue(actor=actor, organisation=subject.organisation, kind=KIND, subject=subject, context=context)
        model = type(subject)
        if model.objects.filter(pk=subject.pk, notice_number="").update(notice_number=doc.number) != 1:
            raise DomainError("concurrent_change", "责令改正通知书已由他人制作，请刷新后查看。")
        subject.notice_number = doc.number
        audit.record(actor=actor, action="inspections.rectification_notice", subject=subject, organisation=subject.organisation,
                     summary=f"制作责令改正违法行为通知书 {doc.number}：{party.name}，限{deadline.year}年{deadline.month}月{deadline.day}日前改正")
    return doc
