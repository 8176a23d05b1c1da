"""Complaints and hotlines (12328, 12345, 信访, online, media), their deadline and routing rules as data,
administrative mediation (行政调解) and the soft-enforcement ledger (柔性执法)."""

from django.core.exceptions import ValidationError
from django.db import models

from zhifa.core import numbering
from zhifa.core.models import Officer, Organisation, Party, TransportCompany, User, Vehicle
from zhifa.core.workflow import AbstractStep


class Channel(models.TextChoices):
    HOTLINE_12328 = "12328", "12328交通运输服务监督电话"
    HOTLINE_12345 = "12345", "12345政务服务便民热线"
    PETITION = "petition", "信访（来信来访）"
    ONLINE = "online", "网上投诉"
    MEDIA = "media", "媒体舆情"
    WALK_IN = "walk_in", "现场/电话投诉"


class Category(models.TextChoices):
    TAXI = "taxi", "出租汽车（拒载、绕路、议价）"
    RIDE_HAILING = "ride_hailing", "网约车"
    BUS = "bus", "公交客运"
    COACH = "coach", "道路客运（超员、甩客、票价）"
    FREIGHT = "freight", "道路货运"
    DRIVING_SCHOOL = "driving_school", "驾驶员培训"
    REPAIR = "repair", "机动车维修"
    ROAD = "road", "公路路政与养护"
    ENFORCEMENT = "enforcement", "执法行为"
    CONSULTATION = "consultation", "咨询与建议"
    OTHER = "other", "其他"


class DeadlineRule(models.Model):
    """How long a unit has to answer a complaint of one channel, as dated data with its source. The newest
    rule whose ``effective_from`` is on or before the receipt date applies."""

    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    effective_from = models.DateField("施行日期")
    days = models.PositiveSmallIntegerField("办理时限（日）")
    working_days = models.BooleanField("按工作日计算", default=True)
    instant_minutes = models.PositiveSmallIntegerField("即时答复时限（分钟）", default=30,
                                                       help_text="受理后在此时间内答复的，计入即时答复率。")
    citation = models.CharField("依据", max_length=200)
    confirmed = models.BooleanField("依据已核实", default=False,
                                    help_text="依据尚未核实的时限仍按此计算，但页面标注“时限依据未核实”。")

    class Meta:
        verbose_name = verbose_name_plural = "投诉办理时限"
        ordering = ["channel", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["channel", "effective_from"], name="complaint_deadline_rule_unique")]

    def __str__(self):
        unit = "个工作日" if self.working_days else "日"
        return f"{self.get_channel_display()}：{self.days}{unit}（{self.effective_from}起）"


