"""Core registers: organisations (jurisdictions), users and officers, parties, vehicles, drivers, transport
companies and source units; the full-process record; evidence files; the legal calendar."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .identifiers import (
    PLATE_COLOURS,
    IdType,
    birth_date_from_id,
    normalise_plate,
    validate_credit_code,
    validate_id_number,
    validate_identity_document,
)


class Organisation(models.Model):
    """A node of the administrative tree (省 → 市 → 县 → 执法大队 → 中队/站所). Each node is a jurisdiction:
    a user sees the data of their own node and its subtree. ``path`` is a materialised path of codes."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        BRIGADE = "brigade", "执法大队"
        SQUAD = "squad", "中队"
        STATION = "station", "站所"

    code = models.CharField("机构代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("层级", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField("层级路径", max_length=400, unique=True, editable=False)
    region_code = models.CharField("行政区划代码", max_length=12, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    doc_prefix = models.CharField("文书字号前缀", max_length=20, blank=True, help_text="如 豫R交罚")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    is_enforcement_body = models.BooleanField("执法主体", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.credit_code:
            self.credit_code = validate_credit_code(self.credit_code)

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_within(self, other: "Organisation") -> bool:
        return self.path.startswith(other.path)

    def enforcement_body(self) -> "Organisation":
        """The nearest node (self or ancestor) that decides in its own name: brigade, county or above, and
        flagged as an enforcement body (a weighing station or squad never issues or signs a decision)."""
        node = self
        while (node.kind in (self.Kind.SQUAD, self.Kind.STATION) or not node.is_enforcement_body) and node.parent_id:
            node = node.parent
        return node


class User(AbstractUser):
    """A person who signs in. Roles are groups named by ``roles.Role`` codes; ``organisation`` is the
    jurisdiction the user acts in."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    phone = models.CharField("手机号", max_length=20, blank=True)
    failed_login_count = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class Officer(models.Model):
    """A law-enforcement officer (执法人员) with a 执法证. Only an officer whose certificate is valid on the
    day may perform an enforcement act (行政处罚法 Art. 42; 交通运输行政执法程序规定)."""

    class CertStatus(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        EXPIRED = "expired", "过期"
        REVOKED = "revoked", "吊销/注销"

    user = models.OneToOneField(User, verbose_name="用户账号", null=True, blank=True, on_delete=models.PROTECT, related_name="officer")
    organisation = models.ForeignKey(Organisation, verbose_name="所属机构", on_delete=models.PROTECT, related_name="officers")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, blank=True)
    position = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)
    cert_number = models.CharField("执法证号", max_length=32, unique=True)
    cert_status = models.CharField("执法证状态", max_length=16, choices=CertStatus.choices, default=CertStatus.VALID)
    cert_issued_on = models.DateField("发证日期")
    cert_expires_on = models.DateField("有效期至")
    annual_review_on = models.DateField("最近年审日期", null=True, blank=True)
    legal_qualification = models.BooleanField("具有法律职业资格", default=False)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"
        ordering = ["organisation__path", "name"]

    def __str__(self):
        return f"{self.name}（{self.cert_number}）"

    def certificate_problem(self, on: date | None = None) -> str | None:
        """Why this officer may not act on ``on`` (Chinese), or None when the certificate is valid."""
        on = on or timezone.localdate()
        if not self.is_active:
            return f"{self.name}已不在执法岗位。"
        if self.cert_status != self.CertStatus.VALID:
            return f"{self.name}的执法证状态为“{self.get_cert_status_display()}”，不得从事执法活动。"
        if self.cert_issued_on > on:
            return f"{self.name}的执法证自{self.cert_issued_on:%Y年%m月%d日}起生效。"
        if self.cert_expires_on < on:
            return f"{self.name}的执法证已于{self.cert_expires_on:%Y年%m月%d日}过期，不得从事执法活动。"
        return None

    def can_enforce(self, on: date | None = None) -> bool:
        return self.certificate_problem(on) is None

    @property
    def certificate_state_label(self) -> str:
        return self.CertStatus(self.certificate_state).label

    @property
    def certificate_state(self) -> str:
        """Effective state today: a 'valid' certificate past its expiry date reads as expired."""
        if self.cert_status == self.CertStatus.VALID and self.cert_expires_on < timezone.localdate():
            return self.CertStatus.EXPIRED
        return self.cert_status


class Party(models.Model):
    """A party (当事人) to enforcement: a natural person or an organisation. Identifiers are checked against
    GB 11643 (ID number) and GB 32100 (credit code)."""

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        ORGANISATION = "organisation", "法人或其他组织"

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    name = models.CharField("名称/姓名", max_length=120)
    id_type = models.CharField("证件类型", max_length=32, choices=IdType.CHOICES, default=IdType.ID_CARD)
    id_number = models.CharField("证件号码", max_length=18, blank=True, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True, help_text="个体工商户填写经营者")
    legal_rep_id_type = models.CharField("法定代表人证件类型", max_length=32, choices=IdType.CHOICES, default=IdType.ID_CARD)
    legal_rep_id_number = models.CharField("法定代表人证件号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("住所/地址", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "id_number"], condition=~models.Q(id_number=""), name="party_unique_id_number"),
            models.UniqueConstraint(fields=["organisation", "credit_code"], condition=~models.Q(credit_code=""), name="party_unique_credit_code"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind == self.Kind.PERSON:
            if not self.id_number:
                errors["id_number"] = "自然人当事人须填写证件号码。"
            else:
                try:
                    self.id_number = validate_identity_document(self.id_type, self.id_number)
                except ValidationError as e:
                    errors["id_number"] = e.messages
        elif self.kind == self.Kind.ORGANISATION:
            if not self.credit_code:
                errors["credit_code"] = "单位当事人须填写统一社会信用代码。"
            else:
                try:
                    self.credit_code = validate_credit_code(self.credit_code)
                except ValidationError as e:
                    errors["credit_code"] = e.messages
            if self.legal_rep_id_number:
                try:
                    self.legal_rep_id_number = validate_identity_document(self.legal_rep_id_type, self.legal_rep_id_number)
                except ValidationError as e:
                    errors["legal_rep_id_number"] = e.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_individual_business(self) -> bool:
        """个体工商户 (an organisation party whose credit code has type 92, GB 32100)."""
        from .identifiers import is_individual_business

        return self.kind == self.Kind.ORGANISATION and is_individual_business(self.credit_code)

    @property
    def identifier(self) -> str:
        return self.id_number if self.kind == self.Kind.PERSON else self.credit_code

    @property
    def masked_identifier(self) -> str:
        """The identifier with the middle hidden, for lists (personal data minimisation)."""
        value = self.identifier
        if self.kind == self.Kind.PERSON and len(value) == 18:
            return value[:6] + "********" + value[14:]
        if self.kind == self.Kind.PERSON and len(value) > 4:
            return value[:2] + "*" * (len(value) - 4) + value[-2:]
        return value

    @property
    def birth_date(self) -> date | None:
        return birth_date_from_id(self.id_number) if self.kind == self.Kind.PERSON else None

    def age_on(self, on: date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class TransportCompany(models.Model):
    """A road-transport operator (道路运输经营者) holding a 道路运输经营许可证; its fleet is its vehicles."""

    class Kind(models.TextChoices):
        FREIGHT = "freight", "普通货运企业"
        DANGEROUS = "dangerous", "危险货物运输企业"
        PASSENGER = "passenger", "道路旅客运输企业"
        TAXI = "taxi", "出租汽车企业"
        BUS = "bus", "公交企业"
        DRIVING_SCHOOL = "driving_school", "机动车驾驶员培训机构"
        REPAIR = "repair", "机动车维修企业"
        STATION = "station", "道路运输站（场）"

    class LicenceStatus(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "停业整顿"
        REVOKED = "revoked", "吊销"
        EXPIRED = "expired", "过期"

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="companies")
    party = models.OneToOneField(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="company")
    name = models.CharField("企业名称", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    kind = models.CharField("企业类型", max_length=20, choices=Kind.choices, default=Kind.FREIGHT)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    licence_number = models.CharField("道路运输经营许可证号", max_length=32, blank=True)
    licence_status = models.CharField("许可证状态", max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID)
    licence_valid_until = models.DateField("许可证有效期至", null=True, blank=True)
    business_scope = models.CharField("经营范围", max_length=200, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "运输企业"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = validate_credit_code(self.credit_code)


class Vehicle(models.Model):
    """A vehicle identified by plate and plate colour together (legal-reference §10)."""

    class TransportCertStatus(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        REVOKED = "revoked", "吊销"
        NONE = "none", "未办理"

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="vehicles")
    plate = models.CharField("号牌号码", max_length=12)
    plate_colour = models.CharField("号牌颜色", max_length=16, choices=PLATE_COLOURS)
    vehicle_type = models.CharField("车辆类型", max_length=40)
    is_goods_vehicle = models.BooleanField("货车", default=True)
    is_combination = models.BooleanField("汽车列车", default=False)
    axle_count = models.PositiveSmallIntegerField("轴数", default=2)
    single_drive_axle = models.BooleanField("牵引车驱动轴为单轴", default=False)
    owner = models.ForeignKey(Party, verbose_name="车辆所有人", on_delete=models.PROTECT, related_name="vehicles")
    company = models.ForeignKey(TransportCompany, verbose_name="所属企业", null=True, blank=True, on_delete=models.PROTECT, related_name="vehicles")
    transport_cert_number = models.CharField("道路运输证号", max_length=32, blank=True)
    transport_cert_status = models.CharField("道路运输证状态", max_length=16, choices=TransportCertStatus.choices, default=TransportCertStatus.VALID)
    registered_on = models.DateField("登记日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "车辆"
        ordering = ["plate"]
        constraints = [models.UniqueConstraint(fields=["plate", "plate_colour"], name="vehicle_unique_plate")]

    def __str__(self):
        return f"{self.plate}（{self.get_plate_colour_display()}）"

    def clean(self):
        self.plate = normalise_plate(self.plate)
        if not 2 <= self.axle_count <= 12:
            raise ValidationError({"axle_count": "轴数应在2至12之间。"})


class Driver(models.Model):
    """A commercial driver (道路运输从业人员) with a 从业资格证."""

    class CertStatus(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂停营运"
        REVOKED = "revoked", "吊销"
        EXPIRED = "expired", "过期"

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="drivers")
    party = models.OneToOneField(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="driver")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18, db_index=True)
    qualification_number = models.CharField("从业资格证号", max_length=32, blank=True)
    qualification_status = models.CharField("从业资格证状态", max_length=16, choices=CertStatus.choices, default=CertStatus.VALID)
    qualification_valid_until = models.DateField("从业资格证有效期至", null=True, blank=True)
    company = models.ForeignKey(TransportCompany, verbose_name="所属企业", null=True, blank=True, on_delete=models.PROTECT, related_name="drivers")
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "驾驶员"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.id_number = validate_id_number(self.id_number)


class SourceUnit(models.Model):
    """A freight source unit (货运源头单位: mines, steel, cement, sand/gravel yards, freight stations) that must
    weigh and not release overloaded vehicles (MOT Order 2016 No. 62 Arts. 28–32)."""

    class Kind(models.TextChoices):
        COAL = "coal", "煤炭"
        STEEL = "steel", "钢铁"
        CEMENT = "cement", "水泥"
        SAND = "sand", "砂石料场"
        FREIGHT_STATION = "freight_station", "货运站场"
        LOGISTICS = "logistics", "物流园区"
        OTHER = "other", "其他"

    organisation = models.ForeignKey(Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="source_units")
    party = models.OneToOneField(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="source_unit")
    name = models.CharField("单位名称", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    has_weighing_equipment = models.BooleanField("配备称重设备", default=True)
    is_key_unit = models.BooleanField("重点监管", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "货运源头单位"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = validate_credit_code(self.credit_code)


class Event(models.Model):
    """One entry of the full-process record (全过程记录, 行政处罚法 Art. 47): append-only, hash-chained and keyed.

    ``hash`` = SHA-256(prev_hash + canonical form of this row); ``mac`` = HMAC-SHA256 under a key kept outside
    the database over the hash and the subject row's digest. Rows are never updated or deleted; on
    PostgreSQL a trigger refuses both and the application's role has no UPDATE/DELETE/TRUNCATE on the table. ``zhifa audit verify`` walks the chain. Foreign keys are plain ids
    so that no cascade can ever touch this table."""

    seq = models.BigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("用户ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    officer_number = models.CharField("执法证号", max_length=32, blank=True)
    organisation_id = models.BigIntegerField("机构ID", null=True, blank=True, db_index=True)
    organisation_name = models.CharField("机构", max_length=100, blank=True)
    subject_type = models.CharField("对象类型", max_length=60, db_index=True)
    subject_id = models.CharField("对象ID", max_length=64, db_index=True)
    subject_label = models.CharField("对象", max_length=200, blank=True)
    action = models.CharField("动作", max_length=80, db_index=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    before_digest = models.CharField("变更前摘要", max_length=64, blank=True)
    after_digest = models.CharField("变更后摘要", max_length=64, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    ip_address = models.CharField("IP", max_length=64, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)
    # The key-dependent part (docs/adr/0007-keyed-record.md): the digest of the subject's row after the act, the id
    # of the key and HMAC-SHA256(key, hash, row digest). The key is not in the database.
    row_digest = models.CharField("对象行摘要", max_length=64, blank=True)
    key_id = models.CharField("密钥编号", max_length=16, blank=True)
    mac = models.CharField("密钥签名", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "全过程记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"], name="event_subject_idx")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"

    @property
    def subject_is_model(self) -> bool:
        """Whether the subject is a stored object with its own history page (not a batch or a pseudo-subject)."""
        from django.apps import apps

        try:
            apps.get_model(self.subject_type)
        except (LookupError, ValueError):
            return False
        return True


class AuditHead(models.Model):
    """The head of the event chain (last seq and hash), updated in the same transaction as each append.
    It detects a truncated log and serialises appends (row lock)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "记录链头"

    def __str__(self):
        return f"#{self.seq} {self.hash[:16]}"


class EvidenceFile(models.Model):
    """An evidence file stored content-addressed (the path is derived from its SHA-256, so the same content
    is stored once and any change to a stored file is detectable). The row is the organisation's own: the same
    content uploaded by two counties is two rows over one stored blob, so de-duplication never links one county's
    case to another county's file nor tells an uploader that another county holds the content."""

    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.BigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    original_name = models.CharField("原文件名", max_length=255)
    organisation = models.ForeignKey(Organisation, verbose_name="机构", on_delete=models.PROTECT, related_name="evidence_files")
    uploaded_by = models.ForeignKey(User, verbose_name="上传人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    captured_at = models.DateTimeField("采集时间", null=True, blank=True)
    capture_meta = models.JSONField("采集信息", default=dict, blank=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据文件"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["sha256", "organisation"], name="evidence_unique_sha256_per_org")]

    def __str__(self):
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def relative_path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"


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


class TotpDevice(models.Model):
    """A user's TOTP authenticator (second sign-in factor). ``last_step`` is the last accepted time step, so a
    code cannot be used twice."""

    user = models.OneToOneField(User, verbose_name="用户", on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField("密钥", max_length=64)
    confirmed = models.BooleanField("已启用", default=False)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令设备"

    def __str__(self):
        return f"{self.user}（{'已启用' if self.confirmed else '未确认'}）"


class RecoveryCode(models.Model):
    """A one-time recovery code for signing in when the authenticator is lost. Only a keyed digest of the code is
    stored (HMAC-SHA256 under SECRET_KEY); a used code keeps its row with ``used_at`` so it cannot be used again."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField("摘要", max_length=64, unique=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "恢复码"

    def __str__(self):
        return f"{self.user}（{'已使用' if self.used_at else '未使用'}）"


class ApiToken(models.Model):
    """A bearer token for system clients (weighing stations, provincial platforms, payment system, tests).
    Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "API令牌"

    def __str__(self):
        return self.name


class NumberCounter(models.Model):
    """The last number given in one series of numbers people read (案件编号, 文书编号, 计划编号 …): series ×
    numbering organisation (none for a platform-wide series) × year × sub-series (a document's series word, an
    operation's kind). Bumped with one ``UPDATE … SET last = last + 1`` by :mod:`zhifa.core.numbering` inside the
    transaction that uses the number, so numbers have neither duplicates nor gaps."""

    series = models.CharField("编号序列", max_length=40, help_text="如 cases.case、documents.document")
    organisation = models.ForeignKey(Organisation, verbose_name="编号机构", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    part = models.CharField("分序列", max_length=20, blank=True, default="", help_text="文书代字、行动类别等；无则留空")
    last = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数器"
        constraints = [
            models.UniqueConstraint(fields=["series", "organisation", "year", "part"], condition=models.Q(organisation__isnull=False),
                                    name="core_counter_unique_org"),
            models.UniqueConstraint(fields=["series", "year", "part"], condition=models.Q(organisation__isnull=True),
                                    name="core_counter_unique_global"),
        ]

    def __str__(self):
        return f"{self.series} {self.organisation or '全平台'} {self.year} {self.part}：{self.last}".replace("  ", " ")


class NumberFormat(models.Model):
    """An administrator's layout for one numbering series, replacing the series' default layout (set in code next to
    the model it numbers). Placeholders: ``{org}`` the numbering organisation's code, ``{year}``, ``{part}`` the
    sub-series, ``{seq}`` the sequence with its width (``{seq:05d}``); series with a public tracking code also
    ``{date:%y%m%d}`` and ``{code}``. Changing a layout does not restart the count."""

    series = models.CharField("编号序列", max_length=40, unique=True)
    template = models.CharField("编号格式", max_length=80, help_text="如 {org}-{year}-{seq:05d}")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "编号格式"

    def __str__(self):
        return f"{self.series}：{self.template}"

    def clean(self):
        from .numbering import check_template

        check_template(self.series, self.template)
