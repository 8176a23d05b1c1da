"""Officers' training (events, attendance and hours, exams), the yearly hours requirement as data, annual review of
执法证, equipment and its assignment, and social supervisors (义务监督员) with their feedback. Officers themselves
live in ``core.Officer``; these models point to them."""

from django.core.exceptions import ValidationError
from django.db import models

from zhifa.core.models import Officer, Organisation


class HoursRequirement(models.Model):
    """The yearly training requirement per officer, as dated data: the newest row effective on or before 1 January
    of a year applies to that year."""

    effective_from = models.DateField("施行日期", unique=True)
    min_hours = models.DecimalField("每人每年最低学时", max_digits=5, decimal_places=1)
    citation = models.CharField("依据", max_length=200)
    confirmed = models.BooleanField("依据已核实", default=False, help_text="未核实的依据仍按此计算，页面标注“依据未核实”。")

    class Meta:
        verbose_name = verbose_name_plural = "年度培训学时要求"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.min_hours}学时/年（{self.effective_from}起）"


class TrainingEvent(models.Model):
    """A training course or session (培训班、专题讲座、网络学习) with its hours."""

    class Category(models.TextChoices):
        LAW = "law", "法律知识"
        BUSINESS = "business", "业务技能"
        POLITICAL = "political", "政治理论"
        OTHER = "other", "其他"

    COUNTED = (Category.LAW, Category.BUSINESS)  # only business and law hours count toward the requirement

    organisation = models.ForeignKey(Organisation, verbose_name="举办机构", on_delete=models.PROTECT, related_name="training_events")
    title = models.CharField("培训名称", max_length=120)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    place = models.CharField("地点/方式", max_length=100, blank=True)
    teacher = models.CharField("授课人", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训"
        ordering = ["-start_on", "-pk"]

    def __str__(self):
        return f"{self.title}（{self.start_on}）"

    def clean(self):
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "结束日期不能早于开始日期。"})
        if self.hours is not None and not 0 < self.hours <= 200:
            raise ValidationError({"hours": "学时应大于0且不超过200。"})


class Attendance(models.Model):
    """An officer's attendance at a training event and the hours credited."""

    event = models.ForeignKey(TrainingEvent, verbose_name="培训", on_delete=models.CASCADE, related_name="attendances")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="training_attendances")
    hours = models.DecimalField("认定学时", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "培训签到"
        ordering = ["event", "officer__name"]
        constraints = [models.UniqueConstraint(fields=["event", "officer"], name="attendance_unique")]

    def __str__(self):
        return f"{self.officer.name} {self.event.title} {self.hours}学时"

    def clean(self):
        if self.hours is not None and self.event_id and not 0 < self.hours <= self.event.hours:
            raise ValidationError({"hours": f"认定学时应大于0且不超过培训学时（{self.event.hours}）。"})


class Exam(models.Model):
    """A law or skills examination (执法资格考试、年度考核)."""

    organisation = models.ForeignKey(Organisation, verbose_name="组织机构", on_delete=models.PROTECT, related_name="exams")
    title = models.CharField("考试名称", max_length=120)
    held_on = models.DateField("考试日期")
    full_score = models.DecimalField("满分", max_digits=5, decimal_places=1, default=100)
    pass_score = models.DecimalField("合格分", max_digits=5, decimal_places=1, default=60)

    class Meta:
        verbose_name = verbose_name_plural = "考试"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.title}（{self.held_on}）"

    def clean(self):
        if self.pass_score is not None and self.full_score is not None and self.pass_score > self.full_score:
            raise ValidationError({"pass_score": "合格分不能高于满分。"})


class ExamScore(models.Model):
    """An officer's score in an exam."""

    exam = models.ForeignKey(Exam, verbose_name="考试", on_delete=models.CASCADE, related_name="scores")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="exam_scores")
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "考试成绩"
        ordering = ["exam", "-score"]
        constraints = [models.UniqueConstraint(fields=["exam", "officer"], name="exam_score_unique")]

    def __str__(self):
        return f"{self.officer.name} {self.score}"

    @property
    def passed(self) -> bool:
        return self.score >= self.exam.pass_score

    def clean(self):
        if self.score is not None and self.exam_id and not 0 <= self.score <= self.exam.full_score:
            raise ValidationError({"score": f"成绩应在0至{self.exam.full_score}之间。"})


