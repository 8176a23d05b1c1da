"""Notifications: an inbox item per recipient and event (idempotent), e-mail and SMS sent through the task queue
after commit, every sending recorded, preferences per user; the daily clock job tells officers when a statutory
clock turns amber or red (行政处罚法 Art. 60: the 90-day period of an ordinary case)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from zhifa.cases import clocks, tasks
from zhifa.cases.tests.factories import opened
from zhifa.complaints.tests.test_complaints import NOW as COMPLAINTS_NOW
from zhifa.notifications import services
from zhifa.notifications.models import Delivery, Notification


@pytest.fixture
def officer(world):
    user = world.users["officer"]
    user.email = "officer@example.cn"
    user.phone = "13800000001"
    user.save()
    return user


@pytest.mark.django_db
def test_notify_records_once_and_sends_after_commit(world, officer, django_capture_on_commit_callbacks, _captured_sms):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = services.notify(kind="clock_red", event="case:1:x:2026-11-11", users=[officer], title="期限已届满", body="案件已超期。",
                                  url="/cases/1/")
        assert len(mail.outbox) == 0  # nothing leaves before the transaction commits
    assert len(created) == 1 and len(callbacks) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.cn"] and "期限已届满" in mail.outbox[0].subject
    assert _captured_sms[0]["phone"] == "13800000001"
    assert set(Delivery.objects.values_list("channel", "status")) == {("email", "sent"), ("sms", "sent")}
    # the same event again tells no one twice
    with django_capture_on_commit_callbacks(execute=True):
        again = services.notify(kind="clock_red", event="case:1:x:2026-11-11", users=[officer], title="期限已届满", body="案件已超期。")
    assert again == [] and Notification.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_delivery_rerun_does_not_send_twice(world, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = services.notify(kind="task_assigned", event="case:2", users=[officer], title="分派", body="请办理。")
    assert services.deliver(n.pk) == {"email": "sent", "sms": "skipped"}  # default: task_assigned by e-mail only
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_preferences_turn_a_channel_off(world, officer, django_capture_on_commit_callbacks):
    services.preferences_set(user=officer, choices={"clock_amber": (False, False)})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kind="clock_amber", event="case:3", users=[officer], title="即将届满", body="请注意。")
    assert mail.outbox == [] and Notification.objects.filter(recipient=officer).count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"skipped"}


@pytest.mark.django_db
def test_failed_gateway_is_recorded_and_retried(world, officer, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "zhifa.notifications.tests.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = services.notify(kind="task_assigned", event="case:4", users=[officer], title="分派", body="请办理。")
    d = Delivery.objects.get(notification=n, channel="email")
    assert d.status == "failed" and "连接失败" in d.note and d.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.deliver(n.pk)
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 2


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("连接失败")


@pytest.mark.django_db
def test_unknown_kind_is_refused_and_nothing_recorded(world, officer):
    from zhifa.core.errors import DomainError

    with pytest.raises(DomainError):
        services.notify(kind="nonsense", event="x", users=[officer], title="x", body="x")
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_clock_turning_amber_reaches_the_inbox_and_mail_once(world, officer, client_for, django_capture_on_commit_callbacks):
    """Art. 60 (90 days for an ordinary case): amber a few days before the end, red after it."""
    case = opened(world)
    clock = clocks.running(case)[0]
    amber_day = clock.deadline.date - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.flag_overdue(today=amber_day)
        tasks.flag_overdue(today=amber_day)  # the daily job twice: still one message
    items = Notification.objects.filter(recipient=officer, kind="clock_amber")
    assert items.count() >= 1 and case.number in items[0].title
    assert any(case.number in m.subject for m in mail.outbox)
    sent = len(mail.outbox)
    page = client_for("officer").get("/notifications/").content.decode()
    assert case.number in page and "未读" in page
    header = client_for("officer").get("/").content.decode()
    unread = Notification.objects.filter(recipient=officer, read_at__isnull=True).count()  # the assignment at opening, the amber clock
    assert unread == 2 and 'class="inbox-link"' in header and f'aria-label="未读">{unread}' in header
    # opening the item marks it read and leads to the case
    r = client_for("officer").get(f"/notifications/{items[0].pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    items[0].refresh_from_db()
    assert items[0].read_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        tasks.flag_overdue(today=clock.deadline.date + timedelta(days=1))
    assert Notification.objects.filter(recipient=officer, kind="clock_red").exists() and len(mail.outbox) > sent


@pytest.mark.django_db
def test_another_users_item_is_not_reachable(world, officer, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = services.notify(kind="task_assigned", event="case:5", users=[officer], title="分派", body="请办理。", url="/cases/")
    assert client_for("officer2").get(f"/notifications/{n.pk}/open/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


@pytest.mark.django_db
def test_preferences_page_saves(world, officer, client_for):
    client = client_for("officer")
    assert "办案期限即将届满" in client.get("/notifications/preferences/").content.decode()
    client.post("/notifications/preferences/", {"sms_clock_amber": "on"})
    from zhifa.notifications.models import Preference

    p = Preference.objects.get(user=officer, kind="clock_amber")
    assert (p.email, p.sms) == (False, True)


@pytest.mark.django_db
def test_officers_hear_of_assignment_and_reviewers_of_review(world, officer, django_capture_on_commit_callbacks):
    from zhifa.cases.tests.factories import reviewed

    with django_capture_on_commit_callbacks(execute=True):
        case = reviewed(world, legal_review=True)
    assert Notification.objects.filter(recipient=officer, kind="task_assigned", subject_id=str(case.pk)).exists()
    assert Notification.objects.filter(recipient=world.users["reviewer"], kind="review_requested", subject_id=str(case.pk)).exists()


@pytest.mark.django_db
def test_party_hears_of_delivery_by_sms(world, django_capture_on_commit_callbacks, _captured_sms):
    from zhifa.cases.models import Case
    from zhifa.cases.services import case_deliver
    from zhifa.cases.tests.factories import decided

    with django_capture_on_commit_callbacks(execute=True):
        case = decided(world)
        case.party.phone = "13900000009"
        case.party.save()
        case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    n = Notification.objects.get(party=case.party, kind="decision_delivered")
    assert any(m["phone"] == "13900000009" and "决定书" in m["text"] for m in _captured_sms)
    assert n.deliveries.get(channel="sms").status == "sent" and n.deliveries.get(channel="email").status == "skipped"


@pytest.mark.django_db
@time_machine.travel(COMPLAINTS_NOW, tick=False)
def test_complaint_due_and_reply_reach_handler_and_complainant(world, django_capture_on_commit_callbacks, _captured_sms):
    from zhifa.complaints import services as cs

    with django_capture_on_commit_callbacks(execute=True):
        c = cs.complaint_intake(actor=world.users["head"], organisation=world.brigade_a, channel="12345", category="taxi",
                                content="出租车拒载", complainant_name="张先生", complainant_phone="13700000007")
        told = cs.complaints_notify_due(today=c.due_on)
        cs.complaints_notify_due(today=c.due_on)
        cs.complaint_reply(actor=world.users["head"], complaint=c, reply="已核实并处理。")
    assert told == 1 and Notification.objects.filter(kind="complaint_due").count() >= 1
    assert any(m["phone"] == "13700000007" and "已答复" in m["text"] for m in _captured_sms)


@pytest.mark.django_db
def test_sending_goes_through_the_outbox_and_one_channel_failing_does_not_hold_the_other(
        world, officer, django_capture_on_commit_callbacks, settings, _captured_sms):
    """Issue 20: one delivery mechanism — the e-mail and the SMS are outbox messages (target notice), retried by the
    outbox with its backoff; a broken mail backend leaves the SMS sent and the e-mail waiting for its next try."""
    from zhifa.core.models import Event
    from zhifa.integrations.models import Attempt, Message

    settings.EMAIL_BACKEND = "zhifa.notifications.tests.test_notifications.BrokenBackend"
    events = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = services.notify(kind="clock_red", event="case:5", users=[officer], title="期限已届满", body="案件已超期。")
    messages = {m.kind: m for m in Message.objects.filter(target="notice")}
    assert set(messages) == {"email", "sms"}
    assert messages["sms"].status == Message.Status.ACKNOWLEDGED and _captured_sms[-1]["phone"] == "13800000001"
    email = messages["email"]
    assert email.status == Message.Status.PENDING and email.next_attempt_at > email.created_at  # backoff
    assert Attempt.objects.get(message=email).outcome == "error" and "连接失败" in email.last_error
    assert Delivery.objects.get(notification=n, channel="email").status == "failed"
    assert Event.objects.count() == events  # the Notification and Delivery rows are the record, not the audit chain


@pytest.mark.django_db
def test_the_header_shows_the_unread_count_and_a_fragment_does_not_count(world, client_for):
    """消息 in the header carries the unread count on every page; a fragment loaded into a page (the papers
    block, an act's form) has no header and does not count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = opened(world)
    for i in range(2):
        services.notify(kind="clock_red", event=f"case:{case.pk}:x:{i}", users=[world.users["officer"]],
                        title="期限已届满", body="案件已超期。")
    client = client_for("officer")
    unread = Notification.objects.filter(recipient=world.users["officer"], read_at__isnull=True).count()
    assert unread >= 2
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'<span class="badge red" aria-label="未读">{unread}</span>' in page
    with CaptureQueriesContext(connection) as ctx:
        fragment = client.get(f"/cases/{case.pk}/documents/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "未读" not in fragment.content.decode()
    assert not any("notifications_notification" in q["sql"] for q in ctx.captured_queries)
    services.mark_read(user=world.users["officer"])
    assert 'aria-label="未读"' not in client.get(f"/cases/{case.pk}/").content.decode()
