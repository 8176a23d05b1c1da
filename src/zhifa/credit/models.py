"""Credit supervision (信用监管): the versioned grading rule set, the credit-event ledger every app feeds,
current grades with their change history, the serious-dishonesty list and credit repair (legal-reference §8)."""

from datetime import date

from django.db import models
from django.utils import timezone

from zhifa.core.workflow import AbstractStep

from .workflow import PublicationStatus, RepairStatus, Status


class Grade(models.TextChoices):
    AA = "AA", "AA级"
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级"
    D = "D", "D级"


# Best to worst; "lowering a grade" moves one step to the right.
GRADE_ORDER = [Grade.AA, Grade.A, Grade.B, Grade.C, Grade.D]


class CreditRuleSet(models.Model):
    """A version of the grading rules (score bands, points per event, the local penalty rule). The rule set in
    force on a day is the one with the latest ``effective_from`` not after it. One province's bands
    (legal-reference §8): AA ≥ 90; A 80–90; B 60–80, or 40–60 with bad-conduct points < 20; C 40–60 with
    bad-conduct points ≥ 20; D < 40 with bad-conduct points ≥ 20."""

    version = models.CharField("版本", max_length=40, unique=True)
    effective_from = models.DateField("生效日期")
    citation = models.CharField("依据", max_length=300)
    base_score = models.PositiveSmallIntegerField("基础分", default=100)
    aa_min = models.PositiveSmallIntegerField("AA级最低分", default=90)
    a_min = models.PositiveSmallIntegerField("A级最低分", default=80)
    b_min = models.PositiveSmallIntegerField("B级最低分", default=60)
    c_min = models.PositiveSmallIntegerField("C级最低分（低于此为D级候选）", default=40)
    bad_points_threshold = models.PositiveSmallIntegerField("不良行为记分阈值", default=20)
    window_days = models.PositiveSmallIntegerField("计分周期（天）", default=365)
    penalty_points = models.PositiveSmallIntegerField("每起行政处罚扣分", default=10)
    finding_rectify_points = models.PositiveSmallIntegerField("检查责令整改扣分", default=3)
    finding_case_points = models.PositiveSmallIntegerField("检查发现违法立案扣分", default=8)
    complaint_points = models.PositiveSmallIntegerField("有效投诉扣分", default=2)
    warning1_points = models.PositiveSmallIntegerField("一类预警扣分", default=1)
    warning2_points = models.PositiveSmallIntegerField("二类预警扣分", default=3)
    warning3_points = models.PositiveSmallIntegerField("三类预警扣分", default=6)
    overload_points = models.PositiveSmallIntegerField("一超四罚事件扣分", default=10)
    local_penalty_rule = models.BooleanField("启用本地规则：一年内处罚≥N起降一级", default=True,
                                             help_text="睢县等地做法（种子文件004），非国家统一规定，可关闭。")
    local_penalty_count = models.PositiveSmallIntegerField("本地规则处罚起数N", default=3)
    listed_max_grade = models.CharField(
        "严重失信名单在列主体最高等级", max_length=2, choices=Grade.choices, blank=True, default=Grade.C,
        help_text="在严重失信主体名单有效期内，得分再高也不高于此等级；留空则名单不影响等级。各省规定不一（常见C级或D级），默认C级（待核实）。")

    class Meta:
        verbose_name = verbose_name_plural = "信用评价规则"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.version}（{self.effective_from}起）"

    def listed_grades(self) -> list[str]:
        """The grades a party on the serious-dishonesty list may hold under this rule set (all when no cap)."""
        if not self.listed_max_grade:
            return [str(g) for g in GRADE_ORDER]
        return [str(g) for g in GRADE_ORDER[GRADE_ORDER.index(self.listed_max_grade):]]

    def points_for(self, kind: str, warning_class: int | None = None) -> int:
        if kind == CreditEvent.Kind.WARNING:
            return {1: self.warning1_points, 2: self.warning2_points, 3: self.warning3_points}.get(warning_class or 1, self.warning1_points)
        return {
            CreditEvent.Kind.PENALTY: self.penalty_points,
            CreditEvent.Kind.FINDING_RECTIFY: self.finding_rectify_points,
            CreditEvent.Kind.FINDING_CASE: self.finding_case_points,
            CreditEvent.Kind.COMPLAINT: self.complaint_points,
            CreditEvent.Kind.OVERLOAD: self.overload_points,
        }.get(kind, 0)


