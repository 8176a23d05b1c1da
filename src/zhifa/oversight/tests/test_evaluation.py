"""案卷评查: the standard as data, the reproducible random draw, scoring by evaluators who did not handle the
file, veto items, and the rectification table (整改统计表)."""

from decimal import Decimal

import pytest

from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.legal_calendar import add_working_days
from zhifa.core.models import Event
from zhifa.oversight import selectors, services
from zhifa.oversight.models import CaseEvaluation, EvaluationRound, Problem

from .factories import CaseRecordFactory, drawn_round, standard

pytestmark = pytest.mark.django_db


def _item(rnd, code):
    return rnd.standard.items.get(code=code)


def test_shipped_standard_totals_100_points_with_veto_items(world):
    std = standard()
    assert std.total_points == Decimal("100")
    assert set(std.items.filter(is_veto=True).values_list("code", flat=True)) == {"V1", "V2", "V3", "V4", "V5"}


def test_draw_is_reproducible_from_recorded_seed(world):
    rnd = drawn_round(world, files=12, sample=5, seed="abc123")
    drawn = list(rnd.evaluations.order_by("draw_order").values_list("record_id", flat=True))
    assert rnd.seed == "abc123" and rnd.candidates == 12 and len(drawn) == 5
    assert rnd.status == EvaluationRound.Status.DRAWN
    assert services.draw_sample(list(selectors.case_records_for(world.users["supervisor"]).values_list("pk", flat=True)), "abc123", 5) == drawn
    assert services.round_verify_draw(rnd)
    # A different seed gives a different draw (with 12 candidates the chance of equality is negligible).
    assert services.draw_sample(list(rnd.evaluations.values_list("record_id", flat=True)) + [0], "other", 5) != drawn


def test_draw_refused_twice_and_without_candidates(world):
    rnd = drawn_round(world, files=3, sample=2)
    with pytest.raises(TransitionNotAllowed):
        services.round_draw(actor=world.users["supervisor"], round=rnd, seed="again")
    empty = services.round_create(actor=world.users["supervisor"], organisation=world.county_b, name="空批次",
                                  period_from=rnd.period_from, period_to=rnd.period_to, sample_size=3, standard=rnd.standard)
    with pytest.raises(DomainError) as exc:
        services.round_draw(actor=world.users["supervisor"], round=empty)
    assert exc.value.code == "no_candidates"


def test_draw_never_exceeds_candidates_and_respects_period(world):
    CaseRecordFactory(officers=[world.officers["officer"]], closed_on="2025-06-01")
    rnd = drawn_round(world, files=2, sample=10)
    assert rnd.candidates == 2 and rnd.evaluations.count() == 2


def test_evaluator_who_handled_the_case_is_refused_and_nothing_changes(world):
    rnd = drawn_round(world, officers=[world.officers["head"], world.officers["officer"]])
    evaluation = rnd.evaluations.first()
    before = Event.objects.count()
    with pytest.raises(NotPermitted) as exc:
        services.evaluation_score(actor=world.users["head"], evaluation=evaluation, deductions=[])
    assert exc.value.code == "evaluator_handled_case"
    evaluation.refresh_from_db()
    assert evaluation.scored_at is None and Event.objects.count() == before and not Problem.objects.exists()


def test_plain_officer_cannot_evaluate(world):
    rnd = drawn_round(world, officers=[world.officers["officer2"], world.officers["officer3"]])
    with pytest.raises(NotPermitted):
        services.evaluation_score(actor=world.users["officer"], evaluation=rnd.evaluations.first(), deductions=[])


