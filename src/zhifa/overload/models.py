"""Off-site overload enforcement (超限超载非现场执法): weighing stations and devices, the policies the screening
applies (as versioned data), the index of raw weigh-in-motion records kept as partitioned Parquet, violations,
一超四罚 triggers and the four-level exchange.

Raw WIM records are *not* rows here: they live as Parquet files under ``VAR_DIR/wim/day=…/station=…/`` and
:class:`WimPart` indexes them (a part file counts only once its index row is committed — see ``ingest.py``).
"""

from datetime import date

from django.db import models
from django.utils import timezone

from zhifa.core.models import (
    PLATE_COLOURS,
    Driver,
    Organisation,
    Party,
    SourceUnit,
    TransportCompany,
    User,
    Vehicle,
)
from zhifa.core.workflow import AbstractStep


class Station(models.Model):
    """A roadside weighing station (超限检测站 / 不停车检测点) with its public location notice (行政处罚法 Art. 41)."""

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="wim_stations")
    code = models.CharField("站点编码", max_length=32, unique=True)
    name = models.CharField("站点名称", max_length=100)
    road = models.CharField("路线", max_length=60, blank=True, help_text="如 G207")
    stake = models.CharField("桩号", max_length=30, blank=True, help_text="如 K1234+500")
    location = models.CharField("位置", max_length=200, blank=True)
    location_published_on = models.DateField("设置地点公布日期", null=True, blank=True,
                                             help_text="行政处罚法第四十一条：电子技术监控设备设置地点应当向社会公布。")
    location_notice_ref = models.CharField("公布文号/网址", max_length=200, blank=True)
    push_secret = models.CharField("推送密钥", max_length=64, blank=True,
                                   help_text="站点推送接口的 HMAC-SHA256 密钥；仅站点和本平台持有。")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "检测站点"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Lane(models.Model):
    """One lane of a station, with its travel direction."""

    station = models.ForeignKey(Station, verbose_name="站点", on_delete=models.CASCADE, related_name="lanes")
    number = models.PositiveSmallIntegerField("车道号")
    direction = models.CharField("方向", max_length=30, help_text="如 上行（南召→南阳）")

    class Meta:
        verbose_name = verbose_name_plural = "车道"
        ordering = ["station", "number"]
        constraints = [models.UniqueConstraint(fields=["station", "number"], name="overload_lane_unique")]

    def __str__(self):
        return f"{self.station.code} {self.number} 车道（{self.direction}）"


class Device(models.Model):
    """A weigh-in-motion scale (动态公路车辆自动衡器, JJG 907), a legally controlled instrument.

    Its records may be used as evidence only while its calibration certificate is valid and after it passed the
    legal and technical review (法制和技术审核) with its location published (行政处罚法 Art. 41)."""

    class AccuracyClass(models.IntegerChoices):
        CLASS_2 = 2, "2级"
        CLASS_5 = 5, "5级"
        CLASS_10 = 10, "10级"

    station = models.ForeignKey(Station, verbose_name="站点", on_delete=models.PROTECT, related_name="devices")
    code = models.CharField("设备编号", max_length=40, unique=True)
    model_name = models.CharField("型号", max_length=60, blank=True)
    lanes = models.CharField("覆盖车道", max_length=40, blank=True, help_text="车道号，逗号分隔")
    accuracy_class = models.PositiveSmallIntegerField("准确度等级", choices=AccuracyClass.choices, default=AccuracyClass.CLASS_5)
    calibration_certificate = models.CharField("检定证书编号", max_length=60)
    calibration_valid_from = models.DateField("检定有效期自")
    calibration_valid_until = models.DateField("检定有效期至")
    review_passed_on = models.DateField("法制和技术审核通过日期", null=True, blank=True,
                                        help_text="行政处罚法第四十一条：未经审核的设备记录不得作为处罚证据。")
    review_reference = models.CharField("审核文号", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "称重设备"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}（{self.get_accuracy_class_display()}）"

    def evidence_problem(self, on: date) -> str:
        """Why a record taken on ``on`` cannot be evidence, or ''. (行政处罚法 Art. 41)"""
        if not (self.calibration_valid_from <= on <= self.calibration_valid_until):
            return f"设备 {self.code} 检定证书 {self.calibration_certificate} 在 {on} 不在有效期内"
        if self.review_passed_on is None or self.review_passed_on > on:
            return f"设备 {self.code} 在 {on} 尚未通过法制和技术审核"
        published = self.station.location_published_on
        if published is None or published > on:
            return f"站点 {self.station.code} 在 {on} 尚未公布设置地点"
        return ""


