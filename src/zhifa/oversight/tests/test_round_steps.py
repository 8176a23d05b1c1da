"""An evaluation round's history steps (``core.workflow``): created, drawn, closed, one row per move beside
its record (the draw's record keeps naming the seed and the files drawn), shown on the round's page as
流转记录."""

import pytest

from zhifa.core.models import Event
from zhifa.oversight import services
from zhifa.oversight.models import EvaluationRound

from .factories import drawn_round

pytestmark = pytest.mark.django_db


def test_round_moves_append_steps_and_the_page_shows_them(world, client_for):
    rnd = drawn_round(world, files=4, sample=2, seed="fixed")
    for evaluation in rnd.evaluations.all():
        services.evaluation_score(actor=world.users["supervisor"], evaluation=evaluation, deductions=[])
    services.round_close(actor=world.users["supervisor"], round=rnd)
    R = EvaluationRound.Status
    steps = list(rnd.steps.all())
    assert [(s.action, s.from_status, s.to_status) for s in steps] == [
        ("create", "", R.DRAFT),
        ("draw", R.DRAFT, R.DRAWN),
        ("close", R.DRAWN, R.CLOSED),
    ]
    assert all(s.actor == world.users["supervisor"] for s in steps) and "fixed" in steps[1].note
    assert [s.action_label for s in steps] == ["创建评查批次", "随机抽取案卷", "结束评查"]
    drawn = Event.objects.get(action="evaluation_round.draw", subject_id=str(rnd.pk))
    numbers = list(rnd.evaluations.order_by("draw_order").values_list("record__number", flat=True))
    assert drawn.changes == {"seed": "fixed", "candidates": 4, "drawn": numbers}
    assert Event.objects.get(action="evaluation_round.close", subject_id=str(rnd.pk)).changes == {}
    page = client_for("supervisor").get(f"/oversight/evaluation/{rnd.pk}/").content.decode()
    assert "流转记录" in page and "随机抽取案卷" in page and "评查中 → 已完成" in page
