"""Provincial warnings (一二三类 预警抄告) pushed by the provincial platform's simulator to our API:
registered once in the receiving unit and acknowledged at once; a duplicate push answered "duplicate" with
the same reference; a push for a unit outside the account's jurisdiction refused; the reply pushed back
through the outbox when handled."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.core.auth import token_create
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.inspections import services as inspections
from zhifa.inspections.models import Lead, ProvincialWarning
from zhifa.integrations import outbox
from zhifa.integrations.models import Message

URL = "/api/v1/integrations/warnings"


def warning(**extra):
    return {"warning_id": "YJ2026120500017", "warning_class": 2, "category": "疲劳驾驶",
            "description": "豫R·D1234 连续驾驶超过4小时未休息",
            "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "plate": "豫R·D1234", **extra}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pushed_warning_is_acknowledged_once_and_the_reply_goes_back(world, simulator, live_server):
    firm = CompanyFactory(organisation=world.brigade_a, kind="freight")
    url = live_server.url + URL
    token = token_create(user=world.users["officer"], name="province")
    pushed = warning(credit_code=firm.credit_code)
    status, ack = simulator.push_warning(url, token, pushed)
    assert status == 201, ack
    assert ack["result"] == "accepted" and ack["status"] == "received"
    w = ProvincialWarning.objects.get(external_id=pushed["warning_id"])
    assert ack["reference"] == str(w.pk) and w.source == "api"
    assert w.organisation.is_within(world.users["officer"].organisation)
    events = Event.objects.count()

    # the platform pushes the same warning again (its answer lost): the same acknowledgement, nothing changes
    status, again = simulator.push_warning(url, token, pushed)
    assert status == 200 and again == {**ack, "result": "duplicate"}
    assert ProvincialWarning.objects.count() == 1 and Event.objects.count() == events

    # a push addressed to a unit outside the account's jurisdiction is refused
    foreign = warning(warning_id="YJ2026120500018", receiving_unit=world.county_b.code)
    status, refused = simulator.push_warning(url, token, foreign)
    assert status == 403 and refused["code"] == "foreign_unit"
    # another county's account pushing a warning id already taken: refused, nothing revealed
    token_b = token_create(user=world.users["officer_b"], name="province-b")
    status, other = simulator.push_warning(url, token_b, pushed)
    assert status == 409 and other["code"] == "duplicate_warning" and "reference" not in other
    assert ProvincialWarning.objects.count() == 1 and Event.objects.count() == events

    # handled (办结): the reply goes back to the provincial platform, once
    officer = world.users["officer"]
    inspections.warning_notify(actor=officer, warning=w, deadline=timezone.localdate() + timedelta(days=7),
                               note="责令企业对驾驶员进行安全教育并调整排班")
    assert not Message.objects.filter(target="warning").exists()  # only the closure is answered
    inspections.warning_close(actor=officer, warning=w, result="企业已完成整改，驾驶员已停岗培训")
    outbox.drain_all()
    outbox.drain_all()
    got = simulator.accepted("warning")
    assert len(got) == 1 and got[0]["kind"] == "warning_reply"
    reply = got[0]["payload"]
    assert reply["warning_id"] == pushed["warning_id"] and reply["reference"] == ack["reference"]
    assert reply["measure"] == "rectify" and "停岗培训" in reply["result"]
    assert reply["closed_on"] == timezone.localdate().isoformat()
    assert Message.objects.get(target="warning").status == Message.Status.ACKNOWLEDGED


@pytest.mark.django_db
def test_class3_warning_reply_names_the_case_and_refusals_change_nothing(world, simulator, api_for):
    api = api_for("officer")
    events = Event.objects.count()
    bad = api.post(URL, warning(warning_id="  "), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_warning_id"
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    future = api.post(URL, warning(occurred_at=tomorrow), content_type="application/json")
    assert future.status_code == 400 and future.json()["code"] == "future_time"
    unknown = api.post(URL, warning(receiving_unit="NO-SUCH-UNIT"), content_type="application/json")
    assert unknown.status_code == 403 and unknown.json()["code"] == "foreign_unit"
    assert not ProvincialWarning.objects.exists() and Event.objects.count() == events

    r = api.post(URL, warning(warning_id="YJ3", warning_class=3, receiving_unit=world.brigade_a.code),
                 content_type="application/json")
    assert r.status_code == 201, r.content
    w = ProvincialWarning.objects.get(external_id="YJ3")
    assert w.organisation == world.brigade_a
    inspections.warning_refer(actor=world.users["officer"], warning=w)
    w.refresh_from_db()
    inspections.warning_close(actor=world.users["officer"], warning=w, result="已移交立案，依法查处")
    outbox.drain_all()
    reply = simulator.accepted("warning")[0]["payload"]
    lead = Lead.objects.get(source_type="warning", source_id=str(w.pk))
    assert reply["measure"] == "case" and reply["case_number"] == lead.case_ref
    assert reply["warning_class"] == 3


@pytest.mark.django_db
def test_a_warning_imported_from_a_file_is_not_answered(world, simulator):
    officer = world.users["officer"]
    inspections.warning_import(actor=officer, organisation=officer.organisation, source="file", rows=[
        {"external_id": "F1", "warning_class": 1, "category": "超速", "description": "超速20%",
         "occurred_at": timezone.now()}])
    w = ProvincialWarning.objects.get(external_id="F1")
    inspections.warning_notify(actor=officer, warning=w, deadline=timezone.localdate(), note="限期整改")
    inspections.warning_close(actor=officer, warning=w, result="已处理")
    assert not Message.objects.filter(target="warning").exists()


@pytest.mark.django_db
def test_an_account_without_the_role_is_refused_before_any_lookup(world, api_for):
    """Regression (review of the integrations, item 4): the duplicate lookup ran before any role check, so any
    account of the unit (or a supervisor above it) pushing a known warning id got the warning's reference and
    status back. The role is checked first: 403, and nothing about the warning in the answer."""
    from zhifa.core.roles import Role
    from zhifa.core.tests.factories import UserFactory

    first = api_for("officer").post(URL, warning(), content_type="application/json")
    assert first.status_code == 201, first.content
    clerk = UserFactory(username="clerk", full_name="clerk", organisation=world.brigade_a,
                        roles=[Role.REVIEWER])
    clients = [Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='no-role')}")
               for user in (clerk, world.users["supervisor"])]
    events = Event.objects.count()
    for api in clients:
        for pushed in (warning(), warning(warning_id="YJ-NEW")):  # a known id, and a new one
            r = api.post(URL, pushed, content_type="application/json")
            assert r.status_code == 403, r.content
            body = r.json()
            # nothing else: no reference, status or unit of the warning already received
            assert body == {"code": "forbidden", "message": "该接口账号无接收预警抄告的权限。"}
    assert ProvincialWarning.objects.count() == 1 and Event.objects.count() == events


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_pushes_warnings_through_the_simulator_into_our_api(world, fast_outbox):
    """Issue 20 leftovers, item 2: the demo registered its provincial warnings by a direct import; now the
    simulated provincial platform pushes them by HTTP into our inbound API (served for the load): acknowledged
    at once, one handled with its reply delivered back, one left to handle — as the 12345 work orders."""
    import random

    from zhifa.cases.tests.factories import decided
    from zhifa.core.demo import DemoContext
    from zhifa.core.models import ApiToken
    from zhifa.integrations import demo

    CompanyFactory(organisation=world.users["officer"].organisation, kind="freight")
    fast_outbox.INTEGRATION_SIMULATOR_URL = ""
    decided(world)  # something in the outbox: the demo's deliveries run
    ctx = DemoContext(rng=random.Random(1), today=timezone.localdate(), scale=1)
    ctx.users["officer"] = world.users["officer"]
    demo.load(ctx)
    pushed = list(ProvincialWarning.objects.filter(external_id__startswith="HN-YJ-API-")
                  .order_by("external_id"))
    assert [(w.source, w.status) for w in pushed] == [("api", "closed"), ("api", "received")]
    assert all(w.organisation == world.users["officer"].organisation for w in pushed)
    reply = Message.objects.get(target="warning")
    assert reply.status == Message.Status.ACKNOWLEDGED and reply.subject_id == str(pushed[0].pk)
    assert ApiToken.objects.filter(user=world.users["officer"]).count() == 1
    note = next(n for n in ctx.notes if n.startswith("预警抄告接口"))
    assert "经 HTTP 推送 2 条" in note and "即时确认 2 条" in note and "已确认 1 条" in note
    assert fast_outbox.INTEGRATION_SIMULATOR_URL == ""
