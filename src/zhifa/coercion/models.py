"""Administrative coercive measures (行政强制措施, 行政强制法 Chapter III): the measure kinds with their legal basis
as data, the measures tied to cases with their list of seized items (清单), the paused periods (testing and
appraisal), the appended history and the overdue flags. States change only through ``services`` following
``workflow.TRANSITIONS``."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhifa.core import numbering
from zhifa.core.models import Officer, Organisation, Party, Vehicle
from zhifa.core.workflow import AbstractStep

from .workflow import ENDED, RUNNING, Status


class Kind(models.TextChoices):
    """行政强制法 Art. 9: the kinds of coercive measures a transport authority takes."""

    SEAL = "seal", "查封场所、设施或者财物"
    SEIZE = "seize", "扣押财物"
    OTHER = "other", "其他行政强制措施"


class MeasureBasis(models.Model):
    """One kind of coercive measure the authority may take and the law that sets it (行政强制法 Arts. 10, 17: a
    measure only where a law or regulation provides it). The period and its extension default to 行政强制法 Art. 25
    (30 days, once by up to 30 days) — "法律、行政法规另有规定的除外", so they are data per basis."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("措施事项", max_length=120)
    kind = models.CharField("种类", max_length=8, choices=Kind.choices)
    legal_basis = models.TextField("设定依据", help_text="设定该行政强制措施的法律、法规条款")
    period_days = models.PositiveSmallIntegerField("期限（日）", default=30, help_text="行政强制法第二十五条：不得超过三十日；法律、行政法规另有规定的按其规定")
    max_extension_days = models.PositiveSmallIntegerField("可延长（日）", default=30, help_text="情况复杂的，经负责人批准可延长一次，延长不得超过三十日")
    effective_from = models.DateField("施行日期")
    active = models.BooleanField("启用", default=True)
    confirmed = models.BooleanField("依据已核实", default=False,
                                    help_text="依据条文已对照法规原文核实；未核实的事项在页面上标注“依据未核实”。")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政强制措施事项"
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class Measure(models.Model):
    """One coercive measure (查封 or 扣押) in a case, from the request for approval to its release or the disposal
    of the property. The fields of the 查封、扣押决定书 (Art. 24) are plain fields here; the history is appended in
    ``MeasureStep`` and never edited."""

    class ReleaseReason(models.TextChoices):
        NO_VIOLATION = "no_violation", "当事人没有违法行为（第二十八条第一款第一项）"
        UNRELATED = "unrelated", "场所、设施或者财物与违法行为无关（第二十八条第一款第二项）"
        DECIDED = "decided", "已对违法行为作出处理决定，不再需要（第二十八条第一款第三项）"
        EXPIRED = "expired", "期限已经届满（第二十八条第一款第四项）"
        NOT_NEEDED = "not_needed", "其他不再需要采取措施的情形（第二十八条第一款第五项）"
        NOT_APPROVED = "not_approved", "负责人认为不应当采取（第十九条）"
        REPORT_LATE = "report_late", "未在二十四小时内向负责人报告（第十九条）"

    number = models.CharField("登记编号", max_length=40, unique=True)
    organisation = models.ForeignKey(Organisation, verbose_name="实施机关", on_delete=models.PROTECT, related_name="coercive_measures")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="coercive_measures")
    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="coercive_measures")
    vehicle = models.ForeignKey(Vehicle, verbose_name="涉及车辆", null=True, blank=True, on_delete=models.PROTECT, related_name="coercive_measures")
    basis = models.ForeignKey(MeasureBasis, verbose_name="措施事项", on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField("种类", max_length=8, choices=Kind.choices)
    legal_basis = models.TextField("依据")
    reason = models.TextField("理由（涉嫌违法事实）")
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    emergency = models.BooleanField("情况紧急当场实施", default=False)
    no_coercion_listed = models.BooleanField("违法行为列入不予实施行政强制措施清单", default=False)
    no_coercion_reason = models.TextField("清单事项仍实施的理由", blank=True)

    applied_at = models.DateTimeField("报批时间", null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approval_opinion = models.CharField("审批意见", max_length=300, blank=True)

    # Carried out (Art. 18): two officers, the party present or a witness, told on the spot, heard, scene record.
    taken_at = models.DateTimeField("实施时间", null=True, blank=True)
    starts_on = models.DateField("期限起算日（决定日期）", null=True, blank=True)
    place = models.CharField("实施地点", max_length=200)
    officers = models.ManyToManyField(Officer, verbose_name="实施执法人员", related_name="coercive_measures", blank=True)
    party_present = models.BooleanField("当事人到场", default=True)
    witness = models.CharField("见证人", max_length=60, blank=True)
    rights_notified = models.BooleanField("已当场告知理由、依据、权利和救济途径", default=False)
    statement = models.TextField("当事人陈述申辩", blank=True)
    scene_record = models.TextField("现场笔录", blank=True)
    record_signed = models.BooleanField("现场笔录已签名", default=False)
    refusal_note = models.CharField("拒绝签名情况", max_length=200, blank=True)
    custody_place = models.CharField("保管场所", max_length=200, blank=True)
    custodian = models.CharField("受委托保管的第三人", max_length=120, blank=True)
    reported_at = models.DateTimeField("报告负责人时间", null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True, db_index=True)

    period_days = models.PositiveSmallIntegerField("期限（日）", default=30)
    extended_days = models.PositiveSmallIntegerField("延长（日）", default=0)
    extended_on = models.DateField("延长决定日期", null=True, blank=True)
    extension_reason = models.TextField("延长理由", blank=True)
    extension_notified_on = models.DateField("书面告知延长日期", null=True, blank=True)

    released_on = models.DateField("解除日期", null=True, blank=True)
    release_reason = models.CharField("解除理由", max_length=16, choices=ReleaseReason.choices, blank=True)
    release_note = models.TextField("解除说明", blank=True)
    returned_to = models.CharField("财物退还给", max_length=120, blank=True)
    disposed_on = models.DateField("处理日期", null=True, blank=True)
    disposal_decision_number = models.CharField("处理决定文号", max_length=60, blank=True)
    disposal_note = models.TextField("处理说明", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政强制措施"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "starts_on"], name="coercion_org_starts_idx")]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()} {self.party.name if self.party_id else ''}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("coercion:detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED

    def paused_days(self, today: date | None = None) -> int:
        """Calendar days of testing/appraisal, not counted in the period (Art. 25 ¶3); a running pause counts to today."""
        today = today or timezone.localdate()
        return sum(max(0, ((p.ended_on or today) - p.started_on).days) for p in self.pauses.all())

    def due_on(self, today: date | None = None) -> date | None:
        """The last day of the period: the decision day + the period (+ the extension) + paused days. Calendar days
        (行政强制法 Art. 69 makes only periods of up to 10 days working days)."""
        if self.starts_on is None:
            return None
        return self.starts_on + timedelta(days=self.period_days + self.extended_days + self.paused_days(today))

    @property
    def emergency_report_due(self):
        """Art. 19: an emergency measure is reported to the head within 24 hours of being taken."""
        from . import rules

        return self.taken_at + rules.EMERGENCY_REPORT if self.emergency and self.taken_at else None


# 强制措施登记编号: 机构代码-QZ年度-五位序号, per organisation and year.
MEASURE_NUMBERS = numbering.Series("coercion.measure", "强制措施登记编号", "{org}-QZ{year}-{seq:05d}", model="coercion.Measure")



class SeizedItem(models.Model):
    """One line of the 查封、扣押清单 (Art. 24): the premises, facility, vehicle or goods, how many, and whether it was
    returned (Art. 28 ¶2). Custody is at the authority's cost (Art. 26)."""

    measure = models.ForeignKey(Measure, verbose_name="行政强制措施", on_delete=models.CASCADE, related_name="items")
    name = models.CharField("名称", max_length=120)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=3)
    unit = models.CharField("单位", max_length=12, default="件")
    description = models.CharField("规格、特征", max_length=200, blank=True)
    vehicle = models.ForeignKey(Vehicle, verbose_name="车辆", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    returned_on = models.DateField("退还日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "查封、扣押清单"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} {self.quantity.normalize():f}{self.unit}"


class MeasurePause(models.Model):
    """A testing, inspection, quarantine or appraisal period (检测、检验、检疫或者技术鉴定), not counted in the measure's
    period and notified to the party in writing (Art. 25 ¶3). ``ended_on`` is empty while it runs."""

    class Reason(models.TextChoices):
        TESTING = "testing", "检测"
        INSPECTION = "inspection", "检验"
        QUARANTINE = "quarantine", "检疫"
        APPRAISAL = "appraisal", "技术鉴定"

    measure = models.ForeignKey(Measure, verbose_name="行政强制措施", on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField("事由", max_length=12, choices=Reason.choices)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    notified_on = models.DateField("书面告知当事人日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检测鉴定期间"
        ordering = ["started_on", "pk"]

    def __str__(self):
        return f"{self.measure.number} {self.get_reason_display()} {self.started_on}"


class MeasureStep(AbstractStep):
    """One appended step of a measure (statuses are appended, never edited; ``core.workflow``)."""

    STATES = Status

    measure = models.ForeignKey(Measure, verbose_name="行政强制措施", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "行政强制措施流程记录"

    def __str__(self):
        return f"{self.measure.number} {self.action}"


class MeasureFlag(models.Model):
    """An overdue measure flagged by the daily job, once per measure, kind and due moment."""

    class Kind(models.TextChoices):
        PERIOD = "period", "期限届满未解除或处理（第二十五条）"
        EMERGENCY_REPORT = "emergency_report", "当场实施后二十四小时内未报告（第十九条）"

    measure = models.ForeignKey(Measure, verbose_name="行政强制措施", on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("预警", max_length=20, choices=Kind.choices)
    due_on = models.DateField("届满日期")
    flagged_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政强制措施超期预警"
        constraints = [models.UniqueConstraint(fields=["measure", "kind", "due_on"], name="coercion_flag_unique")]

    def __str__(self):
        return f"{self.measure.number} {self.kind} {self.due_on}"
