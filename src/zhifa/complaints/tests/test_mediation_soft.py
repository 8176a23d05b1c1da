"""Administrative mediation (行政调解) and the soft-enforcement ledger (柔性执法)."""

from datetime import date, timedelta

import pytest

from zhifa.complaints import selectors, services
from zhifa.complaints.models import Mediation, SoftMeasure
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory


@pytest.fixture
def parties(world):
    return PersonPartyFactory(organisation=world.brigade_a), OrgPartyFactory(organisation=world.brigade_a)


def _apply(world, parties):
    return services.mediation_apply(actor=world.users["officer"], organisation=world.brigade_a, kind="freight", applicant=parties[0],
                                    respondent=parties[1], applied_on=date.today() - timedelta(days=10), claim="运费纠纷")


def test_mediation_accept_session_agreement_close(world, parties):
    m = _apply(world, parties)
    services.mediation_decide(actor=world.users["officer"], mediation=m, accept=True, decided_on=date.today() - timedelta(days=9),
                              mediator=world.officers["officer2"])
    with pytest.raises(DomainError):  # no session yet
        services.mediation_conclude(actor=world.users["officer"], mediation=m, agreed=True, on=date.today(), agreement_text="协议")
    services.mediation_add_session(actor=world.users["officer"], mediation=m, held_on=date.today() - timedelta(days=5),
                                   attendees="双方当事人、调解员", record="双方同意分期支付")
    services.mediation_conclude(actor=world.users["officer"], mediation=m, agreed=True, on=date.today(), agreement_text="甲方支付运费8000元")
    services.mediation_close(actor=world.users["officer"], mediation=m, closed_on=date.today())
    m.refresh_from_db()
    assert m.status == Mediation.Status.CLOSED and m.agreement_text and m.sessions.count() == 1


def test_mediation_refusal_requires_reason_and_changes_nothing_without(world, parties):
    m = _apply(world, parties)
    events = Event.objects.count()
    with pytest.raises(DomainError):
        services.mediation_decide(actor=world.users["officer"], mediation=m, accept=False, decided_on=date.today())
    m.refresh_from_db()
    assert m.status == Mediation.Status.APPLIED and Event.objects.count() == events
    services.mediation_decide(actor=world.users["officer"], mediation=m, accept=False, decided_on=date.today(), reason="已进入诉讼程序")
    m.refresh_from_db()
    assert m.status == Mediation.Status.REFUSED
    with pytest.raises(TransitionNotAllowed):
        services.mediation_add_session(actor=world.users["officer"], mediation=m, held_on=date.today(), attendees="x", record="y")


def test_mediation_same_party_both_sides_refused(world, parties):
    with pytest.raises(Exception) as exc:
        services.mediation_apply(actor=world.users["officer"], organisation=world.brigade_a, kind="other", applicant=parties[0],
                                 respondent=parties[0], applied_on=date.today(), claim="x")
    assert "同一当事人" in str(exc.value)


def test_interview_requires_minutes_and_counts_per_period(world, parties):
    kwargs = dict(actor=world.users["officer"], organisation=world.brigade_a, party=parties[1], officer=world.officers["officer"])
    with pytest.raises(Exception) as exc:
        services.soft_measure_create(kind=SoftMeasure.Kind.INTERVIEW, occurred_on=date.today(), matter="多次超限", **kwargs)
    assert "约谈纪要" in str(exc.value)
    services.soft_measure_create(kind=SoftMeasure.Kind.INTERVIEW, occurred_on=date.today(), matter="多次超限", minutes="约谈法定代表人", **kwargs)
    services.soft_measure_create(kind=SoftMeasure.Kind.PERSUASION, occurred_on=date.today(), matter="未携带证件", **kwargs)
    services.soft_measure_create(kind=SoftMeasure.Kind.PERSUASION, occurred_on=date.today() - timedelta(days=400), matter="旧记录", **kwargs)
    counts = selectors.soft_measure_counts(SoftMeasure.objects.all(), start=date.today() - timedelta(days=30), end=date.today())
    assert counts["interview"] == 1 and counts["persuasion"] == 1 and counts["warning"] == 0


def test_soft_measure_form_and_export(world, parties, client_for):
    client = client_for("officer")
    bad = client.post("/complaints/r/soft/new/", {"kind": "commitment", "party": parties[0].pk, "officer": world.officers["officer"].pk,
                                                  "occurred_on": date.today().isoformat(), "matter": "首违不罚承诺"})
    assert bad.status_code == 200 and "承诺内容" in bad.content.decode() and not SoftMeasure.objects.exists()
    ok = client.post("/complaints/r/soft/new/", {"kind": "commitment", "party": parties[0].pk, "officer": world.officers["officer"].pk,
                                                 "occurred_on": date.today().isoformat(), "matter": "首违不罚承诺", "commitment": "保证不再违法"})
    assert ok.status_code == 302
    assert client.get("/complaints/r/soft/?format=xlsx").status_code == 200
    m = SoftMeasure.objects.get()
    assert client.post(f"/complaints/r/soft/{m.pk}/edit/", {"kind": "commitment", "occurred_on": date.today().isoformat(), "matter": "改",
                                                           "commitment": "保证"}).status_code == 302
    m.refresh_from_db()
    assert m.matter == "改"


def test_mediation_pages_walk_the_workflow(world, parties, client_for):
    client = client_for("officer")
    r = client.post("/complaints/r/mediations/new/", {"kind": "freight", "applicant": parties[0].pk, "respondent": parties[1].pk,
                                                      "applied_on": date.today().isoformat(), "claim": "运费纠纷"})
    assert r.status_code == 302
    m = Mediation.objects.get()
    today = date.today().isoformat()
    client.post(f"/complaints/m/{m.pk}/decide/", {"accept": "1", "decided_on": today, "mediator": world.officers["officer2"].pk})
    client.post(f"/complaints/m/{m.pk}/session/", {"held_on": today, "place": "调解室", "attendees": "双方", "record": "笔录"})
    client.post(f"/complaints/m/{m.pk}/conclude/", {"agreed": "1", "on": today, "agreement_text": "协议内容"})
    m.refresh_from_db()
    assert m.status == Mediation.Status.AGREED and m.sessions.count() == 1
    assert client.get(f"/complaints/r/mediations/{m.pk}/edit/").status_code == 404  # no editing after the decision
    client.post(f"/complaints/m/{m.pk}/close/", {"outcome": "已履行"})
    m.refresh_from_db()
    assert m.status == Mediation.Status.CLOSED and m.closed_on == date.today()
