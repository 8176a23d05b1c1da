"""Officer UI for documents: the list of issued documents, one document, a subject's documents, downloads."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_open

from . import selectors
from .composer import is_organisation
from .kinds import CHOICES
from .render import rights_deadlines


@login_required
def document_list(request):
    kind = request.GET.get("kind", "")
    search = request.GET.get("q", "").strip()
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="documents.document", title="执法文书",
                                  qs=selectors.documents_for(request.user, kind=kind, search=search).select_related("organisation").order_by("-pk"),
                                  columns=[("文书名称", "title"), ("文书编号", "number"), ("所属", "subject_label"), ("制作机构", "organisation.name"),
                                           ("制作时间", "issued_at"), ("页数", "pages")],
                                  filters={"文书种类": dict(CHOICES).get(kind, ""), "关键词": search})
    page = Paginator(selectors.documents_for(request.user, kind=kind, search=search), 30).get_page(request.GET.get("page"))
    return render(request, "documents/list.html", {"page": page, "kinds": CHOICES, "kind": kind, "search": search})


@login_required
def document_detail(request, pk: int):
    doc = selectors.document_get(request.user, pk)
    delivered = doc.context.get("delivered_on")
    from datetime import date

    rights = rights_deadlines(date.fromisoformat(delivered)) if delivered else {}
    return render(request, "documents/detail.html", {"doc": doc, "rights": rights})


@login_required
def _log_if_personal(request, doc) -> None:
    """A document names its party in full (ID number, address, phone): reading a natural person's is recorded."""
    if doc.context.get("party_name") and not is_organisation(doc.context):
        audit.log_personal_view(request, doc, person=doc.context["party_name"], what=f"文书《{doc.title}》中的当事人信息")


@login_required
def document_pdf(request, pk: int):
    doc = selectors.document_get(request.user, pk)
    _log_if_personal(request, doc)
    filename = f"{doc.title}{('-' + doc.number) if doc.number else ''}.pdf"
    return FileResponse(evidence_open(doc.pdf), content_type="application/pdf", as_attachment="download" in request.GET, filename=filename)


@login_required
def document_docx(request, pk: int):
    """The editable Word version, made from the stored fields and number (the PDF stays the issued original)."""
    from .docx import html_to_docx
    from .kinds import KINDS
    from .render import render_html

    doc = selectors.document_get(request.user, pk)
    if doc.kind not in KINDS:
        raise Http404
    _log_if_personal(request, doc)
    html = render_html(kind=KINDS[doc.kind], organisation=doc.organisation, number=doc.number, context=doc.context)
    response = HttpResponse(html_to_docx(html), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    name = f"{doc.title}{('-' + doc.number) if doc.number else ''}.docx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def subject_documents(request, label: str, subject_id: str):
    subject = selectors.subject_get(request.user, label, subject_id)
    ct = ContentType.objects.get_for_model(subject)
    docs = selectors.subject_documents(request.user, subject_type=ct, subject_id=str(subject.pk))
    return render(request, "documents/subject.html", {"subject": subject, "docs": docs,
                                                      "is_case": subject._meta.label_lower == "cases.case"})


@login_required
def casefile_download(request, case_id: int):
    from .casefile import casefile_export

    case = selectors.subject_get(request.user, "cases.Case", str(case_id))
    try:
        data = casefile_export(actor=request.user, case=case)
    except DomainError as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename=casefile-{case.pk}.zip"
    return response
