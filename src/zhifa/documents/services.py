"""Issuing documents: number (per agency, year and series), compose and lint the text, render to PDF, store
through the evidence store (hash recorded) and write the full-process record — one transaction, so a failed issue
leaves no number used. A paper the lint refuses (``composer.lint``) is never numbered, stored or handed out."""

import io

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from .composer import assert_clean, localise
from .kinds import KINDS
from .models import Document
from .numbering import reserve_number
from .render import html_to_pdf, render_html

ISSUERS = (Role.OFFICER, Role.HEAD, Role.REVIEWER, Role.ADMIN)


# Fields a subject (e.g. cases.Case) may carry under these attribute names; they fill the context where the
# caller left them out, so a decision always shows its dates and the amount in words.
SUBJECT_FIELDS = {"case_number": "number", "opened_on": "opened_on", "notified_on": "notified_on", "decided_on": "decided_on",
                  "delivered_on": "delivered_on", "amount": "fine_amount", "hearing_right": "hearing_right",
                  "decision_number": "decision_number", "cause": "violation_name", "closed_on": "closed_on"}


def with_subject_defaults(context: dict, subject) -> dict:
    data = dict(context)
    if not data.get("penalty_provision") and data.get("legal_basis"):
        data["penalty_provision"] = data["legal_basis"]  # callers' older name for the penalty provision
    for key, attr in SUBJECT_FIELDS.items():
        value = getattr(subject, attr, None)
        if data.get(key) in (None, "") and value not in (None, ""):
            data[key] = value
    return data


def _missing(kind, context: dict) -> list[str]:
    return [name for name in kind.required if context.get(name) in (None, "", [], {})]


def document_issue(*, actor, organisation, kind: str, subject, context: dict, number: str = "") -> Document:
    """Issue one document of ``kind`` for ``subject`` (any model instance, usually a case) from the form's
    fields in ``context``. ``number`` is a number already reserved for the act the paper records (a decision's
    number, reserved in the deciding transaction); otherwise the form's series gives the next one. Returns the
    stored :class:`Document` with its PDF."""
    spec = KINDS.get(kind)
    if spec is None:
        raise DomainError("unknown_document_kind", f"不支持的文书种类：{kind}")
    if actor is not None:
        assert_role(actor, *ISSUERS, message="只有执法人员、负责人或法制审核人员可以制作文书。")
    assert_in_jurisdiction(actor, organisation)
    context = with_subject_defaults(context, subject)
    missing = _missing(spec, context)
    if missing:
        raise DomainError("document_incomplete", f"{spec.title}缺少必填内容：{'、'.join(missing)}", missing=missing)
    data = audit.to_jsonable(localise(context))
    year = timezone.localdate().year
    with transaction.atomic():
        if not number and spec.series:
            number = reserve_number(organisation=organisation, kind=spec.code, year=year)
        html = render_html(kind=spec, organisation=organisation, number=number, context=data)
        assert_clean(title=spec.title, html=html)
        pdf, pages = html_to_pdf(html)
        name = f"{spec.title}{('-' + number) if number else ''}.pdf"
        ef = evidence_store(actor=actor, organisation=organisation, fileobj=io.BytesIO(pdf), name=name,
                            content_type="application/pdf", subject=subject)
        doc = Document.objects.create(
            organisation=organisation, kind=spec.code, title=spec.title, number=number,
            subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
            subject_label=str(subject)[:200], context=data, pdf=ef, pages=pages,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(actor=actor, action="document.issue", subject=subject, organisation=organisation,
                     summary=f"制作{spec.title}{(' ' + number) if number else ''}（SHA-256 {ef.sha256[:16]}…，{pages}页）",
                     changes={"document_id": doc.pk, "kind": spec.code, "number": number, "sha256": ef.sha256})
    return doc


def documents_of(subject):
    """Documents issued for ``subject`` in the standard filing order (no jurisdiction check: callers hold
    the subject already, through a scoped selector)."""
    ct = ContentType.objects.get_for_model(subject)
    docs = list(Document.objects.filter(subject_type=ct, subject_id=str(subject.pk)).select_related("pdf"))
    return sorted(docs, key=lambda d: (KINDS[d.kind].order if d.kind in KINDS else 1000, d.issued_at, d.pk))
