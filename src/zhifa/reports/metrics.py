"""Figures as data: each :class:`Metric` says which register it counts, over which date, with which filter.

One evaluator serves the dashboards, the annual report and the drill-down to the records behind a figure, so
a number on a chart, in the report and in the record list is the same query. A metric whose register does not
exist (yet) evaluates as *unavailable* and is shown as such — never as zero."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connection, models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from zhifa.core.models import Officer, Organisation
from zhifa.credit.models import GradeChange


@dataclass(frozen=True)
class Metric:
    """A countable figure. ``model`` is "app.Model"; ``date_field`` places a row in a period; ``filters`` and
    ``excludes`` are ORM lookups; ``sum_field`` turns the count into a sum; ``org_field`` is the jurisdiction
    path (``organisation`` by default); ``distinct`` counts distinct values of a field instead of rows;
    ``annotations`` are computed columns the filters and the sum may use."""

    key: str
    label: str
    model: str
    date_field: str | None
    unit: str = "件"
    filters: dict = field(default_factory=dict)
    excludes: dict = field(default_factory=dict)
    sum_field: str | None = None
    org_field: str = "organisation"
    snapshot: str | None = None  # "officers_active" / "officers_certified": state at the period's end
    distinct: str | None = None
    annotations: dict = field(default_factory=dict)
    # A second date the row must carry by the period's end: "received in the period *and* closed by its end" keeps
    # a rate's numerator inside its denominator's cohort (a case closed this year but received last year is not in it).
    done_by_end: str | None = None
    note: str = ""  # what the filters select, in the register's words (shown with the definition)
    # Open at the period's end: ``date_field`` on or before the end (from any year) and this date empty or after it
    # (problems not yet closed by 31 December, whenever found).
    open_until: str | None = None
    # A figure no ORM filter expresses (officers short of the yearly hours): (org, start, end) → the rows' queryset.
    rows: object = None

    def model_class(self):
        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None

    @property
    def date_label(self) -> str:
        """What places a row in the period, in the register's words (the date field's verbose name)."""
        model = self.model_class()
        if not self.date_field or model is None:
            return ""
        try:
            return str(_field_at(model, self.date_field).verbose_name)
        except FieldDoesNotExist:
            return "日期"


@dataclass
class Value:
    metric: Metric
    value: Decimal | int | None
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.value is not None

    def display(self) -> str:
        if self.value is None:
            return "数据未接入"
        if isinstance(self.value, Decimal):
            return f"{self.value:,.2f}"
        return f"{self.value}"


M = Metric
_MONEY = DecimalField(max_digits=12, decimal_places=2)
_REDUCED = {"annotations": {"reduction": ExpressionWrapper(Cast(KT("assessment__amount"), _MONEY) - F("fine_amount"), output_field=_MONEY)},
            "filters": {"outcome": "penalty", "penalty_kind": "fine", "reduction__gt": 0}}


def _operation_metrics() -> list[Metric]:
    """Figures of the operations register (campaigns): joint actions and campaigns count their partner departments,
    officers (人次), typed results and linked cases; publicity events their materials."""
    took_place = ["in_progress", "concluded"]
    op = {"status__in": took_place}
    via = {"org_field": "operation__organisation"}
    enforcing = {"operation__status__in": took_place, "operation__kind__in": ["joint", "campaign"]}
    return [
        M("joint_operations", "跨部门联合执法行动", "campaigns.Operation", "starts_on", "次", filters={**op, "kind": "joint"}),
        M("joint_departments", "联合执法参加部门", "campaigns.OperationPartner", "operation__starts_on", "个", filters=enforcing,
          distinct="department", **via),
        M("campaigns", "专项整治行动", "campaigns.Operation", "starts_on", "项", filters={**op, "kind": "campaign"}),
        M("operation_officers", "联合执法、专项整治出动执法人员", "campaigns.OperationOfficer", "operation__starts_on", "人次", filters=enforcing, **via),
        M("operation_vehicles", "联合执法、专项整治检查车辆", "campaigns.Operation", "starts_on", "台次", sum_field="vehicles_checked",
          filters={**op, "kind__in": ["joint", "campaign"]}),
        M("operation_enterprises", "联合执法、专项整治检查企业", "campaigns.Operation", "starts_on", "家次", sum_field="enterprises_checked",
          filters={**op, "kind__in": ["joint", "campaign"]}),
        M("operation_problems", "联合执法、专项整治发现问题", "campaigns.Operation", "starts_on", "处", sum_field="problems_found",
          filters={**op, "kind__in": ["joint", "campaign"]}),
        M("operation_cases", "联合执法、专项整治立案查处", "campaigns.OperationCase", "operation__starts_on", "件", filters=enforcing, **via),
        M("publicity_events", "宣传活动", "campaigns.Operation", "starts_on", "场次", filters={**op, "kind": "publicity"}),
        M("publicity_materials", "发放宣传资料", "campaigns.Material", "operation__starts_on", "份", sum_field="quantity",
          filters={"operation__status__in": took_place, "kind__in": ["leaflet", "booklet", "goods"]}, **via),
        M("publicity_banners", "悬挂宣传横幅", "campaigns.Material", "operation__starts_on", "条", sum_field="quantity",
          filters={"operation__status__in": took_place, "kind": "banner"}, **via),
    ]


METRICS: list[Metric] = [
    # 执法人员与执法证 (seed 002: 59 在编执法人员, 58 取得执法证)
    M("officers_active", "在岗执法人员", "core.Officer", None, "名", snapshot="officers_active"),
    M("officers_certified", "持有效执法证人员", "core.Officer", None, "名", snapshot="officers_certified"),
    M("legal_reviewers", "具有法律职业资格的执法人员", "core.Officer", None, "名", snapshot="officers_legal"),
    # 培训与装备 (seed 002: 培训人次、学时; 执法记录仪50台 …)
    M("training_events", "举办培训", "training.TrainingEvent", "start_on", "期"),
    M("training_attendance", "参训人次", "training.Attendance", "event__start_on", "人次", org_field="officer__organisation"),
    M("training_hours", "认定培训学时", "training.Attendance", "event__start_on", "学时", sum_field="hours", org_field="officer__organisation"),
    M("training_counted_hours", "业务和法律知识学时", "training.Attendance", "event__start_on", "学时", sum_field="hours",
      org_field="officer__organisation", filters={"event__category__in": ["law", "business"]}),
    M("equipment", "在用执法装备", "training.Equipment", None, "件", filters={"status": "in_service"}),
    M("body_cameras", "在用执法记录仪", "training.Equipment", None, "台", filters={"status": "in_service", "kind": "body_camera"}),
    M("vehicles", "在用执法车辆", "training.Equipment", None, "台", filters={"status": "in_service", "kind": "vehicle"}),
    # 行政许可
    M("permits_received", "许可申请（收件）", "permits.PermitApplication", "submitted_on"),
    M("permits_decided", "办理行政许可", "permits.PermitApplication", "decided_on", filters={"status__in": ["approved", "denied", "revoked"]}),
    M("permits_approved", "准予许可", "permits.PermitApplication", "decided_on", filters={"status__in": ["approved", "revoked"]}),
    # 行政处罚 (cases)
    M("cases_opened", "立案", "cases.Case", "opened_on"),
    M("penalties", "行政处罚决定", "cases.Case", "decided_on", filters={"outcome": "penalty"}),
    M("no_penalty", "不予处罚决定", "cases.Case", "decided_on", filters={"outcome": "no_penalty"}),
    M("first_no_penalty", "首违不罚", "cases.Case", "decided_on", filters={"outcome": "no_penalty", "no_penalty_reason": "first"}),
    M("exempt", "依法免予处罚（轻微不罚、无主观过错）", "cases.Case", "decided_on", filters={"outcome": "no_penalty", "no_penalty_reason__in": ["trivial", "no_fault"]}),
    M("lenient", "从轻、减轻处罚", "cases.Case", "decided_on", filters={"outcome": "penalty", "lenient": True}),
    M("fines_imposed", "罚款决定金额", "cases.Case", "decided_on", "元", filters={"outcome": "penalty", "penalty_kind": "fine"}, sum_field="fine_amount"),
    M("revoked_decisions", "撤销的处罚决定", "cases.Case", "revoked_on"),
    M("legal_reviews", "重大执法决定法制审核", "cases.LegalReview", "reviewed_at", org_field="case__organisation"),
    # 行政强制措施 (coercion): measures taken by decision day, by kind; extended, released, disposed in the period
    M("coercive_measures", "实施行政强制措施", "coercion.Measure", "starts_on"),
    M("coercive_seizures", "扣押财物", "coercion.Measure", "starts_on", filters={"kind": "seize"}),
    M("coercive_sealings", "查封场所、设施或者财物", "coercion.Measure", "starts_on", filters={"kind": "seal"}),
    M("coercive_extended", "延长行政强制措施期限", "coercion.Measure", "extended_on"),
    M("coercive_released", "解除行政强制措施", "coercion.Measure", "released_on"),
    M("coercive_disposed", "依处理决定没收查封扣押财物", "coercion.Measure", "disposed_on"),
    # 罚缴分离 and 行政强制执行 of unpaid fines (行政强制法 Art. 54: 催告 before applying to the court)
    M("fines_collected", "罚款收缴金额", "payments.PaymentNotice", "paid_on", "元", sum_field="paid_total"),
    M("payment_reminders", "逾期未缴罚款催告", "payments.PaymentNotice", "reminded_on"),
    M("enforcement_applied", "申请人民法院强制执行", "payments.PaymentNotice", "enforcement_applied_on"),
    # 公开
    M("publications", "公开行政执法信息", "portal.Publication", "published_on"),
    M("publications_late", "逾期公开", "portal.Publication", "published_on", filters={"is_late": True}),
    M("publications_withdrawn", "撤回的公开信息", "portal.Publication", "withdrawn_on"),
    # 非现场执法
    M("offsite_violations", "非现场超限违法记录", "overload.Violation", "first_passed_at"),
    # 不见面执法: the owner accepted or defended on the remote page and an officer carried it into the case
    M("remote_cases", "不见面远程办理案件", "overload.RemoteAct", "applied_at", org_field="violation__organisation",
      filters={"kind__in": ["accept", "defend"], "applied_at__isnull": False}, distinct="violation"),
    # 双随机、预警
    M("random_plans", "双随机抽查计划（轮次）", "inspections.Plan", "starts_on"),
    M("joint_random_plans", "部门联合双随机抽查（轮次）", "inspections.Plan", "starts_on", excludes={"joint_departments": ""}),
    M("inspections_done", "抽查检查企业（家次）", "inspections.Inspection", "inspected_on"),
    M("inspections_problems", "检查发现问题（责令整改或立案）", "inspections.Inspection", "inspected_on", filters={"finding__in": ["rectify", "case"]}),
    M("warnings_received", "接收预警抄告", "inspections.ProvincialWarning", "received_on", "条"),
    M("warnings_closed", "办结预警抄告（含往年接收）", "inspections.ProvincialWarning", "closed_on", filters={"status": "closed"},
      note="按办结日期统计，含以前年度接收、本期办结的"),
    # The cohort of the rate 办结率: received in the period and closed by its end (never more than received).
    M("warnings_closed_of_received", "接收的预警抄告中已办结", "inspections.ProvincialWarning", "received_on", "条",
      filters={"status": "closed"}, done_by_end="closed_on", note="状态为已办结"),
    # 信用
    # Grades as they stood at the period's end, from the grade history (the current-grade row only knows today's).
    M("credit_grades", "信用等级评定（户，期末）", "credit.GradeChange", None, "户", org_field="party__organisation", rows=lambda o, s, e: _grades_at(o, e),
      note="每户取统计期末前最近一次评定的等级"),
    M("credit_repairs", "信用修复申请", "credit.RepairApplication", "applied_on", org_field="publication__organisation"),
    # 投诉、调解、柔性执法
    M("complaints", "受理投诉举报", "complaints.Complaint", "received_at"),
    M("complaints_answered", "已答复投诉举报", "complaints.Complaint", "received_at", done_by_end="replied_at",
      filters={"replied_at__isnull": False}),
    M("mediations", "调解", "complaints.Mediation", "applied_on"),
    M("soft_measures", "柔性执法措施（劝导、提醒、约谈等）", "complaints.SoftMeasure", "occurred_on"),
    # 执法行动 (campaigns): operations that took place (in progress or concluded), placed by their start day
    *_operation_metrics(),
    # 约谈: the soft-enforcement ledger's 行政指导约谈 (drivers are natural persons, firms organisations)
    M("interviews", "约谈", "complaints.SoftMeasure", "occurred_on", "次", filters={"kind": "interview"}),
    M("interviews_drivers", "约谈驾驶员等个人", "complaints.SoftMeasure", "occurred_on", "次", filters={"kind": "interview", "party__kind": "person"}),
    M("interviews_firms", "约谈企业", "complaints.SoftMeasure", "occurred_on", "次", filters={"kind": "interview", "party__kind": "organisation"}),
    # 减免罚款: a fine decided below the discretion engine's proposal fixed on the case at the decision (a defence
    # adopted, a provincial off-site leniency applied on top): proposal − decided, where positive. The engine's own
    # 从轻/减轻 (行政处罚法 Art. 32) is already inside its proposal; the amount before it is not stored on the case.
    M("fines_reduced", "罚款低于裁量建议的减免金额", "cases.Case", "decided_on", "元", sum_field="reduction", **_REDUCED),
    M("fines_reduced_cases", "罚款低于裁量建议的案件", "cases.Case", "decided_on", **_REDUCED),
    # 监督
    M("evaluations", "评查案卷", "oversight.CaseEvaluation", "scored_at", "卷"),
    M("evaluations_excellent", "评查优秀案卷", "oversight.CaseEvaluation", "scored_at", "卷", filters={"grade": "excellent"}),
    M("evaluations_failed", "评查不合格案卷", "oversight.CaseEvaluation", "scored_at", "卷", filters={"grade": "fail"}),
    M("problems", "发现执法问题", "oversight.Problem", "found_on", "个"),
    M("problems_closed", "问题整改销号", "oversight.Problem", "closed_on", "个"),
    M("problems_open", "截至期末未销号的问题", "oversight.Problem", "found_on", "个", open_until="closed_on"),
    M("problems_overdue", "截至期末已过整改时限仍未销号的问题", "oversight.Problem", "deadline", "个", open_until="closed_on"),
    # 培训考试与学时达标 (the hours register against the yearly requirement)
    M("exams", "组织执法人员考试", "training.Exam", "held_on", "场"),
    M("exam_takers", "参加考试", "training.ExamScore", "exam__held_on", "人次", org_field="exam__organisation"),
    M("exam_passed", "考试合格", "training.ExamScore", "exam__held_on", "人次", org_field="exam__organisation",
      filters={"score__gte": F("exam__pass_score")}, note="成绩不低于该场考试的合格分"),
    M("officers_hours_met", "业务和法律学时达到年度要求的执法人员", "core.Officer", None, "名", rows=lambda o, s, e: _hours(o, s, e, met=True),
      note="在岗执法人员中，当年业务和法律知识培训学时不低于年度学时要求的"),
    M("officers_hours_short", "业务和法律学时未达年度要求的执法人员", "core.Officer", None, "名", rows=lambda o, s, e: _hours(o, s, e, met=False),
      note="在岗执法人员中，当年业务和法律知识培训学时低于年度学时要求的"),
    # 裁量基准的适用 (the discretion opinion fixed on the case at the decision)
    M("discretion_applied", "依裁量基准作出的罚款决定", "cases.Case", "decided_on", filters={"outcome": "penalty", "penalty_kind": "fine",
      "assessment__has_key": "amount"}, note="决定时固定了裁量意见（建议金额）的罚款决定"),
    M("discretion_deviations", "偏离裁量建议并说明理由的决定", "cases.Case", "decided_on", filters={"outcome": "penalty"},
      excludes={"deviation_reason": ""}, note="填写了偏离裁量建议理由的处罚决定"),
    M("certificates_expiring", "执法证到期需换证的执法人员", "core.Officer", "cert_expires_on", "名", filters={"is_active": True}),
]
BY_KEY = {m.key: m for m in METRICS}


def _grades_at(org: Organisation, end: date):
    """Each party's latest grade on or before ``end`` (one GradeChange row per party)."""
    from django.db.models import OuterRef, Subquery

    latest = GradeChange.objects.filter(party=OuterRef("party"), changed_on__lte=end).order_by("-changed_on", "-pk").values("pk")[:1]
    return GradeChange.objects.filter(party__organisation__path__startswith=org.path, changed_on__lte=end, pk=Subquery(latest))


