"""Discretion data (裁量基准): the violation catalogue, versioned benchmark editions with their discretion
levels, the four lists (四张清单), the legal-review / hearing catalogue and the overload rule versions.

Law as data: every row carries an effective date and a citation; the engine (``engine.py``) reads the
version in force on the violation date and today's version and applies the lighter (行政处罚法 Art. 37).
"""

from django.core.exceptions import ValidationError
from django.db import models

from zhifa.core import provisions
from zhifa.core.errors import DomainError


class PenaltyKind(models.TextChoices):
    """Kinds of administrative penalty (行政处罚法 Art. 9, 2021), one code each, in the order of the article:
    (一) 警告、通报批评; (二) 罚款、没收违法所得、没收非法财物; (三) 暂扣许可证件、降低资质等级、吊销许可证件;
    (四) 限制开展生产经营活动、责令停产停业、责令关闭、限制从业. (五) 行政拘留 is for the police only and is
    left out. The catalogue, the review/hearing rules and the case's penalty lines all use these codes."""

    WARNING = "warning", "警告"
    PUBLIC_CRITICISM = "public_criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_INCOME = "confiscate_income", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    LICENCE_SUSPENSION = "licence_suspension", "暂扣许可证件"
    QUALIFICATION_DOWNGRADE = "qualification_downgrade", "降低资质等级"
    LICENCE_REVOCATION = "licence_revocation", "吊销许可证件"
    RESTRICT_OPERATION = "restrict_operation", "限制开展生产经营活动"
    ORDER_STOP = "order_stop", "责令停产停业"
    ORDER_CLOSURE = "order_closure", "责令关闭"
    RESTRICT_PRACTICE = "restrict_practice", "限制从业"


# Codes of editions written before every Art. 9 kind had its own code: each stands for the kinds it grouped.
LEGACY_PENALTY_KINDS = {"confiscation": ["confiscate_income", "confiscate_property"]}

PENALTY_KIND_LABELS = dict(PenaltyKind.choices)


class Formula(models.TextChoices):
    """Items whose amount follows a formula in law rather than a table of levels."""

    NONE = "", "按裁量阶次"
    OVERLOAD_MASS = "overload_mass", "超限（车货总质量）：《超限运输车辆行驶公路管理规定》第四十三条"
    OVERLOAD_DIMENSION = "overload_dimension", "超限（外廓尺寸）：《超限运输车辆行驶公路管理规定》第四十三条"


class Rounding(models.TextChoices):
    """How a partial 1000 kg over the limit is counted (Art. 43 of MOT Order 2016 No. 62) [unconfirmed]."""

    FLOOR = "floor", "不足1000千克部分不计（向下取整）"
    CEIL = "ceil", "不足1000千克部分按1000千克计（向上取整）"
    PROPORTIONAL = "proportional", "按比例计算"


