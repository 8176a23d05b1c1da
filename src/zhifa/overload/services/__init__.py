"""State changes of off-site overload enforcement: stations and devices (``devices``), violations
into cases (``cases``: Art. 55 of MOT Order 2016 No. 62, against the vehicle owner, on the device's
records), the review queue (``review``), remote handling (不见面执法, ``remote``), 一超四罚
(``four_penalty``) and the four-level exchange import (``exchange_records``). Every change is written
to the full-process record.

Callers use ``zhifa.overload.services.<name>`` as before: every public name is re-exported here (the
underscore helpers stay private to their submodule). A test that replaces a function another service
calls patches the submodule where it is looked up (``services.cases.violation_open_case``)."""

from __future__ import annotations

from .cases import (
    NOTICE_ALPHABET,
    OVERLOAD_ITEM,
    assess_violation,
    evidence_package,
    leniency_for,
    violation_open_case,
    violations_open_cases,
)
from .devices import (
    DEVICE_FIELDS,
    device_create,
    device_update,
    station_create,
)
from .exchange_records import exchange_import
from .four_penalty import (
    company_share_over,
    four_penalty_counts,
    four_penalty_scan,
    four_policy,
    may_scan_four_penalty,
    trigger_notice_send,
)
from .remote import (
    remote_act,
    remote_act_apply,
    remote_consent_text,
    remote_find,
)
from .review import (
    EDITORS,
    violation_assign,
    violation_dismiss,
    violation_match,
)

__all__ = [
    "_exchange_links",
    "assess_violation", "company_share_over", "device_create", "DEVICE_FIELDS", "device_update", "EDITORS",
    "evidence_package", "exchange_import", "four_penalty_counts", "four_penalty_scan", "four_policy",
    "leniency_for", "may_scan_four_penalty", "NOTICE_ALPHABET", "OVERLOAD_ITEM", "remote_act",
    "remote_act_apply", "remote_consent_text", "remote_find", "station_create", "trigger_notice_send",
    "violation_assign", "violation_dismiss", "violation_match", "violation_open_case",
    "violations_open_cases",
]