def _hours(org: Organisation, start: date, end: date, *, met: bool):
    """Active officers of ``org``'s subtree whose business and law hours of ``end``'s year meet (or miss) the yearly
    requirement, from the hours register (training.selectors, the same reading as the annual review)."""
    from zhifa.training import selectors as training

    officers = Officer.objects.filter(organisation__path__startswith=org.path, is_active=True)
    requirement = training.requirement_for(end.year)
    required = requirement.min_hours if requirement else Decimal(0)
    hours = training.hours_by_officer(officers, end.year, until=end)
    ids = [pk for pk in officers.values_list("pk", flat=True) if (hours.get(pk, Decimal(0)) >= required) == met]
    return Officer.objects.filter(pk__in=ids)

_tables: set[str] | None = None


def _table_exists(model) -> bool:
    """A model whose table is missing (an app not migrated yet) is unavailable, not an error."""
    global _tables
    if _tables is None or model._meta.db_table not in _tables:
        _tables = set(connection.introspection.table_names())
    return model._meta.db_table in _tables


def _field_at(model, path: str):
    """The model field at the end of a ``a__b__c`` path (raises FieldDoesNotExist)."""
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def _is_datetime(model, path: str) -> bool:
    return isinstance(_field_at(model, path), models.DateTimeField)