class GradePolicy(models.Model):
    """Per grade of a rule set: the supervision frequency and the weight the grade gives in random draws (a
    low grade is inspected more often — 国办发〔2019〕35号 差异化监管; seeds 002, 004)."""

    rule_set = models.ForeignKey(CreditRuleSet, verbose_name="规则版本", on_delete=models.CASCADE, related_name="policies")
    grade = models.CharField("等级", max_length=2, choices=Grade.choices)
    frequency = models.CharField("监管频次", max_length=100)
    sampling_weight = models.DecimalField("抽查权重", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "分级监管策略"
        constraints = [models.UniqueConstraint(fields=["rule_set", "grade"], name="credit_policy_unique")]
        ordering = ["rule_set", "grade"]

    def __str__(self):
        return f"{self.grade}：{self.frequency}"


class CreditEvent(models.Model):
    """One credit-relevant fact about a party (penalty, inspection finding, complaint, warning, 一超四罚 event).
    Other apps append through ``credit.services.credit_event_record``; the grade is computed from these."""

    class Kind(models.TextChoices):
        PENALTY = "penalty", "行政处罚"
        FINDING_RECTIFY = "finding_rectify", "检查责令整改"
        FINDING_CASE = "finding_case", "检查发现违法立案"
        COMPLAINT = "complaint", "有效投诉"
        WARNING = "warning", "预警抄告"
        OVERLOAD = "overload", "一超四罚"

    party = models.ForeignKey("core.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="credit_events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    occurred_on = models.DateField("发生日期")
    warning_class = models.PositiveSmallIntegerField("预警类别", null=True, blank=True)
    bad_conduct = models.BooleanField("不良行为", default=False)
    description = models.CharField("说明", max_length=300)
    source_type = models.CharField("来源类型", max_length=60)
    source_id = models.CharField("来源ID", max_length=64)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "信用事件"
        ordering = ["-occurred_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id", "kind"], name="credit_event_source_unique")]
        indexes = [models.Index(fields=["party", "kind", "occurred_on"], name="credit_event_party_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on} {self.description}"


class CreditGrade(models.Model):
    """A party's current credit grade, with the score and bad-conduct points it was computed from."""

    party = models.OneToOneField("core.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="credit_grade")
    organisation = models.ForeignKey("core.Organisation", verbose_name="管辖机构", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("信用等级", max_length=2, choices=Grade.choices)
    score = models.SmallIntegerField("得分")
    bad_points = models.PositiveSmallIntegerField("不良行为记分")
    penalties_12m = models.PositiveSmallIntegerField("近12个月处罚起数", default=0)
    rule_set = models.ForeignKey(CreditRuleSet, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+")
    computed_on = models.DateField("评定日期")

    class Meta:
        verbose_name = verbose_name_plural = "信用等级"
        ordering = ["party__name"]

    def __str__(self):
        return f"{self.party}：{self.grade}"


class GradeChange(models.Model):
    """History of every grade change with its reasons (appended, never edited)."""

    party = models.ForeignKey("core.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="grade_changes")
    from_grade = models.CharField("原等级", max_length=2, blank=True)
    to_grade = models.CharField("新等级", max_length=2)
    score = models.SmallIntegerField("得分")
    bad_points = models.PositiveSmallIntegerField("不良行为记分")
    reasons = models.JSONField("原因", default=list)
    rule_set = models.ForeignKey(CreditRuleSet, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField("变更日期")
    changed_by = models.ForeignKey("core.User", verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "信用等级变更记录"
        ordering = ["-changed_on", "-id"]

    def __str__(self):
        return f"{self.party} {self.from_grade or '—'}→{self.to_grade}"


class DishonestyCategory(models.Model):
    """A recognition standard of the serious-dishonesty list (严重失信主体名单认定标准) as data: what the list is for,
    its legal basis, the period the party has to state and defend after the prior notice, the term of the list
    and the earliest early exit by credit repair. 国办发〔2020〕49号 (七): a list exists only where a law, regulation
    or rule sets its standard, with the conditions and procedure of exit; the periods here are the bureau's setting
    (legal-reference §8; [unconfirmed] values say so in their help text)."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名单类别", max_length=100)
    basis = models.CharField("认定依据", max_length=300)
    criteria = models.CharField("认定标准", max_length=300)
    statement_working_days = models.PositiveSmallIntegerField(
        "陈述申辩期限（工作日）", default=5,
        help_text="自告知书送达之日起计算。国办发〔2020〕49号只要求告知并听取陈述申辩，未规定天数；5个工作日为本局设定（待核实），可修改。")
    term_months = models.PositiveSmallIntegerField(
        "名单有效期（月）", default=36,
        help_text="自列入决定之日起计算，期满自动移出。默认36个月，取《信用修复管理办法》（2026）严重失信信息最长公示期（待核实）。")
    repair_after_months = models.PositiveSmallIntegerField(
        "可申请提前移出的最短期限（月）", default=12,
        help_text="列入满该期限、已纠正失信行为并作出信用承诺的，可经信用修复提前移出。默认12个月，取严重失信信息最短公示期（待核实）。")
    joint_punishment = models.TextField("失信惩戒措施", blank=True)
    effective_from = models.DateField("施行日期")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "严重失信主体名单类别"
        ordering = ["code"]

    def __str__(self):
        return self.name


class DishonestyEntry(models.Model):
    """One serious-dishonesty listing procedure (严重失信主体名单认定), from the proposal to the exit: proposal →
    prior notice with the right to state and defend → decision (numbered 决定书) → publication for the term →
    exit on expiry or by repair (国办发〔2020〕49号 (八); ``workflow.py``). Each step appends a
    :class:`DishonestyStep` and is audited; the row holds the current state."""

    Status = Status  # the states of ``workflow.py``

    class Source(models.TextChoices):
        OFFICER = "officer", "执法人员提出"
        FOUR_PENALTY = "four_penalty", "一超四罚自动提出"
        LEGACY = "legacy", "原系统直接列入（无告知和决定书）"

    class Removal(models.TextChoices):
        NONE = "", "—"
        EXPIRY = "expiry", "有效期届满"
        REPAIR = "repair", "信用修复提前移出"

    party = models.ForeignKey("core.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="dishonesty_entries")
    organisation = models.ForeignKey("core.Organisation", verbose_name="认定机关", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(DishonestyCategory, verbose_name="名单类别", null=True, on_delete=models.PROTECT, related_name="entries")
    reason = models.CharField("列入事由", max_length=300)
    facts = models.TextField("认定事实", blank=True)
    basis = models.CharField("列入依据", max_length=300)
    source = models.CharField("提出方式", max_length=20, choices=Source.choices, default=Source.OFFICER)
    source_ref = models.CharField("来源记录", max_length=100, blank=True, help_text="如一超四罚记录的编号")
    joint_punishment = models.TextField("失信惩戒措施", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_on = models.DateField("提出日期", null=True)
    proposed_by = models.ForeignKey("core.User", verbose_name="提出人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notified_on = models.DateField("告知日期", null=True, blank=True)
    notice_number = models.CharField("告知书文号", max_length=60, blank=True)
    statement_due_on = models.DateField("陈述申辩截止日", null=True, blank=True)
    statement_due_confirmed = models.BooleanField("截止日按已确认日历计算", default=True)
    statement = models.TextField("当事人陈述申辩", blank=True)
    statement_on = models.DateField("陈述申辩日期", null=True, blank=True)
    review_note = models.TextField("陈述申辩复核意见", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey("core.User", verbose_name="决定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    listed_on = models.DateField("列入日期", null=True, blank=True)
    listed_by = models.ForeignKey("core.User", verbose_name="列入人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_on = models.DateField("有效期至", null=True, blank=True, help_text="名单有效期的最后一日，次日起移出。")
    repair_from = models.DateField("可申请提前移出日期", null=True, blank=True)
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal_kind = models.CharField("移出方式", max_length=10, choices=Removal.choices, blank=True)
    removal_reason = models.CharField("移出原因/不予列入理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "严重失信主体名单"
        ordering = ["-proposed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["party"], condition=models.Q(status__in=["proposed", "notified", "listed"]),
                                               name="dishonesty_one_open")]

    def __str__(self):
        return f"{self.party}（{self.get_status_display()}）"


class DishonestyStep(AbstractStep):
    """History of a listing procedure: one row per step (appended, never edited; ``core.workflow``), with the
    acting user, the date of the act and a note (the notice number, the statement, the decision number, the exit
    reason)."""

    STATES = Status

    entry = models.ForeignKey(DishonestyEntry, verbose_name="名单认定", on_delete=models.PROTECT, related_name="steps")
    acted_on = models.DateField("办理日期")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "名单认定环节记录"
        ordering = ["entry", "at", "id"]

    def __str__(self):
        return f"{self.entry_id} {self.action} {self.acted_on}"



class RepairRegime(models.Model):
    """A national credit-repair regime, chosen by the application date: 2023 NDRC Order No. 58 (《失信行为纠正后的
    信用信息修复管理办法（试行）》) and the 《信用修复管理办法》 effective 2026-04-01 (legal-reference §8)."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=200)
    effective_from = models.DateField("施行日期")
    citation = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "信用修复制度"
        ordering = ["effective_from"]

    def __str__(self):
        return self.name


class Severity(models.TextChoices):
    ANY = "any", "不分档"
    MINOR = "minor", "轻微"
    GENERAL = "general", "一般"
    SERIOUS = "serious", "严重"


class RepairPeriod(models.Model):
    """Minimum and maximum publication period of penalty information per regime and tier (and for the special
    fields — 特种设备、安全生产、消防 — under the 2023 measures)."""

    regime = models.ForeignKey(RepairRegime, verbose_name="制度", on_delete=models.CASCADE, related_name="periods")
    severity = models.CharField("失信程度", max_length=10, choices=Severity.choices)
    special_field = models.BooleanField("特殊领域", default=False)
    min_months = models.PositiveSmallIntegerField("最短公示期（月）")
    max_months = models.PositiveSmallIntegerField("最长公示期（月）")
    published = models.BooleanField("公示", default=True, help_text="2026年办法：轻微失信原则上不公示。")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示期限"
        constraints = [models.UniqueConstraint(fields=["regime", "severity", "special_field"], name="repair_period_unique")]

    def __str__(self):
        return f"{self.regime.code} {self.get_severity_display()} {self.min_months}–{self.max_months}个月"


class CreditPublication(models.Model):
    """Published adverse credit information (行政处罚信息公示) about a party; credit repair withdraws it."""

    Status = PublicationStatus  # moved by ``workflow.PUBLICATION_WORKFLOW``

    party = models.ForeignKey("core.Party", verbose_name="当事人", on_delete=models.PROTECT, related_name="credit_publications")
    organisation = models.ForeignKey("core.Organisation", verbose_name="决定机关", on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField("决定书文号", max_length=60)
    decision_date = models.DateField("决定日期")
    summary = models.CharField("违法事实摘要", max_length=300)
    severity = models.CharField("失信程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    special_field = models.BooleanField("特殊领域（特种设备/安全生产/消防）", default=False)
    penalty_performed = models.BooleanField("处罚已履行完毕", default=False)
    performed_on = models.DateField("履行完毕日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    withdrawn_on = models.DateField("撤下日期", null=True, blank=True)
    source_type = models.CharField("来源类型", max_length=60, blank=True)
    source_id = models.CharField("来源ID", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "失信信息公示"
        ordering = ["-decision_date", "-id"]
        # The publication of one source record (the portal row's credit side, ``portal.pipeline``): looked up per
        # publication by the pipeline and by the consistency check, a scan of every publication without it.
        indexes = [models.Index(fields=["source_type", "source_id"], name="creditpub_source_idx")]

    def __str__(self):
        return f"{self.party} {self.decision_number}"


class PublicationStep(AbstractStep):
    """One appended step of a credit publication (published, taken down by a repair, following the portal's
    revocation, expiry or repair; ``core.workflow``)."""

    STATES = PublicationStatus

    publication = models.ForeignKey(CreditPublication, verbose_name="公示信息", on_delete=models.CASCADE,
                                    related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "失信信息公示流程记录"

    def __str__(self):
        return f"{self.publication_id} {self.action}"



class RepairApplication(models.Model):
    """A credit-repair application (信用修复申请) for one publication, by the firm online or by an officer on its
    behalf. The automatic checks and their results are stored; an approval withdraws the publication."""

    class Channel(models.TextChoices):
        PUBLIC = "public", "网上申请"
        OFFICER = "officer", "窗口代办"

    Status = RepairStatus  # moved by ``workflow.REPAIR_WORKFLOW``

    publication = models.ForeignKey(CreditPublication, verbose_name="公示信息", on_delete=models.PROTECT, related_name="repairs")
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices)
    applicant_name = models.CharField("申请人", max_length=100)
    applicant_phone = models.CharField("联系电话", max_length=30, blank=True)
    commitment_signed = models.BooleanField("已签署信用承诺书", default=False)
    commitment_text = models.TextField("信用承诺内容", blank=True)
    applied_on = models.DateField("申请日期", default=date.today)
    regime = models.ForeignKey(RepairRegime, verbose_name="适用制度", on_delete=models.PROTECT, related_name="+")
    checks = models.JSONField("自动核查结果", default=list)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey("core.User", verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    submitted_by = models.ForeignKey("core.User", verbose_name="代办人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "信用修复申请"
        ordering = ["-applied_on", "-id"]

    def __str__(self):
        return f"{self.publication.party} 修复申请（{self.get_status_display()}）"

    @property
    def organisation(self):
        return self.publication.organisation


class RepairStep(AbstractStep):
    """One appended step of a credit-repair application (received with the automatic checks' outcome, decided;
    ``core.workflow``)."""

    STATES = RepairStatus

    application = models.ForeignKey(RepairApplication, verbose_name="修复申请", on_delete=models.CASCADE,
                                    related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "信用修复申请流程记录"

    def __str__(self):
        return f"{self.application_id} {self.action}"
