"""Training hours against the requirement, attendance, exams, annual review, equipment assignment, supervisors,
the dashboard flags, and the certificate rule enforced by core."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event, Officer
from zhifa.core.services import assert_officers_can_act
from zhifa.training import selectors, services
from zhifa.training.models import CertificateReview, Equipment, HoursRequirement, TrainingEvent


def _event(world, hours, category=TrainingEvent.Category.LAW, on=None):
    on = on or date.today().replace(month=1, day=15)
    return services.training_event_create(actor=world.users["head"], organisation=world.county_a, title=f"培训{hours}", category=category,
                                          start_on=on, end_on=on, hours=Decimal(hours))


def test_hours_per_year_count_only_business_and_law_against_configurable_requirement(world):
    law = _event(world, 40)
    biz = _event(world, 24, TrainingEvent.Category.BUSINESS)
    pol = _event(world, 30, TrainingEvent.Category.POLITICAL)
    last_year = _event(world, 50, on=date(date.today().year - 1, 6, 1))
    services.attendance_record(actor=world.users["head"], event=law, officers=[world.officers["officer"], world.officers["officer2"]])
    services.attendance_record(actor=world.users["head"], event=biz, officers=[world.officers["officer"]])
    services.attendance_record(actor=world.users["head"], event=pol, officers=[world.officers["officer2"]])
    services.attendance_record(actor=world.users["head"], event=last_year, officers=[world.officers["officer2"]])
    rows, requirement = selectors.officer_hours(world.users["head"], date.today().year)
    by = {r.officer.name: r for r in rows}
    assert requirement.min_hours == 60
    assert by["officer"].hours == 64 and not by["officer"].is_short
    assert by["officer2"].hours == 40 and by["officer2"].short_by == 20  # political and last year's hours don't count
    short = {r.officer.name for r in selectors.officers_short_of_hours(world.users["head"], date.today().year)}
    assert "officer2" in short and "officer" not in short
    # The requirement is data: lowering it for the year changes who is short.
    HoursRequirement.objects.create(effective_from=date(date.today().year, 1, 1), min_hours=40, citation="测试")
    short = {r.officer.name for r in selectors.officers_short_of_hours(world.users["head"], date.today().year)}
    assert "officer2" not in short


def test_attendance_cannot_exceed_event_hours_or_repeat(world):
    ev = _event(world, 8)
    with pytest.raises(Exception) as exc:
        services.attendance_record(actor=world.users["head"], event=ev, officers=[world.officers["officer"]], hours=Decimal(9))
    assert "不超过培训学时" in str(exc.value)
    services.attendance_record(actor=world.users["head"], event=ev, officers=[world.officers["officer"]])
    events = Event.objects.count()
    with pytest.raises(DomainError):
        services.attendance_record(actor=world.users["head"], event=ev, officers=[world.officers["officer2"], world.officers["officer"]])
    assert ev.attendances.count() == 1 and Event.objects.count() == events  # the whole batch rolled back


def test_officer_cannot_keep_training_records(world):
    with pytest.raises(NotPermitted):
        _event_by(world, "officer")


def _event_by(world, key):
    return services.training_event_create(actor=world.users[key], organisation=world.brigade_a, title="x", category="law",
                                          start_on=date.today(), end_on=date.today(), hours=Decimal(2))


def test_exam_scores_and_pass_mark(world):
    exam = services.exam_create(actor=world.users["head"], organisation=world.county_a, title="年度执法资格考试", held_on=date.today())
    s1 = services.exam_score_record(actor=world.users["head"], exam=exam, officer=world.officers["officer"], score=Decimal("85"))
    s2 = services.exam_score_record(actor=world.users["head"], exam=exam, officer=world.officers["officer2"], score=Decimal("52"))
    assert s1.passed and not s2.passed
    with pytest.raises(ValidationError):
        services.exam_score_record(actor=world.users["head"], exam=exam, officer=world.officers["officer3"], score=Decimal("120"))


def test_annual_review_passed_updates_certificate_failed_suspends(world):
    officer = world.officers["officer"]
    services.certificate_review_record(actor=world.users["head"], officer=officer, year=date.today().year, reviewed_on=date.today(), result="passed")
    officer.refresh_from_db()
    assert officer.annual_review_on == date.today()
    o2 = world.officers["officer2"]
    services.certificate_review_record(actor=world.users["head"], officer=o2, year=date.today().year, reviewed_on=date.today(), result="failed")
    o2.refresh_from_db()
    assert o2.cert_status == Officer.CertStatus.SUSPENDED and not o2.can_enforce()
    with pytest.raises(DomainError):
        services.certificate_review_record(actor=world.users["head"], officer=officer, year=date.today().year, reviewed_on=date.today(), result="passed")
    assert CertificateReview.objects.count() == 2


def test_art42_expired_officer_refused_by_assert_officers_can_act(world):
    # 行政处罚法第四十二条: enforcement by at least two officers holding valid certificates.
    with pytest.raises(DomainError) as exc:
        assert_officers_can_act([world.officers["officer"], world.officers["expired"]], on=date.today())
    assert exc.value.code == "officer_not_certified" and "过期" in exc.value.message
    assert len(assert_officers_can_act([world.officers["officer"], world.officers["officer2"]], on=date.today())) == 2


def test_equipment_assign_return_and_one_holder(world):
    cam = services.equipment_create(actor=world.users["head"], organisation=world.county_a, kind="body_camera", asset_number="ZF-001",
                                    model_name="执法记录仪DSJ-X1")
    services.equipment_assign(actor=world.users["head"], equipment=cam, officer=world.officers["officer"], assigned_on=date.today() - timedelta(days=3))
    with pytest.raises(DomainError):
        services.equipment_assign(actor=world.users["head"], equipment=cam, officer=world.officers["officer2"], assigned_on=date.today())
    with pytest.raises(DomainError):
        services.equipment_update(actor=world.users["head"], equipment=cam, status=Equipment.Status.SCRAPPED)
    services.equipment_return(actor=world.users["head"], equipment=cam, returned_on=date.today())
    services.equipment_assign(actor=world.users["head"], equipment=cam, officer=world.officers["officer2"], assigned_on=date.today())
    cam.refresh_from_db()
    assert cam.holder == "officer2" and cam.assignments.count() == 2


def test_supervisor_feedback_response_needs_date(world):
    sup = services.supervisor_create(actor=world.users["head"], organisation=world.brigade_a, name="赵监督", phone="13700001111",
                                     appointed_on=date.today() - timedelta(days=30), term_ends_on=date.today() + timedelta(days=700))
    with pytest.raises(ValidationError):
        services.feedback_create(actor=world.users["officer"], supervisor=sup, kind="clue", received_on=date.today(), content="夜间超限", response="已查处")
    fb = services.feedback_create(actor=world.users["officer"], supervisor=sup, kind="clue", received_on=date.today(), content="夜间超限")
    services.feedback_update(actor=world.users["officer"], feedback=fb, response="已查处", responded_on=date.today())
    assert sup.feedback.get().response == "已查处"


def test_dashboard_flags_short_hours_and_certificate_expiring_next_month(world, client_for):
    Officer.objects.filter(pk=world.officers["officer3"].pk).update(cert_expires_on=date.today() + timedelta(days=25))
    ev = _event(world, 64)
    services.attendance_record(actor=world.users["head"], event=ev, officers=[world.officers["officer"], world.officers["officer3"]])
    page = client_for("head").get("/").content.decode()
    assert "培训学时" in page and "officer2（" in page  # short of hours (0 of 60)
    assert "officer3：" in page and "即将到期" in page  # core's certificate widget flags next month's expiry
    assert "officer（" not in page.split("培训学时")[1].split("</section>")[0]  # 64 h is not short


def test_pages_forms_export_and_api(world, client_for, api_for):
    client = client_for("head")
    ok = client.post("/training/r/events/new/", {"title": "行政处罚法专题", "category": "law", "start_on": "2026-01-10",
                                                "end_on": "2026-01-09", "hours": "8"})
    assert ok.status_code == 200 and "结束日期不能早于开始日期" in ok.content.decode()
    ok = client.post("/training/r/events/new/", {"title": "行政处罚法专题", "category": "law", "start_on": "2026-01-10", "end_on": "2026-01-10", "hours": "8"})
    assert ok.status_code == 302
    ev = TrainingEvent.objects.get()
    r = client.post(f"/training/events/{ev.pk}/attendance/", {"officers": [world.officers["officer"].pk, world.officers["officer2"].pk]})
    assert r.status_code == 302 and ev.attendances.count() == 2
    for url in ["/training/hours/", "/training/hours/?short=1&format=xlsx", f"/training/r/events/{ev.pk}/", "/training/r/exams/",
                "/training/r/reviews/", "/training/r/equipment/", "/training/r/supervisors/", "/training/r/feedback/",
                "/training/r/events/?format=xlsx", "/training/r/equipment/new/"]:
        assert client.get(url).status_code == 200, url
    assert client_for("officer").get("/training/r/events/new/").status_code == 404  # officers may read, not keep
    api = api_for("head")
    assert api.get("/api/v1/training/events/").json()["items"][0]["title"] == "行政处罚法专题"
    assert api_for("officer_b").get(f"/api/v1/training/events/{ev.pk}").status_code == 404
    hours = api.get("/api/v1/training/hours", {"year": int(ev.start_on.year), "short": True}).json()
    assert {h["name"] for h in hours} >= {"officer", "officer2"}


def test_equipment_pages_assign_and_return(world, client_for):
    client = client_for("head")
    assert client.post("/training/r/equipment/new/", {"kind": "body_camera", "asset_number": "ZF-9", "model_name": "DSJ", "status": "in_service"}).status_code == 302
    item = Equipment.objects.get()
    client.post(f"/training/equipment/{item.pk}/assign/", {"officer": world.officers["officer"].pk, "assigned_on": date.today().isoformat()})
    assert Equipment.objects.get().holder == "officer"
    assert "officer" in client.get(f"/training/r/equipment/{item.pk}/").content.decode()
    client.post(f"/training/equipment/{item.pk}/return/")
    assert Equipment.objects.get().holder == ""