def _is_integer(model, path: str) -> bool:
    try:
        return isinstance(_field_at(model, path), models.IntegerField)
    except FieldDoesNotExist:  # an annotation
        return False


def _date_lookup(model, path: str) -> str:
    return f"{path}__date" if _is_datetime(model, path) else path


def queryset(metric: Metric, org: Organisation, start: date, end: date, *, own: bool = False):
    """The rows behind ``metric`` for ``org``'s subtree in [start, end] (``own``: the rows of ``org`` itself, not
    of its subordinate units), or None when unavailable."""
    model = metric.model_class()
    if model is None or not _table_exists(model):
        return None
    try:
        if metric.snapshot:
            qs = _snapshot(metric.snapshot, org, end)
            return qs.filter(organisation=org) if own else qs
        if metric.rows is not None:
            qs = metric.rows(org, start, end)
            return qs.filter(**{metric.org_field: org}) if own else qs
        scope = {metric.org_field: org} if own else {f"{metric.org_field}__path__startswith": org.path}
        qs = model._default_manager.filter(**scope)
        if metric.annotations:
            qs = qs.annotate(**metric.annotations)
        if metric.open_until:
            lookup, closed = _date_lookup(model, metric.date_field), _date_lookup(model, metric.open_until)
            qs = qs.filter(Q(**{f"{metric.open_until}__isnull": True}) | Q(**{f"{closed}__gt": end}), **{f"{lookup}__lte": end})
        elif metric.date_field:
            lookup = _date_lookup(model, metric.date_field)
            qs = qs.filter(**{f"{lookup}__gte": start, f"{lookup}__lte": end})
        if metric.done_by_end:
            qs = qs.filter(**{f"{_date_lookup(model, metric.done_by_end)}__lte": end})
        qs = qs.filter(**metric.filters).exclude(**metric.excludes)
        str(qs.query)  # resolve every lookup now: a missing field is "unavailable"
    except (FieldError, FieldDoesNotExist, ValueError):
        return None
    return qs


