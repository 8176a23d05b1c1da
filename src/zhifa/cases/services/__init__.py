"""State changes of enforcement cases. Each service checks role and jurisdiction, looks its action up in
``workflow`` (the case's table for the workflow kernel, ``zhifa.core.workflow``), enforces the rules of 行政处罚法
that apply to it, updates the case with a condition on its old status (exactly one row), appends a
``StatusChange`` and writes the full-process record, all in one transaction. A refusal raises ``DomainError`` and
changes nothing.

The package is split by responsibility: ``common`` (the helpers every step uses), ``checks`` (conditions
several steps read), ``procedure`` (lead to legal review), ``notice`` (notice, defence, hearing), ``decision``
(ordinary and simplified decisions), ``execution`` (delivery to archiving, other ends) and ``clocks`` (the decision
limit). Every service is re-exported here (``__all__``): callers use ``from zhifa.cases.services import X`` or
``services.X``. The helpers the app's other modules share (``check``, ``move``, ``issue_document`` …) are imported
from ``common``.

Interfaces used by other apps (documented in docs/cases.md): ``lead_register``, ``case_open``, ``case_notify``,
``case_waive``, ``case_statement``, ``case_decide``, ``case_deliver``, ``case_on_paid``.
"""

from .checks import (
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
    case_document_retry,
)
from .decision import (
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
    case_hearing_hold,
    case_hearing_request,
    case_hearing_schedule,
    case_notify,
    case_statement,
    case_waive,
)
from .procedure import (
    ORIGIN_OBJECTS,
    case_decline,
    case_discovery_record,
    case_discuss,
    case_internal_review,
    case_legal_review,
    case_open,
    case_range_check,
    case_report,
    case_set_provisions,
    case_set_review,
    evidence_add,
    lead_register,
    transcript_create,
)

__all__ = [
    "case_document_retry", "TRANSCRIPT_DOCUMENTS", "DECISION_DOCUMENTS", "discovery_date", "limitation_end",
    "limitation_expired", "review_requirement", "assessment_proposal", "default_hearing_right",
    "window_deadline", "ORIGIN_OBJECTS", "lead_register", "case_set_provisions", "case_discovery_record",
    "case_open", "case_decline", "case_set_review", "transcript_create", "evidence_add", "case_report",
    "case_internal_review", "case_legal_review", "case_range_check", "case_discuss", "case_notify", "case_statement",
    "case_waive", "case_hearing_request", "case_hearing_schedule", "case_hearing_hold", "likely_same_acts",
    "case_decide", "case_no_penalty", "case_simplified", "case_deliver", "case_on_paid", "case_close",
    "case_archive", "case_withdraw", "case_transfer", "case_revoke", "case_correct", "case_extend",
    "case_suspend", "case_resume",
]
