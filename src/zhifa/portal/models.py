"""事后公开: publication rules as data (deadlines, de-identification) and the publication register."""

from datetime import date

from django.conf import settings
from django.db import models


class PublicationRule(models.Model):
    """How long after a decision a kind of decision must be published, and how long it stays public.

    国办发〔2018〕118号: permit and penalty decisions within 7 working days, other decisions within 20.
    The publication period (公示期) is a default the credit rules may shorten (credit repair) — configurable."""

    class Kind(models.TextChoices):
        PENALTY = "penalty", "行政处罚决定"
        PERMIT = "permit", "行政许可决定"
        OTHER = "other", "其他执法决定"

    kind = models.CharField("决定类别", max_length=16, choices=Kind.choices)
    working_days = models.PositiveSmallIntegerField("公开时限（工作日）")
    public_days = models.PositiveSmallIntegerField("公示期（日）", default=1095, help_text="默认三年（国家发展改革委令第58号：最长三年）；各地规定不一，可调整。")
    withdraw_working_days = models.PositiveSmallIntegerField("变更/撤销后撤回时限（工作日）", default=3, help_text="行政处罚法第四十八条")
    citation = models.CharField("依据", max_length=200)
    effective_from = models.DateField("施行日期")

    class Meta:
        verbose_name = verbose_name_plural = "公开时限规则"
        ordering = ["kind", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "effective_from"], name="publication_rule_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.working_days}个工作日（{self.effective_from}起）"

    @classmethod
    def in_force(cls, kind: str, on: date) -> "PublicationRule":
        rule = cls.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from").first()
        if rule is None:
            raise LookupError(f"no publication rule for {kind} on {on}")
        return rule


class DeidentRule(models.Model):
    """A de-identification rule (去标识化规则) applied to every text before publication.

    ``regex`` rules replace matches with ``replacement``; ``flag`` rules change nothing but send the
    publication to an officer's review when they match. Natural persons' names are masked separately by the
    ``name_keep`` setting (provincial rules vary — configurable)."""

    class Kind(models.TextChoices):
        REGEX = "regex", "替换"
        FLAG = "flag", "命中则人工审核"

    name = models.CharField("规则名称", max_length=60)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.REGEX)
    pattern = models.CharField("正则表达式", max_length=300)
    replacement = models.CharField("替换为", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=100)
    is_active = models.BooleanField("启用", default=True)
    citation = models.CharField("依据", max_length=200, default="国办发〔2018〕118号：个人隐私去标识化")

    class Meta:
        verbose_name = verbose_name_plural = "去标识化规则"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Publication(models.Model):
    """A decision on the public register (事后公开). ``subject_type``/``subject_id`` name the source record
    (a penalty case, a permit decision …); ``body`` holds only de-identified text; the register row keeps
    the dates that make a late publication or a late withdrawal visible."""

    class Status(models.TextChoices):
        REVIEW = "review", "待人工审核"
        PUBLISHED = "published", "已公开"
        WITHDRAWN = "withdrawn", "已撤回"
        EXPIRED = "expired", "公示期满撤下"
        REPAIRED = "repaired", "信用修复撤下"

    organisation = models.ForeignKey("core.Organisation", verbose_name="决定机关", on_delete=models.PROTECT, related_name="publications")
    subject_type = models.CharField("来源类型", max_length=60)
    subject_id = models.CharField("来源ID", max_length=64)
    kind = models.CharField("决定类别", max_length=16, choices=PublicationRule.Kind.choices, db_index=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    decision_number = models.CharField("决定书文号", max_length=80, blank=True)
    title = models.CharField("标题", max_length=200)
    party_display = models.CharField("当事人（公开）", max_length=120)
    body = models.JSONField("公开内容", default=list, help_text="[[栏目, 去标识化后的内容], …]")
    flags = models.JSONField("审核提示", default=list, blank=True)
    decided_on = models.DateField("决定日期", db_index=True)
    due_on = models.DateField("应公开日期")
    due_confirmed = models.BooleanField("期限日历已确认", default=True)
    public_until = models.DateField("公示截止期")
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True, db_index=True)
    is_late = models.BooleanField("逾期公开", default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField("决定变更/撤销日期", null=True, blank=True)
    withdraw_due = models.DateField("应撤回日期", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    withdrawn_on = models.DateField("撤下日期", null=True, blank=True)
    withdraw_reason = models.CharField("撤下原因", max_length=200, blank=True)
    withdraw_late = models.BooleanField("逾期撤回", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开信息"
        ordering = ["-decided_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="publication_unique_subject")]
        indexes = [models.Index(fields=["status", "published_on"], name="publication_status_idx")]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ExportBatch(models.Model):
    """One 双公示 export to the credit platform: which rows left (cursor range), in which format, and the rows
    that failed validation and were held back."""

    organisation = models.ForeignKey("core.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="+")
    layout = models.CharField("格式", max_length=16, choices=[("penalty", "行政处罚"), ("permit", "行政许可")])
    file_format = models.CharField("文件类型", max_length=8)
    after = models.BigIntegerField("起始游标", default=0)
    cursor = models.BigIntegerField("结束游标", default=0)
    rows = models.PositiveIntegerField("导出条数", default=0)
    errors = models.JSONField("校验未通过", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导出人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("导出时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "双公示导出批次"
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.get_layout_display()} {self.after}→{self.cursor}"