class RoutingRule(models.Model):
    """Where a new complaint goes: the first active rule (lowest ``priority``) of the receiving jurisdiction whose
    non-empty conditions all match assigns the unit and, optionally, the officer."""

    organisation = models.ForeignKey(Organisation, verbose_name="规则所属机构", on_delete=models.PROTECT, related_name="complaint_routing_rules")
    priority = models.PositiveSmallIntegerField("优先级", default=100, help_text="数字越小越先匹配")
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, blank=True)
    category = models.CharField("类别", max_length=20, choices=Category.choices, blank=True)
    keyword = models.CharField("内容或地点包含", max_length=50, blank=True)
    target_unit = models.ForeignKey(Organisation, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    target_officer = models.ForeignKey(Officer, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉分派规则"
        ordering = ["organisation__path", "priority", "pk"]

    def __str__(self):
        cond = "、".join(x for x in [self.get_channel_display() if self.channel else "", self.get_category_display() if self.category else "",
                                     f"含“{self.keyword}”" if self.keyword else ""] if x) or "全部"
        return f"{cond} → {self.target_unit}{'（' + self.target_officer.name + '）' if self.target_officer_id else ''}"

    def clean(self):
        if self.target_unit_id and self.organisation_id and not self.target_unit.is_within(self.organisation):
            raise ValidationError({"target_unit": "承办单位须在规则所属机构的辖区内。"})
        if self.target_officer_id and self.target_unit_id and not self.target_officer.organisation.is_within(self.target_unit):
            raise ValidationError({"target_officer": "承办人须属于承办单位。"})

    def matches(self, *, channel: str, category: str, text: str) -> bool:
        return ((not self.channel or self.channel == channel) and (not self.category or self.category == category)
                and (not self.keyword or self.keyword in text))


class Complaint(models.Model):
    """One complaint or hotline work order (投诉举报工单). ``organisation`` is the unit handling it; the status
    history is appended in ``ComplaintStep`` and never edited."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        ASSIGNED = "assigned", "已分派"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"
        REOPENED = "reopened", "重新办理"

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"
        UNREACHABLE = "unreachable", "未联系上"

    number = models.CharField("受理编号（查询码）", max_length=24, unique=True)
    organisation = models.ForeignKey(Organisation, verbose_name="承办单位", on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    external_id = models.CharField("平台工单号", max_length=40, blank=True, db_index=True)
    received_at = models.DateTimeField("受理时间")
    complainant_name = models.CharField("投诉人", max_length=50, blank=True)
    complainant_phone = models.CharField("联系电话", max_length=30, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    category = models.CharField("类别", max_length=20, choices=Category.choices, default=Category.OTHER)
    content = models.TextField("投诉内容")
    firm = models.ForeignKey(TransportCompany, verbose_name="被投诉企业", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    firm_name = models.CharField("被投诉企业（原文）", max_length=120, blank=True)
    vehicle = models.ForeignKey(Vehicle, verbose_name="涉及车辆", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    plate = models.CharField("车牌（原文）", max_length=16, blank=True)
    place = models.CharField("地点", max_length=120, blank=True)
    route = models.CharField("线路", max_length=60, blank=True)
    assigned_officer = models.ForeignKey(Officer, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    routing_rule = models.ForeignKey(RoutingRule, verbose_name="分派规则", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.RECEIVED)
    due_on = models.DateField("办理期限")
    due_confirmed = models.BooleanField("期限已确认", default=True)
    deadline_rule = models.ForeignKey(DeadlineRule, verbose_name="时限规则", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    instant_reply = models.BooleanField("即时答复", default=False)
    replied_on_time = models.BooleanField("按期答复", null=True, blank=True)
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    satisfaction = models.CharField("回访满意度", max_length=16, choices=Satisfaction.choices, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    case_number = models.CharField("关联案件号", max_length=60, blank=True)
    inspection_number = models.CharField("关联检查编号", max_length=60, blank=True)
    created_by = models.ForeignKey(User, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报"
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], condition=~models.Q(external_id=""), name="complaint_unique_work_order")]
        indexes = [models.Index(fields=["organisation", "received_at"], name="complaint_org_received_idx")]

    def __str__(self):
        return f"{self.number} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ASSIGNED, self.Status.REOPENED)

    @property
    def masked_phone(self) -> str:
        p = self.complainant_phone
        return p[:3] + "****" + p[-4:] if len(p) >= 11 else p


# The tracking code (受理编号/查询码) a complainant follows the matter with must not be guessable: TS + date + six
# random characters (no 0/O/1/I), checked free; the column is unique.
TRACKING_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
COMPLAINT_NUMBERS = numbering.Series("complaints.complaint", "投诉受理编号", "TS{date:%y%m%d}{code}", model="complaints.Complaint",
                                     per_organisation=False, code_length=6, code_chars=TRACKING_CHARS)



class ComplaintStep(AbstractStep):
    """An appended step of a complaint (``core.workflow``): action, from → to, who, when, note. ``actor_name``
    keeps the name the step was signed with (the hotline platform, a return caller, the public form's 系统)."""

    STATES = Complaint.Status
    ACTION_LABELS = {"intake": "受理", "assign": "分派", "reply": "答复", "visit_satisfied": "回访办结",
                     "visit_dissatisfied": "回访不满意", "close": "办结"}

    complaint = models.ForeignKey(Complaint, verbose_name="投诉", on_delete=models.CASCADE, related_name="steps")
    actor_name = models.CharField("署名", max_length=150, blank=True)

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "投诉办理步骤"
        ordering = ["pk"]  # append order (the intake step carries the time of receipt, which may be earlier)

    def __str__(self):
        return f"{self.complaint.number} {self.from_status}→{self.to_status}"


class Notice(models.Model):
    """A message to a user (complaint assigned, reopened …), kept for the notices written before the notifications
    app took over (issue 18); new notices are notifications (``zhifa.notifications``)."""

    recipient = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="complaint_notices")
    complaint = models.ForeignKey(Complaint, verbose_name="投诉", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉分派通知"
        ordering = ["-created_at"]

    def __str__(self):
        return self.text


class Mediation(models.Model):
    """An administrative mediation (行政调解) of a dispute between parties, from application to closure."""

    class Status(models.TextChoices):
        APPLIED = "applied", "已申请"
        ACCEPTED = "accepted", "已受理"
        REFUSED = "refused", "不予受理"
        AGREED = "agreed", "达成协议"
        FAILED = "failed", "调解不成"
        CLOSED = "closed", "已结案"

    class Kind(models.TextChoices):
        FREIGHT = "freight", "货运合同纠纷"
        PASSENGER = "passenger", "客运服务纠纷"
        REPAIR = "repair", "机动车维修纠纷"
        DRIVING_SCHOOL = "driving_school", "驾培服务纠纷"
        DAMAGE = "damage", "路产损害赔偿"
        OTHER = "other", "其他"

    number = models.CharField("调解编号", max_length=24, unique=True)
    organisation = models.ForeignKey(Organisation, verbose_name="调解机构", on_delete=models.PROTECT, related_name="mediations")
    kind = models.CharField("纠纷类型", max_length=20, choices=Kind.choices)
    applicant = models.ForeignKey(Party, verbose_name="申请人", on_delete=models.PROTECT, related_name="mediations_applied")
    respondent = models.ForeignKey(Party, verbose_name="被申请人", on_delete=models.PROTECT, related_name="mediations_responded")
    applied_on = models.DateField("申请日期")
    claim = models.TextField("调解请求与事实理由")
    amount = models.DecimalField("争议金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.APPLIED)
    decided_on = models.DateField("受理决定日期", null=True, blank=True)
    refusal_reason = models.CharField("不予受理理由", max_length=300, blank=True)
    mediator = models.ForeignKey(Officer, verbose_name="调解员", null=True, blank=True, on_delete=models.PROTECT, related_name="mediations")
    agreement_text = models.TextField("调解协议书内容", blank=True)
    agreement_on = models.DateField("协议签订日期", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    outcome = models.CharField("结果说明", max_length=300, blank=True)
    complaint = models.ForeignKey(Complaint, verbose_name="来源投诉", null=True, blank=True, on_delete=models.SET_NULL, related_name="mediations")

    class Meta:
        verbose_name = verbose_name_plural = "行政调解"
        ordering = ["-applied_on", "-pk"]

    def __str__(self):
        return f"{self.number} {self.applicant} 与 {self.respondent}"

    def clean(self):
        if self.applicant_id and self.applicant_id == self.respondent_id:
            raise ValidationError({"respondent": "申请人与被申请人不能为同一当事人。"})


class MediationStep(AbstractStep):
    """An appended step of a mediation (``core.workflow``): application, acceptance or refusal, agreement or failure,
    closure; never edited. The sessions themselves are ``MediationSession`` rows."""

    STATES = Mediation.Status

    mediation = models.ForeignKey(Mediation, verbose_name="调解", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "调解办理步骤"

    def __str__(self):
        return f"{self.mediation.number} {self.action_label}"


MEDIATION_NUMBERS = numbering.Series("complaints.mediation", "调解编号", "TJ{date:%y%m%d}{code}", model="complaints.Mediation",
                                     per_organisation=False, code_length=6, code_chars=TRACKING_CHARS)



class MediationSession(models.Model):
    """One mediation session (调解会) with who attended and what was said."""

    mediation = models.ForeignKey(Mediation, verbose_name="调解", on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=100, default="调解室")
    attendees = models.CharField("参加人员", max_length=300)
    record = models.TextField("调解笔录")

    class Meta:
        verbose_name = verbose_name_plural = "调解会"
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.mediation.number} {self.held_on}"


class SoftMeasure(models.Model):
    """One entry of the soft-enforcement ledger (柔性执法台账): persuasion and education, a warning or reminder,
    administrative guidance or an interview (约谈, with minutes), a written commitment, or a return visit."""

    class Kind(models.TextChoices):
        PERSUASION = "persuasion", "说服教育"
        WARNING = "warning", "预警提示"
        INTERVIEW = "interview", "行政指导约谈"
        COMMITMENT = "commitment", "书面承诺"
        RETURN_VISIT = "return_visit", "回访"

    organisation = models.ForeignKey(Organisation, verbose_name="实施机构", on_delete=models.PROTECT, related_name="soft_measures")
    kind = models.CharField("方式", max_length=16, choices=Kind.choices)
    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="soft_measures")
    occurred_on = models.DateField("日期")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="soft_measures")
    matter = models.CharField("事由", max_length=200)
    minutes = models.TextField("记录/约谈纪要", blank=True)
    commitment = models.TextField("承诺内容", blank=True)
    follow_up_on = models.DateField("回访/复查日期", null=True, blank=True)
    case_number = models.CharField("关联案件号", max_length=60, blank=True)
    complaint = models.ForeignKey(Complaint, verbose_name="关联投诉", null=True, blank=True, on_delete=models.SET_NULL, related_name="soft_measures")

    class Meta:
        verbose_name = verbose_name_plural = "柔性执法台账"
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.party} {self.occurred_on}"

    def clean(self):
        if self.kind == self.Kind.INTERVIEW and not self.minutes.strip():
            raise ValidationError({"minutes": "行政指导约谈须记录约谈纪要。"})
        if self.kind == self.Kind.COMMITMENT and not self.commitment.strip():
            raise ValidationError({"commitment": "书面承诺须填写承诺内容。"})
