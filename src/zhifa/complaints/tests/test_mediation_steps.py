"""A mediation's history steps (``core.workflow``): application to closure, one row per move beside its
record, shown on the register's detail page as 办理步骤."""

from datetime import date, timedelta

import pytest

from zhifa.complaints import services
from zhifa.complaints.models import Mediation
from zhifa.core.models import Event
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory

pytestmark = pytest.mark.django_db


def test_mediation_moves_append_steps_and_the_detail_page_shows_them(world, client_for):
    officer = world.users["officer"]
    m = services.mediation_apply(
        actor=officer,
        organisation=world.brigade_a,
        kind="freight",
        applicant=PersonPartyFactory(organisation=world.brigade_a),
        respondent=OrgPartyFactory(organisation=world.brigade_a),
        applied_on=date.today() - timedelta(days=10),
        claim="运费纠纷",
    )
    services.mediation_decide(
        actor=officer,
        mediation=m,
        accept=True,
        decided_on=date.today() - timedelta(days=9),
        mediator=world.officers["officer2"],
    )
    services.mediation_add_session(
        actor=officer,
        mediation=m,
        held_on=date.today() - timedelta(days=5),
        attendees="双方当事人、调解员",
        record="协商",
    )
    services.mediation_conclude(
        actor=officer, mediation=m, agreed=False, on=date.today(), outcome="双方分歧较大"
    )
    services.mediation_close(actor=officer, mediation=m, closed_on=date.today())
    M = Mediation.Status
    assert [(s.action, s.from_status, s.to_status) for s in m.steps.all()] == [
        ("apply", "", M.APPLIED),
        ("accept", M.APPLIED, M.ACCEPTED),
        ("fail", M.ACCEPTED, M.FAILED),
        ("close", M.FAILED, M.CLOSED),
    ]
    assert all(s.actor == officer for s in m.steps.all())
    # The step reads with the label of its row in the table (the kernel's lookup, no labels written twice).
    assert [s.action_label for s in m.steps.all()] == ["登记调解申请", "受理", "调解不成", "结案"]
    # The record keeps its names: the application is still ``mediation.apply`` with the row as inserted.
    applied = Event.objects.get(action="mediation.apply", subject_id=str(m.pk))
    assert applied.changes["number"] == [None, m.number] and applied.summary == f"登记调解申请 {m.number}"
    page = client_for("officer").get(f"/complaints/r/mediations/{m.pk}/").content.decode()
    assert "办理步骤" in page and "调解不成" in page and "登记调解申请" in page
