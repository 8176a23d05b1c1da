"""Discretion services: the interface other apps call (``assess``, ``review_requirement``, ``hearing_right``,
``limitation_years``) and the administrator's writes to the catalogue, editions and lists, each recorded in
the full-process record."""

from __future__ import annotations

from django.db import transaction

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role
from zhifa.core.services import assert_role

from .engine import Assessment, assess, edition_in_force, limitation_years_for, no_coercion
from .models import BenchmarkEdition, ListEntry, ViolationItem
from .review import hearing_right, review_requirement

__all__ = [
    "Assessment",
    "assess",
    "edition_in_force",
    "hearing_right",
    "limitation_years",
    "no_coercion",
    "review_requirement",
    "item_update",
    "list_entry_update",
]

ITEM_EDITABLE = {"name", "category", "violated_provision", "penalty_basis", "penalty_kinds", "statutory_min",
                 "statutory_max", "life_health_safety", "active", "note"}


def limitation_years(item_code: str, harm: str | None = None) -> int:
    """行政处罚法 Art. 36: 2 years; 5 years for items touching life/health safety where there is harm
    (pass ``harm="none"`` when it is known there was none)."""
    item = ViolationItem.objects.filter(code=item_code).first()
    if item is None:
        raise DomainError("unknown_item", f"违法行为事项{item_code}不存在。", status=404)
    return limitation_years_for(item, harm)


def item_update(*, actor, item: ViolationItem, **data) -> ViolationItem:
    """Change a catalogue item (administrators only); the before/after go into the record (history)."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以修改违法行为事项。")
    unknown = set(data) - ITEM_EDITABLE
    if unknown:
        raise DomainError("invalid_fields", f"不允许修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(item)
    for key, value in data.items():
        setattr(item, key, value)
    item.full_clean()
    with transaction.atomic():
        item.save()
        audit.record(actor=actor, action="discretion.item_update", subject=item, before=before,
                     after=audit.snapshot(item), summary=f"修改违法行为事项 {item.code}")
    return item


def list_entry_update(*, actor, entry: ListEntry, conditions: str, criteria: dict, basis: str) -> ListEntry:
    """Change the conditions of a list entry (administrators only), recorded."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以修改清单。")
    before = audit.snapshot(entry)
    entry.conditions, entry.criteria, entry.basis = conditions, criteria, basis
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        audit.record(actor=actor, action="discretion.list_entry_update", subject=entry, before=before,
                     after=audit.snapshot(entry), summary=f"修改{entry.get_kind_display()}：{entry.item.name}")
    return entry


def edition_for(on) -> BenchmarkEdition | None:
    return edition_in_force(on)