def test_score_deductions_become_problems_with_owner_and_working_day_deadline(world):
    rnd = drawn_round(world)
    evaluation = rnd.evaluations.first()
    on = evaluation.record.closed_on
    ded = [services.DeductionIn(item=_item(rnd, "B2"), points=Decimal("3"), finding="询问笔录未经当事人签名"),
           services.DeductionIn(item=_item(rnd, "E1"), points=Decimal("8"), finding="未说明裁量理由")]
    services.evaluation_score(actor=world.users["reviewer"], evaluation=evaluation, deductions=ded, owner=world.users["officer"], on=on)
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("89") and evaluation.grade == CaseEvaluation.Grade.PASS and not evaluation.vetoed
    assert evaluation.evaluator == world.users["reviewer"]
    problems = list(evaluation.problems.order_by("number"))
    assert len(problems) == 2
    assert all(p.owner == world.users["officer"] and p.source == Problem.Source.EVALUATION for p in problems)
    assert problems[0].deadline == add_working_days(on, rnd.standard.rectification_days).date
    table = selectors.rectification_table(rnd.evaluations.all())
    assert table["total"] == 2 and dict(table["by_category"]) == {"事实证据": 1, "自由裁量": 1}


def test_veto_item_fails_the_file_whatever_the_score(world):
    rnd = drawn_round(world)
    evaluation = rnd.evaluations.first()
    ded = [services.DeductionIn(item=_item(rnd, "V3"), points=Decimal("0"), finding="未送达违法行为通知书")]
    services.evaluation_score(actor=world.users["supervisor"], evaluation=evaluation, deductions=ded, owner=world.users["officer"])
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("100") and evaluation.vetoed and evaluation.grade == CaseEvaluation.Grade.FAIL


def test_no_deductions_is_excellent_and_needs_no_owner(world):
    rnd = drawn_round(world)
    evaluation = services.evaluation_score(actor=world.users["supervisor"], evaluation=rnd.evaluations.first(), deductions=[])
    assert evaluation.grade == CaseEvaluation.Grade.EXCELLENT and not evaluation.problems.exists()


@pytest.mark.parametrize("points,code", [(Decimal("16"), "invalid_points"), (Decimal("0"), "invalid_points")])
def test_deduction_over_the_item_points_refused(world, points, code):
    rnd = drawn_round(world)
    with pytest.raises(DomainError) as exc:
        services.evaluation_score(actor=world.users["supervisor"], evaluation=rnd.evaluations.first(),
                                  deductions=[services.DeductionIn(item=_item(rnd, "B1"), points=points, finding="x")], owner=world.users["officer"])
    assert exc.value.code == code


def test_deduction_without_owner_refused_and_scoring_twice_refused(world):
    rnd = drawn_round(world)
    evaluation = rnd.evaluations.first()
    with pytest.raises(DomainError):
        services.evaluation_score(actor=world.users["supervisor"], evaluation=evaluation,
                                  deductions=[services.DeductionIn(item=_item(rnd, "F2"), points=Decimal("1"), finding="文号不规范")])
    services.evaluation_score(actor=world.users["supervisor"], evaluation=evaluation, deductions=[])
    with pytest.raises(TransitionNotAllowed):
        services.evaluation_score(actor=world.users["reviewer"], evaluation=evaluation, deductions=[])


def test_round_closes_only_when_every_file_is_scored(world):
    rnd = drawn_round(world, sample=2)
    with pytest.raises(DomainError):
        services.round_close(actor=world.users["supervisor"], round=rnd)
    for evaluation in rnd.evaluations.all():
        services.evaluation_score(actor=world.users["supervisor"], evaluation=evaluation, deductions=[])
    assert services.round_close(actor=world.users["supervisor"], round=rnd).status == EvaluationRound.Status.CLOSED


def test_county_b_evaluator_cannot_see_or_score_county_a_files(world):
    rnd = drawn_round(world)
    evaluation = rnd.evaluations.first()
    assert not selectors.evaluations_for(world.users["officer_b"]).filter(pk=evaluation.pk).exists()
    with pytest.raises(NotPermitted):
        services.evaluation_score(actor=world.users["officer_b"], evaluation=evaluation, deductions=[])
