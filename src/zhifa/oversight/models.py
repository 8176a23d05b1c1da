"""Internal oversight: case-file evaluation (案卷评查), problem lists and the supervision ledger (问题清单、
挂牌督办台账), and the power and responsibility list (权责清单)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhifa.core import numbering
from zhifa.core.models import Officer, Organisation
from zhifa.core.workflow import AbstractStep

# ---------------------------------------------------------------------------------------------------------
# 案卷评查 — case-file evaluation
# ---------------------------------------------------------------------------------------------------------


class EvaluationStandard(models.Model):
    """A versioned evaluation standard (评查标准, e.g. 《行政处罚案卷评查标准》): items with points and veto items.
    A round uses the version in force when it is created; older versions stay for the rounds that used them."""

    code = models.CharField("标准代码", max_length=32)
    name = models.CharField("名称", max_length=120)
    version = models.PositiveIntegerField("版本", default=1)
    effective_from = models.DateField("施行日期")
    basis = models.CharField("制定依据", max_length=300, blank=True)
    excellent_score = models.DecimalField("优秀分数线", max_digits=5, decimal_places=1, default=Decimal("90"))
    pass_score = models.DecimalField("合格分数线", max_digits=5, decimal_places=1, default=Decimal("75"))
    rectification_days = models.PositiveIntegerField("整改期限（工作日）", default=20,
                                                     help_text="评查发现问题的默认整改期限；本单位规定，非法定期限。")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "评查标准"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="evaluation_standard_version")]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items.all()), Decimal("0"))


class EvaluationItem(models.Model):
    """One item of a standard: what is checked, how many points it carries; a veto item (否决项) makes the
    whole file fail (不合格) whatever the score."""

    class Category(models.TextChoices):
        SUBJECT = "subject", "执法主体"
        FACTS = "facts", "事实证据"
        PROCEDURE = "procedure", "执法程序"
        LAW = "law", "法律适用"
        DISCRETION = "discretion", "自由裁量"
        DOCUMENTS = "documents", "文书制作"
        ARCHIVE = "archive", "立卷归档"

    standard = models.ForeignKey(EvaluationStandard, verbose_name="评查标准", on_delete=models.CASCADE, related_name="items")
    code = models.CharField("序号", max_length=16)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    text = models.CharField("评查内容", max_length=300)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1, default=Decimal("0"))
    is_veto = models.BooleanField("否决项", default=False, help_text="出现即判定案卷不合格。")
    basis = models.CharField("依据", max_length=200, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评查项目"
        ordering = ["standard", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="evaluation_item_code")]

    def __str__(self):
        return f"{self.code} {self.text}"


class CaseRecord(models.Model):
    """A closed case file that may be drawn for evaluation (案卷登记): number, handling officers, closed date.
    Files handled on the platform carry ``case_id`` (the ``cases`` app's case); paper files closed before the
    platform are registered by hand with the same fields."""

    organisation = models.ForeignKey(Organisation, verbose_name="办案机构", on_delete=models.PROTECT, related_name="oversight_case_records")
    case_id = models.PositiveBigIntegerField("平台案件ID", null=True, blank=True, unique=True)
    number = models.CharField("案号", max_length=60, unique=True)
    title = models.CharField("案由", max_length=200)
    party_name = models.CharField("当事人", max_length=120, blank=True)
    closed_on = models.DateField("结案日期")
    handling_officers = models.ManyToManyField(Officer, verbose_name="承办人员", related_name="oversight_handled_files")
    involves_enterprise = models.BooleanField("涉企案件", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "案卷登记"
        ordering = ["-closed_on", "number"]

    def __str__(self):
        return f"{self.number} {self.title}"


class EvaluationRound(models.Model):
    """An evaluation round (评查批次): closed files of a period drawn at random with a recorded seed, so
    anyone can repeat the draw and get the same files."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待抽取"
        DRAWN = "drawn", "评查中"
        CLOSED = "closed", "已完成"

    organisation = models.ForeignKey(Organisation, verbose_name="组织单位", on_delete=models.PROTECT, related_name="evaluation_rounds")
    name = models.CharField("名称", max_length=120)
    standard = models.ForeignKey(EvaluationStandard, verbose_name="评查标准", on_delete=models.PROTECT, related_name="rounds")
    period_from = models.DateField("结案起始日")
    period_to = models.DateField("结案截止日")
    sample_size = models.PositiveIntegerField("抽取数量")
    enterprise_only = models.BooleanField("仅涉企案件", default=False)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    candidates = models.PositiveIntegerField("候选案卷数", default=0)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽取人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "评查批次"
        ordering = ["-period_to", "-pk"]

    def __str__(self):
        return self.name


class RoundStep(AbstractStep):
    """An appended step of an evaluation round (``core.workflow``; never edited): created, drawn (the seed and the
    files drawn are in the full-process record), closed."""

    STATES = EvaluationRound.Status

    round = models.ForeignKey(EvaluationRound, verbose_name="评查批次", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "评查批次流转记录"

    def __str__(self):
        return f"{self.round.name} {self.action_label}"


class CaseEvaluation(models.Model):
    """One drawn file in a round and its result: score, veto, grade, the evaluator (who never handled it)."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    round = models.ForeignKey(EvaluationRound, verbose_name="评查批次", on_delete=models.PROTECT, related_name="evaluations")
    record = models.ForeignKey(CaseRecord, verbose_name="案卷", on_delete=models.PROTECT, related_name="evaluations")
    organisation = models.ForeignKey(Organisation, verbose_name="办案机构", on_delete=models.PROTECT, related_name="+")
    draw_order = models.PositiveIntegerField("抽取顺序")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评查人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField("触及否决项", default=False)
    grade = models.CharField("等次", max_length=16, choices=Grade.choices, blank=True)
    comment = models.TextField("评查意见", blank=True)
    scored_at = models.DateTimeField("评查时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案卷评查结果"
        ordering = ["round", "draw_order"]
        constraints = [models.UniqueConstraint(fields=["round", "record"], name="evaluation_once_per_round")]

    def __str__(self):
        return f"{self.record.number}（{self.round.name}）"

    @property
    def is_scored(self) -> bool:
        return self.scored_at is not None


class Deduction(models.Model):
    """A point deduction against one item of the standard, with what was found."""

    evaluation = models.ForeignKey(CaseEvaluation, verbose_name="评查结果", on_delete=models.CASCADE, related_name="deductions")
    item = models.ForeignKey(EvaluationItem, verbose_name="评查项目", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("扣分", max_digits=5, decimal_places=1)
    finding = models.CharField("存在问题", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "扣分明细"
        ordering = ["evaluation", "item__order"]

    def __str__(self):
        return f"{self.item.code} -{self.points}"


# ---------------------------------------------------------------------------------------------------------
# 问题清单、挂牌督办 — problem list and supervision ledger
# ---------------------------------------------------------------------------------------------------------


class Problem(models.Model):
    """A problem on the problem list (问题清单): where it came from, the measures, the deadline and the owner
    (整改措施、整改时限、责任分工 — 常德 measure 1). Statuses move only along ``workflow.TRANSITIONS``; a
    problem closes only after a 回头看 re-check by someone other than its owner."""

    class Source(models.TextChoices):
        SELF_INSPECTION = "self_inspection", "自查自纠"
        COMPLAINT = "complaint", "投诉举报"
        HOTLINE = "hotline", "12345/12328热线"
        PETITION = "petition", "信访反映"
        EVALUATION = "evaluation", "案卷评查"
        SUPERVISOR = "supervisor", "监督员反馈"
        MEDIA = "media", "媒体舆情"
        VISIT = "visit", "明查暗访"
        SUPERIOR = "superior", "上级督查"

    class Category(models.TextChoices):
        MECHANICAL = "mechanical", "机械执法"
        IRREGULAR = "irregular", "执法不规范"
        EXCESSIVE = "excessive", "过度执法"
        LAX = "lax", "执法宽松软"
        FILE_QUALITY = "file_quality", "案卷质量"
        CONDUCT = "conduct", "作风纪律"
        SERVICE = "service", "服务态度"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        RECTIFYING = "rectifying", "整改中"
        RECTIFIED = "rectified", "已整改待回头看"
        CLOSED = "closed", "已销号"

    organisation = models.ForeignKey(Organisation, verbose_name="责任单位", on_delete=models.PROTECT, related_name="oversight_problems")
    number = models.CharField("编号", max_length=20, unique=True)
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    source_ref = models.CharField("来源编号", max_length=60, blank=True, help_text="如投诉工单号、督查通报文号")
    category = models.CharField("问题类别", max_length=20, choices=Category.choices)
    title = models.CharField("问题概述", max_length=200)
    description = models.TextField("具体表现", blank=True)
    found_on = models.DateField("发现日期")
    measures = models.TextField("整改措施")
    deadline = models.DateField("整改时限")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", on_delete=models.PROTECT, related_name="oversight_problems")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    evaluation = models.ForeignKey(CaseEvaluation, verbose_name="评查案卷", null=True, blank=True, on_delete=models.PROTECT, related_name="problems")
    deduction = models.OneToOneField(Deduction, verbose_name="扣分项", null=True, blank=True, on_delete=models.PROTECT, related_name="problem")
    rectification = models.TextField("整改情况", blank=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    recheck_note = models.TextField("回头看情况", blank=True)
    rechecked_on = models.DateField("回头看日期", null=True, blank=True)
    rechecked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回头看人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("销号日期", null=True, blank=True)
    overdue_alerted_on = models.DateField("逾期预警日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "问题清单"
        ordering = ["-found_on", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    OPEN_STATUSES = (Status.OPEN, Status.RECTIFYING)

    def is_overdue(self, today=None) -> bool:
        """Not rectified by its deadline (a rectified problem awaiting 回头看 is no longer overdue)."""
        today = today or timezone.localdate()
        return self.status in self.OPEN_STATUSES and self.deadline < today

    @property
    def is_key(self) -> bool:
        return hasattr(self, "listing")


# 问题清单编号: WT年度四位序号, platform-wide per year (the year the problem was found).
PROBLEM_NUMBERS = numbering.Series("oversight.problem", "问题编号", "WT{year}{seq:04d}", model="oversight.Problem", per_organisation=False)



class ProblemStep(AbstractStep):
    """An appended step of a problem (``core.workflow``; never edited): who moved it, from where to where, and why.
    The note stays unbounded (a rectification report is often long)."""

    STATES = Problem.Status

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="steps")
    note = models.TextField("说明", blank=True)

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "问题处理记录"
        ordering = ["problem", "at", "pk"]

    def __str__(self):
        return f"{self.problem.number} {self.action_label}"

    @property
    def action_label(self) -> str:
        from .workflow import ACTION_LABELS

        return ACTION_LABELS.get(self.action, "办理")


class SupervisionListing(models.Model):
    """A key problem under 挂牌督办 (常德 measure 5): strong public reaction, high attention, negative media or
    high-frequency complaints; entered in the supervision ledger (督办台账) until lifted (销号)."""

    class Reason(models.TextChoices):
        PUBLIC_REACTION = "public_reaction", "人民群众反映强烈"
        ATTENTION = "attention", "社会关注度高"
        MEDIA = "media", "引发负面舆情"
        FREQUENT = "frequent", "投诉举报高频事项"
        OVERDUE = "overdue", "逾期未整改"

    class Status(models.TextChoices):
        ACTIVE = "active", "督办中"
        LIFTED = "lifted", "已销号"

    problem = models.OneToOneField(Problem, verbose_name="问题", on_delete=models.PROTECT, related_name="listing")
    organisation = models.ForeignKey(Organisation, verbose_name="督办单位", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("督办编号", max_length=20, unique=True)
    reason = models.CharField("督办事由", max_length=20, choices=Reason.choices)
    requirement = models.TextField("督办要求")
    due_on = models.DateField("督办时限")
    listed_on = models.DateField("挂牌日期")
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="挂牌人", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    lifted_on = models.DateField("销号日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "挂牌督办台账"
        ordering = ["-listed_on", "-pk"]

    def __str__(self):
        return f"{self.number} {self.problem.title}"


# 督办编号: DB年度四位序号, platform-wide per year (the year of listing).
LISTING_NUMBERS = numbering.Series("oversight.listing", "督办编号", "DB{year}{seq:04d}", model="oversight.SupervisionListing",
                                   per_organisation=False)



class SupervisionEntry(models.Model):
    """One entry of the supervision ledger: a supervision visit, an interview, a notice, a verification."""

    class Kind(models.TextChoices):
        VISIT = "visit", "督导组实地督导"
        VERIFY = "verify", "调查核实"
        INTERVIEW = "interview", "约谈"
        NOTICE = "notice", "通报"
        REPORT = "report", "责任单位报告进展"

    listing = models.ForeignKey(SupervisionListing, verbose_name="督办事项", on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    on = models.DateField("日期")
    note = models.TextField("内容")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "督办记录"
        ordering = ["listing", "on", "pk"]

    def __str__(self):
        return f"{self.listing.number} {self.get_kind_display()}"


# ---------------------------------------------------------------------------------------------------------
# 权责清单 — power and responsibility list
# ---------------------------------------------------------------------------------------------------------


class Power(models.Model):
    """One power on the power and responsibility list (权责清单): “所有权力进清单，清单之外无权力”. Changes are
    made only through services, each appending a :class:`PowerRevision` (dynamic adjustment, 动态调整)."""

    class Kind(models.TextChoices):
        LICENSING = "licensing", "行政许可"
        PENALTY = "penalty", "行政处罚"
        COERCION = "coercion", "行政强制"
        INSPECTION = "inspection", "行政检查"
        CONFIRMATION = "confirmation", "行政确认"
        OTHER = "other", "其他行政权力"

    organisation = models.ForeignKey(Organisation, verbose_name="公布单位", on_delete=models.PROTECT, related_name="powers")
    code = models.CharField("事项编码", max_length=40)
    kind = models.CharField("权力类型", max_length=16, choices=Kind.choices)
    name = models.CharField("事项名称", max_length=200)
    legal_basis = models.TextField("设定依据")
    basis_verified = models.BooleanField("依据条款已核对", default=False,
                                         help_text="条款序号已对照现行有效文本核对；未核对的条款在公开页标注“以现行文本为准”。")
    responsible_unit = models.CharField("实施主体/承办机构", max_length=120)
    responsibilities = models.TextField("责任事项", blank=True)
    process = models.TextField("办理流程", blank=True)
    time_limit = models.CharField("办理时限", max_length=100, blank=True)
    remedy = models.TextField("救济途径")
    accountability = models.TextField("追责情形", blank=True)
    violation_codes = models.CharField("对应违法行为编码", max_length=300, blank=True,
                                       help_text="违法行为事项（裁量基准目录）的编码，多个以逗号分隔。")
    version = models.PositiveIntegerField("版本", default=1)
    is_active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("最近调整", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "权责清单"
        ordering = ["organisation", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="power_code_per_organisation")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def violation_code_list(self) -> list[str]:
        return [c.strip() for c in self.violation_codes.split(",") if c.strip()]


class PowerRevision(models.Model):
    """One adjustment of a power (动态调整记录): what changed, why, on what authority, by whom and when."""

    class Change(models.TextChoices):
        ADD = "add", "新增"
        AMEND = "amend", "调整"
        CANCEL = "cancel", "取消"

    power = models.ForeignKey(Power, verbose_name="权力事项", on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField("版本")
    change = models.CharField("调整类型", max_length=16, choices=Change.choices)
    reason = models.TextField("调整理由")
    authority = models.CharField("调整依据", max_length=200, blank=True, help_text="如 编办审核备案文号、法规修改")
    changes = models.JSONField("变更内容", default=dict)
    snapshot = models.JSONField("调整后内容", default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("调整时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "权责清单调整记录"
        ordering = ["power", "-version"]
        constraints = [models.UniqueConstraint(fields=["power", "version"], name="power_revision_version")]

    def __str__(self):
        return f"{self.power.code} v{self.version} {self.get_change_display()}"
