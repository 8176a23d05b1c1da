"""The registers of whom and what the agencies act on: parties, transport companies, vehicles, drivers,
source units."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from ..identifiers import (
    PLATE_COLOURS,
    IdType,
    birth_date_from_id,
    normalise_plate,
    validate_credit_code,
    validate_id_number,
    validate_identity_document,
)
from .people import Organisation


class Party(models.Model):
    """A party (当事人) to enforcement: a natural person or an organisation. Identifiers are checked against
    GB 11643 (ID number) and GB 32100 (credit code)."""

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        ORGANISATION = "organisation", "法人或其他组织"

    organisation = models.ForeignKey(
        Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="parties"
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    name = models.CharField("名称/姓名", max_length=120)
    id_type = models.CharField("证件类型", max_length=32, choices=IdType.CHOICES, default=IdType.ID_CARD)
    id_number = models.CharField("证件号码", max_length=18, blank=True, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    legal_representative = models.CharField(
        "法定代表人", max_length=50, blank=True, help_text="个体工商户填写经营者"
    )
    legal_rep_id_type = models.CharField(
        "法定代表人证件类型", max_length=32, choices=IdType.CHOICES, default=IdType.ID_CARD
    )
    legal_rep_id_number = models.CharField("法定代表人证件号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("住所/地址", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "id_number"],
                condition=~models.Q(id_number=""),
                name="party_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["organisation", "credit_code"],
                condition=~models.Q(credit_code=""),
                name="party_unique_credit_code",
            ),
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
                    self.legal_rep_id_number = validate_identity_document(
                        self.legal_rep_id_type, self.legal_rep_id_number
                    )
                except ValidationError as e:
                    errors["legal_rep_id_number"] = e.messages
        if errors:
            raise ValidationError(errors)

    @property
    def is_individual_business(self) -> bool:
        """个体工商户 (an organisation party whose credit code has type 92, GB 32100)."""
        from ..identifiers import is_individual_business

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

    organisation = models.ForeignKey(
        Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="companies"
    )
    party = models.OneToOneField(
        Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="company"
    )
    name = models.CharField("企业名称", max_length=120)
    credit_code = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    kind = models.CharField("企业类型", max_length=20, choices=Kind.choices, default=Kind.FREIGHT)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    licence_number = models.CharField("道路运输经营许可证号", max_length=32, blank=True)
    licence_status = models.CharField(
        "许可证状态", max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
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

    organisation = models.ForeignKey(
        Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="vehicles"
    )
    plate = models.CharField("号牌号码", max_length=12)
    plate_colour = models.CharField("号牌颜色", max_length=16, choices=PLATE_COLOURS)
    vehicle_type = models.CharField("车辆类型", max_length=40)
    is_goods_vehicle = models.BooleanField("货车", default=True)
    is_combination = models.BooleanField("汽车列车", default=False)
    axle_count = models.PositiveSmallIntegerField("轴数", default=2)
    single_drive_axle = models.BooleanField("牵引车驱动轴为单轴", default=False)
    owner = models.ForeignKey(
        Party, verbose_name="车辆所有人", on_delete=models.PROTECT, related_name="vehicles"
    )
    company = models.ForeignKey(
        TransportCompany,
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
    )
    transport_cert_number = models.CharField("道路运输证号", max_length=32, blank=True)
    transport_cert_status = models.CharField(
        "道路运输证状态",
        max_length=16,
        choices=TransportCertStatus.choices,
        default=TransportCertStatus.VALID,
    )
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

    organisation = models.ForeignKey(
        Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="drivers"
    )
    party = models.OneToOneField(
        Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="driver"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18, db_index=True)
    qualification_number = models.CharField("从业资格证号", max_length=32, blank=True)
    qualification_status = models.CharField(
        "从业资格证状态", max_length=16, choices=CertStatus.choices, default=CertStatus.VALID
    )
    qualification_valid_until = models.DateField("从业资格证有效期至", null=True, blank=True)
    company = models.ForeignKey(
        TransportCompany,
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drivers",
    )
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "驾驶员"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.id_number = validate_id_number(self.id_number)


class SourceUnit(models.Model):
    """A freight source unit (货运源头单位: mines, steel, cement, sand/gravel yards, freight stations)
    that must weigh and not release overloaded vehicles (MOT Order 2016 No. 62 Arts. 28–32)."""

    class Kind(models.TextChoices):
        COAL = "coal", "煤炭"
        STEEL = "steel", "钢铁"
        CEMENT = "cement", "水泥"
        SAND = "sand", "砂石料场"
        FREIGHT_STATION = "freight_station", "货运站场"
        LOGISTICS = "logistics", "物流园区"
        OTHER = "other", "其他"

    organisation = models.ForeignKey(
        Organisation, verbose_name="管辖机构", on_delete=models.PROTECT, related_name="source_units"
    )
    party = models.OneToOneField(
        Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="source_unit"
    )
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