class TolerancePolicy(models.Model):
    """The weighing tolerance deducted from a measured gross mass before comparing with the Art. 3 limit, per
    accuracy class, versioned by effective date. No national figure is confirmed (legal-reference §6): JJG 907
    class 5 allows ±5% in service; the shipped values are a default the province replaces."""

    accuracy_class = models.PositiveSmallIntegerField("准确度等级", choices=Device.AccuracyClass.choices)
    percent = models.DecimalField("扣除误差（%）", max_digits=5, decimal_places=2)
    effective_from = models.DateField("生效日期")
    citation = models.CharField("依据", max_length=200, help_text="[待确认] 国家未统一规定，按本省规定填写。")

    class Meta:
        verbose_name = verbose_name_plural = "称重误差扣除规则"
        ordering = ["accuracy_class", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["accuracy_class", "effective_from"], name="overload_tolerance_version")]

    def __str__(self):
        return f"{self.get_accuracy_class_display()} 扣除 {self.percent}%（{self.effective_from} 起）"


class DimensionLimit(models.Model):
    """The Art. 3 outline limits (超限运输车辆行驶公路管理规定 Art. 3 items 1–3: height over 4 m, width over 2.55 m,
    length over 18.1 m, vehicle and load together), versioned by effective date like the mass limits. A reading
    strictly above a limit is over it; no measuring tolerance is deducted (none is given for outline readings)."""

    effective_from = models.DateField("生效日期", unique=True)
    max_height_mm = models.PositiveIntegerField("总高度限值（mm）", default=4000)
    max_width_mm = models.PositiveIntegerField("总宽度限值（mm）", default=2550)
    max_length_mm = models.PositiveIntegerField("总长度限值（mm）", default=18100)
    citation = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "外廓尺寸限值"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"外廓限值 高{self.max_height_mm} 宽{self.max_width_mm} 长{self.max_length_mm}mm（{self.effective_from} 起）"


class ScreeningPolicy(models.Model):
    """Validity rules for readings and the merging window (一事不再罚, 行政处罚法 Art. 29), versioned."""

    effective_from = models.DateField("生效日期", unique=True)
    min_speed_kmh = models.DecimalField("有效车速下限（km/h）", max_digits=5, decimal_places=1, default=5)
    max_speed_kmh = models.DecimalField("有效车速上限（km/h）", max_digits=5, decimal_places=1, default=100)
    merge_window_hours = models.PositiveIntegerField("合并时间窗（小时）", default=24,
                                                     help_text="同一车辆在时间窗内的多次超限记录合并为一次违法行为（行政处罚法第二十九条）。")
    citation = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "筛查规则"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"筛查规则（{self.effective_from} 起）"


class LeniencyRule(models.Model):
    """Provincial leniency for off-site cases (e.g. a share of the fine waived for a band of excess), as data."""

    effective_from = models.DateField("生效日期")
    min_excess_kg = models.PositiveIntegerField("超限量下限（kg，不含）")
    max_excess_kg = models.PositiveIntegerField("超限量上限（kg，含）")
    reduction_percent = models.DecimalField("减轻比例（%）", max_digits=5, decimal_places=2)
    citation = models.CharField("依据", max_length=200, help_text="[待确认] 各省非现场执法从轻规则不同。")

    class Meta:
        verbose_name = verbose_name_plural = "非现场从轻规则"
        ordering = ["-effective_from", "min_excess_kg"]

    def __str__(self):
        return f"{self.min_excess_kg}–{self.max_excess_kg}kg 减轻 {self.reduction_percent}%"


