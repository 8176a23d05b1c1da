"""Checks for Chinese identifiers (legal-reference §10).

- 居民身份证号码: GB 11643-1999, ISO 7064 MOD 11-2 check digit.
- 统一社会信用代码: GB 32100-2015, MOD 31 check character over a 31-character alphabet.
- 机动车号牌: province abbreviation + letter + 5 characters (6 for new-energy plates).
"""

import re
from datetime import date

from django.core.exceptions import ValidationError

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 Table 1 (no I, O, S, V, Z)
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(rf"^([{PROVINCE_ABBREVIATIONS}])([A-HJ-NP-Z])[·]?([A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]|[A-HJ-NP-Z0-9]{{6}})$")

# A plate inside running text (a document, a published decision): the same shape, not anchored, separator optional.
PLATE_IN_TEXT = re.compile(rf"[{PROVINCE_ABBREVIATIONS}][A-HJ-NP-Z][·・.]?(?:[A-HJ-NP-Z0-9]{{6}}|[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳])")

PLATE_COLOURS = [
    ("blue", "蓝"),
    ("yellow", "黄"),
    ("green", "绿"),
    ("yellow_green", "黄绿"),
    ("white", "白"),
    ("black", "黑"),
]


def id_number_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """Validate an 18-digit 居民身份证号码 and return it normalised (upper-case X)."""
    v = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", v):
        raise ValidationError("身份证号码应为18位，前17位为数字，最后一位为数字或X。", code="id_format")
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birthdate") from None
    expected = id_number_check_digit(v[:17])
    if v[17] != expected:
        raise ValidationError(
            f"身份证号码校验位错误（应为 {expected}），请核对号码（GB 11643-1999）。", code="id_checksum"
        )
    return v


def birth_date_from_id(value: str) -> date | None:
    try:
        v = validate_id_number(value)
    except ValidationError:
        return None
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Validate an 18-character 统一社会信用代码 and return it normalised (upper case)."""
    v = (value or "").strip().upper()
    if len(v) != 18 or any(c not in _USCC_ALPHABET for c in v):
        raise ValidationError(
            "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、S、V、Z）。", code="uscc_format"
        )
    expected = credit_code_check_char(v[:17])
    if v[17] != expected:
        raise ValidationError(
            f"统一社会信用代码校验码错误（应为 {expected}），请核对（GB 32100-2015）。", code="uscc_checksum"
        )
    return v


# Separators a plate is written or read with (a device's "豫R-A1234", a form's "豫r a1234"); dropped before the
# display form is built. ``overload.wim.normalise_plates`` applies the same pattern to a whole column.
PLATE_SEPARATORS = r"[·.\-\s]"


def plate_display_form(value: str | None) -> str:
    """The plate in the registers' display form 豫R·A1234, without judging it: for plates read by a device or
    received from another system, which are kept as read (and reviewed) even when they are not well formed."""
    bare = re.sub(PLATE_SEPARATORS, "", value or "").upper()
    return bare[:2] + "·" + bare[2:] if len(bare) > 2 else bare


def normalise_plate(value: str) -> str:
    """Return the plate in display form 豫R·A1234 or raise ValidationError (a plate a person enters)."""
    shown = plate_display_form(value)
    if not _PLATE_RE.match(shown):
        raise ValidationError(
            "号牌号码格式不正确，应为省份简称+发牌机关字母+5位（新能源6位），例如 豫R·A1234。", code="plate_format"
        )
    return shown


class IdType:
    """Identity documents of a natural person (证件类型) as the national credit-information field set names them
    (docs/portal.md). Only the 居民身份证 has a check digit (GB 11643); the others are checked by their format."""

    ID_CARD = "id_card"
    PASSPORT = "passport"
    HK_MACAO = "hk_macao_permit"
    TAIWAN = "taiwan_permit"
    FOREIGN_PR = "foreign_permanent_residence"
    HMT_RESIDENCE = "hmt_residence_permit"
    CHOICES = [
        (ID_CARD, "身份证"),
        (PASSPORT, "护照号"),
        (HK_MACAO, "港澳居民来往内地通行证"),
        (TAIWAN, "台湾居民来往大陆通行证"),
        (FOREIGN_PR, "外国人永久居留身份证"),
        (HMT_RESIDENCE, "港澳台居民居住证"),
    ]
    LABELS = dict(CHOICES)


# Formats of the documents without a check digit: passports (Chinese E/G + 8 digits, foreign passports 5–17
# letters and digits), 港澳居民来往内地通行证 (H/M + 8 or 10 digits), 台湾居民来往大陆通行证 (8 or 10 digits),
# 外国人永久居留身份证 (15 characters, or 18 from 2023 beginning with 9); 港澳台居民居住证 carry an 18-digit number
# with the 身份证 check digit (8100/8200/8300 region codes).
_DOCUMENT_RE = {
    IdType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
    IdType.HK_MACAO: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    IdType.TAIWAN: re.compile(r"^\d{8}(\d{2})?$"),
    IdType.FOREIGN_PR: re.compile(r"^([A-Z]{3}\d{12}|9\d{16}[\dX])$"),
}


def validate_identity_document(id_type: str, value: str) -> str:
    """Validate a natural person's identity document number for its type and return it normalised."""
    v = (value or "").strip().upper()
    if id_type in (IdType.ID_CARD, IdType.HMT_RESIDENCE, "", None):
        v = validate_id_number(v)
        if id_type == IdType.HMT_RESIDENCE and v[:4] not in ("8100", "8200", "8300"):
            raise ValidationError("港澳台居民居住证号码应以810000、820000或830000开头。", code="id_hmt_region")
        return v
    pattern = _DOCUMENT_RE.get(id_type)
    if pattern is None:
        raise ValidationError("证件类型无效。", code="id_type")
    if not pattern.fullmatch(v):
        raise ValidationError(f"{IdType.LABELS[id_type]}号码格式不正确。", code="id_document_format")
    return v


def is_individual_business(credit_code: str) -> bool:
    """个体工商户: a 统一社会信用代码 registered by 市场监管 (first character 9) with organisation type 2 (GB 32100-2015,
    Table 2: 91 企业, 92 个体工商户, 93 农民专业合作社)."""
    return (credit_code or "").upper().startswith("92")
