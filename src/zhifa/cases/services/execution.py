"""After the decision: delivery (送达, Art. 61) with the payment notice (罚缴分离, Art. 67), payment, closure and
archiving, and the ends of a case other than execution (withdrawal, transfer, revocation, correction)."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from zhifa.core.errors import DomainError

from ..models import Case, Correction
from ..workflow import Status
from .common import check, issue_document, move, tell_party, today


def case_deliver(*, actor, case: Case, method: str, delivered_on: date | None = None, consent: str = "", address: str = "") -> Case:
    """送达 the decision (行政处罚法 Art. 61); electronic delivery only with the party's signed consent."""
    check("deliver", case, actor)
    delivered_on = delivered_on or today()
    if method not in Case.DeliveryMethod.values:
        raise DomainError("invalid_method", "送达方式不正确。")
    if method == Case.DeliveryMethod.ELECTRONIC and not consent.strip():
        raise DomainError("consent_required", "电子送达须经当事人签署确认书同意（行政处罚法第六十一条）。")
    if delivered_on < case.decided_on or delivered_on > today():
        raise DomainError("invalid_date", "送达日期应在决定日期之后且不晚于今天。")
    # 罚缴分离 (Art. 67): the money lines (罚款, 没收违法所得) are paid through a payment notice; a decision without
    # money (警告, 吊销 …) is executed on delivery.
    payable = case.payable_amount if case.payable_amount is not None else (
        case.fine_amount if case.penalty_kind == Case.PenaltyKind.FINE else None)
    is_fine = bool(payable)
    target = Status.EXECUTION if is_fine else Status.EXECUTED
    fields = {"delivery_method": method, "delivered_on": delivered_on, "delivery_consent": consent.strip(), "delivery_address": address.strip()}
    if not is_fine:
        fields["executed_on"] = delivered_on
    if is_fine:
        from zhifa.payments.services import payment_code_prepare

        # A finance system's 缴款码 is asked for before the transaction (no HTTP call inside it).
        payment_code_prepare(case=case, amount=payable, delivered_on=delivered_on)
    with transaction.atomic():
        case = move(case, "deliver", actor, target=target, fields=fields, summary=f"{Case.DeliveryMethod(method).label}决定书（{delivered_on}）")
        issue_document(actor=actor, case=case, kind="delivery_receipt")
        if is_fine:
            from zhifa.payments.services import payment_notice_issue as issue_notice

            # Art. 72 ¶1 (一): the surcharge runs on the fine, not on the confiscated income paid with it.
            issue_notice(actor=actor, case=case, amount=payable, delivered_on=delivered_on,
                         surcharge_base=(case.fine_amount or Decimal("0")) if case.fine_amount != payable else None)
            issue_document(actor=actor, case=case, kind="payment_notice")  # the code and QR on paper (Art. 67)
        what = "罚款和没收的违法所得" if payable != case.fine_amount else "罚款"
        pay = f"请在收到决定书之日起十五日内缴纳{what}{payable}元（行政处罚法第六十七条）。" if is_fine else ""
        tell_party(case, kind="decision_delivered", event=f"case:{case.pk}:delivered", title="行政处罚决定书已送达",
                    body=f"{case.organisation.name}的行政处罚决定书{case.decision_number}已于{delivered_on:%Y年%m月%d日}送达。{pay}")
    return case


def case_on_paid(*, case: Case, paid_on: date, actor=None) -> Case:
    """The fine is fully paid (called by the payments app): execution → executed. Calling it again for a case
    already executed returns the case unchanged (payment callbacks may repeat)."""
    if case.status == Status.EXECUTED and case.paid_on:
        return case
    check("paid", case, actor)
    return move(case, "paid", actor, fields={"paid_on": paid_on, "executed_on": paid_on}, summary=f"罚款{case.fine_amount}元已于{paid_on}缴清")


def case_close(*, actor, case: Case, report: str) -> Case:
    """结案 with the closing report (结案报告)."""
    check("close", case, actor)
    if not report.strip():
        raise DomainError("report_required", "请填写结案报告。")
    with transaction.atomic():
        case = move(case, "close", actor, fields={"closed_on": today(), "closing_report": report.strip()}, summary="结案")
        issue_document(actor=actor, case=case, kind="closing_report")
    return case


def case_archive(*, actor, case: Case) -> Case:
    check("archive", case, actor)
    return move(case, "archive", actor, fields={"archived_on": today()}, summary="案卷归档")


def case_withdraw(*, actor, case: Case, reason: str) -> Case:
    """撤销立案 (e.g. facts not established, not within competence)."""
    check("withdraw", case, actor)
    if not reason.strip():
        raise DomainError("reason_required", "请填写撤销立案的理由。")
    return move(case, "withdraw", actor, fields={"ended_reason": reason.strip()}, summary=f"撤销立案：{reason.strip()[:200]}")


def case_transfer(*, actor, case: Case, to: str, reason: str) -> Case:
    """移送 to the competent authority (or to the judicial organs)."""
    check("transfer", case, actor)
    if not to.strip() or not reason.strip():
        raise DomainError("reason_required", "请填写移送机关和理由。")
    return move(case, "transfer", actor, fields={"transferred_to": to.strip(), "ended_reason": reason.strip()}, summary=f"移送{to.strip()}：{reason.strip()[:200]}")


def case_revoke(*, actor, case: Case, reason: str) -> Case:
    """Revocation of a decision is its own recorded act; the decision fields stay as they were."""
    check("revoke", case, actor)
    if not reason.strip():
        raise DomainError("reason_required", "请填写撤销处罚决定的理由。")
    with transaction.atomic():
        case = move(case, "revoke", actor, fields={"revoked_on": today(), "revocation_reason": reason.strip()}, summary=f"撤销处罚决定 {case.decision_number}：{reason.strip()[:200]}")
        # A revoked decision leaves nothing to pay: its open payment notice is cancelled in the same transaction.
        from zhifa.payments.services import payment_notice_cancel

        payment_notice_cancel(actor=actor, case=case, reason=f"处罚决定已撤销：{reason.strip()}")
    return case


def case_correct(*, actor, case: Case, field_label: str, old_text: str, new_text: str, reason: str) -> Correction:
    """补正 a clerical error of a delivered decision; the decision itself is never edited."""
    check("correct", case, actor)
    if not (field_label.strip() and new_text.strip() and reason.strip()):
        raise DomainError("invalid_correction", "请填写更正事项、更正内容和理由。")
    with transaction.atomic():
        case = move(case, "correct", actor, target=case.status, summary=f"补正决定书{field_label}：{old_text[:60]} → {new_text[:60]}（{reason[:100]}）")
        correction = Correction.objects.create(case=case, field_label=field_label.strip(), old_text=old_text, new_text=new_text.strip(),
                                               reason=reason.strip(), corrected_by=actor, corrected_on=today())
        from zhifa.integrations.triggers import case_corrected

        case_corrected(case, correction)  # the supervision platform's record changes: a message of its own
        return correction
