"""Loading the shipped data: the evaluation standard (``data/evaluation_standard.json``) and the power and
responsibility list (``data/powers.json``), and registering closed platform cases for evaluation."""

import json
from datetime import date
from pathlib import Path

from zhifa.cases.models import Case
from zhifa.core.models import Organisation

from . import services
from .models import CaseRecord, EvaluationStandard, Power

DATA = Path(__file__).parent / "data"


def load_standard(*, actor=None, path: Path = DATA / "evaluation_standard.json") -> EvaluationStandard:
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = EvaluationStandard.objects.filter(code=data["code"], version=data.get("version", 1)).first()
    return existing or services.standard_import(actor=actor, data=data)


def power_rows(path: Path = DATA / "powers.json") -> list[dict]:
    """The shipped list with each kind's defaults (process, time limit, responsibilities) and the remedy filled in."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for row in data["powers"]:
        merged = {**data["defaults"].get(row["kind"], {}), "remedy": data["remedy"], **row}
        rows.append(merged)
    return rows


def responsible_unit_for(kind: str, bureau: Organisation, brigade: Organisation | None) -> str:
    # Penalties, coercive measures and inspections are carried out by the comprehensive enforcement brigade;
    # permits, confirmations and the rest by the bureau (综合执法改革后的职责划分).
    if brigade is not None and kind in (Power.Kind.PENALTY, Power.Kind.COERCION, Power.Kind.INSPECTION):
        return brigade.name
    return bureau.name


def load_powers(*, actor, bureau: Organisation, brigade: Organisation | None, reason: str, authority: str = "", at=None) -> int:
    """Publish the shipped list for ``bureau``; powers already on its list are left alone. Returns the number added."""
    have = set(Power.objects.filter(organisation=bureau).values_list("code", flat=True))
    added = 0
    for row in power_rows():
        if row["code"] in have:
            continue
        fields = {k: row.get(k, "") for k in services.POWER_FIELDS if k in row}
        fields["responsible_unit"] = responsible_unit_for(row["kind"], bureau, brigade)
        services.power_create(actor=actor, organisation=bureau, code=row["code"], reason=reason, authority=authority, at=at, **fields)
        added += 1
    return added


def sync_closed_cases(*, actor, since: date | None = None) -> int:
    """Register closed cases of the ``cases`` app (number, unit, handling officers, closed date) so they can be
    drawn for evaluation. Already registered cases are skipped. Returns the number registered."""
    qs = Case.objects.filter(closed_on__isnull=False).select_related("organisation", "party").prefetch_related("officers")
    if since:
        qs = qs.filter(closed_on__gte=since)
    known = set(CaseRecord.objects.filter(case_id__isnull=False).values_list("case_id", flat=True))
    added = 0
    for case in qs.iterator(chunk_size=500):
        if case.pk in known or not case.officers.exists():
            continue
        party = getattr(case, "party", None)
        services.case_record_create(actor=actor, organisation=case.organisation, number=case.number,
                                    title=getattr(case, "violation_name", "") or "行政处罚案件", closed_on=case.closed_on,
                                    officers=list(case.officers.all()), party_name=getattr(party, "name", "") if party else "",
                                    involves_enterprise=getattr(party, "kind", "") == "organisation", case_id=case.pk)
        added += 1
    return added
