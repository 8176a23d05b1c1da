"""Reference data of the platform: the legal calendar, the numbering counters and their layouts, and the
version tokens of the reference data the processes keep in memory."""

from django.db import models

from .people import Organisation


class CalendarYear(models.Model):
    """Whether a year's official holiday arrangement (国务院办公厅放假安排) is confirmed. Years covered by the
    chinesecalendar package are confirmed unless an administrator says otherwise."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    confirmed = models.BooleanField("已确认", default=False)
    source = models.CharField("依据", max_length=200, blank=True, help_text="如 国办发明电〔2026〕X号")

    class Meta:
        verbose_name = verbose_name_plural = "年度放假安排"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}（{'已确认' if self.confirmed else '未确认'}）"


class CalendarDay(models.Model):
    """An administrator's override of one day: a statutory holiday or a make-up working day (调休)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("工作日")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如 国庆节、国庆调休上班")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '休息'} {self.name}"


class NumberCounter(models.Model):
    """The last number given in one series of numbers people read (案件编号, 文书编号, 计划编号 …): series ×
    numbering organisation (none for a platform-wide series) × year × sub-series (a document's series word, an
    operation's kind). Bumped with one ``UPDATE … SET last = last + 1`` by :mod:`zhifa.core.numbering`
    inside the transaction that uses the number, so numbers have neither duplicates nor gaps."""

    series = models.CharField("编号序列", max_length=40, help_text="如 cases.case、documents.document")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="编号机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    part = models.CharField(
        "分序列", max_length=20, blank=True, default="", help_text="文书代字、行动类别等；无则留空"
    )
    last = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["series", "organisation", "year", "part"],
                condition=models.Q(organisation__isnull=False),
                name="core_counter_unique_org",
            ),
            models.UniqueConstraint(
                fields=["series", "year", "part"],
                condition=models.Q(organisation__isnull=True),
                name="core_counter_unique_global",
            ),
        ]

    def __str__(self):
        return f"{self.series} {self.organisation or '全平台'} {self.year} {self.part}：{self.last}".replace(
            "  ", " "
        )


class NumberFormat(models.Model):
    """An administrator's layout for one numbering series, replacing the series' default layout (set in
    code next to the model it numbers). Placeholders: ``{org}`` the numbering organisation's code,
    ``{year}``, ``{part}`` the sub-series, ``{seq}`` the sequence with its width (``{seq:05d}``); series
    with a public tracking code also ``{date:%y%m%d}`` and ``{code}``. Changing a layout does not
    restart the count."""

    series = models.CharField("编号序列", max_length=40, unique=True)
    template = models.CharField("编号格式", max_length=80, help_text="如 {org}-{year}-{seq:05d}")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "编号格式"

    def __str__(self):
        return f"{self.series}：{self.template}"

    def clean(self):
        from ..numbering import check_template

        check_template(self.series, self.template)


class DataVersion(models.Model):
    """One row per kind of reference data the processes keep in memory (``zhifa.core.versions``: the legal
    calendar, who holds which role, the organisation tree, the procedure periods). Its ``token`` is changed
    by the database itself, in the same transaction, by every write to the tables that data is read from
    (triggers made by ``versions.track`` in the owning app's migration), so an ORM save, a queryset update,
    a bulk write, a data migration and raw SQL all count. A random token rather than a counter: a
    rolled-back change never reappears as a later one."""

    key = models.CharField("数据", max_length=40, primary_key=True)
    token = models.CharField("版本标记", max_length=32)
    changed_at = models.DateTimeField("变更时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "参考数据版本标记"

    def __str__(self):
        return f"{self.key} {self.token}"
