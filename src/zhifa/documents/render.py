"""HTML templates of the standard forms rendered to PDF with WeasyPrint: A4, 宋体-like serif body (Noto Serif
CJK SC), 黑体-like sans titles (Noto Sans CJK SC), centred title, number line, signature and seal blocks,
page numbers (第 X 页 共 Y 页)."""

import io
from datetime import date

from django.template.loader import render_to_string

from zhifa.core import legal_calendar

from .kinds import DocumentKind


def rights_deadlines(delivered_on: date | None) -> dict:
    """Deadlines for the party's remedies counted from delivery: administrative reconsideration within 60 days
    (行政复议法 Art. 20) and litigation within 6 months (行政诉讼法 Art. 46); a period ending on a rest day
    ends on the next working day."""
    if not delivered_on:
        return {}
    month = delivered_on.month + 6
    year = delivered_on.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = delivered_on.day
    while True:
        try:
            six_months = date(year, month, day)
            break
        except ValueError:  # e.g. 31 August + 6 months → the last day of February
            day -= 1
    cal = legal_calendar.calendar()
    litigation = cal.add_days(six_months, 0)
    return {"reconsideration": cal.add_days(delivered_on, 60), "litigation": litigation}


ORGANISATION_KINDS = {"organisation", "法人或其他组织", "单位"}
# Other names callers use for the same field (the canonical name is the key); explicit canonical keys win.
ALIASES = {
    "party_legal_rep": ("legal_representative",),
    "cause": ("violation", "violation_name"),
    "violation_at": ("occurred_at",),
    "served_at": ("delivered_on",),
}


def normalise(context: dict) -> dict:
    """Accept the shapes callers naturally produce: lists or "、"/"；"-joined strings, one party identifier
    field, the statement and its review as the defence paragraph."""
    data = dict(context)
    for name, others in ALIASES.items():
        if not data.get(name):
            data[name] = next((data[o] for o in others if data.get(o)), data.get(name, ""))
    for name, sep in (("officers", "、"), ("evidence", "；")):
        value = data.get(name)
        if isinstance(value, str):
            data[name] = [part.strip() for part in value.split(sep) if part.strip()]
    is_org = data.get("party_kind") in ORGANISATION_KINDS
    data["party_kind"] = "organisation" if is_org else "person"
    ident = data.get("party_identifier")
    if ident:
        data.setdefault("party_credit_code" if is_org else "party_id_number", ident)
    if not data.get("defence") and data.get("statement"):
        adopted = data.get("statement_adopted") or ""
        data["defence"] = f"你（单位）提出陈述、申辩：{data['statement']}" + (f"经复核，{adopted}" if adopted else "")
    if not data.get("place") and data.get("address"):
        data["place"] = data["address"]
    # names the templates use as filter arguments (``x|default:legal_basis``) must exist, or rendering fails
    for name in ("amount", "legal_basis", "opened_on", "party_address", "decided_on", "issued_on"):
        data.setdefault(name, "")
    return data


def render_html(*, kind: DocumentKind, organisation, number: str, context: dict) -> str:
    data = normalise(context)
    delivered = data.get("delivered_on")
    if isinstance(delivered, str) and delivered:
        delivered = date.fromisoformat(delivered)
    data.update(kind=kind, agency=organisation, number=number, rights=rights_deadlines(delivered or None))
    return render_to_string(kind.template, data)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and the page count."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=".").render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)