def _snapshot(kind: str, org: Organisation, on: date):
    qs = Officer.objects.filter(organisation__path__startswith=org.path, is_active=True)
    if kind == "officers_active":
        return qs
    if kind == "officers_legal":
        return qs.filter(legal_qualification=True)
    # 执法证 valid on the last day of the period
    return qs.filter(cert_status=Officer.CertStatus.VALID, cert_issued_on__lte=on, cert_expires_on__gte=on)


def evaluate(metric: Metric | str, org: Organisation, start: date, end: date, *, own: bool = False) -> Value:
    metric = BY_KEY[metric] if isinstance(metric, str) else metric
    qs = queryset(metric, org, start, end, own=own)
    if qs is None:
        return Value(metric, None, "该登记簿尚未接入")
    if metric.sum_field:
        try:
            total = qs.aggregate(total=Sum(metric.sum_field))["total"]
        except FieldError:
            return Value(metric, None, "该登记簿尚未接入")
        if _is_integer(metric.model_class(), metric.sum_field):  # 台次, 份: whole numbers, not yuan
            return Value(metric, int(total or 0))
        return Value(metric, Decimal(total or 0).quantize(Decimal("0.01")))
    if metric.distinct:
        return Value(metric, qs.aggregate(n=Count(metric.distinct, distinct=True))["n"])
    return Value(metric, qs.count())


