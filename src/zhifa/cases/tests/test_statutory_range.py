"""行政处罚法 Art. 4 (处罚法定) and Art. 32: a fine lies within the range of the penalty provision the case
cites, whether the case uses a catalogue item or states its provisions by hand (the demo once decided 30,000
yuan under 《道路运输条例》第六十八条第（一）项, range 1,000–3,000 yuan). Each refusal changes nothing."""

from decimal import Decimal

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, StatusChange
from zhifa.core.errors import DomainError
from zhifa.discretion.ranges import statutory_range

from .factories import lead

pytestmark = pytest.mark.django_db

ART68_1 = "《中华人民共和国道路运输条例》（2023年修订）第六十八条第（一）项"
ART68_VIOLATED = "《中华人民共和国道路运输条例》（2023年修订）第六十八条所列行为"


def _reported(world, *, art68: bool = True):
    """A case reported without legal review; ``art68``: its provisions are Art. 68 (1) stated by hand,
    else the factory's 公路法 Art. 76 (up to 30,000 yuan)."""
    officer, head = world.users["officer"], world.users["head"]
    case = lead(world, provisions=not art68)
    if art68:
        case = services.case_set_provisions(actor=officer, case=case, violated_provision=ART68_VIOLATED,
                                            penalty_provision=ART68_1)
    team = [world.officers["officer"], world.officers["officer2"]]
    case = services.case_open(actor=head, case=case, officers=team, legal_review_required=False)
    case = services.case_report(actor=officer, case=case, report_text="经调查，违法事实清楚。",
                                proposed_outcome=Case.Outcome.PENALTY, proposed_amount=Decimal("2000"))
    return services.case_internal_review(actor=head, case=case, approve=True, opinion="同意")


def _notify(world, case, amount):
    return services.case_notify(actor=world.users["officer"], case=case, penalty_kind=Case.PenaltyKind.FINE,
                                amount=Decimal(amount), hearing_right=False)


def test_art4_range_of_a_provision_cited_by_hand_is_the_catalogues():
    # the short name and no edition name the same provision
    rng = statutory_range(penalty_basis="《道路运输条例》第六十八条第（一）项")
    assert (rng.minimum, rng.maximum) == (Decimal("1000"), Decimal("3000")) and "YS-007" in rng.codes
    # a provision the catalogue does not know has no range here (not checked)
    assert statutory_range(penalty_basis="《某某条例》第一条") is None


def test_art4_fine_above_the_cited_provisions_maximum_is_refused_and_changes_nothing(world):
    case = _reported(world)
    steps = StatusChange.objects.filter(case=case).count()
    with pytest.raises(DomainError) as exc:
        _notify(world, case, "30000")
    assert exc.value.code == "fine_above_statutory_max" and "3,000.00元" in exc.value.message
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == case.status and fresh.notified_amount is None
    assert StatusChange.objects.filter(case=case).count() == steps
    assert _notify(world, case, "3000").notified_amount == Decimal("3000")  # the other side of the boundary


def test_art32_fine_below_the_minimum_only_when_mitigated(world):
    case = _reported(world)
    with pytest.raises(DomainError) as exc:
        _notify(world, case, "999.99")
    assert exc.value.code == "fine_below_statutory_min"
    assert _notify(world, case, "1000").notified_amount == Decimal("1000")


def test_art4_decision_checks_the_basis_it_cites(world):
    case = _notify(world, _reported(world, art68=False), "5000")  # 公路法 Art. 76: up to 30,000 yuan
    case = services.case_waive(actor=world.users["officer"], case=case, statement="无异议")
    with pytest.raises(DomainError) as exc:  # the decision citing Art. 68 (1) instead, whose maximum is 3,000
        services.case_decide(actor=world.users["head"], case=case, penalty_kind=Case.PenaltyKind.FINE,
                             amount=Decimal("5000"), legal_basis=ART68_1, reasoning="违法事实清楚。")
    assert exc.value.code == "fine_above_statutory_max"
    assert Case.objects.get(pk=case.pk).decision_number == ""


