"""The registers of the training app as kit descriptions (list, detail, forms, export, API)."""

from zhifa.core.kit import Register, RegisterSet, own_organisation
from zhifa.core.models import Officer
from zhifa.core.roles import Role
from zhifa.core.selectors import scope

from . import selectors, services
from .forms import EquipmentForm, ExamForm, FeedbackForm, ReviewForm, SupervisorForm, TrainingEventForm
from .models import CertificateReview, Equipment, Exam, SocialSupervisor, SupervisorFeedback, TrainingEvent

KEEPERS = (Role.HEAD, Role.ADMIN)


def _officer_choices(request, obj):
    return {"officer_choices": scope(Officer.objects.filter(is_active=True).select_related("organisation"), request.user)}


def _fields(obj, names):
    return {n: getattr(obj, n) for n in names}


REGISTERS = RegisterSet("training", [
    Register(
        "events", "培训", TrainingEvent, selectors.events_for,
        [("培训名称", "title"), ("类别", "get_category_display"), ("开始日期", "start_on"), ("结束日期", "end_on"), ("学时", "hours"),
         ("举办机构", "organisation"), ("参训人数", "n_attendances")],
        [("培训名称", "title"), ("类别", "get_category_display"), ("开始日期", "start_on"), ("结束日期", "end_on"), ("学时", "hours"),
         ("地点/方式", "place"), ("授课人", "teacher"), ("举办机构", "organisation")],
        "培训名称、授课人", TrainingEventForm,
        lambda user, data: services.training_event_create(actor=user, organisation=own_organisation(user), **data),
        lambda user, obj, data: services.training_event_update(actor=user, event=obj, **data),
        lambda obj: _fields(obj, services.EVENT_FIELDS), KEEPERS,
        [("参训人员", "attendances", [("姓名", "officer.name"), ("执法证号", "officer.cert_number"), ("所属机构", "officer.organisation"), ("认定学时", "hours")])],
        "training/_event_actions.html", extra_context=_officer_choices,
    ),
    Register(
        "exams", "考试", Exam, selectors.exams_for,
        [("考试名称", "title"), ("考试日期", "held_on"), ("满分", "full_score"), ("合格分", "pass_score"), ("参考人数", "n_scores")],
        [("考试名称", "title"), ("考试日期", "held_on"), ("满分", "full_score"), ("合格分", "pass_score"), ("组织机构", "organisation")],
        "考试名称", ExamForm,
        lambda user, data: services.exam_create(actor=user, organisation=own_organisation(user), **data),
        lambda user, obj, data: services.exam_update(actor=user, exam=obj, **data),
        lambda obj: _fields(obj, ["title", "held_on", "full_score", "pass_score"]), KEEPERS,
        [("成绩", "scores", [("姓名", "officer.name"), ("执法证号", "officer.cert_number"), ("成绩", "score"), ("合格", "passed")])],
        "training/_exam_actions.html", extra_context=_officer_choices,
    ),
    Register(
        "reviews", "执法证年审", CertificateReview, selectors.reviews_for,
        [("执法人员", "officer.name"), ("执法证号", "officer.cert_number"), ("年度", "year"), ("年审日期", "reviewed_on"),
         ("结论", "get_result_display"), ("当年学时", "training_hours")],
        [("执法人员", "officer"), ("所属机构", "officer.organisation"), ("年度", "year"), ("年审日期", "reviewed_on"), ("结论", "get_result_display"),
         ("当年培训学时（年审时）", "training_hours"), ("执法证有效期至", "officer.cert_expires_on"), ("说明", "note")],
        "姓名或执法证号", ReviewForm,
        lambda user, data: services.certificate_review_record(actor=user, **data),
        None, None, KEEPERS, org_field="officer__organisation",
    ),
    Register(
        "equipment", "执法装备", Equipment, selectors.equipment_for,
        [("资产编号", "asset_number"), ("类别", "get_kind_display"), ("品牌型号", "model_name"), ("序列号/车牌", "serial"),
         ("状态", "get_status_display"), ("领用人", "holder"), ("所属机构", "organisation")],
        [("资产编号", "asset_number"), ("类别", "get_kind_display"), ("品牌型号", "model_name"), ("序列号/车牌", "serial"),
         ("购置日期", "purchased_on"), ("状态", "get_status_display"), ("当前领用人", "holder"), ("所属机构", "organisation")],
        "资产编号、型号、序列号、领用人", EquipmentForm,
        lambda user, data: services.equipment_create(actor=user, organisation=own_organisation(user), **data),
        lambda user, obj, data: services.equipment_update(actor=user, equipment=obj, **data),
        lambda obj: _fields(obj, ["kind", "model_name", "serial", "purchased_on", "status"]), KEEPERS,
        [("领用记录", "assignments", [("领用人", "officer.name"), ("领用日期", "assigned_on"), ("归还日期", "returned_on")])],
        "training/_equipment_actions.html", extra_context=_officer_choices,
    ),
    Register(
        "supervisors", "社会义务监督员", SocialSupervisor, selectors.supervisors_for,
        [("姓名", "name"), ("工作单位/身份", "employer"), ("聘任日期", "appointed_on"), ("聘期至", "term_ends_on"), ("在聘", "active"),
         ("意见条数", "n_feedback")],
        [("姓名", "name"), ("联系电话", "phone"), ("工作单位/身份", "employer"), ("聘任日期", "appointed_on"), ("聘期至", "term_ends_on"),
         ("在聘", "active"), ("聘任机构", "organisation")],
        "姓名、单位", SupervisorForm,
        lambda user, data: services.supervisor_create(actor=user, organisation=own_organisation(user), **data),
        lambda user, obj, data: services.supervisor_update(actor=user, supervisor=obj, **data),
        lambda obj: _fields(obj, ["name", "phone", "employer", "appointed_on", "term_ends_on", "active"]), KEEPERS,
        [("意见与办理", "feedback", [("收到日期", "received_on"), ("类型", "get_kind_display"), ("内容", "content"), ("办理回复", "response"), ("回复日期", "responded_on")])],
        personal=lambda s: (s.name, "社会义务监督员信息"),
    ),
    Register(
        "feedback", "监督员意见", SupervisorFeedback, selectors.feedback_for,
        [("收到日期", "received_on"), ("监督员", "supervisor.name"), ("类型", "get_kind_display"), ("内容", "content"), ("回复日期", "responded_on")],
        [("监督员", "supervisor"), ("类型", "get_kind_display"), ("收到日期", "received_on"), ("内容", "content"), ("办理回复", "response"),
         ("回复日期", "responded_on"), ("承办机构", "organisation")],
        "监督员、内容", FeedbackForm,
        lambda user, data: services.feedback_create(actor=user, **data),
        lambda user, obj, data: services.feedback_update(actor=user, feedback=obj, **data),
        lambda obj: _fields(obj, ["kind", "content", "response", "responded_on"]), (Role.OFFICER, *KEEPERS),
    ),
])
