"""Scenario tests of the coercive-measure services, named after the articles of 行政强制法 they check. Each refusal
also asserts that nothing changed (no state, no history row, no full-process record)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from zhifa.coercion import services, tasks
from zhifa.coercion.models import Measure, MeasureFlag, MeasureStep, SeizedItem
from zhifa.coercion.workflow import Status
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event

from . import factories as f

pytestmark = pytest.mark.django_db


def unchanged(measure, status, events_before):
    measure.refresh_from_db()
    assert measure.status == status
    assert Event.objects.count() == events_before


def test_art18_apply_approve_take_puts_the_measure_in_force(world):
    m = f.applied(world)
    assert m.status == Status.APPLIED and m.number.startswith(f"{world.brigade_a.code}-QZ") and m.party == m.case.party
    m = services.measure_approve(actor=world.users["head"], measure=m, opinion="同意")
    m = services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world))
    assert m.status == Status.IN_FORCE and m.starts_on == timezone.localdate() and m.period_days == 30
    assert {o.pk for o in m.officers.all()} == {world.officers["officer"].pk, world.officers["officer2"].pk}
    assert list(m.items.values_list("name", flat=True)) == ["重型货车"]
    assert [s.action for s in MeasureStep.objects.filter(measure=m)] == ["apply", "approve", "take"]
    actions = list(Event.objects.filter(subject_type="coercion.measure", subject_id=str(m.pk)).values_list("action", flat=True))
    assert actions == ["coercion.apply", "coercion.approve", "coercion.take"]


def test_art18_two_officers_required(world):
    m = f.approved(world)
    before = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world, officers=("officer",)))
    assert exc.value.code == "too_few_officers" and "第十八条" in exc.value.message
    unchanged(m, Status.APPROVED, before)
    assert not SeizedItem.objects.exists()


def test_art18_officer_with_expired_certificate_may_not_take_part(world):
    m = f.approved(world)
    before = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world, officers=("officer", "expired")))
    assert exc.value.code == "officer_not_certified"
    unchanged(m, Status.APPROVED, before)


def test_art17_officers_of_another_authority_may_not_take_part(world):
    m = f.approved(world)
    with pytest.raises(DomainError) as exc:
        services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world, officers=("officer", "officer_b")))
    assert exc.value.code == "officer_out_of_unit"


def test_art18_prior_approval_required(world):
    m = f.applied(world)
    with pytest.raises(TransitionNotAllowed):  # not approved yet
        services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world))
    m = services.measure_approve(actor=world.users["head"], measure=m)
    before = Event.objects.count()
    with pytest.raises(DomainError) as exc:  # taken before the approval
        services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world, at=m.approved_at - timedelta(minutes=5)))
    assert exc.value.code == "taken_before_approval"
    unchanged(m, Status.APPROVED, before)


@pytest.mark.parametrize(("kw", "code"), [
    ({"party_present": False}, "witness_required"),
    ({"rights_notified": False}, "rights_not_notified"),
    ({"statement": " "}, "statement_required"),
    ({"scene_record": ""}, "scene_record_required"),
    ({"record_signed": False}, "refusal_note_required"),
    ({"custody_place": ""}, "custody_required"),
    ({"items": []}, "invalid_items"),
])
def test_art18_art24_art26_scene_must_be_complete(world, kw, code):
    m = f.approved(world)
    before = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.measure_take(actor=world.users["officer"], measure=m, scene=f.scene(world, **kw))
    assert exc.value.code == code
    unchanged(m, Status.APPROVED, before)


def test_art18_party_absent_with_witness_is_allowed(world):
    m = services.measure_take(actor=world.users["officer"], measure=f.approved(world), scene=f.scene(world, party_present=False, witness="路人甲"))
    assert m.status == Status.IN_FORCE and m.witness == "路人甲"


def test_art24_decision_needs_the_party_address(world):
    c = f.case(world)
    c.party.address = ""
    c.party.save()
    with pytest.raises(DomainError) as exc:
        f.emergency(world, the_case=c)
    assert exc.value.code == "party_address_missing"
    assert not Measure.objects.exists()


def test_roles_officer_cannot_approve_head_decides(world):
    m = f.applied(world)
    with pytest.raises(NotPermitted):
        services.measure_approve(actor=world.users["officer"], measure=m)
    with pytest.raises(DomainError):
        services.measure_refuse(actor=world.users["head"], measure=m, opinion="")
    m = services.measure_refuse(actor=world.users["head"], measure=m, opinion="不必要")
    assert m.status == Status.NOT_APPROVED
    with pytest.raises(TransitionNotAllowed):
        services.measure_approve(actor=world.users["head"], measure=m)


def test_other_jurisdiction_cannot_act(world):
    m = f.applied(world)
    before = Event.objects.count()
    with pytest.raises(NotPermitted):
        services.measure_approve(actor=world.users["officer_b"], measure=m)
    unchanged(m, Status.APPLIED, before)


def test_art19_emergency_reported_within_24_hours_then_confirmed(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        m = f.emergency(world)
        assert m.status == Status.EMERGENCY and m.emergency and m.starts_on == timezone.localdate()
    with time_machine.travel(m.taken_at + timedelta(hours=23, minutes=59), tick=False):
        m = services.measure_report(actor=world.users["officer"], measure=m, note="电话报告")
        assert m.status == Status.REPORTED
        m = services.measure_confirm(actor=world.users["head"], measure=m, opinion="同意")
    assert m.status == Status.IN_FORCE and m.approved_by == world.users["head"]


def test_art19_report_after_24_hours_is_refused_and_the_measure_released(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        m = f.emergency(world)
    with time_machine.travel(m.taken_at + timedelta(hours=23), tick=False):
        with pytest.raises(DomainError):  # not yet late: this release reason does not apply
            services.measure_release(actor=world.users["head"], measure=m, reason="report_late")
    with time_machine.travel(m.taken_at + timedelta(hours=24, minutes=1), tick=False):
        before = Event.objects.count()
        with pytest.raises(DomainError) as exc:
            services.measure_report(actor=world.users["officer"], measure=m)
        assert exc.value.code == "emergency_report_late"
        unchanged(m, Status.EMERGENCY, before)
        assert tasks.flag_overdue() == 1 and tasks.flag_overdue() == 0
        assert MeasureFlag.objects.get().kind == "emergency_report"
        m = services.measure_release(actor=world.users["head"], measure=m, reason="report_late")
    assert m.status == Status.RELEASED and m.items.filter(returned_on__isnull=True).count() == 0


def test_art19_head_who_disagrees_releases_at_once(world):
    m = services.measure_report(actor=world.users["officer"], measure=f.emergency(world))
    m = services.measure_release(actor=world.users["head"], measure=m, reason="not_approved", note="情节轻微")
    assert m.status == Status.RELEASED and m.returned_to == m.party.name


def test_art25_period_day_30_in_time_day_31_overdue(world):
    taken = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    with time_machine.travel(taken + timedelta(minutes=30), tick=False):
        m = f.in_force(world)
    start = m.starts_on
    assert m.due_on() == start + timedelta(days=30)
    with time_machine.travel(taken + timedelta(days=30), tick=False):
        m.refresh_from_db()
        from zhifa.coercion import periods

        assert periods.current(m).state == "amber"
        assert tasks.flag_overdue() == 0
        with pytest.raises(DomainError):  # not expired on day 30
            services.measure_release(actor=world.users["head"], measure=m, reason="expired")
    with time_machine.travel(taken + timedelta(days=31), tick=False):
        assert periods.current(m).state == "red"
        assert tasks.flag_overdue() == 1 and tasks.flag_overdue() == 0  # idempotent
        m = services.measure_release(actor=world.users["head"], measure=m, reason="expired")
    assert m.status == Status.RELEASED
    assert Event.objects.filter(action="coercion.overdue", subject_id=str(m.pk)).count() == 1


def test_art25_extension_once_only_at_most_30_days_with_head_approval(world):
    m = f.in_force(world)
    with pytest.raises(NotPermitted):
        services.measure_extend(actor=world.users["officer"], measure=m, days=30, reason="情况复杂")
    before = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.measure_extend(actor=world.users["head"], measure=m, days=31, reason="情况复杂")
    assert exc.value.code == "extension_too_long"
    unchanged(m, Status.IN_FORCE, before)
    m = services.measure_extend(actor=world.users["head"], measure=m, days=30, reason="需委托鉴定，情况复杂")
    assert m.status == Status.EXTENDED and m.due_on() == m.starts_on + timedelta(days=60)
    assert m.extension_notified_on == timezone.localdate()
    with pytest.raises(TransitionNotAllowed):  # once only
        services.measure_extend(actor=world.users["head"], measure=m, days=1, reason="再次延长")


def test_art25_no_extension_after_the_period_ran_out(world):
    taken = timezone.now() - timedelta(minutes=1)
    with time_machine.travel(taken, tick=False):
        m = f.in_force(world)
    with time_machine.travel(taken + timedelta(days=31), tick=False):
        with pytest.raises(DomainError) as exc:
            services.measure_extend(actor=world.users["head"], measure=m, days=10, reason="情况复杂")
    assert exc.value.code == "period_expired"


def test_art25_testing_period_not_counted(world):
    taken = timezone.now() - timedelta(minutes=1)
    with time_machine.travel(taken, tick=False):
        m = f.in_force(world)
        today = timezone.localdate()
        services.measure_pause(actor=world.users["officer"], measure=m, reason="testing", started_on=today, notified_on=today, note="送检")
        with pytest.raises(DomainError):
            services.measure_pause(actor=world.users["officer"], measure=m, reason="appraisal", started_on=today, notified_on=today)
    with time_machine.travel(taken + timedelta(days=10), tick=False):
        m.refresh_from_db()
        assert m.due_on() == m.starts_on + timedelta(days=40)  # 10 days of testing so far, still running
        services.measure_resume(actor=world.users["officer"], measure=m, ended_on=timezone.localdate())
    with time_machine.travel(taken + timedelta(days=35), tick=False):
        assert m.due_on() == m.starts_on + timedelta(days=40)
        assert tasks.flag_overdue() == 0


def test_art16_no_coercion_list_needs_a_recorded_reason(world, shipped_catalogue):
    c = f.case(world, code="LZ-006")
    with pytest.raises(DomainError) as exc:
        f.applied(world, the_case=c)
    assert exc.value.code == "no_coercion_listed" and "第十六条" in exc.value.message
    assert not Measure.objects.exists()
    m = f.applied(world, the_case=c, no_coercion_reason="物品无法当场清除且严重影响通行安全")
    assert m.no_coercion_listed and "严重影响" in m.no_coercion_reason
    assert "不予实施行政强制措施清单" in Event.objects.get(action="coercion.apply").summary


def test_art23_vehicle_not_seized_twice(world):
    m = f.in_force(world)
    with pytest.raises(DomainError) as exc:
        f.applied(world, the_case=m.case)
    assert exc.value.code == "already_seized"
    services.measure_release(actor=world.users["head"], measure=m, reason="decided")
    assert f.applied(world, the_case=m.case).status == Status.APPLIED


def test_measure_refused_in_an_ended_case(world):
    from zhifa.cases import services as cs

    c = cs.case_decline(actor=world.users["head"], case=f.case(world), reason="不属于本机关管辖")
    with pytest.raises(DomainError) as exc:
        f.applied(world, the_case=c)
    assert exc.value.code == "case_ended"


def test_art27_confiscation_needs_the_case_decision_within_the_period(world):
    from zhifa.cases.tests import factories as cf

    m = f.in_force(world)
    with pytest.raises(DomainError) as exc:
        services.measure_dispose(actor=world.users["head"], measure=m, note="没收")
    assert exc.value.code == "no_decision"
    decided = cf.decided(world)
    m2 = f.in_force(world, the_case=decided)
    Measure.objects.filter(pk=m2.pk).update(starts_on=decided.decided_on - timedelta(days=31))
    m2.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.measure_dispose(actor=world.users["head"], measure=m2, note="没收")
    assert exc.value.code == "period_expired"
    Measure.objects.filter(pk=m2.pk).update(starts_on=decided.decided_on - timedelta(days=30))
    m2.refresh_from_db()
    m2 = services.measure_dispose(actor=world.users["head"], measure=m2, note="没收违法运输的物品")
    assert m2.status == Status.DISPOSED and m2.disposal_decision_number == decided.decision_number


def test_art28_release_reasons_and_forbidden_transitions(world):
    m = f.in_force(world)
    with pytest.raises(DomainError):
        services.measure_release(actor=world.users["head"], measure=m, reason="not_approved")  # only an unapproved emergency
    with pytest.raises(DomainError):
        services.measure_release(actor=world.users["head"], measure=m, reason="not_needed")  # needs the circumstances
    m = services.measure_release(actor=world.users["head"], measure=m, reason="no_violation")
    assert m.release_reason == "no_violation" and m.released_on == timezone.localdate()
    before = Event.objects.count()
    for call in (lambda: services.measure_release(actor=world.users["head"], measure=m, reason="decided"),
                 lambda: services.measure_extend(actor=world.users["head"], measure=m, days=5, reason="x")):
        with pytest.raises(TransitionNotAllowed):
            call()
    unchanged(m, Status.RELEASED, before)


def test_documents_are_issued_after_commit_and_numbered(named_world, django_capture_on_commit_callbacks):
    from zhifa.documents.models import Document

    world = named_world  # officers with real names: the document lint refuses English on a party's paper
    with django_capture_on_commit_callbacks(execute=True):
        m = f.in_force(world)
    m.refresh_from_db()
    doc = Document.objects.get(kind="coercion_decision")
    assert m.decision_number == doc.number and "强〔" in doc.number
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_extend(actor=world.users["head"], measure=m, days=20, reason="情况复杂")
        services.measure_release(actor=world.users["head"], measure=m, reason="decided")
    assert sorted(Document.objects.values_list("kind", flat=True)) == ["coercion_decision", "coercion_extension", "coercion_release"]
    assert doc.context["items"][0]["name"] == "重型货车" and doc.context["period"].startswith("30日")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the migration-shipped rows after the flush
def test_two_heads_releasing_at_once_exactly_one_succeeds(world):
    import threading

    from django.db import connection

    m = f.in_force(world)
    results = []

    def attempt():
        try:
            services.measure_release(actor=world.users["head"], measure=Measure.objects.get(pk=m.pk), reason="decided")
            results.append("ok")
        except (TransitionNotAllowed, DomainError):
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert Event.objects.filter(action="coercion.release", subject_id=str(m.pk)).count() == 1
    assert MeasureStep.objects.filter(measure=m, action="release").count() == 1
