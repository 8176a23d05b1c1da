from datetime import date

import pytest

from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory
from zhifa.permits import services
from zhifa.permits.models import PermitApplication
from zhifa.permits.tests.factories import PermitItemFactory

S = PermitApplication.Status


@pytest.fixture
def app(world):
    party = OrgPartyFactory(organisation=world.brigade_a)
    return services.application_submit(actor=world.users["officer"], organisation=world.brigade_a, item=PermitItemFactory(),
                                       applicant=party, submitted_on=date(2026, 9, 28), content="普通货物运输")


def test_submit_records_event_and_history(app):
    assert app.status == S.SUBMITTED
    assert app.changes.count() == 1
    assert Event.objects.filter(action="permit.submit", subject_id=str(app.pk)).exists()


def test_xukefa_art42_limits_counted_in_working_days_from_acceptance(world, app):
    # 行政许可法 Art. 42 (20 days) and Art. 82 (working days): accepted 2026-09-30, National Day 10-01..07.
    app = services.application_accept(actor=world.users["officer"], application=app, on=date(2026, 9, 30))
    assert app.committed_due == date(2026, 10, 13)  # 5 working days: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13
    assert app.statutory_due == date(2026, 11, 3)
    assert app.due_confirmed


def test_full_flow_approve_then_revoke(world, app):
    officer = world.users["officer"]
    services.application_accept(actor=officer, application=app, on=date(2026, 9, 30))
    app = services.application_decide(actor=officer, application=app, on=date(2026, 10, 12), approve=True)
    assert app.status == S.APPROVED and app.certificate_number and app.decision_number.endswith("号")
    # the one numbering authority's permit series (issue 14: permit decisions were numbered 交罚许)
    assert app.decision_number.startswith("豫R召交许〔2026〕") and "罚" not in app.decision_number
    assert app.valid_until == date(2030, 10, 12)
    assert app.on_time is True
    app = services.application_revoke(actor=world.users["head"], application=app, on=date(2026, 11, 2), reason="以欺骗手段取得")
    assert app.status == S.REVOKED and app.revoked_on == date(2026, 11, 2)
    assert list(app.changes.values_list("to_status", flat=True)) == [S.SUBMITTED, S.ACCEPTED, S.APPROVED, S.REVOKED]


def test_refuse_and_deny_need_reasons(world, app):
    officer = world.users["officer"]
    with pytest.raises(DomainError):
        services.application_refuse(actor=officer, application=app, on=date(2026, 9, 30), reason=" ")
    services.application_accept(actor=officer, application=app, on=date(2026, 9, 30))
    with pytest.raises(DomainError):
        services.application_decide(actor=officer, application=app, on=date(2026, 10, 9), approve=False)
    app = services.application_decide(actor=officer, application=app, on=date(2026, 10, 9), approve=False, reason="车辆不符合条件")
    assert app.status == S.DENIED and not app.certificate_number


def test_forbidden_transition_changes_nothing(world, app):
    events = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        services.application_decide(actor=world.users["officer"], application=app, on=date(2026, 10, 9), approve=True)
    app.refresh_from_db()
    assert app.status == S.SUBMITTED and app.decision_number == ""
    assert Event.objects.count() == events and app.changes.count() == 1


def test_other_jurisdiction_refused(world, app):
    with pytest.raises(NotPermitted):
        services.application_accept(actor=world.users["officer_b"], application=app, on=date(2026, 9, 30))


def test_only_head_revokes(world, app):
    officer = world.users["officer"]
    services.application_accept(actor=officer, application=app, on=date(2026, 9, 30))
    services.application_decide(actor=officer, application=app, on=date(2026, 10, 9), approve=True)
    with pytest.raises(NotPermitted):
        services.application_revoke(actor=officer, application=app, on=date(2026, 10, 20), reason="x")


def test_window_stats_on_time_rate(world):
    officer = world.users["officer"]
    item = PermitItemFactory(committed_days=2)
    apps = [services.application_submit(actor=officer, organisation=world.brigade_a, item=item, applicant=PersonPartyFactory(organisation=world.brigade_a),
                                        submitted_on=date(2026, 3, 2)) for _ in range(4)]
    for a in apps[:3]:
        services.application_accept(actor=officer, application=a, on=date(2026, 3, 2))
    services.application_decide(actor=officer, application=apps[0], on=date(2026, 3, 3), approve=True)  # on time (due 03-04)
    services.application_decide(actor=officer, application=apps[1], on=date(2026, 3, 10), approve=True)  # late
    stats = services.window_stats(PermitApplication.objects.all(), start=date(2026, 1, 1), end=date(2026, 12, 31), today=date(2026, 3, 20))
    assert (stats.received, stats.accepted, stats.finished, stats.on_time) == (4, 3, 2, 1)
    assert stats.on_time_rate == 50.0
    assert stats.open == 2 and stats.overdue_open == 1
