"""The register of enforcement operations (执法行动登记): joint enforcement with other departments (跨部门联合执法),
special campaigns (专项整治行动) and publicity events (宣传活动), with the partner-department catalogue they draw on.

Results are counted from links where a register exists (officers taking part, cases opened); what no register holds
(vehicles checked at a roadside point, problems found, leaflets handed out) is entered when the operation is
concluded. Interviews (约谈) are not kept here: they are the soft-enforcement ledger's ``行政指导约谈`` entries
(``complaints.SoftMeasure``), which the annual report counts."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from zhifa.core import numbering
from zhifa.core.models import EvidenceFile, Officer, Organisation, User
from zhifa.core.workflow import AbstractStep


class Department(models.Model):
    """A department the transport bureau enforces together with (合作部门): 公安交警, 市场监管, 应急管理 …
    Rows without an organisation are the shared catalogue; a unit adds its local departments (e.g. a named
    township government) under its own organisation, visible to its subtree and to the units above it."""

    class Kind(models.TextChoices):
        # Short category names: the annual report lists them (联合公安交警、市场监管、应急管理等N个部门).
        TRAFFIC_POLICE = "traffic_police", "公安交警"
        POLICE = "police", "公安"
        MARKET = "market", "市场监管"
        EMERGENCY = "emergency", "应急管理"
        ECOLOGY = "ecology", "生态环境"
        AGRICULTURE = "agriculture", "农业农村"
        HOUSING = "housing", "住房城乡建设"
        URBAN = "urban", "城市管理"
        COMMERCE = "commerce", "商务"
        TRANSPORT = "transport", "交通运输"
        TOWNSHIP = "township", "乡镇街道"
        OTHER = "other", "其他部门"

    name = models.CharField("部门名称", max_length=100)
    kind = models.CharField("部门类别", max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(Organisation, verbose_name="登记单位", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="不填为全辖共用目录")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "合作部门"
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="campaigns_department_unique_name")]

    def __str__(self):
        return self.name


class Operation(models.Model):
    """One enforcement operation: a joint action with other departments, a special campaign, or a publicity event.
    ``organisation`` is the unit that carries it out (the record's jurisdiction); ``lead_department`` is set when
    another department leads and the unit takes part. Status moves planned → in progress → concluded (summary and
    results required) or cancelled; each move is appended to :class:`OperationStep`."""

    class Kind(models.TextChoices):
        JOINT = "joint", "联合执法行动"
        CAMPAIGN = "campaign", "专项整治行动"
        PUBLICITY = "publicity", "宣传活动"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划"
        IN_PROGRESS = "in_progress", "进行中"
        CONCLUDED = "concluded", "已结束"
        CANCELLED = "cancelled", "已取消"

    organisation = models.ForeignKey(Organisation, verbose_name="实施单位", on_delete=models.PROTECT, related_name="operations")
    number = models.CharField("编号", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", help_text="计划的结束日期；结束时按实际填写")
    location = models.CharField("地点/路段", max_length=200)
    description = models.TextField("工作方案/内容", blank=True)
    lead_department = models.ForeignKey(Department, verbose_name="牵头部门", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="led_operations", help_text="由其他部门牵头时填写；本单位牵头不填")
    partners = models.ManyToManyField(Department, verbose_name="参加部门", through="OperationPartner", related_name="operations", blank=True)
    officers = models.ManyToManyField(Officer, verbose_name="参加执法人员", through="OperationOfficer", related_name="operations", blank=True)
    cases = models.ManyToManyField("cases.Case", verbose_name="立案查处的案件", through="OperationCase", related_name="operations", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    # Results nobody else registers (entered at the conclusion; cases and officers are counted from links).
    vehicles_checked = models.PositiveIntegerField("检查车辆（台次）", default=0)
    enterprises_checked = models.PositiveIntegerField("检查企业（家次）", default=0)
    problems_found = models.PositiveIntegerField("发现问题/隐患（处）", default=0)
    problems_rectified = models.PositiveIntegerField("整改到位（处）", default=0)
    audience = models.PositiveIntegerField("受众（人次）", default=0, help_text="宣传活动覆盖的群众、从业人员人次")
    summary = models.TextField("总结", blank=True)
    concluded_on = models.DateField("结束登记日期", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    created_by = models.ForeignKey(User, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法行动"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "kind", "starts_on"], name="campaigns_op_org_kind_start")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
        if self.problems_rectified > self.problems_found:
            raise ValidationError({"problems_rectified": "整改到位数不能多于发现问题数。"})

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)

    @property
    def is_joint(self) -> bool:
        return self.kind == self.Kind.JOINT


# 执法行动编号: 类别代字(LH 联合执法、ZX 专项行动、XC 宣传)+机构代码-年度-三位序号, per organisation, kind and year.
OPERATION_NUMBERS = numbering.Series("campaigns.operation", "执法行动编号", "{part}{org}-{year}-{seq:03d}", model="campaigns.Operation")



class OperationLink(models.Model):
    """A row that belongs to one operation. The records behind a report figure (reports/records) open the
    operation and show its unit."""

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return self.operation.get_absolute_url()

    @property
    def organisation(self):
        return self.operation.organisation


class OperationPartner(OperationLink):
    """A department taking part in an operation (the joint-enforcement link the report counts)."""

    operation = models.ForeignKey(Operation, verbose_name="执法行动", on_delete=models.CASCADE, related_name="partner_links")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="operation_links")

    class Meta:
        verbose_name = verbose_name_plural = "参加部门"
        constraints = [models.UniqueConstraint(fields=["operation", "department"], name="campaigns_partner_unique")]

    def __str__(self):
        return f"{self.operation.number} — {self.department}"


class OperationOfficer(OperationLink):
    """An officer taking part (出动执法人员, counted as 人次 over operations)."""

    operation = models.ForeignKey(Operation, verbose_name="执法行动", on_delete=models.CASCADE, related_name="officer_links")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="operation_links")

    class Meta:
        verbose_name = verbose_name_plural = "参加执法人员"
        constraints = [models.UniqueConstraint(fields=["operation", "officer"], name="campaigns_officer_unique")]

    def __str__(self):
        return f"{self.operation.number} — {self.officer.name}"


class OperationCase(OperationLink):
    """A case opened from an operation (立案查处): the cases count of an operation is the number of these links."""

    operation = models.ForeignKey(Operation, verbose_name="执法行动", on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="operation_links")
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)
    linked_by = models.ForeignKey(User, verbose_name="关联人", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "行动立案案件"
        constraints = [models.UniqueConstraint(fields=["operation", "case"], name="campaigns_case_unique")]

    def __str__(self):
        return f"{self.operation.number} — {self.case.number}"


class Material(OperationLink):
    """Publicity material used at an event: leaflets and booklets handed out (份), goods (件), banners (条), boards
    (块), articles pushed (篇). Seeds report 发放宣传彩页600余份、宣传制品700余份、悬挂横幅28条."""

    class Kind(models.TextChoices):
        LEAFLET = "leaflet", "宣传彩页/宣传单"
        BOOKLET = "booklet", "宣传手册"
        GOODS = "goods", "宣传制品"
        BANNER = "banner", "宣传横幅"
        BOARD = "board", "宣传展板"
        ARTICLE = "article", "宣传文章/推送"

    HANDED_OUT = (Kind.LEAFLET, Kind.BOOKLET, Kind.GOODS)

    operation = models.ForeignKey(Operation, verbose_name="宣传活动", on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField("资料类别", max_length=10, choices=Kind.choices)
    quantity = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = verbose_name_plural = "宣传资料"
        constraints = [models.UniqueConstraint(fields=["operation", "kind"], name="campaigns_material_unique_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity}"


class Attachment(models.Model):
    """A file kept with an operation (工作方案, 照片, 总结) in the evidence store (content-addressed, hash recorded)."""

    operation = models.ForeignKey(Operation, verbose_name="执法行动", on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey(EvidenceFile, verbose_name="文件", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("说明", max_length=100)
    added_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "行动附件"
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.title


class OperationStep(AbstractStep):
    """One status move of an operation, appended and never edited (``core.workflow``)."""

    STATES = Operation.Status
    ACTION_LABELS = {"create": "登记", "start": "开始实施", "conclude": "结束", "cancel": "取消"}

    operation = models.ForeignKey(Operation, verbose_name="执法行动", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "行动状态记录"

    def __str__(self):
        return f"{self.operation.number} {self.from_status}→{self.to_status}"
