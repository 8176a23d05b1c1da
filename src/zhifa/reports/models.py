"""The register of the annual report's narrative (年度报告文字): the passages a bureau writes itself — how a system
was built, a mechanism run, a highlight — that no register of records holds. The report prints them beside the
figures; a passage not written is left out of the printed report (never a placeholder)."""

from django.conf import settings
from django.db import models


class ReportNarrative(models.Model):
    """One passage of one unit's annual report for one year, written and kept up to date by the bureau on the report
    page (负责人、系统管理员); every change is in the full-process record."""

    class Place(models.TextChoices):
        RECORDING = "recording", "全过程记录制度的落实情况"
        LEGAL_REVIEW = "legal_review", "法制审核实施细则和目录清单的制定情况"
        COOPERATION = "cooperation", "联合执法机制的建立和运行情况"
        LITIGATION = "litigation", "行政复议、行政诉讼情况"
        PUBLICITY = "publicity", "宣传主题和事后教育情况"
        KEY_SUPERVISION = "key_supervision", "执法巡逻、卸载货物等重点监管情况"
        CAMPAIGNS = "campaigns", "专项整治的做法和成效"
        HIGHLIGHTS = "highlights", "执法工作创新亮点或典型经验"

    organisation = models.ForeignKey("core.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    place = models.CharField("报告位置", max_length=20, choices=Place.choices)
    text = models.TextField("内容", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填写人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField("填写时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度报告文字"
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "place"], name="report_narrative_unique")]
        ordering = ["organisation", "-year", "place"]

    def __str__(self):
        return f"{self.organisation} {self.year}年 {self.get_place_display()}"
