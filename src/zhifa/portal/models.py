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
    severity = models.CharField("失信程度", max_length=10, choices=[("minor", "轻微"), ("general", "一般"), ("serious", "严重")], blank=True,
                                help_text="行政处罚信息按信用规则分档，决定公示期（许可决定不分档）")
    credit_published = models.BooleanField("报送信用平台", default=True, help_text="信用规则规定不公示的（如2026年办法的轻微失信信息）不报送")
    penalty_until = models.DateField("处罚有效期", null=True, blank=True, help_text="处罚效力截止日期；无期限的处罚为长期")
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
        indexes = [models.Index(fields=["status", "published_on"], name="publication_status_idx"),
                   # Late publications and withdrawals (the dashboard card, ?late=1): a few among every decision
                   # published; without it each count read the whole register.
                   models.Index(fields=["organisation"], name="publication_late_idx",
                                condition=models.Q(is_late=True) | models.Q(withdraw_late=True))]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class SeverityRule(models.Model):
    """How serious (轻微/一般/严重) the credit information of a penalty decision is, by 处罚类别 (and fine amount, party
    kind): the severity chooses the publication period in the credit rules (credit.RepairPeriod — 2026
    《信用修复管理办法》: minor not published or ≤ 3 months, general ≤ 1 year, serious 1–3 years). The national text
    does not list which penalties are which tier, so the default table is a configurable, unconfirmed reading. The
    rows with the latest ``effective_from`` not after the decision day form the table in force."""

    class Severity(models.TextChoices):
        MINOR = "minor", "轻微"
        GENERAL = "general", "一般"
        SERIOUS = "serious", "严重"

    category = models.CharField("处罚类别", max_length=40)
    party_kind = models.CharField("当事人类别", max_length=16, blank=True, choices=[("", "不限"), ("person", "自然人"), ("organisation", "法人或其他组织")])
    min_fine = models.DecimalField("罚款金额不低于（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    severity = models.CharField("失信程度", max_length=10, choices=Severity.choices)
    citation = models.CharField("依据", max_length=300)
    effective_from = models.DateField("施行日期")
    confirmed = models.BooleanField("已核实", default=False, help_text="未核实：本地默认分档，各地可按规定调整。")

    class Meta:
        verbose_name = verbose_name_plural = "处罚信息失信程度分档"
        ordering = ["-effective_from", "category", "party_kind", "min_fine"]

    def __str__(self):
        return f"{self.category}{f'≥{self.min_fine}元' if self.min_fine is not None else ''} → {self.get_severity_display()}"

    ORDER = [Severity.MINOR, Severity.GENERAL, Severity.SERIOUS]

    @classmethod
    def classify(cls, *, categories: list[str], party_kind: str, fine, on: date) -> str:
        """The gravest tier among the decision's categories (a decision may combine kinds, 行政处罚法 Art. 9)."""
        latest = cls.objects.filter(effective_from__lte=on).order_by("-effective_from").values_list("effective_from", flat=True).first()
        rules = list(cls.objects.filter(effective_from=latest)) if latest else []
        found = []
        for category in categories:
            matches = [r for r in rules if r.category == category and r.party_kind in ("", party_kind)
                       and (r.min_fine is None or (fine is not None and fine >= r.min_fine))]
            matches.sort(key=lambda r: (r.min_fine or 0, r.party_kind != ""), reverse=True)
            found.append(matches[0].severity if matches else cls.Severity.GENERAL)
        return max(found or [cls.Severity.GENERAL], key=cls.ORDER.index)


class ExportBatch(models.Model):
    """One 双公示 batch sent to the credit platform: how many rows of each change left (new, changed, withdrawn),
    the rows held back by validation (they stay pending), and the platform's receipt: accepted and rejected rows."""

    organisation = models.ForeignKey("core.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="+")
    layout = models.CharField("格式", max_length=16, choices=[("penalty", "行政处罚"), ("permit", "行政许可")])
    file_format = models.CharField("文件类型", max_length=8)
    rows = models.PositiveIntegerField("报送条数", default=0)
    new = models.PositiveIntegerField("新增", default=0)
    changed = models.PositiveIntegerField("变更", default=0)
    withdrawn = models.PositiveIntegerField("撤回", default=0)
    errors = models.JSONField("校验未通过", default=list, blank=True)
    accepted = models.PositiveIntegerField("平台已接收", default=0)
    rejected = models.PositiveIntegerField("平台退回", default=0)
    reconciled_at = models.DateTimeField("对账时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导出人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("导出时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "双公示导出批次"
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.get_layout_display()} #{self.pk}（{self.rows}条）"

    @property
    def outstanding(self) -> int:
        """Rows sent and not yet answered by the platform's receipt."""
        return self.rows - self.accepted - self.rejected


class ExportItem(models.Model):
    """The 双公示 state of one publication: the last row sent (its hash and change: new, changed, withdrawn) and
    the platform's answer. A row that failed validation stays pending with its problems and is tried again by
    every export until it passes; a change of the publication (revocation, repair, correction) is sent again."""

    class Status(models.TextChoices):
        PENDING = "pending", "待报送（校验未通过）"
        SENT = "sent", "已报送待回执"
        ACCEPTED = "accepted", "平台已接收"
        REJECTED = "rejected", "平台退回"

    class Action(models.TextChoices):
        NEW = "new", "新增"
        CHANGED = "changed", "变更"
        WITHDRAWN = "withdrawn", "撤回"

    publication = models.OneToOneField(Publication, verbose_name="公开信息", on_delete=models.PROTECT, related_name="export_item")
    organisation = models.ForeignKey("core.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="+")
    layout = models.CharField("格式", max_length=16, choices=[("penalty", "行政处罚"), ("permit", "行政许可")])
    status = models.CharField("状态", max_length=10, choices=Status.choices, db_index=True)
    action = models.CharField("报送类型", max_length=10, choices=Action.choices)
    row_hash = models.CharField("报送内容摘要", max_length=64, blank=True)
    problems = models.JSONField("问题", default=list, blank=True)
    batch = models.ForeignKey(ExportBatch, verbose_name="最近批次", null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    sent_at = models.DateTimeField("报送时间", null=True, blank=True)
    synced_at = models.DateTimeField("核对时间", null=True, blank=True, help_text="公开信息在此之后变更的，下次导出重新报送")
    answered_at = models.DateTimeField("回执时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "双公示报送状态"
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.publication.decision_number} {self.get_action_display()} {self.get_status_display()}"
