"""Registers kept in Excel, brought in whole (parties, vehicles, transport companies, officers): every row is checked
through the same service as the form (``party_create``, ``vehicle_create``, ``company_create``, ``officer_create``),
errors name the row and the column in Chinese, and a file with any error imports nothing — staff fix the sheet and
upload it again, as with the discretion benchmark import."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from . import services, xlsx
from .errors import DomainError
from .identifiers import PLATE_COLOURS
from .models import Officer, Party, TransportCompany, Vehicle
from .roles import Role

PARTY_COLUMNS = {"类别": "kind", "名称/姓名": "name", "证件号码": "id_number", "统一社会信用代码": "credit_code",
                 "法定代表人": "legal_representative", "联系电话": "phone", "住所/地址": "address"}
PARTY_REQUIRED = ["kind", "name"]
VEHICLE_COLUMNS = {"号牌号码": "plate", "号牌颜色": "plate_colour", "车辆类型": "vehicle_type", "轴数": "axle_count", "货车": "is_goods_vehicle",
                   "所有人证件号码或信用代码": "owner", "道路运输证号": "transport_cert_number"}
VEHICLE_REQUIRED = ["plate", "plate_colour", "vehicle_type", "owner"]
COMPANY_COLUMNS = {"企业名称": "name", "统一社会信用代码": "credit_code", "企业类型": "kind", "法定代表人": "legal_representative",
                   "道路运输经营许可证号": "licence_number", "许可证有效期至": "licence_valid_until", "经营范围": "business_scope",
                   "地址": "address", "电话": "phone"}
COMPANY_REQUIRED = ["name", "credit_code", "kind"]
OFFICER_COLUMNS = {"姓名": "name", "执法证号": "cert_number", "发证日期": "cert_issued_on", "有效期至": "cert_expires_on",
                   "所属机构代码": "organisation", "性别": "gender", "职务": "position", "电话": "phone",
                   "最近年审日期": "annual_review_on", "具有法律职业资格": "legal_qualification"}
OFFICER_REQUIRED = ["name", "cert_number", "cert_issued_on", "cert_expires_on"]


@dataclass
class ImportResult:
    """What an import did: how many records it created, or the errors that kept it from creating any."""

    created: int = 0
    errors: list[str] = field(default_factory=list)


class _Rollback(Exception):
    pass


def _messages(exc: Exception, model) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        parts = []
        for name, msgs in exc.message_dict.items():
            label = str(model._meta.get_field(name).verbose_name) if name != "__all__" and _has_field(model, name) else ""
            parts.append(f"{label}：{'；'.join(msgs)}" if label else "；".join(msgs))
        return "；".join(parts)
    return "；".join(getattr(exc, "messages", [str(exc)]))


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001 — FieldDoesNotExist and friends
        return False
    return True


def _run(rows, create) -> ImportResult:
    result = ImportResult()
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        create(row.values)
                    result.created += 1
                except (DomainError, ValidationError) as exc:
                    result.errors.append(f"第{row.number}行：{exc if isinstance(exc, str) else _messages(exc, _model_of(create))}")
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = 0
    return result


def _model_of(create):
    return getattr(create, "model", Party)


def parties_import(*, actor, organisation, file) -> ImportResult:
    """当事人 from a sheet with the columns of :data:`PARTY_COLUMNS`; 类别 is 自然人 or 法人或其他组织."""
    rows, errors = xlsx.read_rows(file, PARTY_COLUMNS, required=PARTY_REQUIRED)
    if errors:
        return ImportResult(errors=errors)
    kinds = {str(label): code for code, label in Party.Kind.choices}

    def create(v):
        kind = kinds.get(str(v.get("kind", "")).strip())
        if kind is None:
            raise DomainError("invalid_kind", f"类别：应为{'或'.join(kinds)}")
        extra = {k: str(v.get(k) or "").strip() for k in ("id_number", "credit_code", "legal_representative", "phone", "address")}
        services.party_create(actor=actor, organisation=organisation, kind=kind, name=str(v.get("name") or "").strip(), **extra)

    create.model = Party
    return _run(rows, create)


def vehicles_import(*, actor, organisation, file) -> ImportResult:
    """车辆 from a sheet with the columns of :data:`VEHICLE_COLUMNS`; the owner must already be registered."""
    from .selectors import parties_for

    rows, errors = xlsx.read_rows(file, VEHICLE_COLUMNS, required=VEHICLE_REQUIRED)
    if errors:
        return ImportResult(errors=errors)
    colours = {}
    for code, label in PLATE_COLOURS:
        base = str(label).rstrip("色")
        colours.update({base: code, base + "色": code, base + "牌": code})

    def create(v):
        colour = colours.get(str(v.get("plate_colour", "")).strip())
        if colour is None:
            raise DomainError("invalid_colour", f"号牌颜色：应为{'、'.join(str(label) for _, label in PLATE_COLOURS)}之一")
        key = str(v.get("owner") or "").strip().upper()
        owner = parties_for(actor).filter(organisation=organisation).filter(id_number=key).first() or \
            parties_for(actor).filter(organisation=organisation).filter(credit_code=key).first()
        if owner is None:
            raise DomainError("owner_unknown", f"所有人证件号码或信用代码：本机构未登记“{key}”，请先导入当事人")
        try:
            axles = int(v.get("axle_count") or 2)
        except (TypeError, ValueError):
            raise DomainError("invalid_axles", "轴数：应为整数") from None
        goods = str(v.get("is_goods_vehicle") or "是").strip() not in ("否", "0", "FALSE", "False")
        services.vehicle_create(actor=actor, organisation=organisation, plate=str(v.get("plate") or "").strip(), plate_colour=colour,
                                owner=owner, vehicle_type=str(v.get("vehicle_type") or "").strip(), axle_count=axles, is_goods_vehicle=goods,
                                transport_cert_number=str(v.get("transport_cert_number") or "").strip())

    create.model = Vehicle
    return _run(rows, create)


def _text(v, key: str) -> str:
    return str(v.get(key) or "").strip()


def _date(v, key: str, label: str, *, required: bool = False):
    """A date cell: Excel's own date, or text 2026-03-01 / 2026/3/1 / 2026年3月1日."""
    from datetime import date, datetime

    raw = v.get(key)
    if raw in (None, ""):
        if required:
            raise DomainError("date_required", f"{label}：必填")
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    except (ValueError, TypeError):
        raise DomainError("invalid_date", f"{label}：“{raw}”不是有效日期（例如 2026-03-01）") from None