@dataclass(frozen=True)
class Rate:
    """A rate between two metrics of one cohort: the numerator's rows are a subset of the denominator's (same
    register, same period date, same scope, more filters), so it can never exceed 100%."""

    key: str
    label: str
    numerator: str
    denominator: str


@dataclass
class RateValue:
    rate: Rate
    numerator: Value
    denominator: Value

    @property
    def value(self) -> Decimal | None:
        if not self.numerator.available or not self.denominator.available or not self.denominator.value:
            return None
        return Decimal(self.numerator.value) * 100 / Decimal(self.denominator.value)

    @property
    def available(self) -> bool:
        return self.numerator.available and self.denominator.available

    def display(self) -> str:
        if not self.available:
            return "数据未接入"
        return "—" if self.value is None else f"{self.value:.1f}%"

    @property
    def text(self) -> str:
        return self.display()

    @property
    def url(self) -> str:
        return ""

    @property
    def definition(self) -> str:
        return (f"{self.rate.label} = {self.numerator.metric.label} ÷ {self.denominator.metric.label}。分子：{definition(self.numerator.metric)}"
                f" 分母：{definition(self.denominator.metric)}")


RATES = [
    Rate("warnings_closed_rate", "预警抄告办结率", "warnings_closed_of_received", "warnings_received"),
    Rate("complaints_answer_rate", "投诉举报答复率", "complaints_answered", "complaints"),
    Rate("exam_pass_rate", "考试合格率", "exam_passed", "exam_takers"),
    Rate("hours_completion_rate", "学时达标率", "officers_hours_met", "officers_active"),
]
RATES_BY_KEY = {r.key: r for r in RATES}