class Exemption(models.Model):
    """A valid 超限运输许可 (large-goods transport permit) for a plate, route (stations) and period: passes it
    covers are not violations (超限运输车辆行驶公路管理规定)."""

    permit_number = models.CharField("许可证号", max_length=60, unique=True)
    plate = models.CharField("号牌号码", max_length=12)
    plate_colour = models.CharField("号牌颜色", max_length=16, choices=PLATE_COLOURS)
    valid_from = models.DateTimeField("有效期自")
    valid_until = models.DateTimeField("有效期至")
    stations = models.ManyToManyField(Station, verbose_name="通行路线经过站点", related_name="exemptions")
    max_gross_kg = models.PositiveIntegerField("核定总质量（kg）")

    class Meta:
        verbose_name = verbose_name_plural = "超限运输许可"
        indexes = [models.Index(fields=["plate", "plate_colour"])]

    def __str__(self):
        return f"{self.permit_number} {self.plate}"


class IngestBatch(models.Model):
    """One ingest run (a file or a station push). Counts reconcile: read = accepted + rejected + duplicates."""

    class Source(models.TextChoices):
        FILE = "file", "文件导入"
        PUSH = "push", "站点推送"

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    source = models.CharField("来源", max_length=8, choices=Source.choices)
    name = models.CharField("文件/请求", max_length=255)
    sha256 = models.CharField("内容哈希", max_length=64, db_index=True)
    station = models.ForeignKey(Station, verbose_name="推送站点", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    read = models.BigIntegerField("读取", default=0)
    accepted = models.BigIntegerField("接收", default=0)
    rejected = models.BigIntegerField("拒收", default=0)
    duplicates = models.BigIntegerField("重复", default=0)
    flagged = models.BigIntegerField("无效读数/设备问题", default=0)
    violations_new = models.BigIntegerField("新增违法", default=0)
    passes_merged = models.BigIntegerField("合并过车", default=0)
    report_name = models.CharField("拒收报告", max_length=255, blank=True)
    actor = models.ForeignKey(User, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "称重数据导入批次"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_source_display()} {self.name}"

    @property
    def reconciles(self) -> bool:
        return self.read == self.accepted + self.rejected + self.duplicates


class WimPart(models.Model):
    """Index row of one Parquet part file of raw WIM records (one station, one local day, one ingest chunk).
    Readers only trust files listed here; a file without its row is an orphan of an interrupted run."""

    batch = models.ForeignKey(IngestBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="parts")
    station_code = models.CharField("站点编码", max_length=32)
    day = models.DateField("日期")
    path = models.CharField("文件", max_length=300, unique=True)
    rows = models.PositiveIntegerField("记录数")
    min_record_no = models.BigIntegerField("最小记录号")
    max_record_no = models.BigIntegerField("最大记录号")
    flagged = models.PositiveIntegerField("标记记录数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "称重数据分区文件"
        indexes = [models.Index(fields=["station_code", "day"])]

    def __str__(self):
        return self.path


class Violation(models.Model):
    """One overload act (违法行为): one or more passes of the same vehicle within the merging window, screened
    against the Art. 3 limit after the tolerance. Becomes a case against the vehicle owner (Art. 55) or goes to
    the review queue when the plate matches no registered vehicle."""

    class Status(models.TextChoices):
        DETECTED = "detected", "待立案"
        REVIEW = "review", "待人工核查"
        CASE = "case", "已立案"
        DISMISSED = "dismissed", "核查不予处理"

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="overload_violations")
    # Indexes cost on every bulk insert and merge update: station is covered by the (station, key_record_no) unique
    # constraint; device, tolerance policy and batch are looked up only when such a row is deleted (PROTECT, rare).
    station = models.ForeignKey(Station, verbose_name="站点", on_delete=models.PROTECT, related_name="violations", db_index=False)
    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT, related_name="violations", db_index=False)
    plate = models.CharField("号牌号码", max_length=12)
    plate_colour = models.CharField("号牌颜色", max_length=16, choices=PLATE_COLOURS)
    vehicle = models.ForeignKey(Vehicle, verbose_name="车辆", null=True, blank=True, on_delete=models.PROTECT, related_name="overload_violations")
    driver = models.ForeignKey(Driver, verbose_name="驾驶员", null=True, blank=True, on_delete=models.PROTECT, related_name="overload_violations")
    source_unit = models.ForeignKey(SourceUnit, verbose_name="货运源头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="overload_violations")
    key_record_no = models.BigIntegerField("主记录号")
    first_passed_at = models.DateTimeField("首次过车时间", db_index=True)
    last_passed_at = models.DateTimeField("末次过车时间")
    pass_count = models.PositiveIntegerField("过车次数", default=1)
    axle_count = models.PositiveSmallIntegerField("轴数")
    is_combination = models.BooleanField("汽车列车")
    gross_kg = models.PositiveIntegerField("实测总质量（kg）")
    tolerance_percent = models.DecimalField("扣除误差（%）", max_digits=5, decimal_places=2)
    tolerance_policy = models.ForeignKey(TolerancePolicy, verbose_name="误差规则", on_delete=models.PROTECT, related_name="+", db_index=False)
    corrected_kg = models.PositiveIntegerField("扣除误差后总质量（kg）")
    limit_kg = models.PositiveIntegerField("限值（kg）")
    excess_kg = models.PositiveIntegerField("超限量（kg）")
    dimension_over = models.PositiveSmallIntegerField("外廓超限", default=0,
                                                      help_text="首次过车的外廓超限项（位：1 高度、2 宽度、4 长度），第三条第一至三项。")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DETECTED)
    case_id = models.BigIntegerField("案件ID", null=True, blank=True)
    notice_code = models.CharField("告知查询码", max_length=12, blank=True)
    notice_sent_at = models.DateTimeField("告知车辆所有人时间", null=True, blank=True)
    proposed_amount = models.DecimalField("拟罚款（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    assessment = models.JSONField("裁量结果", default=dict, blank=True)
    batch = models.ForeignKey(IngestBatch, verbose_name="首次导入批次", null=True, blank=True, on_delete=models.PROTECT, related_name="violations",
                              db_index=False)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "超限违法行为"
        ordering = ["-first_passed_at"]
        constraints = [models.UniqueConstraint(fields=["station", "key_record_no"], name="overload_violation_key")]
        indexes = [
            models.Index(fields=["plate", "plate_colour", "first_passed_at"]),
            # Plain b-trees (no second varchar_pattern_ops index as db_index=True adds); the notice code only where set.
            models.Index(fields=["status"], name="overload_violation_status"),
            models.Index(fields=["notice_code"], name="overload_violation_notice", condition=~models.Q(notice_code="")),
        ]

    def __str__(self):
        return f"{self.plate} {self.first_passed_at:%Y-%m-%d %H:%M} 超限 {self.excess_kg}kg"

    @property
    def dimension_labels(self) -> list[str]:
        from .wim import dimension_labels

        return dimension_labels(self.dimension_over)

    @property
    def excess_percent(self) -> float:
        return round(self.excess_kg * 100 / self.limit_kg, 1) if self.limit_kg else 0.0


class ViolationStep(AbstractStep):
    """One appended status move of a violation (opened as a case, matched by review, dismissed; ``workflow.py``).
    The ingest's insert is not a step: the batch records it."""

    STATES = Violation.Status

    violation = models.ForeignKey(Violation, verbose_name="超限违法行为", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "超限违法行为处理记录"

    def __str__(self):
        return f"{self.violation_id} {self.action}"


class ViolationPass(models.Model):
    """One over-limit pass (a raw record) that belongs to a violation; a record belongs to at most one."""

    violation = models.ForeignKey(Violation, verbose_name="违法行为", on_delete=models.CASCADE, related_name="passes")
    station_code = models.CharField("站点编码", max_length=32)
    record_no = models.BigIntegerField("记录号")
    passed_at = models.DateTimeField("过车时间")
    gross_kg = models.PositiveIntegerField("实测总质量（kg）")
    excess_kg = models.PositiveIntegerField("超限量（kg）")

    class Meta:
        verbose_name = verbose_name_plural = "超限过车记录"
        constraints = [models.UniqueConstraint(fields=["station_code", "record_no"], name="overload_pass_unique")]

    def __str__(self):
        return f"{self.station_code}#{self.record_no}"


class FourPenaltyPolicy(models.Model):
    """The 一超四罚 thresholds (公路安全保护条例 Art. 66; 交办公路〔2017〕8号 for source units), versioned."""

    effective_from = models.DateField("生效日期", unique=True)
    window_months = models.PositiveSmallIntegerField("统计周期（月）", default=12)
    vehicle_max = models.PositiveSmallIntegerField("车辆超限次数上限（超过即触发）", default=3)
    driver_max = models.PositiveSmallIntegerField("驾驶员超限次数上限（超过即触发）", default=3)
    company_share_percent = models.DecimalField("企业超限车辆占比上限（%，超过即触发）", max_digits=5, decimal_places=2, default=10)
    source_min = models.PositiveSmallIntegerField("源头单位放行超限车辆次数（达到即触发）", default=3,
                                                  help_text="[待确认] 交办公路〔2017〕8号：一年内指使、强令超限受处罚3次以上。")
    near_margin = models.PositiveSmallIntegerField("临界提示（差几次）", default=1)
    citation = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "一超四罚阈值"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"一超四罚阈值（{self.effective_from} 起）"


class RemoteAct(models.Model):
    """One step the party takes on the remote-handling page (不见面执法): viewing, consenting to electronic delivery,
    accepting, or stating a defence. Officers carry accept/defence into the case (``applied_at``)."""

    class Kind(models.TextChoices):
        VIEW = "view", "查阅证据"
        CONSENT = "consent", "同意电子送达"
        ACCEPT = "accept", "认可违法事实，放弃陈述申辩"
        DEFEND = "defend", "陈述申辩"

    violation = models.ForeignKey("Violation", verbose_name="违法行为", on_delete=models.CASCADE, related_name="remote_acts")
    kind = models.CharField("事项", max_length=8, choices=Kind.choices)
    text = models.TextField("内容", blank=True)
    contact = models.CharField("送达地址/手机号", max_length=120, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    ip_address = models.CharField("IP", max_length=64, blank=True)
    applied_at = models.DateTimeField("记入案件时间", null=True, blank=True)
    applied_by = models.ForeignKey(User, verbose_name="记入人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "远程处理记录"
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class FourPenaltyTrigger(models.Model):
    """一超四罚: a vehicle, driver, company or source unit crossed a threshold of 公路安全保护条例 Art. 66/68 in a
    rolling 12 months. Records the follow-up (revocation / stop / suspension task), the proposal to list the party
    as seriously dishonest (decided in the credit app) and the Art. 44 notice to the home authority (due within 7 working days)."""

    class Kind(models.TextChoices):
        VEHICLE = "vehicle", "车辆（吊销营运证）"
        DRIVER = "driver", "驾驶员（责令停止从事营业性运输）"
        COMPANY = "company", "运输企业（停业整顿）"
        SOURCE = "source", "货运源头单位"

    kind = models.CharField("对象类别", max_length=8, choices=Kind.choices)
    organisation = models.ForeignKey(Organisation, verbose_name="处理机构", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="overload_triggers")
    vehicle = models.ForeignKey(Vehicle, verbose_name="车辆", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    driver = models.ForeignKey(Driver, verbose_name="驾驶员", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(TransportCompany, verbose_name="运输企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_unit = models.ForeignKey(SourceUnit, verbose_name="货运源头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField("12个月内超限次数")
    basis = models.CharField("依据", max_length=200)
    triggered_on = models.DateField("触发日期")
    follow_up = models.CharField("后续处理", max_length=200)
    listed = models.BooleanField("列入严重失信名单", default=True)
    notice_due_on = models.DateField("抄告期限")
    notice_confirmed = models.BooleanField("期限已按确认日历计算", default=True)
    notice_sent_at = models.DateTimeField("抄告时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一超四罚记录"
        ordering = ["-triggered_on"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.party.name}（{self.count}次）"


class ExchangeRecord(models.Model):
    """A violation/case/decision received from another level (province, city, county, station). The origin is
    unique, so importing the same file twice changes nothing; a changed payload updates the row.

    The same act may reach us twice — caught by our own station and reported by another level, or reported by two
    levels. An imported violation of the same vehicle (plate and colour) whose first pass is within the merging
    window of a local violation's is merged into it (``merged_violation``), else into the earliest imported record
    of that act (``merged_record``): one act, one penalty (一事不再罚, 行政处罚法 Art. 29)."""

    origin_org = models.CharField("来源机构代码", max_length=32)
    origin_id = models.CharField("来源记录ID", max_length=64)
    kind = models.CharField("类别", max_length=16)
    plate = models.CharField("号牌号码", max_length=12, blank=True)
    plate_colour = models.CharField("号牌颜色", max_length=16, blank=True)
    first_passed_at = models.DateTimeField("首次过车时间", null=True, blank=True)
    merged_violation = models.ForeignKey(Violation, verbose_name="合并到本地违法行为", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="exchange_merges")
    merged_record = models.ForeignKey("self", verbose_name="合并到交换记录", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="merges")
    payload = models.JSONField("内容")
    digest = models.CharField("内容摘要", max_length=64)
    received_at = models.DateTimeField("接收时间", auto_now=True)
    # The origin's status of a row downloaded from the 四级联网 (a record dismissed at its origin does not count);
    # which of our registered subjects it concerns, per jurisdiction, is in ``ExchangeLink``.
    origin_status = models.CharField("来源状态", max_length=16, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "四级联网交换记录"
        constraints = [models.UniqueConstraint(fields=["origin_org", "origin_id", "kind"], name="overload_exchange_origin")]
        indexes = [models.Index(fields=["plate", "plate_colour", "first_passed_at"], name="overload_exchange_act")]

    def __str__(self):
        return f"{self.origin_org}/{self.origin_id}"


class ExchangeLink(models.Model):
    """One jurisdiction's reading of a record downloaded from the 四级联网 (integrations.overload_net): the unit
    it was downloaded for and the registered vehicle, driver, company and source unit the record names **within
    that unit's jurisdiction**. The record is the network's and shared; each unit links its own subjects to it
    without seeing another's, so an act of county A's vehicle driven by county B's driver counts for both, once
    each, whoever downloaded first (公路安全保护条例 Art. 66 counts the acts wherever they were caught;
    services.four_penalty_counts counts through these links). File imports make no links and are not counted."""

    record = models.ForeignKey(ExchangeRecord, verbose_name="交换记录", on_delete=models.CASCADE, related_name="links")
    organisation = models.ForeignKey(Organisation, verbose_name="导入单位", on_delete=models.PROTECT, related_name="+")
    vehicle = models.ForeignKey(Vehicle, verbose_name="车辆", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    driver = models.ForeignKey(Driver, verbose_name="驾驶员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    company = models.ForeignKey(TransportCompany, verbose_name="运输企业", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    source_unit = models.ForeignKey(SourceUnit, verbose_name="货运源头单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField("关联时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "四级联网交换记录关联"
        constraints = [models.UniqueConstraint(fields=["record", "organisation"], name="overload_exchange_link_unit")]

    def __str__(self):
        return f"{self.record} → {self.organisation}"


class PendingMerge(models.Model):
    """Over-limit passes of one chunk of a partitioned ingest (``tasks.dispatch_ingest``), staged as a Parquet
    file and committed with the chunk's :class:`WimPart` rows. The final step of the run (``ingest.merge_pending``)
    merges them into violations in time order, so passes of one vehicle seen by different partitions (stations)
    still merge as in a single ingest; it deletes the row once its passes are merged."""

    batch = models.ForeignKey(IngestBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="pending_merges")
    path = models.CharField("文件", max_length=300, unique=True)
    rows = models.PositiveIntegerField("超限过车数")

    class Meta:
        verbose_name = verbose_name_plural = "待合并超限过车"
        ordering = ["pk"]

    def __str__(self):
        return self.path