def test_art4_numerals_editions_and_articles_with_zhi_yi_are_matched():
    assert statutory_range(penalty_basis="《道路运输条例》第68条第（1）项").maximum == Decimal("3000")
    # an edition stated on both sides must agree (the catalogue cites the 2023 revision)
    law = "《中华人民共和国道路运输条例》"
    assert statutory_range(penalty_basis=f"{law}（2019年修订）第六十八条第（一）项") is None
    assert statutory_range(penalty_basis=f"{law}（2023年修订）第六十八条第（一）项") is not None


def test_art32_words_in_the_reasoning_do_not_unlock_a_fine_below_the_minimum(world):
    case = _notify(world, _reported(world), "1000")
    case = services.case_waive(actor=world.users["officer"], case=case, statement="无异议")
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, penalty_kind=Case.PenaltyKind.FINE,
                             amount=Decimal("500"), legal_basis=ART68_1,
                             reasoning="当事人不具有从轻、减轻处罚情节。", deviation_reason="当事人经济困难")
    assert exc.value.code == "fine_below_statutory_min"


def test_art4_a_decision_confiscating_illegal_gains_takes_the_gains_branch(world):
    """道路运输条例 Art. 63: with illegal gains the fine is a multiple of them, not the no-gains range."""
    from zhifa.cases.penalties import Line
    from zhifa.discretion.ranges import assert_fine_within

    art63 = "《中华人民共和国道路运输条例》（2023年修订）第六十三条第（一）项"
    with pytest.raises(DomainError):
        assert_fine_within(Decimal("30000"), penalty_basis=art63)
    assert_fine_within(Decimal("30000"), penalty_basis=art63, illegal_gains=True)
    assert Line(kind="confiscate_income", amount=Decimal("8000")).kind == Case.PenaltyKind.CONFISCATE_INCOME


# --- fail closed: a fine whose range the system cannot check (行政处罚法 Arts. 4, 51, 58) -----------

LOCAL = "《河南省道路运输条例》第六十条"  # a provision the national catalogue does not know
LOCAL_VIOLATED = "《河南省道路运输条例》第二十条"
TEAM = ("officer", "officer2")
REVIEW_TEXT = "事实清楚，适用依据正确。"


def _reported_under(world, penalty_provision: str, amount: str = "2000"):
    """A case outside the catalogue, reported for a fine under ``penalty_provision``; the head set no
    review."""
    officer, head = world.users["officer"], world.users["head"]
    case = services.case_set_provisions(actor=officer, case=lead(world, provisions=False),
                                        violated_provision=LOCAL_VIOLATED,
                                        penalty_provision=penalty_provision)
    case = services.case_open(actor=head, case=case, officers=[world.officers[k] for k in TEAM],
                              legal_review_required=False)
    case = services.case_report(actor=officer, case=case, report_text="经调查，违法事实清楚。",
                                proposed_outcome=Case.Outcome.PENALTY, proposed_amount=Decimal(amount))
    return services.case_internal_review(actor=head, case=case, approve=True, opinion="同意")


def _decide(world, case, basis):
    return services.case_decide(actor=world.users["head"], case=case, penalty_kind=Case.PenaltyKind.FINE,
                                amount=Decimal("2000"), legal_basis=basis, reasoning="违法事实清楚。")


def _waived(world, case):
    case = _notify(world, Case.objects.get(pk=case.pk), "2000")
    return services.case_waive(actor=world.users["officer"], case=case, statement="无异议")


def test_art58_fine_under_a_provision_the_catalogue_does_not_know_goes_to_legal_review(world):
    """Regression: a provision the catalogue does not know was not checked at all, and the case went on
    without legal review. It is flagged 罚款幅度未能自动核对 and sent to legal review, even on the
    ordinary non-major route."""
    from zhifa.cases.workflow import Status

    case = _reported_under(world, LOCAL)
    assert case.status == Status.LEGAL_REVIEW and case.legal_review_required
    assert case.legal_review_basis.startswith("罚款幅度未能自动核对") and LOCAL in case.legal_review_basis
    # A provision the catalogue knows, on the same route, is checked by the system and needs no review.
    assert _reported_under(world, ART68_1).status == Status.REVIEWED


