"""The credit publication on the workflow kernel (issue #19): published, taken down by an approved repair
or by the system following the portal's row; each move one PublicationStep and one record."""

from datetime import date

import pytest

from zhifa.core.errors import TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit import services
from zhifa.credit.models import CreditPublication

pytestmark = pytest.mark.django_db


def _pub(world):
    firm = CompanyFactory(organisation=world.brigade_a)
    return services.publication_create(
        actor=world.users["officer"],
        party=firm.party,
        decision_number="豫R召交罚〔2025〕1号",
        decision_date=date(2025, 1, 15),
        summary="未按规定进行车辆技术检验",
        penalty_performed=True,
        performed_on=date(2025, 1, 15),
    )


def test_repair_takes_the_publication_down_with_a_step_and_a_record(world):
    pub = _pub(world)
    app = services.repair_apply(
        actor=None,
        publication=pub,
        applicant_name="某公司",
        channel="public",
        commitment_signed=True,
        commitment_text="本单位承诺依法诚信经营",
        on=date(2026, 6, 1),
    )
    services.repair_decide(actor=world.users["head"], application=app, approve=True, on=date(2026, 6, 2))
    pub.refresh_from_db()
    assert pub.status == CreditPublication.Status.WITHDRAWN and pub.withdrawn_on == date(2026, 6, 2)
    assert [(s.action, s.from_status, s.to_status) for s in pub.steps.all()] == [
        ("publication_create", "", "published"),
        ("publication_withdraw", "published", "withdrawn"),
    ]
    assert Event.objects.filter(action="credit.publication_withdraw", subject_id=str(pub.pk)).count() == 1


def test_the_system_follows_the_portal_once(world):
    pub = _pub(world)
    pub = services.publication_follow(
        publication=pub,
        status="revoked",
        withdrawn_on=date(2026, 6, 2),
        reason="随门户公开信息已撤回：复议决定撤销",
    )
    assert pub.status == CreditPublication.Status.REVOKED and pub.steps.last().actor is None
    event = Event.objects.get(action="credit.publication_follow", subject_id=str(pub.pk))
    assert (
        event.summary == "豫R召交罚〔2025〕1号 随门户公开信息已撤回：复议决定撤销"
        and event.actor_name == "系统"
    )
    with pytest.raises(TransitionNotAllowed):
        services.publication_follow(publication=pub, status="expired", withdrawn_on=None, reason="公示期满")
