"""Discretion services: the interface other apps call (``assess``, ``review_requirement``, ``hearing_right``,
``limitation_years``) and the administrator's writes to the catalogue, editions and lists, each recorded in
the full-process record."""

from __future__ import annotations

from django.db import transaction

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role
from zhifa.core.services import assert_role

from . import loader
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
    "edition_import",
    "edition_delete",
    "list_entry_update",
]

ITEM_EDITABLE = {"name", "category", "violated_provision", "penalty_basis", "penalty_kinds", "statutory_min",
                 "statutory_max", "life_health_safety", "provision_status", "active", "note"}


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


def edition_import(*, actor, content: bytes, filename: str) -> BenchmarkEdition:
    """Import a benchmark edition (e.g. a province's) from XLSX or YAML. Every row is validated first; if any
    row is wrong a ``DomainError`` lists each problem with its sheet and row, and nothing is changed. New and
    changed items are recorded with before/after in the full-process record."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以导入裁量基准。")
    parsed = loader.parse(content, filename, **loader.known_codes(loader.real_models()))
    if not parsed.ok:
        raise DomainError("import_invalid", f"导入文件有{len(parsed.errors)}处问题，未导入任何数据。", errors=parsed.errors)

    def on_item(item, before):
        if before is None:
            audit.record(actor=actor, action="discretion.item_create", subject=item, after=audit.snapshot(item),
                         summary=f"导入新增违法行为事项 {item.code}")
        else:
            audit.record(actor=actor, action="discretion.item_update", subject=item,
                         before=audit.to_jsonable(before), after=audit.snapshot(item, list(before)),
                         summary=f"导入修改违法行为事项 {item.code}")

    with transaction.atomic():
        edition = loader.apply(parsed, loader.real_models(), imported_from=filename, on_item=on_item)
        audit.record(actor=actor, action="discretion.edition_import", subject=edition, after=audit.snapshot(edition),
                     summary=f"导入裁量基准《{edition.name}》：{len(parsed.items)}个事项、{len(parsed.levels)}个阶次、"
                             f"{len(parsed.lists)}条清单，{edition.effective_from:%Y-%m-%d}起施行")
    return edition


def edition_delete(*, actor, edition: BenchmarkEdition) -> None:
    """Withdraw an edition that has not taken effect yet (an edition in force is history and stays)."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以撤回裁量基准。")
    from django.utils import timezone

    if edition.effective_from <= timezone.localdate():
        raise DomainError("edition_in_force", "已施行的裁量基准是历史记录，不能删除；请导入新版本替代。")
    with transaction.atomic():
        audit.record(actor=actor, action="discretion.edition_delete", subject=edition, before=audit.snapshot(edition),
                     summary=f"撤回尚未施行的裁量基准《{edition.name}》")
        edition.delete()


def shipped_data_load(*, actor=None) -> list[str]:
    """Load the shipped data files not yet present (used by ``zhifa discretion load`` and the demo)."""
    with transaction.atomic():
        done = loader.load_shipped(loader.real_models())
        audit.record(actor=actor, action="discretion.shipped_load", subject=("discretion.shipped_data", "data", "随附数据"),
                     summary="加载随附数据：" + "；".join(done))
    return done
