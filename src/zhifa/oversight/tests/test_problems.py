"""问题清单 and 挂牌督办台账: the transition table with its mandatory 回头看 (常德 measures 1, 4, 5), deadline
extension, overdue alerts (daily task) and the supervision ledger."""

from datetime import date, timedelta

import pytest
import time_machine

from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.oversight import services, tasks, workflow
from zhifa.oversight.models import Problem, ProblemStep, SupervisionEntry, SupervisionListing

from .factories import problem as make_problem

pytestmark = pytest.mark.django_db
S = Problem.Status


def _move(world, p, action, who, note="已整改"):
    return services.problem_transition(actor=world.users[who], problem=p, action=action, note=note)


def test_create_requires_owner_in_the_unit_and_deadline_after_finding(world):
    with pytest.raises(DomainError) as exc:
        make_problem(world, owner="officer_b")
    assert exc.value.code == "owner_not_in_unit"
    with pytest.raises(DomainError):
        make_problem(world, found_on=date(2026, 5, 1), deadline=date(2026, 4, 1))
    p = make_problem(world)
    assert p.number.startswith(f"WT{date.today().year}") and p.status == S.OPEN
    assert p.steps.get().action == "create"


def test_every_allowed_transition(world):
    # open → rectifying → rectified → (回头看 fail) rectifying → rectified → (回头看 pass) closed
    p = make_problem(world)
    assert _move(world, p, "start", "officer").status == S.RECTIFYING
    assert _move(world, p, "report", "officer").status == S.RECTIFIED
    assert _move(world, p, "recheck_fail", "supervisor", "同类问题仍存在").status == S.RECTIFYING
    assert _move(world, p, "report", "officer").status == S.RECTIFIED
    p = _move(world, p, "recheck_pass", "head", "整改到位")
    assert p.status == S.CLOSED and p.closed_on == date.today() and p.rechecked_by == world.users["head"]
    assert list(p.steps.values_list("action", flat=True)) == ["create", "start", "report", "recheck_fail", "report", "recheck_pass"]
    # 立行立改: open → rectified directly.
    q = make_problem(world)
    assert _move(world, q, "report", "officer").status == S.RECTIFIED
    assert set(workflow.TRANSITIONS.values()) == set(S.values) - {S.OPEN}


def test_changde_measure4_cannot_close_without_recheck_and_nothing_changes(world):
    p = make_problem(world)
    before = Event.objects.count()
    for action in ("recheck_pass", "close"):
        with pytest.raises(TransitionNotAllowed):
            _move(world, p, action, "supervisor")
    _move(world, p, "start", "officer")
    with pytest.raises(TransitionNotAllowed):
        _move(world, p, "recheck_pass", "supervisor")
    p.refresh_from_db()
    assert p.status == S.RECTIFYING and p.closed_on is None
    assert Event.objects.count() == before + 1  # only the start


def test_changde_measure4_owner_cannot_recheck_own_rectification(world):
    p = make_problem(world, owner="head")
    _move(world, p, "report", "head")
    before = Event.objects.count()
    with pytest.raises(NotPermitted) as exc:
        _move(world, p, "recheck_pass", "head", "自查到位")
    assert exc.value.code == "owner_cannot_recheck"
    p.refresh_from_db()
    assert p.status == S.RECTIFIED and Event.objects.count() == before


def test_plain_officer_cannot_recheck_or_report_for_someone_else(world):
    p = make_problem(world)
    with pytest.raises(NotPermitted):
        _move(world, p, "report", "officer2")
    _move(world, p, "report", "officer")
    with pytest.raises(NotPermitted):
        _move(world, p, "recheck_pass", "officer2", "到位")


def test_report_and_recheck_need_a_note(world):
    p = make_problem(world)
    with pytest.raises(DomainError):
        _move(world, p, "report", "officer", "  ")
    _move(world, p, "report", "officer")
    with pytest.raises(DomainError):
        _move(world, p, "recheck_pass", "supervisor", "")


def test_stale_state_is_refused(world):
    p = make_problem(world)
    stale = Problem.objects.get(pk=p.pk)
    _move(world, p, "start", "officer")
    with pytest.raises(TransitionNotAllowed):
        services.problem_transition(actor=world.users["officer"], problem=stale, action="start")
    assert ProblemStep.objects.filter(problem=p, action="start").count() == 1


