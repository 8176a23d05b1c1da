"""Evidence preservation on the workflow kernel (issue #19): each act of 先行登记保存 and 抽样取证 moves the
preservation (one PreservationStep, its record) and stays an act of the case (its history and record)."""

import pytest

from zhifa.cases import preservation
from zhifa.cases.models import StatusChange
from zhifa.core.errors import DomainError
from zhifa.core.models import Event

from .factories import opened

pytestmark = pytest.mark.django_db
ITEMS = [{"name": "道路运输单证", "quantity": "3", "unit": "份"}]


def test_preservation_moves_append_steps_beside_the_case_acts(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = opened(world)
    p = preservation.preservation_request(
        actor=world.users["officer"],
        case=case,
        items=ITEMS,
        place="证据保管室",
        reason="单证随车流动，事后难以取得",
    )
    p = preservation.preservation_approve(actor=world.users["head"], preservation=p, approve=True)
    p = preservation.preservation_release(actor=world.users["head"], preservation=p, reason="已复制存档")
    assert [(s.action, s.from_status, s.to_status) for s in p.steps.all()] == [
        ("request", "", "requested"),
        ("approve", "requested", "preserved"),
        ("release", "preserved", "released"),
    ]
    assert p.steps.last().from_label == "登记保存中" and p.steps.last().action_label == "解除证据登记保存"
    assert list(
        StatusChange.objects.filter(case=case, action__startswith="preserve").values_list("action", flat=True)
    ) == ["preserve", "preserve_approve", "preserve_decide"]
    assert Event.objects.filter(action="preservation.release", subject_id=str(p.pk)).count() == 1
    steps, events = p.steps.count(), Event.objects.count()
    with pytest.raises(DomainError):
        preservation.preservation_handle(actor=world.users["head"], preservation=p, handling="再次处理")
    assert p.steps.count() == steps and Event.objects.count() == events


def test_sampling_is_one_step_from_new(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = opened(world)
    p = preservation.sampling_record(actor=world.users["officer"], case=case, items=ITEMS, place="南召收费站")
    step = p.steps.get()
    assert (step.action, step.from_status, step.to_status, step.actor) == (
        "sample",
        "",
        "sampled",
        world.users["officer"],
    )
    assert p.list_number in step.note
