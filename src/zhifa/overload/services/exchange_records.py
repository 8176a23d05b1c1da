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
    ExchangeRecord,
    Violation,
)


def exchange_import(*, rows, actor=None, organisation: Organisation | None = None,
                    audit_event: bool = True) -> dict:
    """Import exchange rows (see ``exchange.py``); the same row twice changes nothing (origin is unique and the
    payload digest is compared). A violation of the same vehicle within the merging window of a local violation,
    or of a record imported earlier, is merged into it (一事不再罚, 行政处罚法 Art. 29 — see ``ExchangeRecord``).
    Rows are taken earliest act first, so which record an act merges into does not depend on the file's order.
    Returns counts created / updated / unchanged / merged / rejected / foreign.

    With ``organisation`` (a download from the 四级联网 for that unit, integrations.overload_net) each
    record is the unit's: it is linked to the registered vehicle, driver, company and source unit it
    names within the unit's jurisdiction, so that 一超四罚 counts it. A record another jurisdiction
    already holds is neither revealed nor changed (``foreign``). ``audit_event=False``: the caller
    records the import itself, in the same transaction."""
    from ..exchange import parse_time, validate_row

    counts = {"created": 0, "updated": 0, "unchanged": 0, "merged": 0, "rejected": 0, "foreign": 0,
              "errors": []}
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
    return {"origin_status": str(row.get("status") or "")[:16], "vehicle": vehicle, "driver": driver,
            "company": company, "source_unit": source}


def _exchange_owner(existing: ExchangeRecord | None, organisation: Organisation) -> Organisation | None:
    """The unit a downloaded record belongs to: the more specific of the unit that holds it and the
    unit importing it (a county's download of a record its city holds moves it down to the county,
    still seen by the city); None when it is another jurisdiction's."""
    held = existing.organisation if existing is not None else None
    if held is None or held.is_within(organisation):
        return held or organisation
    return organisation if organisation.is_within(held) else None


def _exchange_store(valid: list, counts: dict, *, actor, organisation=None, audit_event=True) -> None:
    remerged = []  # unchanged rows whose merge changed: recorded like an update
    for at, row in valid:
        digest = audit.digest(row)
        key = {"origin_org": row["origin_org"], "origin_id": str(row["origin_id"]), "kind": row["kind"]}
        existing = ExchangeRecord.objects.filter(**key).first()
        plate, colour = plate_display_form(row.get("plate", "")), wim.COLOUR_NAMES.get(row["plate_colour"].strip(), row["plate_colour"].strip())
        links = {}
        if organisation is not None:
            owner = _exchange_owner(existing, organisation)
            if owner is None:
                counts["foreign"] += 1  # another jurisdiction's: lookups by key are scoped like reads
                continue
            links = _exchange_links(row, plate=plate, colour=colour, organisation=organisation)
            links["organisation"] = owner
        if existing is not None and existing.digest == digest:
            stale = {k: v for k, v in links.items() if k != "origin_status"
                     and getattr(existing, f"{k}_id", None) != getattr(v, "pk", v)}
            # The merge again: our own violation of the act may have been ingested since the first import.
            violation, record = _exchange_same_act(plate=plate, colour=colour, at=at, exclude=existing.pk)
            merge = {"merged_violation": violation, "merged_record": record}
            if (existing.merged_violation_id, existing.merged_record_id) != (getattr(violation, "pk", None),
                                                                             getattr(record, "pk", None)):
                stale.update(merge)
                counts["merged"] += bool(violation or record)
                remerged.append(existing.pk)
            if stale:  # the same row, now for our unit, naming a subject registered since or of a local act
                ExchangeRecord.objects.filter(pk=existing.pk).update(**stale)
            counts["unchanged"] += 1
            continue
        with transaction.atomic():
            violation, record = _exchange_same_act(plate=plate, colour=colour, at=at, exclude=existing.pk if existing else None)
            fields = {"plate": plate, "plate_colour": colour, "first_passed_at": at, "payload": row, "digest": digest,
                      "merged_violation": violation, "merged_record": record, **links}
            if existing is None:
                ExchangeRecord.objects.create(**key, **fields)
                counts["created"] += 1
            else:
                ExchangeRecord.objects.filter(pk=existing.pk).update(**fields)
                counts["updated"] += 1
            counts["merged"] += bool(violation or record)
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