def test_art58_reviewer_must_record_the_range_check_before_the_fine_goes_on(world, client_for):
    from django.urls import reverse

    from zhifa.cases.models import LegalReview

    case = _reported_under(world, LOCAL)
    reviewer = world.users["reviewer"]
    steps = StatusChange.objects.filter(case=case).count()
    with pytest.raises(DomainError) as exc:
        services.case_legal_review(actor=reviewer, case=case, opinion="agree", text=REVIEW_TEXT)
    assert exc.value.code == "range_check_required"
    assert "罚款幅度核对" in exc.value.message and LOCAL in exc.value.message
    assert StatusChange.objects.filter(case=case).count() == steps
    assert not LegalReview.objects.filter(case=case).exists()
    check = "该条规定处一千元以上五千元以下罚款，拟罚款二千元在幅度内。"
    services.case_legal_review(actor=reviewer, case=case, opinion="agree", text=REVIEW_TEXT,
                               range_check=check)
    case = _decide(world, _waived(world, case), LOCAL)
    assert case.decision_number
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "罚款幅度核对" in page and check in page


def test_art58_decision_citing_an_unknown_provision_needs_a_review_that_checked_the_range(world):
    """A case reviewed on a provision the catalogue knows cannot be decided on one the catalogue does
    not know: no review checked that fine against it."""
    from .factories import reviewed

    case = _waived(world, reviewed(world, legal_review=True))  # 公路法 Art. 76: no range check needed
    with pytest.raises(DomainError) as exc:
        _decide(world, case, LOCAL)
    assert exc.value.code == "fine_range_unchecked"
    assert "罚款幅度未能自动核对" in exc.value.message and LOCAL in exc.value.message
    assert Case.objects.get(pk=case.pk).decision_number == ""


def test_art51_on_the_spot_fine_under_an_unknown_provision_is_refused_a_warning_is_not(world):
    """Simplified procedure (Art. 51) has no legal review: a fine whose range cannot be checked is
    refused with the provision named, and nothing is created; a warning under it is decided."""
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.core.models import Event

    from .factories import person

    kw = dict(actor=world.users["officer"], organisation=world.brigade_a, party=person(world),
              officers=[world.officers[k] for k in TEAM], occurred_at=timezone.now() - timedelta(hours=1),
              place="G207国道", facts="未随车携带道路运输证", legal_basis=LOCAL,
              violated_provision=LOCAL_VIOLATED)
    events, cases = Event.objects.count(), Case.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_simplified(**kw, penalty_kind="fine", amount=Decimal("100"))
    assert exc.value.code == "fine_range_unchecked"
    assert LOCAL in exc.value.message and "普通程序" in exc.value.message
    assert (Event.objects.count(), Case.objects.count()) == (events, cases)
    assert services.case_simplified(**kw, penalty_kind="warning", amount=None).decision_number


def test_art4_what_the_range_table_cannot_check_is_said_naming_the_provision():
    from zhifa.discretion.ranges import unchecked_reason

    assert LOCAL in unchecked_reason(Decimal("100"), penalty_basis=LOCAL)
    assert unchecked_reason(Decimal("100"), penalty_basis=ART68_1) == ""  # the catalogue's range: checked
    assert "违法所得的倍数" in unchecked_reason(Decimal("100"), penalty_basis=ART68_1, illegal_gains=True)
    assert unchecked_reason(None, penalty_basis=LOCAL) == ""  # a warning has no fine to check
    # no provision cited yet: nothing to flag here (a notice or a decision without one is refused anyway)
    assert unchecked_reason(Decimal("100"), penalty_basis="") == ""


def test_art58_range_check_message_names_every_provision_of_a_basis_citing_several(world):
    both = f"{LOCAL}；《河南省道路运输条例》第六十一条"
    case = _reported_under(world, both)
    with pytest.raises(DomainError) as exc:
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree",
                                   text=REVIEW_TEXT)
    assert exc.value.code == "range_check_required" and both in exc.value.message
