"""The statutory clocks' data of a case: suspensions, extensions, clock flags and procedure periods."""

from django.conf import settings
from django.db import models

from .case import (
    Case,
)


class ClockSuspension(models.Model):
    """A period not counted in the 90-day decision limit: hearing, public notice, testing, appraisal
    (《交通运输行政执法程序规定》; 行政处罚法 Art. 60). ``ended_on`` is empty while it runs."""

    class Reason(models.TextChoices):
        HEARING = "hearing", "听证"
        PUBLIC_NOTICE = "public_notice", "公告"
        TESTING = "testing", "检测、检验"
        APPRAISAL = "appraisal", "鉴定"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="suspensions")
    reason = models.CharField("事由", max_length=16, choices=Reason.choices)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办案期限中止"
        ordering = ["started_on"]

    def __str__(self):
        return f"{self.case.number} {self.get_reason_display()} {self.started_on}"


class Extension(models.Model):
    """An extension of the decision limit: the first 30 days approved by the head; any further one only by
    collective discussion (集体讨论)."""

    class Basis(models.TextChoices):
        HEAD = "head", "负责人批准"
        DISCUSSION = "discussion", "集体讨论决定"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长天数")
    basis = models.CharField("依据", max_length=12, choices=Basis.choices)
    reason = models.TextField("理由")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField("批准日期")

    class Meta:
        verbose_name = verbose_name_plural = "办案期限延长"
        ordering = ["approved_on", "pk"]

    def __str__(self):
        return f"{self.case.number} 延长{self.days}日"


class ClockFlag(models.Model):
    """An overdue statutory clock flagged by the daily job (once per case, clock and due date)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="clock_flags")
    clock = models.CharField("期限", max_length=20)
    due_on = models.DateField("届满日期")
    flagged_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "超期预警"
        constraints = [models.UniqueConstraint(fields=["case", "clock", "due_on"], name="clockflag_unique")]

    def __str__(self):
        return f"{self.case.number} {self.clock} {self.due_on}"


class ProcedurePeriod(models.Model):
    """A procedural period whose value the legal reference marks [unconfirmed] (or a province sets itself),
    kept as versioned data: the row in force on a date (latest ``effective_from`` not after it) overrides the
    national default in ``cases.rules``. Editing requires an administrator and is recorded."""

    class Key(models.TextChoices):
        HEAD_EXTENSION_DAYS = "head_extension_days", "负责人批准延长办案期限（日）"
        STATEMENT_WORKING_DAYS = "statement_working_days", "陈述申辩期限（工作日）"

    key = models.CharField("期限", max_length=40, choices=Key.choices)
    value = models.PositiveIntegerField("数值")
    effective_from = models.DateField("施行日期")
    citation = models.CharField("依据", max_length=300)
    confirmed = models.BooleanField(
        "已核实", default=False, help_text="依据已对照法规原文核实；未核实的数值在页面上按“未确认”提示。"
    )

    class Meta:
        verbose_name = verbose_name_plural = "程序期限设置"
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="procedure_period_unique")
        ]

    def __str__(self):
        return f"{self.get_key_display()} = {self.value}（{self.effective_from} 起）"