def rate(key: "Rate | str", org: Organisation, start: date, end: date) -> RateValue:
    r = key if isinstance(key, Rate) else RATES_BY_KEY[key]
    return RateValue(r, evaluate(r.numerator, org, start, end), evaluate(r.denominator, org, start, end))


def _verbose(model, path: str) -> str:
    try:
        return str(_field_at(model, path).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return path


def definition(metric: Metric | str) -> str:
    """The figure's definition in words — what is counted (numerator), over which register and cohort, in which
    period — shown beside the figure (title, records page)."""
    metric = BY_KEY[metric] if isinstance(metric, str) else metric
    model = metric.model_class()
    if model is None:
        return f"{metric.label}：登记簿尚未接入。"
    register = str(model._meta.verbose_name)
    if metric.snapshot:
        period = "统计期末当日的状态"
    elif metric.open_until:
        period = f"“{_verbose(model, metric.date_field)}”不晚于统计期末、“{_verbose(model, metric.open_until)}”为空或晚于统计期末"
    elif metric.date_field:
        period = f"“{_verbose(model, metric.date_field)}”在统计期内"
    else:
        period = "当前状态（不按期间）"
    what = (f"的“{_verbose(model, metric.sum_field) if metric.sum_field in {f.name for f in model._meta.fields} else metric.label}”合计"
            if metric.sum_field else f"中不同“{_verbose(model, metric.distinct)}”的个数" if metric.distinct else "条数")
    text = f"{metric.label}（{metric.unit}）：{register}中{period}、属本单位及下属单位的记录{what}"
    if metric.done_by_end:
        text += f"，且“{_verbose(model, metric.done_by_end)}”不晚于统计期末"
    return text + (f"；{metric.note}" if metric.note else "") + "。"


def by_month(metric: Metric, org: Organisation, start: date, end: date) -> dict[str, Decimal | int] | None:
    qs = queryset(metric, org, start, end)
    if qs is None or metric.snapshot or metric.rows is not None or metric.open_until or not metric.date_field:
        return None
    model = metric.model_class()
    path = metric.date_field
    is_dt = _is_datetime(model, path)
    trunc = TruncMonth(path, tzinfo=timezone.get_current_timezone()) if is_dt else TruncMonth(path)
    agg = Sum(metric.sum_field) if metric.sum_field else Count(metric.distinct, distinct=True) if metric.distinct else Count("pk")
    rows = qs.annotate(m=trunc).values("m").annotate(v=agg).order_by("m")
    out = {}
    for row in rows:
        month = row["m"].date() if isinstance(row["m"], datetime) else row["m"]
        out[f"{month:%Y-%m}"] = row["v"] or 0
    return out


@dataclass
class UnitValue:
    """One row of a by-unit breakdown: ``own`` is the unit's own rows (本级), otherwise a child unit's subtree."""

    unit: Organisation
    value: Value
    own: bool = False

    @property
    def label(self) -> str:
        name = self.unit.short_name or self.unit.name
        return f"{name}（本级）" if self.own else name


def additive(metric: Metric) -> bool:
    """A count or a sum of rows each belonging to one unit: a subtree's figure is the sum of its units' own figures."""
    return not (metric.snapshot or metric.rows is not None or metric.distinct or metric.open_until)


def grouped(metric: Metric, org: Organisation, start: date, end: date) -> dict[int, Decimal | int] | None:
    """The figure of each unit of ``org``'s subtree counting its own rows only, in one GROUP BY query (additive metrics),
    or None when the metric is not additive or unavailable."""
    qs = queryset(metric, org, start, end)
    if qs is None or not additive(metric):
        return None
    agg = Sum(metric.sum_field) if metric.sum_field else Count("pk")
    rows = qs.order_by().values(metric.org_field).annotate(v=agg).values_list(metric.org_field, "v")
    if metric.sum_field and not _is_integer(metric.model_class(), metric.sum_field):
        return {pk: Decimal(v or 0).quantize(Decimal("0.01")) for pk, v in rows}
    return {pk: int(v or 0) for pk, v in rows}


def by_unit(metric: Metric, org: Organisation, start: date, end: date, *, own_values: dict | None = None) -> list[UnitValue]:
    """The figure for ``org`` itself (本级: its own rows) and for each direct child unit's subtree: the rows add up to
    the figure of ``org``, so a brigade's own decisions are not lost among its squads. An additive metric takes one
    query (each unit's own rows, summed up the tree; ``own_values`` may pass them in from :func:`grouped`)."""
    children = list(Organisation.objects.filter(parent=org).order_by("path"))
    values = own_values if own_values is not None else grouped(metric, org, start, end)
    if values is None:
        rows = [UnitValue(org, evaluate(metric, org, start, end, own=True), own=True)]
        return rows + [UnitValue(child, evaluate(metric, child, start, end)) for child in children]
    zero = Decimal("0.00") if metric.sum_field and not _is_integer(metric.model_class(), metric.sum_field) else 0
    paths = dict(Organisation.objects.filter(path__startswith=org.path).values_list("pk", "path"))

    def subtree(unit: Organisation):
        return sum((v for pk, v in values.items() if paths.get(pk, "").startswith(unit.path)), zero)

    return [UnitValue(org, Value(metric, values.get(org.pk, zero)), own=True)] + [UnitValue(c, Value(metric, subtree(c))) for c in children]


def by_field(metric: Metric, org: Organisation, start: date, end: date, field_name: str) -> list[tuple[str, int]] | None:
    qs = queryset(metric, org, start, end)
    if qs is None:
        return None
    model = metric.model_class()
    try:
        f = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    labels = dict(f.choices or [])
    rows = qs.values(field_name).annotate(n=Count("pk")).order_by(field_name)
    return [(str(labels.get(r[field_name], r[field_name] or "未填写")), r["n"]) for r in rows]