class ViolationItem(models.Model):
    """A violation (违法行为事项) of the catalogue: what was breached, what punishes it, the statutory range and
    whether it touches life/health safety (5-year limitation, 行政处罚法 Art. 36). The amounts per discretion
    level live in the benchmark editions (``BenchmarkLevel``)."""

    code = models.CharField("事项编码", max_length=32, unique=True)
    name = models.CharField("违法行为", max_length=200)
    category = models.CharField("类别", max_length=50, blank=True)
    violated_provision = models.TextField("违反条款")
    penalty_basis = models.TextField("处罚依据")
    penalty_kinds = models.JSONField("处罚种类", default=list, help_text="如 [\"warning\", \"fine\"]")
    statutory_min = models.DecimalField("法定罚款下限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    statutory_max = models.DecimalField("法定罚款上限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    life_health_safety = models.BooleanField("涉及生命健康安全", default=False,
                                             help_text="涉及公民生命健康安全且有危害后果的，追责期限为五年（行政处罚法第三十六条）")
    formula = models.CharField("计算公式", max_length=32, choices=Formula.choices, blank=True, default="")
    provision_status = models.CharField("条款核对状态", max_length=16, default="unconfirmed",
                                        choices=[("text", "已对照法规原文"), ("secondary", "据公开转引核对"),
                                                 ("unconfirmed", "待核对")],
                                        help_text="待核对的条款须由法制机构对照现行文本确认后再用于决定书。")
    active = models.BooleanField("有效", default=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "违法行为事项"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def penalty_kind_labels(self) -> list[str]:
        return [PENALTY_KIND_LABELS.get(k, k) for k in self.penalty_kinds]

    @property
    def violated_citation(self):
        """The violated provision(s) as structured data (``core.provisions.Citation``)."""
        return provisions.parse(self.violated_provision)

    @property
    def penalty_citation(self):
        """The penalty provision(s) as structured data (``core.provisions.Citation``)."""
        return provisions.parse(self.penalty_basis)

    def clean(self):
        # Both citations must parse as 《law》第…条…: the documents compose the legal basis from them.
        for name in ("violated_provision", "penalty_basis"):
            try:
                if not provisions.parse(getattr(self, name)):
                    raise ValidationError({name: "请写明法规名称和条款，如《中华人民共和国道路运输条例》第十条。"})
            except DomainError as exc:
                raise ValidationError({name: exc.message}) from None
        unknown = [k for k in self.penalty_kinds or [] if k not in PENALTY_KIND_LABELS]
        if unknown:
            raise ValidationError({"penalty_kinds": f"未知的处罚种类：{'、'.join(unknown)}"})
        if self.statutory_min is not None and self.statutory_max is not None and self.statutory_min > self.statutory_max:
            raise ValidationError({"statutory_min": "法定罚款下限不得高于上限。"})


class BenchmarkEdition(models.Model):
    """A published edition of the discretion benchmark (裁量基准, 行政处罚法 Art. 34), e.g. the national default
    or 宁夏 2023. Editions form one chain ordered by ``effective_from``; the one in force on a date is the latest
    effective on or before it. The per-edition settings (overload rounding, lenient/mitigated shares) are
    bureau policy, not statute, and marked as such in the admin."""

    code = models.CharField("版本编号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    region = models.CharField("适用地区", max_length=50, default="全国")
    effective_from = models.DateField("施行日期")
    source = models.CharField("发布文件", max_length=300, blank=True)
    overload_rounding = models.CharField("超限不足1000千克部分计算方式", max_length=16, choices=Rounding.choices,
                                         default=Rounding.FLOOR,
                                         help_text="【待确认】第四十三条未明确不足1000千克部分如何计算，由本省设定。")
    lenient_share = models.DecimalField("从轻幅度（法定幅度下段比例）", max_digits=4, decimal_places=2, default="0.30",
                                        help_text="从轻处罚在法定幅度内的下段：下限 + (上限-下限)×比例。【地方设定】")
    mitigated_share = models.DecimalField("减轻幅度（法定下限的比例）", max_digits=4, decimal_places=2, default="0.50",
                                          help_text="减轻处罚建议金额 = 法定（或公式）金额 × 比例，且低于法定下限。【地方设定】")
    imported_from = models.CharField("导入来源", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "裁量基准版本"
        ordering = ["-effective_from", "-id"]

    def __str__(self):
        return f"{self.name}（{self.effective_from:%Y-%m-%d}起施行）"


class Level(models.TextChoices):
    """Discretion levels (裁量阶次)."""

    MINOR = "minor", "轻微"
    GENERAL = "general", "一般"
    SERIOUS = "serious", "较重"
    SEVERE = "severe", "严重"


LEVEL_ORDER = {Level.MINOR: 0, Level.GENERAL: 1, Level.SERIOUS: 2, Level.SEVERE: 3}


class BenchmarkLevel(models.Model):
    """One discretion level of one item in one edition: the facts that place a case in it (``criteria``, a
    dict of fact → value / list of values / ``{"gte": n, "lt": m}``) and the amount range and recommendation."""

    edition = models.ForeignKey(BenchmarkEdition, on_delete=models.CASCADE, related_name="levels", verbose_name="版本")
    item = models.ForeignKey(ViolationItem, on_delete=models.PROTECT, related_name="levels", verbose_name="违法行为")
    level = models.CharField("裁量阶次", max_length=16, choices=Level.choices)
    circumstances = models.TextField("适用情形")
    criteria = models.JSONField("判定条件", default=dict, blank=True)
    penalty_kinds = models.JSONField("处罚种类", default=list)
    min_amount = models.DecimalField("罚款下限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField("罚款上限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    recommended = models.DecimalField("建议罚款（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "裁量阶次"
        ordering = ["edition", "item__code", "level"]
        constraints = [models.UniqueConstraint(fields=["edition", "item", "level"], name="discretion_level_unique")]

    def __str__(self):
        return f"{self.item.code} {self.get_level_display()}"

    @property
    def penalty_kind_labels(self) -> list[str]:
        return [PENALTY_KIND_LABELS.get(k, k) for k in self.penalty_kinds]


class ListKind(models.TextChoices):
    """The four lists (四张清单); the no-penalty list has two parts."""

    MINOR_NO_PENALTY = "minor_no_penalty", "轻微违法行为不予处罚清单"
    FIRST_VIOLATION = "first_violation", "首次违法行为不予处罚清单"
    LENIENT = "lenient", "从轻处罚清单"
    MITIGATED = "mitigated", "减轻处罚清单"
    NO_COERCION = "no_coercion", "不予实施行政强制措施清单"


class ListEntry(models.Model):
    """An entry of one of the four lists for one item in one edition, with its conditions as text (shown to
    people) and as ``criteria`` (checked against the facts)."""

    edition = models.ForeignKey(BenchmarkEdition, on_delete=models.CASCADE, related_name="list_entries", verbose_name="版本")
    kind = models.CharField("清单", max_length=24, choices=ListKind.choices)
    item = models.ForeignKey(ViolationItem, on_delete=models.PROTECT, related_name="list_entries", verbose_name="违法行为")
    conditions = models.TextField("适用条件")
    criteria = models.JSONField("判定条件", default=dict, blank=True)
    basis = models.CharField("依据", max_length=300)
    lookback_months = models.PositiveSmallIntegerField(
        "追溯期间（月）", default=12,
        help_text="“首次违法”按此期间内有无同一事项的违法记录判定（自本次违法行为发生之日向前计算）。【地方设定】")
    commitment_required = models.BooleanField("须签署告知承诺书", default=False,
                                              help_text="适用本条目不予处罚的，当事人须签署告知承诺书（本省清单规定）。")

    class Meta:
        verbose_name = verbose_name_plural = "四张清单条目"
        ordering = ["edition", "kind", "item__code"]
        constraints = [models.UniqueConstraint(fields=["edition", "kind", "item"], name="discretion_list_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.item.name}"


class ReviewRule(models.Model):
    """A criterion of the legal-review catalogue (重大执法决定法制审核目录, 行政处罚法 Art. 58) or of the hearing
    right (Art. 63). Versioned per region with an effective date; the large-fine thresholds are provincial
    settings [unconfirmed]. A rule matches on a fine at or above ``threshold`` for ``party_kind``, on a penalty
    kind, on a held hearing, on several legal relations, or on a named item."""

    class Catalogue(models.TextChoices):
        LEGAL_REVIEW = "legal_review", "法制审核目录"
        HEARING = "hearing", "听证范围"

    class Kind(models.TextChoices):
        FINE_AT_LEAST = "fine_at_least", "罚款数额达到"
        PENALTY_KIND = "penalty_kind", "处罚种类"
        HEARING_HELD = "hearing_held", "经过听证"
        SEVERAL_RELATIONS = "several_relations", "涉及多个法律关系"
        ITEM = "item", "特定违法行为事项"

    catalogue = models.CharField("目录", max_length=16, choices=Catalogue.choices)
    kind = models.CharField("条件类型", max_length=24, choices=Kind.choices)
    region = models.CharField("适用地区", max_length=50, default="全国")
    party_kind = models.CharField("当事人类型", max_length=16, blank=True,
                                  choices=[("", "不限"), ("person", "公民"), ("organisation", "法人或其他组织")])
    threshold = models.DecimalField("数额（元）", max_digits=12, decimal_places=2, null=True, blank=True,
                                    help_text="罚款数额条件的数额；处罚种类条件填写时，仅该种类数额（如没收违法所得）达到此数额才适用（“较大数额”）。")
    penalty_kind = models.CharField("处罚种类", max_length=32, blank=True, choices=PenaltyKind.choices)
    item_code = models.CharField("事项编码", max_length=32, blank=True)
    label = models.CharField("说明", max_length=200)
    basis = models.CharField("依据", max_length=300)
    confirmed = models.BooleanField("已核实", default=False, help_text="未核实的数值为本地设定，须由管理员确认。")
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("废止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "法制审核与听证目录"
        ordering = ["catalogue", "-effective_from", "kind", "party_kind"]

    def __str__(self):
        return f"{self.get_catalogue_display()}：{self.label}"


class OverloadRuleVersion(models.Model):
    """A version of the overload rules of MOT Order 2016 No. 62: the Art. 3 mass limits (``limits``: rows of
    axles / combination / limit_kg / single_drive_axle_limit_kg), the single-tyre reduction, the Art. 3
    dimension limits, and the Art. 43 penalties (warning band, 500 yuan per 1000 kg, cap, dimension bands)."""

    code = models.CharField("版本编号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    effective_from = models.DateField("施行日期")
    limits = models.JSONField("总质量限值表（第三条）")
    single_tyre_reduction_kg = models.PositiveIntegerField("单轴每侧单轮胎减除（千克）", default=3000)
    max_height_m = models.DecimalField("高度限值（米）", max_digits=5, decimal_places=2, default="4.00")
    max_width_m = models.DecimalField("宽度限值（米）", max_digits=5, decimal_places=2, default="2.55")
    max_length_m = models.DecimalField("长度限值（米）", max_digits=5, decimal_places=2, default="18.10")
    warning_kg = models.PositiveIntegerField("仅予警告的超限质量（千克）", default=1000)
    step_kg = models.PositiveIntegerField("计罚单位（千克）", default=1000)
    step_yuan = models.DecimalField("每计罚单位罚款（元）", max_digits=12, decimal_places=2, default="500")
    cap_yuan = models.DecimalField("罚款上限（元）", max_digits=12, decimal_places=2, default="30000")
    dimension_bands = models.JSONField("外廓尺寸罚款档次（第四十三条）")
    citation_limits = models.CharField("限值依据", max_length=200)
    citation_penalty = models.CharField("处罚依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "超限认定与处罚规则版本"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.name}（{self.effective_from:%Y-%m-%d}起）"

