"""State changes of the training registers. Training, exams, reviews and equipment are kept by the unit's head or
the administrator; feedback from social supervisors may also be entered by officers. Every write is audited."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core import services as core_services
from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Organisation
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role, audited_create, audited_update

from .models import (
    Attendance,
    CertificateReview,
    Equipment,
    EquipmentAssignment,
    Exam,
    ExamScore,
    SocialSupervisor,
    SupervisorFeedback,
    TrainingEvent,
)

KEEPERS = (Role.HEAD, Role.ADMIN)


def _check(actor, organisation: Organisation, roles=KEEPERS) -> None:
    if actor is not None:
        assert_role(actor, *roles, message="只有负责人或系统管理员可以维护执法队伍台账。")
        assert_in_jurisdiction(actor, organisation)


def _create(actor, instance, action, summary, organisation=None):
    _check(actor, organisation or instance.organisation)
    return audited_create(actor=actor, instance=instance, action=action, summary=summary, organisation=organisation)


def _update(actor, instance, data, allowed, action, summary, organisation=None):
    _check(actor, organisation or instance.organisation)
    return audited_update(actor=actor, instance=instance, data=data, allowed=allowed, action=action, summary=summary, organisation=organisation)


def training_event_create(*, actor, organisation: Organisation, **data) -> TrainingEvent:
    ev = TrainingEvent(organisation=organisation, **data)
    return _create(actor, ev, "training_event.create", f"登记培训 {ev.title}")


EVENT_FIELDS = {"title", "category", "start_on", "end_on", "hours", "place", "teacher"}


def training_event_update(*, actor, event: TrainingEvent, **data) -> TrainingEvent:
    return _update(actor, event, data, EVENT_FIELDS, "training_event.update", f"修改培训 {event.title}")


def attendance_record(*, actor, event: TrainingEvent, officers: list[Officer], hours=None) -> list[Attendance]:
    """Credit each officer with ``hours`` (default: the event's hours); an officer already recorded is refused."""
    _check(actor, event.organisation)
    hours = event.hours if hours is None else hours
    rows = []
    with transaction.atomic():
        for officer in officers:
            if actor is not None:
                assert_in_jurisdiction(actor, officer.organisation)
            if Attendance.objects.filter(event=event, officer=officer).exists():
                raise DomainError("duplicate_attendance", f"{officer.name}已登记参加本次培训。")
            row = Attendance(event=event, officer=officer, hours=hours)
            rows.append(audited_create(actor=actor, instance=row, action="training.attendance", organisation=event.organisation,
                                       summary=f"{officer.name}参加培训“{event.title}”，认定{hours}学时"))
    return rows


def exam_create(*, actor, organisation: Organisation, **data) -> Exam:
    exam = Exam(organisation=organisation, **data)
    return _create(actor, exam, "exam.create", f"登记考试 {exam.title}")


def exam_update(*, actor, exam: Exam, **data) -> Exam:
    return _update(actor, exam, data, {"title", "held_on", "full_score", "pass_score"}, "exam.update", f"修改考试 {exam.title}")


def exam_score_record(*, actor, exam: Exam, officer: Officer, score) -> ExamScore:
    _check(actor, exam.organisation)
    if ExamScore.objects.filter(exam=exam, officer=officer).exists():
        raise DomainError("duplicate_score", f"{officer.name}本次考试成绩已登记。")
    row = ExamScore(exam=exam, officer=officer, score=score)
    return audited_create(actor=actor, instance=row, action="exam.score", organisation=exam.organisation,
                          summary=f"登记{officer.name}“{exam.title}”成绩 {score}")


def certificate_review_record(*, actor, officer: Officer, year: int, reviewed_on: date, result: str, note: str = "") -> CertificateReview:
    """Record an annual review; a passed review updates the officer's 最近年审日期 through the core service."""
    from .selectors import hours_by_officer

    _check(actor, officer.organisation)
    if CertificateReview.objects.filter(officer=officer, year=year).exists():
        raise DomainError("duplicate_review", f"{officer.name}{year}年度已年审。")
    if reviewed_on > timezone.localdate():
        raise DomainError("future_date", "年审日期不能晚于今天。")
    # 当年学时 as the hours register shows it on the review day (the consistency check recomputes it the same way).
    hours = hours_by_officer(Officer.objects.filter(pk=officer.pk), year, until=reviewed_on).get(officer.pk, 0)
    review = CertificateReview(officer=officer, year=year, reviewed_on=reviewed_on, result=result, note=note, training_hours=hours)
    with transaction.atomic():
        audited_create(actor=actor, instance=review, action="certificate.review", organisation=officer.organisation,
                       summary=f"{officer.name}{year}年度执法证年审：{review.get_result_display()}")
        if result == CertificateReview.Result.PASSED:
            core_services.officer_update(actor=actor, officer=officer, annual_review_on=reviewed_on)
        elif result == CertificateReview.Result.FAILED:
            # An officer failing the annual review may not enforce until reviewed again (执法证管理 annual review).
            core_services.officer_update(actor=actor, officer=officer, cert_status=Officer.CertStatus.SUSPENDED)
    return review


def equipment_create(*, actor, organisation: Organisation, **data) -> Equipment:
    item = Equipment(organisation=organisation, **data)
    return _create(actor, item, "equipment.create", f"登记装备 {item}")


def equipment_update(*, actor, equipment: Equipment, **data) -> Equipment:
    if data.get("status") == Equipment.Status.SCRAPPED and equipment.assignments.filter(returned_on__isnull=True).exists():
        raise DomainError("still_assigned", "装备尚未归还，不能报废。")
    return _update(actor, equipment, data, {"model_name", "serial", "purchased_on", "status", "kind"}, "equipment.update", f"修改装备 {equipment}")


def equipment_assign(*, actor, equipment: Equipment, officer: Officer, assigned_on: date) -> EquipmentAssignment:
    _check(actor, equipment.organisation)
    if equipment.status != Equipment.Status.IN_SERVICE:
        raise DomainError("not_in_service", f"装备状态为“{equipment.get_status_display()}”，不能领用。")
    if not officer.organisation.is_within(equipment.organisation) and not equipment.organisation.is_within(officer.organisation):
        raise DomainError("officer_out_of_unit", "领用人须属于装备所属机构。")
    if equipment.assignments.filter(returned_on__isnull=True).exists():
        raise DomainError("already_assigned", "该装备已被领用，须先归还。")
    row = EquipmentAssignment(equipment=equipment, officer=officer, assigned_on=assigned_on)
    return audited_create(actor=actor, instance=row, action="equipment.assign", organisation=equipment.organisation,
                          summary=f"{officer.name}领用{equipment}")


def equipment_return(*, actor, equipment: Equipment, returned_on: date) -> EquipmentAssignment:
    _check(actor, equipment.organisation)
    open_row = equipment.assignments.filter(returned_on__isnull=True).first()
    if open_row is None:
        raise DomainError("not_assigned", "该装备未被领用。")
    if returned_on < open_row.assigned_on:
        raise DomainError("invalid_date", "归还日期不能早于领用日期。")
    before = audit.snapshot(open_row)
    with transaction.atomic():
        if EquipmentAssignment.objects.filter(pk=open_row.pk, returned_on__isnull=True).update(returned_on=returned_on) != 1:
            raise DomainError("stale_state", "该装备已归还。")
        open_row.refresh_from_db()
        audit.record(actor=actor, action="equipment.return", subject=open_row, before=before, after=audit.snapshot(open_row),
                     organisation=equipment.organisation, summary=f"{open_row.officer.name}归还{equipment}")
    return open_row


def supervisor_create(*, actor, organisation: Organisation, **data) -> SocialSupervisor:
    s = SocialSupervisor(organisation=organisation, **data)
    return _create(actor, s, "social_supervisor.create", f"聘任社会义务监督员 {s.name}")


def supervisor_update(*, actor, supervisor: SocialSupervisor, **data) -> SocialSupervisor:
    return _update(actor, supervisor, data, {"name", "phone", "employer", "appointed_on", "term_ends_on", "active"},
                   "social_supervisor.update", f"修改社会义务监督员 {supervisor.name}")


def feedback_create(*, actor, supervisor: SocialSupervisor, kind: str, received_on: date, content: str, response: str = "",
                    responded_on: date | None = None) -> SupervisorFeedback:
    _check(actor, supervisor.organisation, roles=(Role.OFFICER, *KEEPERS))
    fb = SupervisorFeedback(supervisor=supervisor, organisation=supervisor.organisation, kind=kind, received_on=received_on,
                            content=content, response=response, responded_on=responded_on)
    return audited_create(actor=actor, instance=fb, action="supervisor_feedback.create", summary=f"登记{supervisor.name}的{fb.get_kind_display()}")


def feedback_update(*, actor, feedback: SupervisorFeedback, **data) -> SupervisorFeedback:
    _check(actor, feedback.organisation, roles=(Role.OFFICER, *KEEPERS))
    return audited_update(actor=actor, instance=feedback, data=data, allowed={"kind", "content", "response", "responded_on"},
                          action="supervisor_feedback.update", summary=f"办理{feedback.supervisor.name}的意见")
