"""The case (行政处罚案件) with its penalty lines, the four lists applied and its procedure steps."""

import functools
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND, WhereNode
from django.utils.encoding import force_str

from zhifa.core import numbering
from zhifa.core.models import EvidenceFile, Officer, Organisation, Party, Vehicle
from zhifa.core.workflow import AbstractStep
from zhifa.discretion.models import ListKind
from zhifa.discretion.models import PenaltyKind as Art9PenaltyKind

from ..workflow import OPEN_STATES, Status

MONEY = {"max_digits": 12, "decimal_places": 2}


@functools.cache
def _labels(name: str) -> dict:
    """The labels of a case field's choices by value (the choices are code: kept by the process)."""
    return dict(Case._meta.get_field(name).flatchoices)


def _label(name: str, value):
    """What Django's ``get_FOO_display`` gives: the choice's label, else the value itself."""
    return force_str(_labels(name).get(value, value), strings_only=True)

# The fields the statutory clocks read (clocks.clocks): a change to any of them recomputes the case's nearest
# deadline (``Case.clock_due_on``), whether it comes through ``save()`` or a queryset ``update()``.
CLOCK_FIELDS = frozenset(
    {
        "status",
        "procedure",
        "outcome",
        "opened_on",
        "notified_on",
        "hearing_right",
        "hearing_requested_on",
        "rights_waived_on",
        "hearing_notice_on",
        "hearing_on",
        "hearing_held_on",
        "decided_on",
        "delivered_on",
        "penalty_kind",
        "fine_amount",
        "paid_on",
    }
)


class CaseQuerySet(models.QuerySet):
    """Cases; ``update()`` of a field the clocks read keeps ``clock_due_on`` true for the rows it changed (the
    workflow's transitions and several services change cases by ``update()``, which sends no signal)."""

    def update(self, **kwargs):
        if not CLOCK_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        # The rows it changes, read before: the update may change what the filter selects (its status). A
        # filter that pins one key (the workflow's ``filter(pk=…, status=old)``) names its only row without
        # that read: the row changed if the update counts one (issue 19: one query less at every case move).
        pinned = self._pinned_pk()
        ids = list(self.values_list("pk", flat=True)) if pinned is None else [pinned]
        changed = super().update(**kwargs)
        if changed:
            from ..clocks import refresh_due

            refresh_due(ids)
        return changed

    def _pinned_pk(self):
        """The key value that a condition ANDed to the whole filter sets this table's key equal to (``pk=…``),
        so no other row can be updated; None otherwise (an OR, a negation, a slice, a key given by an
        expression, another table's key)."""
        query = self.query
        if query.is_sliced or query.combinator or query.distinct_fields:
            return None
        pk, table = self.model._meta.pk, query.base_table
        nodes = [query.where]
        while nodes:
            node = nodes.pop()
            if node.negated or node.connector != AND:
                continue
            for child in node.children:
                if isinstance(child, WhereNode):
                    nodes.append(child)
                elif (isinstance(child, Exact) and isinstance(child.lhs, Col) and child.lhs.target is pk
                      and child.lhs.alias == table and type(child.rhs) is int):
                    return child.rhs
        return None


