"""A change of anything the discretion engine reads gives the catalogue a new version token
(``CatalogueVersion``), in the same transaction, whichever way it was saved: a service, the admin, a
fixture."""

import uuid

from django.db.models.signals import post_delete, post_save

from .models import (
    BenchmarkEdition,
    BenchmarkLevel,
    CatalogueVersion,
    ListEntry,
    OverloadRuleVersion,
    ViolationItem,
)

ENGINE_READS = (ViolationItem, BenchmarkEdition, BenchmarkLevel, ListEntry, OverloadRuleVersion)


def catalogue_changed(**kwargs) -> None:
    token = uuid.uuid4().hex
    if not CatalogueVersion.objects.filter(pk=1).update(token=token):
        CatalogueVersion.objects.update_or_create(pk=1, defaults={"token": token})


def connect() -> None:
    for model in ENGINE_READS:
        label = model._meta.label_lower
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-save-{label}")
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-delete-{label}")