class CertificateReview(models.Model):
    """The annual review (年审) of an officer's 执法证; a passed review sets ``Officer.annual_review_on``."""

    class Result(models.TextChoices):
        PASSED = "passed", "合格"
        FAILED = "failed", "不合格"
        DEFERRED = "deferred", "暂缓"

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="certificate_reviews")
    year = models.PositiveSmallIntegerField("年度")
    reviewed_on = models.DateField("年审日期")
    result = models.CharField("结论", max_length=16, choices=Result.choices)
    training_hours = models.DecimalField("当年培训学时", max_digits=6, decimal_places=1, default=0)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法证年审"
        ordering = ["-year", "officer__name"]
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="certificate_review_unique")]

    def __str__(self):
        return f"{self.officer.name} {self.year}年审 {self.get_result_display()}"


class Equipment(models.Model):
    """An item of enforcement equipment (执法记录仪、执法终端、平板、执法车辆)."""

    class Kind(models.TextChoices):
        BODY_CAMERA = "body_camera", "执法记录仪"
        HANDHELD = "handheld", "移动执法终端"
        TABLET = "tablet", "平板电脑"
        VEHICLE = "vehicle", "执法车辆"
        PRINTER = "printer", "便携打印机"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", "在用"
        REPAIR = "repair", "维修"
        SCRAPPED = "scrapped", "报废"

    organisation = models.ForeignKey(Organisation, verbose_name="所属机构", on_delete=models.PROTECT, related_name="equipment")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    asset_number = models.CharField("资产编号", max_length=40, unique=True)
    model_name = models.CharField("品牌型号", max_length=80)
    serial = models.CharField("序列号/车牌", max_length=60, blank=True)
    purchased_on = models.DateField("购置日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.IN_SERVICE)

    class Meta:
        verbose_name = verbose_name_plural = "执法装备"
        ordering = ["kind", "asset_number"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.asset_number}"

    @property
    def current_assignment(self):
        return next((a for a in self.assignments.all() if a.returned_on is None), None)

    @property
    def holder(self) -> str:
        a = self.current_assignment
        return a.officer.name if a else ""


class EquipmentAssignment(models.Model):
    """Who holds an item from when to when (one open assignment at a time)."""

    equipment = models.ForeignKey(Equipment, verbose_name="装备", on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(Officer, verbose_name="领用人", on_delete=models.PROTECT, related_name="equipment_assignments")
    assigned_on = models.DateField("领用日期")
    returned_on = models.DateField("归还日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "装备领用"
        ordering = ["-assigned_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["equipment"], condition=models.Q(returned_on__isnull=True), name="equipment_one_open_assignment")]

    def __str__(self):
        return f"{self.equipment} → {self.officer.name}"


class SocialSupervisor(models.Model):
    """A social supervisor (社会义务监督员) appointed by a bureau for a term."""

    organisation = models.ForeignKey(Organisation, verbose_name="聘任机构", on_delete=models.PROTECT, related_name="social_supervisors")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30)
    employer = models.CharField("工作单位/身份", max_length=100, blank=True)
    appointed_on = models.DateField("聘任日期")
    term_ends_on = models.DateField("聘期至")
    active = models.BooleanField("在聘", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "社会义务监督员"
        ordering = ["organisation__path", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.appointed_on and self.term_ends_on and self.term_ends_on <= self.appointed_on:
            raise ValidationError({"term_ends_on": "聘期截止日期应晚于聘任日期。"})


class SupervisorFeedback(models.Model):
    """A supervisor's feedback (意见建议、问题线索) and the bureau's response."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", "意见建议"
        CLUE = "clue", "问题线索"
        CRITICISM = "criticism", "批评"
        PRAISE = "praise", "表扬"

    supervisor = models.ForeignKey(SocialSupervisor, verbose_name="监督员", on_delete=models.PROTECT, related_name="feedback")
    organisation = models.ForeignKey(Organisation, verbose_name="承办机构", on_delete=models.PROTECT, related_name="supervisor_feedback")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    received_on = models.DateField("收到日期")
    content = models.TextField("内容")
    response = models.TextField("办理回复", blank=True)
    responded_on = models.DateField("回复日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监督员意见"
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"{self.supervisor.name} {self.get_kind_display()} {self.received_on}"

    def clean(self):
        if self.responded_on and self.received_on and self.responded_on < self.received_on:
            raise ValidationError({"responded_on": "回复日期不能早于收到日期。"})
        if bool(self.response.strip()) != bool(self.responded_on):
            raise ValidationError({"responded_on": "回复内容与回复日期须同时填写。"})