def _yes(v, key: str) -> bool:
    return _text(v, key) in ("是", "有", "1", "TRUE", "True", "true")


def companies_import(*, actor, organisation, file) -> ImportResult:
    """运输企业 from a sheet with the columns of :data:`COMPANY_COLUMNS` (each also becomes a party, as on the form)."""
    rows, errors = xlsx.read_rows(file, COMPANY_COLUMNS, required=COMPANY_REQUIRED)
    if errors:
        return ImportResult(errors=errors)
    kinds = {str(label): code for code, label in TransportCompany.Kind.choices}

    def create(v):
        kind = kinds.get(_text(v, "kind"))
        if kind is None:
            raise DomainError("invalid_kind", f"企业类型：应为{'、'.join(kinds)}之一")
        services.company_create(actor=actor, organisation=organisation, name=_text(v, "name"), credit_code=_text(v, "credit_code").upper(),
                                kind=kind, legal_representative=_text(v, "legal_representative"), licence_number=_text(v, "licence_number"),
                                licence_valid_until=_date(v, "licence_valid_until", "许可证有效期至"), business_scope=_text(v, "business_scope"),
                                address=_text(v, "address"), phone=_text(v, "phone"))

    create.model = TransportCompany
    return _run(rows, create)


def officers_import(*, actor, organisation, file) -> ImportResult:
    """执法人员 from a sheet with the columns of :data:`OFFICER_COLUMNS`; 所属机构代码 may name a unit within the
    importer's jurisdiction (empty: the importer's own unit). The account is linked later, not created here."""
    from .selectors import organisations_for

    rows, errors = xlsx.read_rows(file, OFFICER_COLUMNS, required=OFFICER_REQUIRED)
    if errors:
        return ImportResult(errors=errors)
    units = organisations_for(actor)

    def create(v):
        code = _text(v, "organisation")
        unit = units.filter(code=code).first() if code else organisation
        if unit is None:
            raise DomainError("unknown_unit", f"所属机构代码：“{code}”不是本辖区的机构")
        gender = _text(v, "gender")
        if gender not in ("", "男", "女"):
            raise DomainError("invalid_gender", "性别：应为男或女")
        services.officer_create(actor=actor, organisation=unit, name=_text(v, "name"), cert_number=_text(v, "cert_number"),
                                cert_issued_on=_date(v, "cert_issued_on", "发证日期", required=True),
                                cert_expires_on=_date(v, "cert_expires_on", "有效期至", required=True), gender=gender,
                                position=_text(v, "position"), phone=_text(v, "phone"),
                                annual_review_on=_date(v, "annual_review_on", "最近年审日期"), legal_qualification=_yes(v, "legal_qualification"))

    create.model = Officer
    return _run(rows, create)


IMPORTS = {
    "parties": (parties_import, PARTY_COLUMNS, PARTY_REQUIRED, ["法人或其他组织", "南召县示例物流有限公司", "", "914113213AGYGLUY31", "张三",
                                                                 "0377-66000000", "南召县城关镇"]),
    "vehicles": (vehicles_import, VEHICLE_COLUMNS, VEHICLE_REQUIRED, ["豫R·A1234", "黄色", "重型半挂牵引车", 6, "是", "914113213AGYGLUY31", ""]),
    "companies": (companies_import, COMPANY_COLUMNS, COMPANY_REQUIRED, ["南召县示例物流有限公司", "914113213AGYGLUY31", "普通货运企业", "张三",
                                                                      "豫交运管许可宛字411321000001号", "2028-12-31", "道路普通货物运输",
                                                                      "南召县城关镇", "0377-66000000"]),
    "officers": (officers_import, OFFICER_COLUMNS, OFFICER_REQUIRED, ["李明", "41132100001", "2024-03-01", "2029-02-28", "", "男", "执法队员",
                                                                     "13800000000", "2026-03-01", "否"]),
}
# Who may import each register: as on its form (officers are registered by an administrator or a head).
IMPORT_ROLES = {"parties": (Role.OFFICER, Role.ADMIN), "vehicles": (Role.OFFICER, Role.ADMIN),
                "companies": (Role.OFFICER, Role.ADMIN), "officers": (Role.ADMIN, Role.HEAD)}
