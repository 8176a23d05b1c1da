"""Reads of documents, within the user's jurisdiction (another jurisdiction's document is a 404)."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from zhifa.core.selectors import get_scoped, scope

from .kinds import KINDS
from .models import Document


def documents_for(user, *, kind: str = "", search: str = "") -> QuerySet:
    qs = scope(Document.objects.select_related("organisation", "pdf", "issued_by", "subject_type"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(number__contains=search) | qs.filter(subject_label__contains=search)
    return qs.order_by("-issued_at", "-pk")


def subject_get(user, label: str, subject_id: str):
    """The object a paper is about (``app_label.model`` and its key, as the subject pages and the API name
    it), within the user's jurisdiction, or Http404 — also for a key the model's key cannot be (text for a
    number: the API fuzz found a 500 there)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not any(f.name == "organisation" for f in model._meta.fields):
        raise Http404
    try:
        pk = model._meta.pk.to_python(subject_id)
    except ValidationError:
        raise Http404 from None
    return get_scoped(model.objects.all(), user, pk=pk)


def document_get(user, pk: int) -> Document:
    return get_scoped(Document.objects.select_related("organisation", "pdf", "subject_type"), user, pk=pk)


def subject_documents(user, *, subject_type: ContentType, subject_id: str) -> list[Document]:
    docs = list(documents_for(user).filter(subject_type=subject_type, subject_id=subject_id))
    return sorted(docs, key=lambda d: (KINDS[d.kind].order if d.kind in KINDS else 1000, d.issued_at, d.pk))