class Case(models.Model):
    """One enforcement case from lead (线索) to archive. The decision (决定) is kept as plain fields on the
    case so that the portal and the case file read it directly; once delivered they are never edited
    (corrections and revocation are their own records)."""

    # The nearest running deadline is a cache of the clocks (kept by ``clocks.refresh_due``), moved by
    # time and by the legal calendar, not by an act: the tamper-evident row digest leaves it out.
    audit_digest_exclude = ("clock_due_on",)

    class Procedure(models.TextChoices):
        ORDINARY = "ordinary", "普通程序"
        SIMPLIFIED = "simplified", "简易程序"

    class Source(models.TextChoices):
        INSPECTION = "inspection", "检查发现"
        REPORT = "report", "举报核实"
        ASSIGNED = "assigned", "上级交办"
        SUBMITTED = "submitted", "下级报请"
        TRANSFERRED = "transferred", "部门移送"
        OTHER = "other", "其他"

    class Outcome(models.TextChoices):
        NONE = "", "未决定"
        PENALTY = "penalty", "给予行政处罚"
        NO_PENALTY = "no_penalty", "不予行政处罚"

    # Every kind of 行政处罚法 Art. 9 (one list, kept by the discretion app); a decision's kinds are its
    # penalty lines, ``penalty_kind``/``fine_amount`` summarise them for the readers that predate the
    # lines.
    PenaltyKind = Art9PenaltyKind

    class NoPenaltyReason(models.TextChoices):
        NONE = "", "无"
        MINOR = "minor", "不满十四周岁（第三十条）"
        NO_FAULT = "no_fault", "当事人有证据足以证明没有主观过错（第三十三条第二款）"
        TRIVIAL = "trivial", "违法行为轻微并及时改正，没有造成危害后果（第三十三条第一款）"
        FIRST = "first", "初次违法且危害后果轻微并及时改正（首违不罚，第三十三条第一款）"
        FACTS = "facts", "违法事实不能成立"

    class DeliveryMethod(models.TextChoices):
        ON_SPOT = "on_spot", "当场送达"
        DIRECT = "direct", "直接送达"
        LEFT = "left", "留置送达"
        POST = "post", "邮寄送达"
        ELECTRONIC = "electronic", "电子送达"
        PUBLIC = "public", "公告送达"

    number = models.CharField("案件编号", max_length=40, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name="办案机构", on_delete=models.PROTECT, related_name="cases"
    )
    procedure = models.CharField("程序", max_length=16, choices=Procedure.choices, default=Procedure.ORDINARY)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.LEAD, db_index=True
    )
    source = models.CharField("案件来源", max_length=16, choices=Source.choices)
    origin_type = models.CharField("来源对象类型", max_length=60, blank=True)
    origin_id = models.CharField("来源对象ID", max_length=64, blank=True)

    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="cases")
    vehicle = models.ForeignKey(
        Vehicle, verbose_name="车辆", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    officers = models.ManyToManyField(Officer, verbose_name="承办执法人员", related_name="cases", blank=True)
    violation_item = models.ForeignKey(
        "discretion.ViolationItem",
        verbose_name="违法行为事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    violation_code = models.CharField("违法行为事项编码", max_length=40, blank=True, db_index=True)
    violation_name = models.CharField("违法行为", max_length=200, blank=True)
    # A violation outside the catalogue states both provisions itself (core.provisions citation text); a
    # case with a catalogue item may leave them empty and the item's apply.
    violated_provision = models.TextField(
        "违反条款",
        blank=True,
        help_text="如《中华人民共和国道路运输条例》第十条；不在违法行为事项目录中的须填写",
    )
    penalty_provision = models.TextField(
        "处罚依据条款",
        blank=True,
        help_text="如《中华人民共和国道路运输条例》第六十三条第（二）项；不在违法行为事项目录中的须填写",
    )
    life_health_harm = models.BooleanField(
        "涉及生命健康安全且有危害后果", default=False, help_text="行政处罚法第三十六条：追责期限为五年"
    )
    occurred_at = models.DateTimeField("违法行为发生时间")
    act_ended_on = models.DateField(
        "违法行为终了日期",
        null=True,
        blank=True,
        help_text="违法行为有连续或者继续状态的，追责期限从行为终了之日起计算（行政处罚法第三十六条第二款）",
    )
    place = models.CharField("地点", max_length=200)
    facts = models.TextField("案情/违法事实")
    discovered_on = models.DateField(
        "发现日期",
        null=True,
        blank=True,
        help_text="违法行为被发现之日（行政处罚法第三十六条）；未填写的以线索登记日期为准",
    )
    discovery_evidence = models.TextField(
        "发现日期的依据", blank=True, help_text="如 举报登记编号、检查记录、移送函"
    )
    not_same_act_reason = models.TextField(
        "确认非同一违法行为的理由",
        blank=True,
        help_text="与同一当事人相近时间、地点、事实的已罚款案件比对后，确认不是同一违法行为（行政处罚法第二十九条）",
    )

    registered_at = models.DateTimeField("线索登记时间", auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_on = models.DateField("立案日期", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="立案批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    limitation_override = models.TextField("超过追责期限仍立案的理由", blank=True)

    legal_review_required = models.BooleanField("需法制审核", default=False)
    legal_review_basis = models.CharField("法制审核依据", max_length=300, blank=True)
    review_set_by_head = models.BooleanField(
        "法制审核由负责人明确设定",
        default=False,
        help_text="设定后以负责人决定为准，不再按法制审核目录自动判断",
    )
    discussion_required = models.BooleanField("需集体讨论", default=False)
    discussed_on = models.DateField("集体讨论日期", null=True, blank=True)
    discussion_minutes = models.TextField("集体讨论记录", blank=True)

    report_text = models.TextField("调查终结报告", blank=True)
    proposed_outcome = models.CharField("拟处理意见", max_length=16, choices=Outcome.choices, blank=True)
    proposed_amount = models.DecimalField("拟罚款金额（元）", null=True, blank=True, **MONEY)
    assessment = models.JSONField("裁量意见（决定时固定）", default=dict, blank=True)
    deviation_reason = models.TextField("偏离裁量建议的理由", blank=True)

    notified_on = models.DateField("告知日期", null=True, blank=True)
    notified_amount = models.DecimalField("告知拟罚款金额（元）", null=True, blank=True, **MONEY)
    notified_penalty_kind = models.CharField(
        "告知拟处罚种类（主要）", max_length=32, choices=PenaltyKind.choices, blank=True
    )
    hearing_right = models.BooleanField("享有听证权利", default=False)
    rights_waived_on = models.DateField("放弃陈述申辩/听证日期", null=True, blank=True)
    statement = models.TextField("陈述申辩意见", blank=True)
    statement_adopted = models.TextField("陈述申辩复核意见", blank=True)
    waiver_statement = models.TextField(
        "放弃权利声明", blank=True, help_text="当事人书面放弃陈述申辩/听证时的声明，与陈述申辩意见分开记载"
    )
    no_fault_claimed = models.BooleanField("当事人主张无主观过错且证据成立", default=False)

    hearing_requested_on = models.DateField("申请听证日期", null=True, blank=True)
    hearing_notice_on = models.DateField("听证通知日期", null=True, blank=True)
    hearing_on = models.DateField("听证日期", null=True, blank=True)
    hearing_public = models.BooleanField(
        "公开听证",
        default=True,
        help_text="行政处罚法第六十四条：除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，听证公开举行",
    )
    hearing_private_reason = models.CharField("不公开听证的理由", max_length=200, blank=True)
    hearing_record = models.TextField("听证笔录", blank=True)
    hearing_held_on = models.DateField("听证举行日期", null=True, blank=True)

    # The decision: plain fields, read by the portal (party, number, facts, basis, outcome, amount, date).
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices, blank=True)
    penalty_kind = models.CharField(
        "处罚种类（主要）",
        max_length=32,
        choices=PenaltyKind.choices,
        blank=True,
        help_text="有罚款的为罚款，否则为第一项处罚；全部处罚种类见处罚事项",
    )
    fine_amount = models.DecimalField("罚款金额（元）", null=True, blank=True, **MONEY)
    payable_amount = models.DecimalField(
        "应缴金额（元）",
        null=True,
        blank=True,
        **MONEY,
        help_text="罚款与没收违法所得之和，由缴款通知书收缴（罚缴分离）",
    )
    no_penalty_reason = models.CharField(
        "不予处罚理由", max_length=16, choices=NoPenaltyReason.choices, blank=True
    )
    lenient = models.BooleanField("从轻或减轻处罚", default=False)
    legal_basis = models.TextField("法律依据", blank=True)
    decision_reasoning = models.TextField("处罚理由（说理）", blank=True)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True, db_index=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField("简易程序备案时间", null=True, blank=True)

    delivery_method = models.CharField("送达方式", max_length=16, choices=DeliveryMethod.choices, blank=True)
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    delivery_consent = models.TextField("电子送达确认书（当事人签名）", blank=True)
    delivery_address = models.CharField("送达地址/电子地址", max_length=200, blank=True)

    paid_on = models.DateField("缴清罚款日期", null=True, blank=True)
    executed_on = models.DateField("执行完毕日期", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    closing_report = models.TextField("结案报告", blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)
    ended_reason = models.TextField("不予立案/撤销立案/移送理由", blank=True)
    transferred_to = models.CharField("移送机关", max_length=120, blank=True)

    revoked_on = models.DateField("撤销决定日期", null=True, blank=True)
    revocation_reason = models.TextField("撤销决定理由", blank=True)

    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The nearest deadline of the running statutory clocks (clocks.clocks: tracked, not done, not
    # suspended), kept by clocks.refresh_due whenever the case, its suspensions or extensions, the legal
    # calendar or the procedure periods change; None when no clock runs or the case is no longer open.
    # The at-risk list and the dashboard read it through an index instead of computing thousands of
    # clocks per page (docs/performance.md).
    clock_due_on = models.DateField("最近法定期限", null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-registered_at", "-pk"]
        constraints = [
            # origin first: the index also serves the lookup of an origin object's case in any organisation
            models.UniqueConstraint(
                fields=["origin_type", "origin_id", "organisation"],
                condition=~models.Q(origin_id=""),
                name="case_unique_origin_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["party", "violation_code"], name="case_party_violation_idx"),
            # Lists filtered by state, newest first by id (docs/performance.md): walked backwards from
            # the newest.
            models.Index(fields=["status", "id"], name="case_status_id_idx"),
            # Lists filtered by registration dates within a unit.
            models.Index(fields=["organisation", "registered_at"], name="case_org_registered_idx"),
            # Open cases of a unit (at-risk lists, dashboard cards): a few thousand rows of a unit's
            # hundred thousand.
            models.Index(
                fields=["organisation", "id"],
                condition=models.Q(status__in=OPEN_STATES),
                name="case_open_org_idx",
            ),
            # Open cases with a running clock by their nearest deadline (at-risk list, dashboard card and
            # their counts).
            models.Index(
                fields=["organisation", "clock_due_on", "id"],
                include=["registered_by"],
                condition=models.Q(clock_due_on__isnull=False),
                name="case_clock_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.party.name if self.party_id else ''}"

    # The lists show these three labels on every row: Django's get_FOO_display builds a dictionary of the
    # field's choices at each call (~0.5 ms of a 25-row page); these look the label up in one built once.
    def get_status_display(self) -> str:
        return _label("status", self.status)

    def get_procedure_display(self) -> str:
        return _label("procedure", self.procedure)

    def get_outcome_display(self) -> str:
        return _label("outcome", self.outcome)

    @property
    def occurred_on(self) -> date:
        from django.utils import timezone

        return timezone.localtime(self.occurred_at).date()

    @property
    def is_delivered(self) -> bool:
        return self.delivered_on is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    def penalty_kinds(self) -> list[str]:
        """The kinds the decision imposes (every decided line), in the order of Art. 9."""
        from ..penalties import case_lines

        return [x.kind for x in case_lines(self)] if self.outcome == self.Outcome.PENALTY else []

    @property
    def confiscated_amount(self):
        """没收违法所得 plus the value of 没收非法财物 where stated (the 双公示 没收金额), or None."""
        amounts = [
            x.amount
            for x in self.decided_lines
            if x.kind in ("confiscate_income", "confiscate_property") and x.amount
        ]
        return sum(amounts) if amounts else None

    @property
    def licence_affected(self) -> str:
        """The licences suspended or revoked by the decision, as named on it (双公示
        暂扣或吊销证照名称及编号)."""
        return "；".join(
            x.subject for x in self.decided_lines if x.kind in ("licence_suspension", "licence_revocation")
        )

    @property
    def decided_lines(self):
        return [x for x in self.penalty_lines.all() if x.stage == PenaltyLine.Stage.DECIDED]

    @property
    def notified_lines(self):
        return [x for x in self.penalty_lines.all() if x.stage == PenaltyLine.Stage.NOTIFIED]


# 案件编号: 机构代码-年度-五位序号, counted per organisation and year.
CASE_NUMBERS = numbering.Series("cases.case", "案件编号", "{org}-{year}-{seq:05d}", model="cases.Case")


class PenaltyLine(models.Model):
    """One penalty of a notice (拟处罚) or a decision (决定), 行政处罚法 Art. 9: its kind, the amount
    for money kinds (罚款, 没收违法所得; the value for 没收非法财物 where known), what it bears on (the
    licence with its number, the items confiscated, the activity restricted) and a term where the kind
    has one (暂扣 三个月). A decision may combine kinds (道路运输条例 Art. 63: 没收违法所得 + 罚款).
    Written only by the case services together with the notice or the decision; never edited after."""

    class Stage(models.TextChoices):
        NOTIFIED = "notified", "告知"
        DECIDED = "decided", "决定"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="penalty_lines"
    )
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices)
    seq = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("处罚种类", max_length=32, choices=Art9PenaltyKind.choices)
    amount = models.DecimalField("金额（元）", null=True, blank=True, **MONEY)
    subject = models.CharField(
        "证照/物品/范围",
        max_length=300,
        blank=True,
        help_text="如：道路运输证（No. 411300012345）；非法财物的名称和数量；限制的经营活动",
    )
    term = models.CharField(
        "期限", max_length=60, blank=True, help_text="暂扣许可证件、责令停产停业等的期限，如“三个月”"
    )

    class Meta:
        verbose_name = verbose_name_plural = "处罚事项"
        ordering = ["case", "stage", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "stage", "seq"], name="penalty_line_unique")]

    def __str__(self):
        return f"{self.case.number} {self.get_stage_display()} {self.get_kind_display()}"


class ListApplication(models.Model):
    """The four lists applied to a case (首违不罚、轻微不罚、从轻、减轻; 行政处罚法 Art. 32, 33): the
    list entry, the facts that meet its conditions as they were checked — earlier violations of the same
    item by the party within the entry's look-back period, computed from the cases; the correction and
    its date; harm — and, where the entry requires it, the party's signed 告知承诺书 generated for the
    case."""

    class Harm(models.TextChoices):
        NONE = "none", "没有造成危害后果"
        MINOR = "minor", "危害后果轻微"

    case = models.OneToOneField(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="list_application"
    )
    list_kind = models.CharField("清单", max_length=24, choices=ListKind.choices)
    edition_code = models.CharField("裁量基准版本", max_length=40, blank=True)
    entry_conditions = models.TextField("清单适用条件", blank=True)
    entry_basis = models.CharField("清单依据", max_length=300, blank=True)
    lookback_months = models.PositiveSmallIntegerField("追溯期间（月）", null=True, blank=True)
    lookback_from = models.DateField("追溯起始日", null=True, blank=True)
    earlier_cases = models.JSONField("追溯期间内同一事项的违法记录", default=list, blank=True)
    harm = models.CharField("危害后果", max_length=10, choices=Harm.choices, blank=True)
    corrected = models.BooleanField("已改正", default=False)
    corrected_on = models.DateField("改正日期", null=True, blank=True)
    correction = models.TextField("改正情况", blank=True)
    commitment_required = models.BooleanField("须签署告知承诺书", default=False)
    commitment_signed_on = models.DateField("告知承诺书签署日期", null=True, blank=True)
    commitment_file = models.ForeignKey(
        EvidenceFile,
        verbose_name="当事人签署的告知承诺书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "四张清单适用记录"

    def __str__(self):
        return f"{self.case.number} {self.get_list_kind_display()}"


class StatusChange(AbstractStep):
    """One appended step of a case's procedure (statuses are appended, never edited; ``core.workflow``)."""

    STATES = Status

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "案件流程记录"

    def __str__(self):
        return f"{self.case.number} {self.action}"
