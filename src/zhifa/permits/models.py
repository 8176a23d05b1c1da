"""行政许可 (permits): the permit items list as data, applications with acceptance, statutory and committed
time limits on the legal calendar, decisions, certificates, and their status history."""

from datetime import date

from django.conf import settings
from django.db import models

from zhifa.core import numbering
from zhifa.core.workflow import AbstractStep


class PermitItem(models.Model):
    """A permit item (许可事项) a bureau handles, with its legal basis and time limits as data.

    The statutory limit defaults to 20 working days from acceptance (行政许可法 Art. 42; Art. 82: periods are
    working days); the committed limit (承诺时限) is the shorter time the bureau promises publicly.
    ``power_code`` links the item to the power and responsibility list (权责清单) when it exists."""

    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=120)
    category = models.CharField("许可类别", max_length=40, default="普通", help_text="双公示“许可类别”：普通、特许、认可、核准、登记、其他")
    certificate_name = models.CharField("许可证书名称", max_length=80, blank=True)
    basis = models.TextField("设定依据")
    statutory_days = models.PositiveSmallIntegerField("法定办结时限（工作日）", default=20, help_text="行政许可法第四十二条：自受理之日起二十日内作出决定")
    committed_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）", default=10)
    validity_years = models.PositiveSmallIntegerField("许可有效期（年）", null=True, blank=True)
    power_code = models.CharField("权责清单编码", max_length=40, blank=True)
    effective_from = models.DateField("施行日期", default=date(2020, 1, 1))
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "许可事项"
        ordering = ["code"]

    def __str__(self):
        return self.name


class PermitApplication(models.Model):
    """One permit application (许可申请) from submission through acceptance (受理) to a decision (准予/不予许可)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已申请"
        ACCEPTED = "accepted", "已受理"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        APPROVED = "approved", "准予许可"
        DENIED = "denied", "不予许可"
        REVOKED = "revoked", "已撤销"

    organisation = models.ForeignKey("core.Organisation", verbose_name="受理机关", on_delete=models.PROTECT, related_name="permit_applications")
    item = models.ForeignKey(PermitItem, verbose_name="许可事项", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("core.Party", verbose_name="申请人", on_delete=models.PROTECT, related_name="permit_applications")
    number = models.CharField("申请编号", max_length=40, unique=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    content = models.CharField("申请内容", max_length=300, blank=True)
    submitted_on = models.DateField("申请日期")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    statutory_due = models.DateField("法定办结期限", null=True, blank=True)
    committed_due = models.DateField("承诺办结期限", null=True, blank=True)
    due_confirmed = models.BooleanField("期限日历已确认", default=True)
    decided_on = models.DateField("决定日期", null=True, blank=True, db_index=True)
    decision_number = models.CharField("许可决定文书号", max_length=60, blank=True)
    certificate_number = models.CharField("许可证书编号", max_length=60, blank=True)
    valid_from = models.DateField("有效期自", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "许可申请"
        ordering = ["-submitted_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "submitted_on"], name="permit_org_submitted_idx")]
        constraints = [models.UniqueConstraint(fields=["certificate_number"], condition=~models.Q(certificate_number=""),
                                               name="permit_certificate_unique")]

    def __str__(self):
        return f"{self.number} {self.item.name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.DENIED, self.Status.REVOKED)

    @property
    def on_time(self) -> bool | None:
        """按时办结: decided on or before the committed limit (None while open)."""
        if self.decided_on is None or self.committed_due is None:
            return None
        return self.decided_on <= self.committed_due


# 申请编号 XK+机构代码+年度+五位序号 (year of submission) and 许可证书编号 ZS+机构代码+年度+五位序号 (year of the
# decision), per organisation. The decision's own 文书号 is a document number (documents.numbering, series 许).
APPLICATION_NUMBERS = numbering.Series("permits.application", "许可申请编号", "XK{org}{year}{seq:05d}", model="permits.PermitApplication")
CERTIFICATE_NUMBERS = numbering.Series("permits.certificate", "许可证书编号", "ZS{org}{year}{seq:05d}", model="permits.PermitApplication",
                                       field="certificate_number")



class PermitStatusChange(AbstractStep):
    """An appended status change of an application (statuses are appended, never edited; ``core.workflow``), with
    the date of the act it records."""

    STATES = PermitApplication.Status
    ACTION_LABELS = {"submit": "收到申请", "accept": "受理", "refuse": "不予受理", "decide": "作出许可决定", "revoke": "撤销许可"}

    application = models.ForeignKey(PermitApplication, verbose_name="申请", on_delete=models.CASCADE, related_name="changes")
    on = models.DateField("日期")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "许可状态变更"

    def __str__(self):
        return f"{self.application.number}：{self.from_label}→{self.to_label}"
