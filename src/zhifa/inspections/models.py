"""双随机、一公开 (random inspection, 优化营商环境条例 Art. 54): the inspection-item list, plans and their
verifiable draws, inspections with checklist, rectification and follow-up; provincial warnings (预警抄告);
risk points (风险点); leads handed to case handling."""

from django.db import models
from django.utils import timezone

from zhifa.core import numbering
from zhifa.core.models import TransportCompany
from zhifa.core.workflow import AbstractStep

# Subject types of the target directory: every transport-company kind plus freight source units.
SUBJECT_TYPES = [*TransportCompany.Kind.choices, ("source_unit", "货运源头单位")]


class InspectionItem(models.Model):
    """An item of the random-inspection list (抽查事项清单): general items have a limited ratio, key items none
    (legal-reference §7)."""

    organisation = models.ForeignKey("core.Organisation", verbose_name="制定机关", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("事项编码", max_length=30, unique=True)
    name = models.CharField("抽查事项", max_length=200)
    subject_type = models.CharField("检查对象类型", max_length=20, choices=SUBJECT_TYPES)
    legal_basis = models.CharField("检查依据", max_length=400)
    is_key = models.BooleanField("重点检查事项", default=False, help_text="重点事项不设比例上限；一般事项比例受“比例上限”限制。")
    max_ratio_percent = models.DecimalField("比例上限（%）", max_digits=5, decimal_places=2, default=5)
    frequency = models.CharField("检查频次", max_length=100, default="每年不少于1次")
    checklist = models.JSONField("检查要点", default=list, help_text="逐项检查的要点（字符串列表）")
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查事项"
        ordering = ["subject_type", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class RiskPoint(models.Model):
    """A risk point (风险点) of a firm type, with its level and prevention advice, published on the portal
    (seed 000: 28 risk points for six firm types). A high or medium risk point names the key inspection
    item that checks it, which is how risk picks key items of a plan."""

    class Level(models.TextChoices):
        HIGH = "high", "高"
        MEDIUM = "medium", "中"
        LOW = "low", "低"

    subject_type = models.CharField("企业类型", max_length=20, choices=SUBJECT_TYPES)
    title = models.CharField("风险点", max_length=200)
    level = models.CharField("风险等级", max_length=10, choices=Level.choices)
    advice = models.TextField("预防措施")
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    item = models.ForeignKey(InspectionItem, verbose_name="对应抽查事项", null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_points")
    published = models.BooleanField("已公示", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "风险点"
        ordering = ["subject_type", "level", "id"]

    def __str__(self):
        return self.title


class SamplingRule(models.Model):
    """A rule that raises a target's draw weight (rules as data; seeds 002/004: many complaints, ≥ 3 penalties
    a year, high risk raise the sampling ratio). Grade weights themselves come from credit.GradePolicy."""

    class Kind(models.TextChoices):
        COMPLAINTS = "complaints", "近12个月有效投诉≥阈值"
        PENALTIES = "penalties", "近12个月行政处罚≥阈值"
        DISHONEST = "dishonest", "列入严重失信名单"
        KEY_UNIT = "key_unit", "重点监管源头单位"

    kind = models.CharField("条件", max_length=20, choices=Kind.choices)
    threshold = models.PositiveSmallIntegerField("阈值", default=1)
    multiplier = models.DecimalField("权重倍数", max_digits=5, decimal_places=2)
    effective_from = models.DateField("生效日期")
    citation = models.CharField("依据", max_length=300)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查权重规则"
        ordering = ["kind", "-effective_from"]

    def __str__(self):
        return f"{self.get_kind_display()} ×{self.multiplier}"


class PublicationRule(models.Model):
    """How many working days after an inspection ends its result must be published ([unconfirmed] 20 working
    days, legal-reference §7 — kept as data and shown as unconfirmed)."""

    effective_from = models.DateField("生效日期", unique=True)
    working_days = models.PositiveSmallIntegerField("公示期限（工作日）", default=20)
    confirmed = models.BooleanField("依据已核实", default=False, help_text="20个工作日为未经核实的通行做法。")
    citation = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "结果公示期限"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.working_days}个工作日（{self.effective_from}起）"


class ConflictDeclaration(models.Model):
    """A declared relation between an inspector and a firm (回避): such an inspector is never drawn for it."""

    class Relation(models.TextChoices):
        KIN = "kin", "近亲属在该单位任职或持股"
        EMPLOYMENT = "employment", "本人曾在该单位任职（同单位关系）"
        INTEREST = "interest", "其他利害关系"

    officer = models.ForeignKey("core.Officer", verbose_name="执法人员", on_delete=models.PROTECT, related_name="conflicts")
    party = models.ForeignKey("core.Party", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField("关系", max_length=20, choices=Relation.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_on = models.DateField("申报日期", default=timezone.localdate)

    class Meta:
        verbose_name = verbose_name_plural = "回避关系申报"
        constraints = [models.UniqueConstraint(fields=["officer", "party"], name="conflict_unique")]

    def __str__(self):
        return f"{self.officer.name} — {self.party.name}"


class Plan(models.Model):
    """A random-inspection plan (抽查计划): items, target types, how many targets, inspectors per target, the
    committed seed. ``seed_sha256`` is published with the plan before the draw; the seed itself is revealed
    only by the draw, so the result cannot be chosen after the fact."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟"
        COMMITTED = "committed", "已公布（待抽取）"
        DRAWN = "drawn", "已抽取"
        INSPECTING = "inspecting", "检查中"
        COMPLETED = "completed", "检查完成"
        PUBLISHED = "published", "结果已公示"

    organisation = models.ForeignKey("core.Organisation", verbose_name="实施机关", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("计划编号", max_length=40, unique=True)
    title = models.CharField("计划名称", max_length=200)
    items = models.ManyToManyField(InspectionItem, verbose_name="抽查事项", related_name="plans")
    target_types = models.JSONField("检查对象类型", default=list)
    target_count = models.PositiveIntegerField("抽取对象数", null=True, blank=True)
    ratio_percent = models.DecimalField("抽取比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    inspectors_per_target = models.PositiveSmallIntegerField("每户检查人员数", default=2)
    joint_departments = models.CharField("联合抽查部门", max_length=300, blank=True, help_text="部门联合抽查时填写，如 市场监管局、应急管理局")
    starts_on = models.DateField("检查开始日期")
    ends_on = models.DateField("检查结束日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    seed = models.CharField("随机种子", max_length=64, blank=True, editable=False)
    seed_sha256 = models.CharField("种子SHA-256承诺值", max_length=64, blank=True)
    seed_committed_at = models.DateTimeField("种子承诺时间", null=True, blank=True)
    pending_redraw_reason = models.CharField("待执行的重新抽取原因", max_length=300, blank=True)
    results_published_on = models.DateField("结果公示日期", null=True, blank=True)
    publication_deadline = models.DateField("结果公示期限", null=True, blank=True)
    publication_deadline_confirmed = models.BooleanField("期限已确认", default=False)
    created_by = models.ForeignKey("core.User", verbose_name="制定人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查计划"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def current_draw(self):
        return self.draws.filter(superseded=False).order_by("-sequence").first()


# 抽查计划编号: SJ年度-四位序号, platform-wide per year.
PLAN_NUMBERS = numbering.Series("inspections.plan", "抽查计划编号", "SJ{year}-{seq:04d}", model="inspections.Plan", per_organisation=False)



class Draw(models.Model):
    """One draw of a plan: the revealed seed, the algorithm version, snapshots of both directories as they were,
    and the result. ``zhifa inspections verify-draw ID`` recomputes the result from these and must match. A
    later draw (redraw) supersedes this one only with a recorded reason."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT, related_name="draws")
    sequence = models.PositiveSmallIntegerField("第几次抽取")
    algorithm = models.CharField("算法版本", max_length=40)
    seed = models.CharField("随机种子", max_length=64)
    seed_sha256 = models.CharField("种子SHA-256", max_length=64)
    target_snapshot = models.JSONField("检查对象名录快照")
    inspector_snapshot = models.JSONField("检查人员名录快照")
    parameters = models.JSONField("抽取参数")
    result = models.JSONField("抽取结果")
    result_sha256 = models.CharField("结果SHA-256", max_length=64)
    redraw_reason = models.CharField("重新抽取原因", max_length=300, blank=True)
    superseded = models.BooleanField("已被重新抽取取代", default=False)
    drawn_at = models.DateTimeField("抽取时间", default=timezone.now)
    drawn_by = models.ForeignKey("core.User", verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽取记录"
        ordering = ["plan", "sequence"]
        constraints = [models.UniqueConstraint(fields=["plan", "sequence"], name="draw_unique_sequence"),
                       models.CheckConstraint(condition=models.Q(sequence=1) | ~models.Q(redraw_reason=""), name="redraw_needs_reason")]

    def __str__(self):
        return f"{self.plan.number} 第{self.sequence}次抽取"


class Inspection(models.Model):
    """The inspection of one drawn target: inspectors, checklist results, finding, rectification notice
    (责令改正通知书) with deadline, follow-up visit (回访) and closure."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "待检查"
        RECTIFYING = "rectifying", "整改中"
        REFERRED = "referred", "已移送立案"
        CLOSED = "closed", "已办结"
        CANCELLED = "cancelled", "已作废（重新抽取）"

    class Finding(models.TextChoices):
        PASS = "pass", "合格"
        RECTIFY = "rectify", "责令整改"
        CASE = "case", "立案查处"

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT, related_name="inspections")
    draw = models.ForeignKey(Draw, verbose_name="抽取记录", on_delete=models.PROTECT, related_name="inspections")
    organisation = models.ForeignKey("core.Organisation", verbose_name="管辖机构", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("core.Party", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField("对象类型", max_length=20, choices=SUBJECT_TYPES)
    inspectors = models.ManyToManyField("core.Officer", verbose_name="检查人员", related_name="random_inspections")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    finding = models.CharField("检查结果", max_length=10, choices=Finding.choices, blank=True)
    problems = models.TextField("发现问题", blank=True)
    notice_number = models.CharField("责令改正通知书编号", max_length=60, blank=True)
    rectify_deadline = models.DateField("整改期限", null=True, blank=True)
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_result = models.TextField("回访情况", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["plan", "id"]

    def __str__(self):
        return f"{self.plan.number} {self.party.name}"


class CheckResult(models.Model):
    """The result of one checklist item of an inspection."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查记录", on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(InspectionItem, verbose_name="抽查事项", on_delete=models.PROTECT, related_name="+")
    compliant = models.BooleanField("符合")
    note = models.CharField("情况说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "逐项检查结果"
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="check_unique_item")]

    def __str__(self):
        return f"{self.item.name}：{'符合' if self.compliant else '不符合'}"


class InspectionPhoto(models.Model):
    """A photo taken during an inspection, stored through core.evidence (hash recorded)."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查记录", on_delete=models.CASCADE, related_name="photos")
    evidence = models.ForeignKey("core.EvidenceFile", verbose_name="证据文件", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查照片"

    def __str__(self):
        return self.caption or self.evidence.original_name


class ProvincialWarning(models.Model):
    """A warning from the provincial integrated platform (预警抄告). Classes 1 and 2: the firm must rectify
    (notice with deadline, then follow-up); class 3: an offence for the enforcement body (a lead for a case).
    Every warning is tracked to closure (seed 000: 338 received, 338 closed)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已接收"
        NOTIFIED = "notified", "已通知整改"
        REFERRED = "referred", "已移交立案"
        CLOSED = "closed", "已办结"

    organisation = models.ForeignKey("core.Organisation", verbose_name="承办机构", on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField("省平台预警编号", max_length=64, unique=True)
    warning_class = models.PositiveSmallIntegerField("预警类别", choices=[(1, "一类"), (2, "二类"), (3, "三类")])
    category = models.CharField("预警类型", max_length=60)
    description = models.CharField("预警内容", max_length=500)
    party = models.ForeignKey("core.Party", verbose_name="涉及企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    plate = models.CharField("车牌号", max_length=12, blank=True)
    occurred_at = models.DateTimeField("发生时间")
    received_on = models.DateField("接收日期")
    source = models.CharField("导入方式", max_length=10, choices=[("api", "接口"), ("file", "文件")])
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RECEIVED)
    rectify_deadline = models.DateField("整改期限", null=True, blank=True)
    notice_note = models.CharField("整改通知", max_length=300, blank=True)
    notice_number = models.CharField("责令改正通知书编号", max_length=60, blank=True)
    follow_up_result = models.CharField("回访/处置结果", max_length=300, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警抄告"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["organisation", "received_on"], name="warning_org_received_idx")]

    def __str__(self):
        return f"{self.external_id}（{self.get_warning_class_display()}）"


class Lead(models.Model):
    """A lead for a case (案件线索) from an inspection finding or a class-3 warning. When the cases app offers a
    registration service the lead is handed over and ``case_ref`` names the case; until then it waits here as
    '待立案' for the case handler."""

    class Status(models.TextChoices):
        PENDING = "pending", "待立案"
        REGISTERED = "registered", "已移交案件办理"
        HANDLED = "handled", "已现场处置（随预警办结）"

    organisation = models.ForeignKey("core.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("core.Party", verbose_name="当事人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_type = models.CharField("来源", max_length=30, choices=[("inspection", "双随机检查"), ("warning", "三类预警")])
    source_id = models.CharField("来源ID", max_length=64)
    description = models.TextField("线索内容")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    case_ref = models.CharField("案件", max_length=64, blank=True)
    created_on = models.DateField("登记日期", default=timezone.localdate)

    class Meta:
        verbose_name = verbose_name_plural = "案件线索"
        ordering = ["-created_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"], name="lead_unique_source")]

    def __str__(self):
        return f"{self.get_source_type_display()}线索 {self.party or ''}"


class PlanStep(AbstractStep):
    """One appended step of a plan: drafted, seed committed, drawn, redrawn, started and completed (the system),
    results published. Statuses are appended, never edited; the seed itself stays in the plan's draw."""

    STATES = Plan.Status

    plan = models.ForeignKey(Plan, verbose_name="抽查计划", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "抽查计划流转记录"

    def __str__(self):
        return f"{self.plan.number} {self.action_label}"


class InspectionStep(AbstractStep):
    """One appended step of a drawn inspection: result recorded, follow-up, referred for a case, cancelled by a
    redraw."""

    STATES = Inspection.Status

    inspection = models.ForeignKey(Inspection, verbose_name="检查记录", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "检查记录流转记录"

    def __str__(self):
        return f"{self.inspection} {self.action_label}"


class WarningStep(AbstractStep):
    """One appended step of a provincial warning: rectification notice, referral for a case, closure."""

    STATES = ProvincialWarning.Status

    warning = models.ForeignKey(ProvincialWarning, verbose_name="预警抄告", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "预警抄告流转记录"

    def __str__(self):
        return f"{self.warning.external_id} {self.action_label}"


class LeadStep(AbstractStep):
    """One appended step of a lead: registered, handed to case handling (with the case's number), or handled on
    the spot with its class-3 warning."""

    STATES = Lead.Status

    lead = models.ForeignKey(Lead, verbose_name="案件线索", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "案件线索流转记录"

    def __str__(self):
        return f"{self.lead} {self.action_label}"
