"""State changes of enforcement cases. Each service checks role and jurisdiction, looks its action up in
``workflow`` (the case's table for the workflow kernel, ``zhifa.core.workflow``), enforces the rules of 行政处罚法
that apply to it, updates the case with a condition on its old status (exactly one row), appends a
``StatusChange`` and writes the full-process record, all in one transaction. A refusal raises ``DomainError`` and
changes nothing.

The package is split by responsibility: ``common`` (helpers), ``checks`` (conditions several steps read),
``procedure`` (lead to legal review), ``notice`` (notice, defence, hearing), ``decision`` (ordinary and simplified
decisions), ``execution`` (delivery to archiving, other ends) and ``clocks`` (the decision limit). Every name is
re-exported here (``__all__``): callers use ``from zhifa.cases.services import X`` or ``services.X``.

Interfaces used by other apps (documented in docs/cases.md): ``lead_register``, ``case_open``, ``case_notify``,
``case_waive``, ``case_statement``, ``case_decide``, ``case_deliver``, ``case_on_paid``.
"""

from .checks import (
    _assert_discovery,
    _passed_reviews,
    assessment_proposal,
    default_hearing_right,
    discovery_date,
    limitation_end,
    limitation_expired,
    review_requirement,
    window_deadline,
)
from .clocks import case_extend, case_resume, case_suspend
from .common import (
    DECISION_DOCUMENTS,
    TRANSCRIPT_DOCUMENTS,
    _age_on_violation,
    _assert_act_date,
    _check,
    _create_case,
    _decision_number,
    _evidence_kind,
    _handling_officers,
    _issue_document,
    _label,
    _move,
    _new_number,
    _provisions,
    _reviewers_for,
    _tell_officers,
    _tell_party,
    _today,
    _violation_item,
    case_document_retry,
)
from .decision import (
    _NOISE,
    _assert_decidable,
    _assert_may_penalise,
    _assert_not_fined_twice,
    _assessment_snapshot,
    _plain,
    _record_not_same_act,
    _same_facts,
    _same_place,
    _validate_penalty,
    case_decide,
    case_no_penalty,
    case_simplified,
    likely_same_acts,
)
from .execution import (
    case_archive,
    case_close,
    case_correct,
    case_deliver,
    case_on_paid,
    case_revoke,
    case_transfer,
    case_withdraw,
)
from .notice import (
    _assert_reviewed_before_notice,
    case_hearing_hold,
    case_hearing_request,
    case_hearing_schedule,
    case_notify,
    case_statement,
    case_waive,
)
from .procedure import (
    ORIGIN_OBJECTS,
    _origin_case,
    case_decline,
    case_discovery_record,
    case_discuss,
    case_internal_review,
    case_legal_review,
    case_open,
    case_report,
    case_set_provisions,
    case_set_review,
    evidence_add,
    lead_register,
    transcript_create,
)

__all__ = [
    "case_document_retry", "_today", "_label", "_check", "_move", "_handling_officers", "_issue_document", "TRANSCRIPT_DOCUMENTS",
    "DECISION_DOCUMENTS", "_violation_item", "_new_number", "_create_case", "_decision_number",
    "_provisions", "_evidence_kind", "_age_on_violation", "_assert_act_date", "_tell_officers",
    "_tell_party", "_reviewers_for", "_assert_discovery", "discovery_date", "limitation_end",
    "limitation_expired", "review_requirement", "assessment_proposal", "_passed_reviews",
    "default_hearing_right", "window_deadline", "ORIGIN_OBJECTS", "_origin_case", "lead_register",
    "case_set_provisions", "case_discovery_record", "case_open", "case_decline", "case_set_review",
    "transcript_create", "evidence_add", "case_report", "case_internal_review", "case_legal_review",
    "case_discuss", "case_notify", "_assert_reviewed_before_notice", "case_statement", "case_waive",
    "case_hearing_request", "case_hearing_schedule", "case_hearing_hold", "_assert_decidable",
    "_assert_may_penalise", "_NOISE", "_plain", "_same_place", "_same_facts", "likely_same_acts",
    "_assert_not_fined_twice", "_record_not_same_act", "_assessment_snapshot", "case_decide",
    "case_no_penalty", "_validate_penalty", "case_simplified", "case_deliver", "case_on_paid", "case_close",
    "case_archive", "case_withdraw", "case_transfer", "case_revoke", "case_correct", "case_extend",
    "case_suspend", "case_resume",
]