def test_overdue_alert_once_and_reset_by_extension(world):
    p = make_problem(world, found_on=date(2026, 3, 2), deadline=date(2026, 3, 20))
    with time_machine.travel(date(2026, 3, 20)):
        assert services.overdue_scan() == []
        assert not p.is_overdue()
    with time_machine.travel(date(2026, 3, 21)):
        assert [x.pk for x in services.overdue_scan()] == [p.pk]
        assert services.overdue_scan() == []  # idempotent
        assert tasks.problem_overdue_scan() == {"flagged": []}
        p.refresh_from_db()
        assert p.is_overdue() and p.overdue_alerted_on == date(2026, 3, 21)
        assert Event.objects.filter(action="problem.overdue_alert", subject_id=str(p.pk)).count() == 1
        with pytest.raises(NotPermitted):
            services.problem_extend(actor=world.users["officer"], problem=p, deadline=date(2026, 4, 30), reason="需要协调")
        services.problem_extend(actor=world.users["head"], problem=p, deadline=date(2026, 4, 30), reason="需要协调其他部门")
        p.refresh_from_db()
        assert not p.is_overdue() and p.overdue_alerted_on is None


def test_rectified_problem_awaiting_recheck_is_not_overdue(world):
    p = make_problem(world, found_on=date(2026, 3, 2), deadline=date(2026, 3, 20))
    with time_machine.travel(date(2026, 3, 19)):
        _move(world, p, "report", "officer")
    with time_machine.travel(date(2026, 4, 1)):
        p.refresh_from_db()
        assert not p.is_overdue() and services.overdue_scan() == []


def test_changde_measure5_key_problem_ledger_and_lift_after_recheck(world):
    p = make_problem(world)
    with pytest.raises(NotPermitted):
        services.problem_list_key(actor=world.users["officer"], problem=p, reason="media", requirement="立行立改", due_on=p.deadline)
    listing = services.problem_list_key(actor=world.users["supervisor"], problem=p, reason=SupervisionListing.Reason.MEDIA,
                                        requirement="立行立改，每半月报告进展", due_on=p.deadline)
    assert listing.number.startswith("DB") and Problem.objects.get(pk=p.pk).is_key
    with pytest.raises(DomainError):
        services.problem_list_key(actor=world.users["supervisor"], problem=p, reason="media", requirement="x", due_on=p.deadline)
    services.supervision_entry_add(actor=world.users["supervisor"], listing=listing, kind=SupervisionEntry.Kind.VISIT, note="督导组实地督导")
    services.supervision_entry_add(actor=world.users["officer"], listing=listing, kind=SupervisionEntry.Kind.REPORT, note="已约谈相关人员")
    with pytest.raises(NotPermitted):
        services.supervision_entry_add(actor=world.users["officer"], listing=listing, kind=SupervisionEntry.Kind.NOTICE, note="通报")
    with pytest.raises(TransitionNotAllowed):
        services.listing_lift(actor=world.users["supervisor"], listing=listing)
    _move(world, p, "report", "officer")
    _move(world, p, "recheck_pass", "supervisor", "回头看到位")
    listing = services.listing_lift(actor=world.users["supervisor"], listing=listing)
    assert listing.status == SupervisionListing.Status.LIFTED and listing.entries.count() == 2


def test_closed_problem_cannot_be_edited_or_listed(world):
    p = make_problem(world)
    _move(world, p, "report", "officer")
    p = _move(world, p, "recheck_pass", "supervisor", "到位")
    with pytest.raises(TransitionNotAllowed):
        services.problem_update(actor=world.users["officer"], problem=p, title="新标题")
    with pytest.raises(TransitionNotAllowed):
        services.problem_list_key(actor=world.users["supervisor"], problem=p, reason="media", requirement="x", due_on=date.today() + timedelta(days=3))


def test_deadline_is_not_edited_directly(world):
    p = make_problem(world)
    with pytest.raises(DomainError) as exc:
        services.problem_update(actor=world.users["officer"], problem=p, deadline=date(2030, 1, 1))
    assert exc.value.code == "invalid_fields"


@pytest.mark.parametrize("who", ["officer", "officer2", "head", "supervisor", "officer_b"])
def test_the_page_offers_exactly_the_acts_the_service_accepts(world, client_for, who):
    """One who-may-act rule (``services.problem_may_act``) for the problem page and ``problem_transition``: every
    button the page shows is accepted by the service, every act it leaves out is refused and changes nothing.
    Another county's officer does not see the problem at all (404)."""
    p = make_problem(world)
    _move(world, p, "report", "officer")  # rectified: the 回头看 acts are open
    response = client_for(who).get(f"/oversight/problems/{p.pk}/")
    if who == "officer_b":
        assert response.status_code == 404
        with pytest.raises(NotPermitted):
            _move(world, p, "recheck_pass", who, "整改到位")
        return
    page = response.content.decode()
    for action in workflow.actions_from(S.RECTIFIED):
        label = workflow.ACTION_LABELS[action]
        offered = f'value="{action}"' in page
        assert offered == services.problem_may_act(world.users[who], p, action), (who, action, label)
        if not offered:
            before = Event.objects.count()
            with pytest.raises(NotPermitted):
                _move(world, p, action, who, "整改到位")
            p.refresh_from_db()
            assert p.status == S.RECTIFIED and Event.objects.count() == before
