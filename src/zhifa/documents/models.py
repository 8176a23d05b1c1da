"""Issued enforcement documents (执法文书) and the agencies' series words for their numbers."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from zhifa.core import numbering
from zhifa.core.models import EvidenceFile, Organisation

# The count of document numbers (one counter per agency × year × series word) is the platform's numbering service;
# the layout is documents.numbering's.
DOCUMENT_NUMBERS = numbering.Series("documents.document", "文书编号", template="",
                                    note="文书编号按 ZHIFA_DOC_NUMBER_FORMAT，字号取执法主体的文书字号前缀与文书代字设置")


class NumberSeries(models.Model):
    """An agency's own series word (文书代字) for one kind of numbered paper, e.g. 简罚 for on-the-spot decisions or
    许 for permit decisions. Without a row the national default of ``documents.kinds`` applies; a row on a
    higher organisation applies to every unit below it (the nearest one wins)."""

    organisation = models.ForeignKey(Organisation, verbose_name="执法主体", on_delete=models.CASCADE, related_name="number_series")
    kind = models.CharField("文书种类", max_length=40, help_text="文书种类代码，如 penalty_decision、onspot_decision、permit_decision")
    series = models.CharField("文书代字", max_length=20, help_text="字号中的代字，如 罚、简罚、不罚、许")

    class Meta:
        verbose_name = "文书代字设置"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="documents_series_unique")]

    def __str__(self):
        return f"{self.organisation} {self.kind}：{self.series}"


class Document(models.Model):
    """One issued document: its kind, number, the object it belongs to (usually a case), the fields it was
    rendered from and the stored PDF (content-addressed in the evidence store, hash recorded)."""

    organisation = models.ForeignKey(Organisation, verbose_name="制作机构", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书种类", max_length=40, db_index=True)
    title = models.CharField("文书名称", max_length=60)
    number = models.CharField("文书编号", max_length=60, blank=True, db_index=True)
    subject_type = models.ForeignKey(ContentType, verbose_name="所属对象类型", on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField("所属对象ID", max_length=64, db_index=True)
    subject_label = models.CharField("所属对象", max_length=200, blank=True)
    context = models.JSONField("文书内容", default=dict, blank=True)
    pdf = models.ForeignKey(EvidenceFile, verbose_name="PDF 文件", on_delete=models.PROTECT, related_name="+")
    docx = models.ForeignKey(EvidenceFile, verbose_name="DOCX 文件", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pages = models.PositiveSmallIntegerField("页数", default=1)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("制作时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="documents_subject_idx")]
        constraints = [models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="documents_number_unique")]

    def __str__(self):
        return f"{self.title} {self.number}".strip()

    @property
    def sha256(self) -> str:
        return self.pdf.sha256
