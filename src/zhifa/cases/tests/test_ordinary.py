"""The ordinary procedure end to end and the rules of 行政处罚法 it enforces (scenario tests named after the
article). Every refused move leaves the case and the full-process record unchanged."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case, ClockSuspension, Extension, StatusChange
from zhifa.cases.workflow import Status
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event, Officer

from .factories import PENALTY, decided, lead, notified, opened, person, reviewed

pytestmark = pytest.mark.django_db


def _unchanged(case, events_before):
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == case.status
    assert Event.objects.count() == events_before


def test_full_ordinary_case_lead_to_archive(world):
    case = decided(world)
    assert case.status == Status.DECIDED and case.decision_number.startswith("豫R召交罚〔")
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    assert case.status == Status.EXECUTION
    case = services.case_on_paid(case=case, paid_on=timezone.localdate())
    assert case.status == Status.EXECUTED and case.paid_on
    case = services.case_close(actor=world.users["head"], case=case, report="罚款已缴清，案件办结。")
    case = services.case_archive(actor=world.users["officer"], case=case)
    assert case.status == Status.ARCHIVED
    actions = list(StatusChange.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["register", "provisions", "open", "report", "internal_review", "notify", "waive", "decide", "deliver", "paid", "close", "archive"]
    assert Event.objects.filter(subject_type="cases.case", subject_id=str(case.pk), action="case.decide").count() == 1


def test_case_on_paid_is_idempotent(world):
    case = decided(world)
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    services.case_on_paid(case=case, paid_on=timezone.localdate())
    n = Event.objects.count()
    again = services.case_on_paid(case=Case.objects.get(pk=case.pk), paid_on=timezone.localdate())
    assert again.status == Status.EXECUTED and Event.objects.count() == n


def test_forbidden_transition_refused_and_nothing_changes(world):
    case = lead(world)
    n = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("100"), legal_basis=PENALTY, reasoning="y")
    _unchanged(case, n)


def test_opening_needs_head_role(world):
    case = lead(world)
    n = Event.objects.count()
    with pytest.raises(NotPermitted):
        services.case_open(actor=world.users["officer"], case=case, officers=[world.officers["officer"], world.officers["officer2"]])
    _unchanged(case, n)


def test_out_of_jurisdiction_refused(world):
    case = lead(world)
    with pytest.raises(NotPermitted):
        services.case_report(actor=world.users["officer_b"], case=case, report_text="x", proposed_outcome="penalty")


def test_art42_two_officers_required(world):
    case = lead(world)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"]])
    assert exc.value.code == "too_few_officers" and "第四十二条" in exc.value.message
    _unchanged(case, n)


def test_art42_expired_or_suspended_certificate_cannot_act(world):
    case = lead(world)
    with pytest.raises(DomainError) as exc:
        services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["expired"]])
    assert exc.value.code == "officer_not_certified"
    case = opened(world)
    Officer.objects.filter(pk=world.officers["officer2"].pk).update(cert_status=Officer.CertStatus.SUSPENDED)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_report(actor=world.users["officer"], case=case, report_text="x", proposed_outcome="penalty", proposed_amount=Decimal("1"))
    assert exc.value.code == "officer_not_certified"
    _unchanged(case, n)


def test_art36_limitation_two_years_needs_recorded_override(world):
    case = lead(world, days_ago=2 * 365 + 5)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["officer2"]])
    assert exc.value.code == "limitation_expired" and "第三十六条" in exc.value.message
    _unchanged(case, n)
    case = services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["officer2"]],
                              limitation_override="违法行为处于连续状态，自行为终了之日起计算未超期")
    assert case.limitation_override
    assert "超过追责期限" in Event.objects.filter(action="case.open").last().summary


def test_art36_five_years_with_life_health_harm(world):
    case = lead(world, days_ago=3 * 365, life_health_harm=True)
    case = services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["officer2"]])
    assert case.status == Status.OPENED and not case.limitation_override


def test_art58_reviewer_differs_from_handlers(world):
    case = opened(world)
    case.officers.add(world.officers["reviewer"])
    case = services.case_set_review(actor=world.users["head"], case=case, legal_review_required=True, discussion_required=False)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome="penalty", proposed_amount=Decimal("500"))
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    assert case.status == Status.LEGAL_REVIEW
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="同意")
    assert exc.value.code == "reviewer_is_handler"
    _unchanged(case, n)


def test_art58_first_time_reviewer_needs_legal_qualification(world):
    case = reviewed(world)  # no review required: to test the reviewer, go through a required one
    Officer.objects.filter(pk=world.officers["reviewer"].pk).update(legal_qualification=False)
    case = opened(world)
    case = services.case_set_review(actor=world.users["head"], case=case, legal_review_required=True, discussion_required=False)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome="penalty", proposed_amount=Decimal("500"))
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    with pytest.raises(DomainError) as exc:
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="同意")
    assert exc.value.code == "reviewer_not_qualified"


def test_art58_legal_review_opinions_return_and_modify(world):
    case = reviewed(world)
    assert case.status == Status.REVIEWED  # not required: straight to 审查完毕
    case = opened(world)
    case = services.case_set_review(actor=world.users["head"], case=case, legal_review_required=True, discussion_required=False)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome="penalty", proposed_amount=Decimal("500"))
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="return", text="证据不足，补充询问笔录")
    case.refresh_from_db()
    assert case.status == Status.OPENED
    case = services.case_report(actor=world.users["officer"], case=case, report_text="补充后报告", proposed_outcome="penalty", proposed_amount=Decimal("500"))
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="modify", text="金额过高", modified_amount=Decimal("300"))
    case.refresh_from_db()
    assert case.status == Status.REVIEWED and case.proposed_amount == Decimal("300")


def test_art58_no_decision_without_required_legal_review(world):
    case = notified(world)
    Case.objects.filter(pk=case.pk).update(legal_review_required=True, review_set_by_head=True)
    case.refresh_from_db()
    case = services.case_waive(actor=world.users["officer"], case=case)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "legal_review_missing"
    _unchanged(case, n)


def test_art57_collective_discussion_before_notice(world):
    case = opened(world)
    case = services.case_set_review(actor=world.users["head"], case=case, legal_review_required=False, discussion_required=True)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome="penalty", proposed_amount=Decimal("500"))
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    with pytest.raises(DomainError) as exc:
        services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("500"))
    assert exc.value.code == "discussion_required"
    case = services.case_discuss(actor=world.users["head"], case=case, minutes="经集体讨论，同意处罚500元。")
    case = services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("500"))
    assert case.status == Status.NOTIFIED


def test_art45_no_decision_while_defence_window_open(world):
    case = notified(world)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "defence_window_open"
    _unchanged(case, n)


def test_art45_decision_after_window_closed(world):
    case = notified(world)
    with time_machine.travel(timezone.now() + timedelta(days=14)):
        case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"),
                                    legal_basis=PENALTY, reasoning="理由")
    assert case.status == Status.DECIDED


def test_art45_penalty_after_defence_not_higher_than_notified(world):
    case = notified(world, amount=Decimal("2000"))
    case = services.case_statement(actor=world.users["officer"], case=case, statement="车辆临时借用，请求从轻。")
    case = services.case_waive(actor=world.users["officer"], case=case)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2500"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "penalty_increased" and "第四十五条" in exc.value.message
    _unchanged(case, n)
    case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("1500"), legal_basis=PENALTY, reasoning="采纳申辩意见，从轻")
    assert case.fine_amount == Decimal("1500.00")


def test_art29_same_violation_not_fined_twice(world):
    party = person(world)
    first = decided(world, party=party, code="X1")
    assert first.status == Status.DECIDED
    second = notified(world, party=party, code="X1")
    Case.objects.filter(pk=second.pk).update(occurred_at=first.occurred_at)
    second.refresh_from_db()
    second = services.case_waive(actor=world.users["officer"], case=second)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=second, penalty_kind="fine", amount=Decimal("2000"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "fined_twice" and first.number in exc.value.message
    _unchanged(second, n)


def test_art30_minor_under_14_no_penalty_only(world):
    import random

    from zhifa.core.demo import make_id_number

    born = timezone.localdate() - timedelta(days=13 * 365)
    minor = person(world, id_number=make_id_number(random.Random(1), "411321", born))
    case = notified(world, party=minor)
    case = services.case_waive(actor=world.users["officer"], case=case)
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "minor_no_penalty"
    case = services.case_no_penalty(actor=world.users["head"], case=case, reason=Case.NoPenaltyReason.MINOR,
                                    reasoning="当事人不满十四周岁，责令其监护人加以管教，已进行批评教育。")
    assert case.outcome == Case.Outcome.NO_PENALTY and case.status == Status.DECIDED
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    assert case.status == Status.EXECUTED  # nothing to execute


def test_art30_minor_14_to_18_must_be_lenient(world):
    import random

    from zhifa.core.demo import make_id_number

    born = timezone.localdate() - timedelta(days=16 * 365)
    minor = person(world, id_number=make_id_number(random.Random(2), "411321", born))
    case = notified(world, party=minor)
    case = services.case_waive(actor=world.users["officer"], case=case)
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "minor_lenient"
    case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("800"), legal_basis=PENALTY,
                                reasoning="未成年，减轻处罚", lenient=True)
    assert case.lenient


def test_art33_no_fault_leads_to_no_penalty(world):
    case = notified(world)
    case = services.case_statement(actor=world.users["officer"], case=case, statement="车辆被盗用，有报案回执为证", no_fault=True,
                                   adopted="经核实，报案回执真实，采纳。")
    case = services.case_waive(actor=world.users["officer"], case=case)
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"), legal_basis=PENALTY, reasoning="y")
    assert exc.value.code == "no_fault"
    case = services.case_no_penalty(actor=world.users["head"], case=case, reason=Case.NoPenaltyReason.NO_FAULT, reasoning="无主观过错，已教育。")
    assert case.outcome == Case.Outcome.NO_PENALTY


def test_art64_hearing_request_within_five_working_days(world):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 9, 29, 10, 0))):
        case = notified(world, amount=Decimal("20000"), hearing_right=True, legal_review=True)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:  # 5 working days after 2026-09-29 is 2026-10-12 (National Day)
        services.case_hearing_request(actor=world.users["officer"], case=case, requested_on=date(2026, 10, 13))
    assert exc.value.code == "hearing_request_late"
    _unchanged(case, n)
    case = services.case_hearing_request(actor=world.users["officer"], case=case, requested_on=date(2026, 10, 12))
    assert case.status == Status.HEARING
    assert ClockSuspension.objects.get(case=case).reason == "hearing"


def test_art64_hearing_notice_seven_working_days_ahead_and_decision_after_hearing(world):
    case = notified(world, amount=Decimal("20000"), hearing_right=True, legal_review=True)
    case = services.case_hearing_request(actor=world.users["officer"], case=case)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 9, 30, 10, 0))):
        with pytest.raises(DomainError) as exc:
            services.case_hearing_schedule(actor=world.users["officer"], case=case, hearing_on=date(2026, 10, 14), notice_on=date(2026, 9, 30))
        assert exc.value.code == "hearing_notice_short"
    case = services.case_hearing_schedule(actor=world.users["officer"], case=case, hearing_on=timezone.localdate() + timedelta(days=20))
    with pytest.raises(TransitionNotAllowed):  # no decision while the hearing is pending
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("20000"), legal_basis=PENALTY, reasoning="y")
    with time_machine.travel(timezone.now() + timedelta(days=21)):
        case = services.case_hearing_hold(actor=world.users["officer"], case=case, record="当事人到场陈述，承认违法事实。")
        assert case.status == Status.HEARD
        # Art. 58: after a hearing on major rights, legal review again before the decision.
        with pytest.raises(DomainError) as exc:
            services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("18000"), legal_basis=PENALTY, reasoning="y")
        assert exc.value.code == "legal_review_missing"
        case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="听证后送法制审核")
        assert case.status == Status.LEGAL_REVIEW
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="听证程序合法")
        case.refresh_from_db()
        assert case.status == Status.HEARD
        case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("18000"), legal_basis=PENALTY, reasoning="y")
    assert case.status == Status.DECIDED
    assert ClockSuspension.objects.get(case=case).ended_on is not None


def test_art63_no_hearing_without_right(world):
    case = notified(world, amount=Decimal("2000"), hearing_right=False)
    with pytest.raises(DomainError) as exc:
        services.case_hearing_request(actor=world.users["officer"], case=case)
    assert exc.value.code == "no_hearing_right"


def test_art61_electronic_delivery_needs_signed_consent(world):
    case = decided(world)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.ELECTRONIC)
    assert exc.value.code == "consent_required"
    _unchanged(case, n)
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.ELECTRONIC,
                                 consent="当事人签署《送达地址确认书》同意以短信方式电子送达", address="13800000000")
    assert case.status == Status.EXECUTION


def test_delivered_decision_is_immutable_revocation_is_own_act(world):
    case = decided(world)
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    with pytest.raises(TransitionNotAllowed):
        services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("100"), legal_basis=PENALTY, reasoning="y")
    correction = services.case_correct(actor=world.users["head"], case=case, field_label="当事人住址", old_text="城关镇1号",
                                       new_text="城关镇11号", reason="笔误")
    case.refresh_from_db()
    assert correction.pk and case.fine_amount == Decimal("2000.00")
    case = services.case_revoke(actor=world.users["head"], case=case, reason="复议决定撤销")
    assert case.status == Status.REVOKED and case.revoked_on and case.decision_number and case.fine_amount == Decimal("2000.00")
    # Nothing is left to pay on a revoked decision: the open payment notice is cancelled with it, and recorded.
    from zhifa.payments.models import PaymentNotice

    notice = PaymentNotice.objects.get(case=case)
    assert notice.status == PaymentNotice.Status.CANCELLED
    assert Event.objects.filter(action="payment.notice_cancel", subject_id=str(notice.pk)).exists()


def test_art60_extension_head_once_then_collective_discussion(world):
    case = opened(world)
    with pytest.raises(DomainError):
        services.case_extend(actor=world.users["head"], case=case, days=45, reason="案情复杂", basis=Extension.Basis.HEAD)
    services.case_extend(actor=world.users["head"], case=case, days=30, reason="案情复杂", basis=Extension.Basis.HEAD)
    with pytest.raises(DomainError) as exc:
        services.case_extend(actor=world.users["head"], case=case, days=30, reason="仍需鉴定", basis=Extension.Basis.HEAD)
    assert exc.value.code == "extension_needs_discussion"
    with pytest.raises(DomainError) as exc:
        services.case_extend(actor=world.users["head"], case=case, days=30, reason="仍需鉴定", basis=Extension.Basis.DISCUSSION)
    assert exc.value.code == "discussion_required"
    services.case_discuss(actor=world.users["head"], case=case, minutes="集体讨论同意再延长30日")
    services.case_extend(actor=world.users["head"], case=case, days=30, reason="仍需鉴定", basis=Extension.Basis.DISCUSSION)
    assert case.extensions.count() == 2


def test_withdraw_decline_transfer(world):
    case = lead(world)
    case = services.case_decline(actor=world.users["head"], case=case, reason="不属于本机关管辖")
    assert case.status == Status.NOT_OPENED
    case = opened(world)
    case = services.case_withdraw(actor=world.users["head"], case=case, reason="违法事实不能成立")
    assert case.status == Status.WITHDRAWN
    case = opened(world)
    case = services.case_transfer(actor=world.users["head"], case=case, to="南召县公安局", reason="涉嫌犯罪")
    assert case.status == Status.TRANSFERRED
    assert services.case_archive(actor=world.users["head"], case=case).status == Status.ARCHIVED


def test_lead_register_idempotent_on_origin(world):
    party = person(world)
    first = lead(world, party=party, origin=("overload.wimrecord", "42"))
    n = Case.objects.count()
    again = lead(world, party=party, origin=("overload.wimrecord", "42"))
    assert again.pk == first.pk and Case.objects.count() == n


def test_lead_register_by_system_actor(world):
    case = services.lead_register(actor=None, organisation=world.brigade_a, source=Case.Source.OTHER, party=person(world),
                                  occurred_at=timezone.now() - timedelta(hours=2), place="S231皇后检测点", facts="超限运输（非现场检测）",
                                  origin=("overload.record", "7"), officers=[world.officers["officer"], world.officers["officer2"]])
    assert case.status == Status.LEAD and case.registered_by is None and case.officers.count() == 2


def test_documents_issued_after_commit_and_decision_number_linked(world, django_capture_on_commit_callbacks, settings, tmp_path):
    # ``world`` is the named world in the case tests (conftest); asking for named_world as well recursed.
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = notified(world)
    case = services.case_waive(actor=world.users["officer"], case=case)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"),
                                    legal_basis=PENALTY, reasoning="事实清楚，证据确凿。")
    doc = case.documents.get(kind="penalty_decision")
    case.refresh_from_db()
    assert doc.number and case.decision_number == doc.number and "罚〔" in doc.number


def test_art34_discretion_proposal_deviation_needs_reason_and_goes_to_legal_review(world, shipped_catalogue):
    case = opened(world, code="CX-003")  # the shipped benchmark proposes 15000 yuan
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome="penalty", proposed_amount=Decimal("12000"))
    assert exc.value.code == "deviation_reason_required" and "15000" in exc.value.message
    _unchanged(case, n)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome="penalty",
                                proposed_amount=Decimal("12000"), deviation_reason="当事人主动消除违法状态，配合调查")
    assert case.legal_review_required and case.deviation_reason
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    assert case.status == Status.LEGAL_REVIEW


def test_assessment_fixed_on_case_at_decision(world, shipped_catalogue):
    case = reviewed(world, code="CX-003", amount=Decimal("15000"), legal_review=True)
    case = services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("15000"), hearing_right=False)
    case = services.case_waive(actor=world.users["officer"], case=case)
    case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("15000"), legal_basis=PENALTY, reasoning="y")
    assert case.assessment["amount"] == "15000.00" and case.assessment["benchmark_version"] and case.assessment["reasoning"]
