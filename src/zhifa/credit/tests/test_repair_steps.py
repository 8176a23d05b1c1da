"""The credit-repair application's own history (issue #19): received and decided through the workflow kernel,
each move one RepairStep shown on the repairs page; a refused move writes neither a step nor a record."""

from datetime import date

import pytest

from zhifa.core.errors import TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit import services
from zhifa.credit.models import RepairApplication

pytestmark = pytest.mark.django_db


def _application(world):
    firm = CompanyFactory(organisation=world.brigade_a)
    pub = services.publication_create(
        actor=world.users["officer"],
        party=firm.party,
        decision_number="豫R召交罚〔2025〕7号",
        decision_date=date(2025, 1, 15),
        summary="未按规定进行车辆技术检验",
        penalty_performed=True,
        performed_on=date(2025, 1, 15),
    )
    return services.repair_apply(
        actor=None,
        publication=pub,
        applicant_name="某运输公司",
        channel="public",
        commitment_signed=True,
        commitment_text="本单位承诺依法诚信经营",
        on=date(2026, 6, 1),
    )


def _steps(app):
    return [(s.action, s.from_status, s.to_status, s.actor_id) for s in app.steps.all()]


def test_each_move_is_a_step_shown_on_the_page_and_a_refused_move_writes_none(world, client_for):
    app = _application(world)
    assert app.status == RepairApplication.Status.CHECKED
    assert _steps(app) == [("repair_apply", "", "checked", None)]
    head = world.users["head"]
    services.repair_decide(actor=head, application=app, approve=False,
                           note="整改材料不全", on=date(2026, 6, 2))
    assert _steps(app) == [
        ("repair_apply", "", "checked", None),
        ("repair_decide", "checked", "rejected", head.pk),
    ]
    assert app.steps.last().action_label == "审批信用修复" and app.steps.last().to_label == "不予修复"
    events = Event.objects.filter(action__in=["credit.repair_apply", "credit.repair_decide"]).count()
    app.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.repair_decide(actor=head, application=app, approve=True, on=date(2026, 6, 3))
    assert app.steps.count() == 2
    assert Event.objects.filter(action__in=["credit.repair_apply", "credit.repair_decide"]).count() == events
    page = client_for("head").get("/credit/repairs/").content.decode()
    assert "办理流程" in page and "申请信用修复" in page and "审批信用修复" in page and "不予修复" in page
