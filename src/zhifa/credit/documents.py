"""The fields of the two listing forms (documents app ``KINDS``): the prior notice (严重失信主体名单认定告知书) and
the decision (列入严重失信主体名单决定书), with the contents 国办发〔2020〕49号 (八) requires — facts, reasons,
basis, the disciplinary measures, the exit conditions and procedure, and the remedies."""

from .models import DishonestyEntry


def document_context(entry: DishonestyEntry, kind: str) -> dict:
    party, category = entry.party, entry.category
    base = {
        "party_name": party.name, "party_kind": party.kind, "party_identifier": party.identifier,
        "party_address": party.address, "party_phone": party.phone, "legal_representative": party.legal_representative,
        "category": category.name, "criteria": category.criteria, "legal_basis": entry.basis or category.basis,
        "facts": entry.facts or entry.reason, "reason": entry.reason, "measures": entry.joint_punishment or category.joint_punishment,
        "term_months": category.term_months, "repair_after_months": category.repair_after_months,
    }
    if kind == "dishonesty_notice":
        base.update(notified_on=entry.notified_on, issued_on=entry.notified_on, statement_days=category.statement_working_days,
                    statement_due=entry.statement_due_on, statement_due_confirmed=entry.statement_due_confirmed)
    elif kind == "dishonesty_decision":
        base.update(notified_on=entry.notified_on, notice_number=entry.notice_number, statement=entry.statement,
                    statement_on=entry.statement_on,
                    review_note=entry.review_note, decided_on=entry.decided_on, listed_on=entry.listed_on,
                    expires_on=entry.expires_on, repair_from=entry.repair_from)
    return base
