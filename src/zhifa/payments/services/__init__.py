"""罚缴分离: issuing payment notices, receiving the payment system's signed notifications, instalment/deferral
plans, overdue flags, reminders (催告书) and enforcement applications. Each write checks role and jurisdiction
and records itself in the full-process record in the same transaction.

Split by responsibility: ``notices`` (the code, issuing and
cancelling, what is due, the paid listeners), ``callbacks`` (the payment system's and the finance system's
signed notifications) and ``collection`` (plans, overdue, 催告书, enforcement, the simulated payment).
Every service and constant is re-exported here, so ``from zhifa.payments.services import X`` keeps
working; the helpers the submodules share (``money``, ``refresh_notice``, ``new_payment_code`` …) are public
names of ``notices``, imported from there."""

from .callbacks import (
    FEISHUI_MERCHANT,
    collection_account,
    feishui_notification,
    payment_callback,
    sign,
)
from .collection import (
    DUE_SOON_DAYS,
    enforcement_ready_on,
    payment_enforcement_apply,
    payment_plan_apply,
    payment_plan_decide,
    payment_reminder_issue,
    payments_flag_overdue,
    simulated_payment,
)
from .notices import (
    CENT,
    PAYMENT_DAYS,
    AmountDue,
    amount_due,
    notice_state,
    on_notice_paid,
    payment_code_prepare,
    payment_code_valid,
    payment_codes_in_act,
    payment_fields,
    payment_notice_cancel,
    payment_notice_issue,
    schedule_of,
)

__all__ = [
    "AmountDue",
    "CENT",
    "PAYMENT_DAYS",
    "amount_due",
    "notice_state",
    "on_notice_paid",
    "payment_code_prepare",
    "payment_code_valid",
    "payment_codes_in_act",
    "payment_fields",
    "payment_notice_cancel",
    "payment_notice_issue",
    "schedule_of",
    "FEISHUI_MERCHANT",
    "collection_account",
    "feishui_notification",
    "payment_callback",
    "sign",
    "DUE_SOON_DAYS",
    "enforcement_ready_on",
    "payment_enforcement_apply",
    "payment_plan_apply",
    "payment_plan_decide",
    "payment_reminder_issue",
    "payments_flag_overdue",
    "simulated_payment",
]
