"""What a case's file holds: legal reviews, transcripts, evidence items, corrections and documents."""

from django.conf import settings
from django.db import models

from zhifa.core.models import EvidenceFile, Officer

from .case import (
    MONEY,
    Case,
)


class LegalReview(models.Model):
    """A legal review opinion (法制审核意见, 行政处罚法 Art. 58) by a reviewer who is not a handling
    officer."""

    class Opinion(models.TextChoices):
        AGREE = "agree", "同意"
        MODIFY = "modify", "修改"
        RETURN = "return", "退回补充调查"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="legal_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人员", on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.CharField("审核意见", max_length=10, choices=Opinion.choices)
    text = models.TextField("审核意见说明")
    modified_amount = models.DecimalField("建议罚款金额（元）", null=True, blank=True, **MONEY)
    # Where the system cannot check the fine's statutory range (罚款幅度未能自动核对), the reviewer's
    # check of the amount against the penalty provision (行政处罚法 Arts. 4, 58); a fine is not decided
    # without it.
    range_check = models.TextField("罚款幅度核对", blank=True)
    # What that check covered, fixed when it was recorded: the fine then proposed and the penalty basis then
    # cited. A higher fine or another provision needs a new check (``checks.assert_range_reviewed``).
    range_checked_amount = models.DecimalField("已核对的罚款金额（元）", null=True, blank=True, **MONEY)
    range_checked_basis = models.TextField("已核对的处罚依据", blank=True)
    range_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="幅度核对人员", null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    range_checked_at = models.DateTimeField("幅度核对时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "法制审核意见"
        ordering = ["reviewed_at"]

    def __str__(self):
        return f"{self.case.number} {self.get_opinion_display()}"


class Transcript(models.Model):
    """A structured transcript (询问笔录 / 现场笔录 / 勘验笔录) taken by at least two certified officers."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", "询问笔录"
        SCENE = "scene", "现场笔录"
        INSPECTION = "inspection", "勘验笔录"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="transcripts")
    kind = models.CharField("笔录种类", max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200)
    officers = models.ManyToManyField(Officer, verbose_name="执法人员", related_name="transcripts")
    person_name = models.CharField("被询问人/当事人/见证人", max_length=60)
    person_id_number = models.CharField("身份证号码", max_length=18, blank=True)
    person_relation = models.CharField("与案件关系", max_length=40, blank=True)
    # inquiry: [{"q": "...", "a": "..."}]; scene/inspection: {"observations": "...", "measures": "..."}
    content = models.JSONField("笔录内容", default=dict)
    signed_by_person = models.BooleanField("被询问人/当事人签名确认", default=False)
    refusal_note = models.CharField("拒绝签名情况", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "笔录"
        ordering = ["started_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person_name} {self.started_at:%Y-%m-%d}"


class EvidenceItem(models.Model):
    """An item of evidence in a case: a stored file (photo, audio, video, document) with its capture metadata,
    and whether it is under 证据登记保存 (registered preservation, listed in the 证据登记保存清单)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "照片"
        AUDIO = "audio", "录音"
        VIDEO = "video", "视频（执法记录仪）"
        DOCUMENT = "document", "书证"
        PHYSICAL = "physical", "物证"
        DATA = "data", "电子数据"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="evidence_items"
    )
    kind = models.CharField("证据种类", max_length=12, choices=Kind.choices)
    title = models.CharField("名称", max_length=120)
    description = models.TextField("证明内容", blank=True)
    file = models.ForeignKey(
        EvidenceFile,
        verbose_name="证据文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_items",
    )
    quantity = models.CharField("数量", max_length=40, blank=True)
    captured_at = models.DateTimeField("采集时间", null=True, blank=True)
    captured_by = models.ManyToManyField(
        Officer, verbose_name="取证人员", related_name="evidence_items", blank=True
    )
    capture_device = models.CharField("采集设备", max_length=80, blank=True)
    capture_place = models.CharField("采集地点", max_length=200, blank=True)
    preserved = models.BooleanField("证据登记保存", default=False)
    preserved_place = models.CharField("保存地点", max_length=120, blank=True)
    preserved_until = models.DateField("登记保存期限至", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.title}"


class Correction(models.Model):
    """A correction (补正) of a clerical error in a delivered decision; the decision fields stay unchanged."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="corrections")
    field_label = models.CharField("更正事项", max_length=60)
    old_text = models.TextField("原内容")
    new_text = models.TextField("更正为")
    reason = models.TextField("理由")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    corrected_on = models.DateField("更正日期")

    class Meta:
        verbose_name = verbose_name_plural = "决定书补正"
        ordering = ["corrected_on", "pk"]

    def __str__(self):
        return f"{self.case.number} 补正{self.field_label}"


class CaseDocument(models.Model):
    """A document issued in the case by the documents app (kept by its number and id, so the case does not
    depend on the documents app's tables). The act that calls for the paper writes the row as ``pending`` in
    its own transaction; the paper is numbered, rendered and stored by a task after the commit
    (``tasks.issue_document``), which makes the row ``ready`` (or ``failed`` with the reason), so no request
    waits for a PDF."""

    class State(models.TextChoices):
        PENDING = "pending", "生成中"
        READY = "ready", "已生成"
        FAILED = "failed", "未能生成"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文书", max_length=40)
    number = models.CharField("文号", max_length=60, blank=True)
    document_id = models.BigIntegerField("文书ID", null=True, blank=True)
    state = models.CharField("生成状态", max_length=8, choices=State.choices, default=State.READY)
    error = models.CharField("未能生成的原因", max_length=300, blank=True)
    issued_at = models.DateTimeField("制作时间", auto_now_add=True)
    # What a retry needs (tasks.retry_documents, the 重新生成 button): who called for the paper and the
    # transcript it reproduces; how many times the paper was tried and when last. Foreign keys (a plain id
    # could name a user or a transcript that no longer exists): neither can be deleted while the paper is
    # kept (the whole case can, RESTRICT).
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制作人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    transcript = models.ForeignKey(Transcript, verbose_name="笔录", null=True, blank=True,
                                   on_delete=models.RESTRICT, related_name="+")
    attempts = models.PositiveSmallIntegerField("生成次数", default=0)
    attempted_at = models.DateTimeField("最近生成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件文书"
        # The sweep of papers not made (tasks.retry_documents): a handful of rows among millions of
        # ready ones.
        indexes = [
            models.Index(
                fields=["state", "issued_at"],
                name="casedocument_unmade_idx",
                condition=~models.Q(state="ready"),
            )
        ]
        ordering = ["issued_at", "pk"]

    def __str__(self):
        return f"{self.kind} {self.number}"
