"""行政处罚法 Arts. 4, 58: the range check a legal reviewer records covers what was checked — the
fine then proposed under the penalty basis then cited. A higher fine or another provision needs a new
check (a case reviewed at 2,000 yuan under one provision was once notified and decided at 50,000 under
another). A case reviewed before the check was required, already notified, gets its check recorded by a
reviewer without leaving its state."""

from decimal import Decimal

import pytest
from django.urls import reverse

from zhifa.cases import services
from zhifa.cases.models import Case, LegalReview, StatusChange
from zhifa.cases.workflow import Status
from zhifa.core.errors import DomainError
from zhifa.core.models import Event

from .test_statutory_range import LOCAL, REVIEW_TEXT, _reported_under

pytestmark = pytest.mark.django_db

OTHER = "《河南省道路运输条例》第六十一条"  # another provision the catalogue does not know
CHECK = "该条规定处一千元以上五千元以下罚款，拟罚款二千元在幅度内。"


def _checked(world, amount="2000"):
    """Reported for ``amount`` under LOCAL and passed by legal review recording the range check."""
    case = _reported_under(world, LOCAL, amount)
    services.case_legal_review(
        actor=world.users["reviewer"], case=case, opinion="agree", text=REVIEW_TEXT, range_check=CHECK
    )
    return Case.objects.get(pk=case.pk)


def _notify(world, case, amount):
    return services.case_notify(
        actor=world.users["officer"],
        case=Case.objects.get(pk=case.pk),
        penalty_kind=Case.PenaltyKind.FINE,
        amount=Decimal(amount),
        hearing_right=False,
    )


def _decide(world, case, amount, basis):
    case = services.case_waive(
        actor=world.users["officer"], case=Case.objects.get(pk=case.pk), statement="无异议"
    )
    return _decide_waived(world, case, amount, basis)


def _decide_waived(world, case, amount, basis):
    return services.case_decide(
        actor=world.users["head"],
        case=case,
        penalty_kind=Case.PenaltyKind.FINE,
        amount=Decimal(amount),
        legal_basis=basis,
        reasoning="违法事实清楚。",
    )


def test_the_review_keeps_what_its_range_check_covered(world):
    case = _checked(world)
    review = LegalReview.objects.get(case=case)
    assert (review.range_checked_amount, review.range_checked_basis) == (Decimal("2000"), LOCAL)
    assert review.range_checked_by == world.users["reviewer"] and review.range_checked_at is not None


def test_a_higher_fine_than_the_one_checked_is_refused_at_the_notice(world):
    case = _checked(world)
    with pytest.raises(DomainError) as exc:
        _notify(world, case, "50000")
    assert exc.value.code == "range_check_stale"
    assert (
        "重新核对罚款幅度" in exc.value.message
        and "2,000.00" in exc.value.message
        and "50,000.00" in exc.value.message
    )
    case.refresh_from_db()
    assert case.status == Status.REVIEWED and case.notified_on is None


def test_another_provision_than_the_one_checked_is_refused_at_the_notice_and_the_decision(world):
    case = _checked(world)
    # the provision changed after the review: the notice under it is refused
    services.case_set_provisions(
        actor=world.users["officer"],
        case=case,
        violated_provision=case.violated_provision,
        penalty_provision=OTHER,
    )
    with pytest.raises(DomainError) as exc:
        _notify(world, case, "2000")
    assert exc.value.code == "range_check_stale" and OTHER in exc.value.message
    # notified under the checked provision, the decision citing another one is refused
    case = _checked(world)
    _notify(world, case, "2000")
    with pytest.raises(DomainError) as exc:
        _decide(world, case, "2000", OTHER)
    assert exc.value.code == "range_check_stale"
    assert Case.objects.get(pk=case.pk).decision_number == ""


def test_the_checked_provision_at_the_checked_or_a_lower_fine_goes_through(world):
    case = _checked(world)
    _notify(world, case, "1500")  # lower than checked, same provision: no new check
    decided = _decide(
        world, case, "1500", "《河南省道路运输条例》第60条"
    )  # the same article, written in numerals
    assert decided.decision_number and decided.fine_amount == Decimal("1500")


def _notified_before_the_rule(world):
    """A case notified under LOCAL whose review recorded no range check (the review predates the rule)."""
    case = _checked(world)
    _notify(world, case, "2000")
    LegalReview.objects.filter(case=case).update(
        range_check="",
        range_checked_amount=None,
        range_checked_basis="",
        range_checked_by=None,
        range_checked_at=None,
    )
    case = services.case_waive(
        actor=world.users["officer"], case=Case.objects.get(pk=case.pk), statement="无异议"
    )
    with pytest.raises(DomainError) as exc:
        _decide_waived(world, case, "2000", LOCAL)
    assert exc.value.code == "fine_range_unchecked"
    return Case.objects.get(pk=case.pk)


def test_a_reviewer_records_the_range_check_of_a_notified_case_from_its_page_and_it_is_decided(
    world, client_for
):
    case = _notified_before_the_rule(world)
    steps = StatusChange.objects.filter(case=case).count()
    page = client_for("reviewer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "记录罚款幅度核对" in page
    response = client_for("reviewer").post(
        reverse("cases:act", args=[case.pk, "range_check"]), {"range_check-range_check": CHECK}, follow=True
    )
    assert "已记录罚款幅度核对" in response.content.decode(), [str(m) for m in response.context["messages"]]
    review = LegalReview.objects.get(case=case)
    assert (review.range_check, review.range_checked_amount, review.range_checked_basis) == (
        CHECK,
        Decimal("2000"),
        LOCAL,
    )
    assert review.range_checked_by == world.users["reviewer"]
    case.refresh_from_db()
    assert case.status == Status.NOTIFIED and StatusChange.objects.filter(case=case).count() == steps + 1
    assert Event.objects.filter(action="case.range_check", subject_id=str(case.pk)).exists()
    decided = _decide_waived(world, case, "2000", LOCAL)
    assert decided.decision_number


def test_only_a_reviewer_of_the_case_s_unit_records_the_range_check(world, api_for):
    from zhifa.core.roles import Role
    from zhifa.core.tests.factories import OfficerFactory, UserFactory

    case = _notified_before_the_rule(world)
    steps = StatusChange.objects.filter(case=case).count()
    with pytest.raises(DomainError):
        services.case_range_check(actor=world.users["officer"], case=case, range_check=CHECK)
    assert (
        api_for("officer")
        .post(f"/api/v1/cases/{case.pk}/range-check", {"range_check": CHECK}, content_type="application/json")
        .status_code
        == 403
    )
    other = UserFactory(
        username="reviewer_b",
        full_name="钱审核",
        organisation=world.county_b,
        roles=[Role.REVIEWER, Role.OFFICER],
    )
    OfficerFactory(user=other, organisation=world.county_b, name="钱审核", legal_qualification=True)
    world.users["reviewer_b"] = other
    assert (
        api_for("reviewer_b")
        .post(f"/api/v1/cases/{case.pk}/range-check", {"range_check": CHECK}, content_type="application/json")
        .status_code
        == 404
    )
    with pytest.raises(DomainError):
        services.case_range_check(actor=other, case=case, range_check=CHECK)
    assert LegalReview.objects.get(case=case).range_check == ""
    assert StatusChange.objects.filter(case=case).count() == steps
    # the case's own reviewer, through the API
    response = api_for("reviewer").post(
        f"/api/v1/cases/{case.pk}/range-check", {"range_check": CHECK}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == Status.NOTIFIED
    assert LegalReview.objects.get(case=case).range_checked_amount == Decimal("2000")
