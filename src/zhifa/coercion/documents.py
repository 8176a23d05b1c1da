"""The fields of the three coercion forms (documents app ``KINDS``): 行政强制措施决定书 with its 清单 (行政强制法
Art. 24), 延长行政强制措施期限通知书 (Art. 25 ¶2) and 解除行政强制措施决定书 (Art. 28)."""

from datetime import timedelta

from django.utils import timezone

from .models import Measure


def _period_text(measure: Measure) -> str:
    if measure.starts_on is None:
        return ""
    end = measure.starts_on + timedelta(days=measure.period_days)
    return f"{measure.period_days}日（自{measure.starts_on:%Y年%m月%d日}起至{end:%Y年%m月%d日}止）"


def document_context(measure: Measure, kind: str) -> dict:
    party = measure.party
    items = [{"name": i.name, "quantity": f"{i.quantity.normalize():f}", "unit": i.unit, "description": i.description}
             for i in measure.items.all()]
    base = {
        "party_name": party.name, "party_kind": party.get_kind_display(), "party_identifier": party.identifier,
        "party_address": party.address, "party_phone": party.phone, "legal_representative": party.legal_representative,
        "vehicle": str(measure.vehicle) if measure.vehicle_id else "", "case_number": measure.case.number,
        "measure_kind": "查封" if measure.kind == "seal" else "扣押", "measure_number": measure.number,
        "reason": measure.reason, "legal_basis": measure.legal_basis, "items": items, "issued_on": timezone.localdate(),
        "officers": "、".join(f"{o.name}（{o.cert_number}）" for o in measure.officers.all()),
        "original_decision": measure.decision_number or measure.number,
    }
    if kind == "coercion_decision":
        # Delivered on the spot with the list (Art. 24), so the remedy periods run from the decision day.
        base.update(decided_on=measure.starts_on, delivered_on=measure.starts_on, period=_period_text(measure), place=measure.place,
                    custody_place=measure.custody_place, custodian=measure.custodian, witness=measure.witness,
                    emergency=measure.emergency)
    elif kind == "coercion_extension":
        due = measure.due_on()
        base.update(decided_on=measure.extended_on, extension_days=measure.extended_days, extension_reason=measure.extension_reason,
                    period_to=due, taken_on=measure.starts_on)
    elif kind == "coercion_release":
        base.update(decided_on=measure.released_on, released_on=measure.released_on, release_reason=measure.get_release_reason_display(),
                    release_note=measure.release_note, returned_to=measure.returned_to, taken_on=measure.starts_on)
    return base
