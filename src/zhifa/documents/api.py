"""REST API for documents: list (keyset), detail, a subject's documents, issue a document."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from ninja import Field, Query, Router, Schema

from zhifa.core.pagination import keyset
from zhifa.core.schemas import ErrorOut

from . import selectors, services

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    organisation_id: int
    subject_type: str
    subject_id: str
    subject_label: str
    pages: int
    sha256: str
    issued_at: datetime
    pdf_url: str

    @staticmethod
    def resolve_subject_type(obj):
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"

    @staticmethod
    def resolve_pdf_url(obj):
        return f"/documents/{obj.pk}/pdf/"


class DocumentPage(Schema):
    items: list[DocumentOut]
    next_cursor: int | None = None


class IssueIn(Schema):
    kind: str = Field(max_length=40)
    subject_type: str = Field(max_length=60, description="app_label.model，如 cases.case")
    subject_id: str = Field(max_length=64)
    context: dict


@router.get("/", response=DocumentPage, summary="执法文书列表")
def document_list(request, kind: str = Query("", max_length=40), after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.documents_for(request.user, kind=kind), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/{int:doc_id}", response={200: DocumentOut, 404: ErrorOut}, summary="执法文书详情")
def document_detail(request, doc_id: int):
    return selectors.document_get(request.user, doc_id)


@router.get("/subject/{label}/{subject_id}", response={200: list[DocumentOut], 404: ErrorOut}, summary="某对象（如案件）的全部文书")
def subject_documents(request, label: str, subject_id: str):
    subject = selectors.subject_get(request.user, label, subject_id)
    return selectors.subject_documents(request.user, subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk))


@router.post("/issue", response={201: DocumentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="制作文书（编号、生成 PDF、存证）")
def document_issue(request, payload: IssueIn):
    subject = selectors.subject_get(request.user, payload.subject_type, payload.subject_id)
    doc = services.document_issue(actor=request.user, organisation=subject.organisation, kind=payload.kind,
                                  subject=subject, context=payload.context)
    return 201, doc
