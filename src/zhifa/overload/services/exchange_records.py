"""The four-level exchange (四级联网) import: rows stored idempotently as ``ExchangeRecord``, merged into the
local violation or earlier record of the same act (一事不再罚)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.identifiers import plate_display_form
from zhifa.core.models import Driver, Organisation, SourceUnit, TransportCompany, Vehicle

from .. import ingest, wim
from ..models import (
    ExchangeLink,
    ExchangeRecord,
    Violation,
)


def exchange_import(*, rows, actor=None, organisation: Organisation | None = None,
                    audit_event: bool = True) -> dict:
    """Import exchange rows (see ``exchange.py``); the same row twice changes nothing (origin is unique and the
    payload digest is compared). A violation of the same vehicle within the merging window of a local violation,
    or of a record imported earlier, is merged into it (一事不再罚, 行政处罚法 Art. 29 — see ``ExchangeRecord``);
    a row imported again is merged again, so a local violation ingested since is found whichever came first.
    Rows are taken earliest act first, so which record an act merges into does not depend on the file's order.
    Returns counts created / updated / unchanged / merged / rejected.

    With ``organisation`` (a download from the 四级联网 for that unit, integrations.overload_net) the unit
    links the record to the registered vehicle, driver, company and source unit it names within the unit's
    jurisdiction (``ExchangeLink``), so that 一超四罚 counts it. The record itself is the network's and shared:
    another unit's download of the same row links that unit's own subjects, and neither sees the other's
    links; the counts are the unit's own (``created``: new to this unit). ``audit_event=False``: the caller
    records the import itself, in the same transaction."""
    from ..exchange import parse_time, validate_row

    counts = {"created": 0, "updated": 0, "unchanged": 0, "merged": 0, "rejected": 0, "errors": []}
    valid = []
    for number, row in enumerate(rows, start=1):
        problem = validate_row(row)
        at = None if problem else parse_time(row["first_passed_at"])
        if not problem and at is None:
            problem = "first_passed_at 不是带时区的日期时间"
        if problem:
            counts["rejected"] += 1
            counts["errors"].append(f"第{number}行：{problem}")
            continue
        valid.append((at, row))
    valid.sort(key=lambda item: (item[0], item[1]["origin_org"], str(item[1]["origin_id"])))
    # One transaction for the rows and their record: an import is stored and recorded whole, or not at all.
    if valid:
        with transaction.atomic():
            _exchange_store(valid, counts, actor=actor, organisation=organisation,
                            audit_event=audit_event)
    return counts


def _exchange_links(row: dict, *, plate: str, colour: str, organisation: Organisation) -> dict:
    """The registered subjects a downloaded row names, looked up within ``organisation``'s
    jurisdiction only: the vehicle by plate and colour, the driver by 从业资格证号, the company by the
    vehicle or its 统一社会信用代码, the source unit by its 统一社会信用代码."""
    within = {"organisation__path__startswith": organisation.path}

    def find(model, **lookup):
        return model.objects.filter(**lookup, **within).first() if all(lookup.values()) else None

    vehicle = find(Vehicle, plate=plate, plate_colour=colour)
    driver = find(Driver, qualification_number=str(row.get("driver_qualification") or ""))
    company = (vehicle.company if vehicle is not None and vehicle.company_id
               else find(TransportCompany, credit_code=str(row.get("company_credit_code") or "")))
    source = find(SourceUnit, credit_code=str(row.get("source_unit_credit_code") or ""))
    return {"vehicle": vehicle, "driver": driver, "company": company, "source_unit": source}


def _exchange_link(record: ExchangeRecord, subjects: dict, organisation: Organisation) -> bool:
    """Link ``organisation``'s own subjects to the record (its one ``ExchangeLink``, created or brought up to
    date: a subject registered since the last download is linked). True when the link is new."""
    link = ExchangeLink.objects.filter(record=record, organisation=organisation).first()
    if link is None:
        ExchangeLink.objects.create(record=record, organisation=organisation, **subjects)
        return True
    stale = {k: v for k, v in subjects.items() if getattr(link, f"{k}_id") != getattr(v, "pk", None)}
    if stale:
        ExchangeLink.objects.filter(pk=link.pk).update(**stale)
    return False


def _exchange_store(valid: list, counts: dict, *, actor, organisation=None, audit_event=True) -> None:
    remerged = []  # unchanged rows whose merge changed: recorded like an update
    for at, row in valid:
        digest = audit.digest(row)
        key = {"origin_org": row["origin_org"], "origin_id": str(row["origin_id"]), "kind": row["kind"]}
        existing = ExchangeRecord.objects.filter(**key).first()
        plate, colour = plate_display_form(row.get("plate", "")), wim.COLOUR_NAMES.get(row["plate_colour"].strip(), row["plate_colour"].strip())
        origin_status = str(row.get("status") or "")[:16]
        with transaction.atomic():
            violation, record = _exchange_same_act(plate=plate, colour=colour, at=at, exclude=existing.pk if existing else None)
            if existing is not None and existing.digest == digest:
                stale = {"origin_status": origin_status} if existing.origin_status != origin_status else {}
                # Merged again: our own violation of the act may have been ingested since the first import.
                if (existing.merged_violation_id, existing.merged_record_id) != (getattr(violation, "pk", None),
                                                                                 getattr(record, "pk", None)):
                    stale.update(merged_violation=violation, merged_record=record)
                    counts["merged"] += bool(violation or record)
                    remerged.append(existing.pk)
                if stale:
                    ExchangeRecord.objects.filter(pk=existing.pk).update(**stale)
                outcome, stored = "unchanged", existing
            else:
                fields = {"plate": plate, "plate_colour": colour, "first_passed_at": at, "payload": row, "digest": digest,
                          "origin_status": origin_status, "merged_violation": violation, "merged_record": record}
                if existing is None:
                    outcome, stored = "created", ExchangeRecord.objects.create(**key, **fields)
                else:
                    ExchangeRecord.objects.filter(pk=existing.pk).update(**fields)
                    outcome, stored = "updated", existing
                counts["merged"] += bool(violation or record)
            if organisation is not None:
                subjects = _exchange_links(row, plate=plate, colour=colour, organisation=organisation)
                if _exchange_link(stored, subjects, organisation):
                    outcome = "created"  # new to this unit, whoever stored the network's row before
            counts[outcome] += 1
    if audit_event and (counts["created"] or counts["updated"] or remerged):
        audit.record(actor=actor, action="overload.exchange_import", subject=("overload.exchange", "import"),
                     summary=f"四级联网数据导入：新增{counts['created']}，更新{counts['updated']}，未变{counts['unchanged']}，"
                             f"合并为同一违法行为{counts['merged']}，拒收{counts['rejected']}")


def _exchange_same_act(*, plate: str, colour: str, at: datetime, exclude: int | None):
    """The local violation, else the first imported record, of the same act: same plate and colour, first pass
    less than the merging window apart (as screening merges passes). An unread plate matches nothing."""
    if not plate:
        return None, None
    window = timedelta(hours=ingest.screening_policy(timezone.localtime(at).date()).merge_window_hours)
    near = {"plate": plate, "plate_colour": colour, "first_passed_at__gt": at - window, "first_passed_at__lt": at + window}
    local = Violation.objects.filter(**near).exclude(status=Violation.Status.DISMISSED).order_by("-first_passed_at", "-pk").first()
    if local is not None:
        return local, None
    first = (ExchangeRecord.objects.filter(kind="violation", merged_violation__isnull=True, merged_record__isnull=True, **near)
             .exclude(pk=exclude).order_by("first_passed_at", "pk").first())
    return None, first
