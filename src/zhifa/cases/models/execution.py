"""Evidence preservation (证据保全) and the acts of executing a decision."""

from django.conf import settings
from django.db import models

from zhifa.core.workflow import AbstractStep

from ..workflow import PreservationStatus
from .case import (
    MONEY,
    Case,
)


class EvidencePreservation(models.Model):
    """先行登记保存 (行政处罚法 Art. 56) or 抽样取证 of items in a case. Preservation: requested by the
    officers, approved by the agency's head (the 证据登记保存清单 is issued then), and decided within 7
    working days (Art. 56 with Art. 85, on the legal calendar): released (解除证据登记保存决定书) or otherwise
    handled (sent for testing, seized, confiscated by the decision …). Sampling: the 抽样取证凭证 lists the
    samples taken."""

    class Kind(models.TextChoices):
        PRESERVATION = "preservation", "先行登记保存"
        SAMPLING = "sampling", "抽样取证"

    Status = PreservationStatus  # moved by ``workflow.PRESERVATION_WORKFLOW``

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="preservations"
    )
    kind = models.CharField("种类", max_length=16, choices=Kind.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    # [{"name", "spec", "quantity", "unit", "note"}]
    items = models.JSONField("物品清单", default=list)
    place = models.CharField("保存/抽样地点", max_length=200)
    reason = models.TextField("理由（证据可能灭失或者以后难以取得的情形）", blank=True)
    holder = models.CharField("物品持有人/见证人", max_length=60, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField("批准日期", null=True, blank=True)
    approval_opinion = models.CharField("负责人意见", max_length=300, blank=True)
    decide_by = models.DateField("处理决定期限", null=True, blank=True)
    decide_by_confirmed = models.BooleanField("期限按已确认的日历计算", default=True)
    handled_on = models.DateField("处理日期", null=True, blank=True)
    handling = models.TextField("处理决定", blank=True)
    returned_to = models.CharField("退还对象", max_length=60, blank=True)
    list_number = models.CharField("清单/凭证编号", max_length=60, blank=True)
    release_number = models.CharField("解除决定书编号", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "先行登记保存与抽样取证"
        ordering = ["requested_at", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()} {self.list_number}"

    @property
    def items_text(self) -> str:
        return "、".join(f"{i.get('name', '')}{i.get('quantity', '')}{i.get('unit', '')}" for i in self.items)


class PreservationStep(AbstractStep):
    """One appended step of a preservation or a sampling (requested, approved or refused, released or handled;
    ``core.workflow``). The case keeps its own history of the same acts (``StatusChange``)."""

    STATES = PreservationStatus

    preservation = models.ForeignKey(EvidencePreservation, verbose_name="先行登记保存与抽样取证",
                                     on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "先行登记保存流程记录"

    def __str__(self):
        return f"{self.preservation_id} {self.action}"



class ExecutionAct(models.Model):
    """The agency's own enforcement of a decision where a law gives it the power (行政强制法 Arts. 13, 34–51):
    the 行政强制执行决定书 (Art. 37) or 代履行决定书 (Art. 51) after the 催告 (Art. 35), the 执行公告 before a
    forced removal (Art. 44), and the 中止 / 终结 / 恢复执行通知书 (Arts. 39–40). Appended, never edited; each
    carries the number of the form issued with it."""

    class Kind(models.TextChoices):
        DECISION = "decision", "行政强制执行决定书"
        SUBSTITUTE = "substitute", "代履行决定书"
        ANNOUNCEMENT = "announcement", "执行公告"
        SUSPEND = "suspend", "中止行政强制执行通知书"
        TERMINATE = "terminate", "终结行政强制执行通知书"
        RESUME = "resume", "恢复行政强制执行通知书"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="execution_acts"
    )
    kind = models.CharField("文书", max_length=16, choices=Kind.choices)
    statute = models.CharField("强制执行权的法律依据", max_length=300, blank=True)
    obligation = models.TextField("当事人应履行的义务", blank=True)
    method = models.TextField("强制执行方式/代履行方式", blank=True)
    reminded_on = models.DateField("催告书送达日期", null=True, blank=True)
    deadline = models.DateField("期限/执行时间", null=True, blank=True)
    executor = models.CharField("代履行人", max_length=120, blank=True)
    cost = models.DecimalField("代履行费用预算（元）", null=True, blank=True, **MONEY)
    reason = models.CharField("中止/终结事由", max_length=40, blank=True)
    reason_text = models.TextField("事由说明", blank=True)
    number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="负责人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政强制执行文书"
        ordering = ["issued_on", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()} {self.number}"
