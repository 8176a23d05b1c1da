"""Filters for the document forms: dates and amounts the way Chinese official documents write them."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
SECTIONS = ["", "万", "亿"]


BLANK_DATE = "　　年　　月　　日"


@register.filter
def cn_date(value) -> str:
    """2026-11-22 → 2026年11月22日; a datetime → 2026年11月22日10时30分 in Beijing time (an aware or offset value
    is converted — a paper never states UTC). Empty gives the blank a person fills in by hand, which the lint
    refuses unless the template marks it ``class="handwrite"``."""
    from zhifa.documents.composer import parse_when

    if not value:
        return BLANK_DATE
    value = parse_when(value)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日{value.hour}时{value.minute:02d}分"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_day(value) -> str:
    """Only the date of a date or datetime (Beijing time): 2026年11月22日."""
    from zhifa.documents.composer import parse_when

    value = parse_when(value) if value else value
    if isinstance(value, datetime):
        value = value.date()
    return cn_date(value)


def _four(n: int) -> str:
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d:
            if zero and out:
                out += "零"
            out += DIGITS[d] + UNITS[i]
            zero = False
        else:
            zero = True
    return out


@register.filter
def yuan_upper(value) -> str:
    """An amount in capital numerals (大写), as on a decision: 1234.50 → 壹仟贰佰叁拾肆元伍角整."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    whole, fen = divmod(int(amount * 100), 100)
    chunks, n = [], whole
    while n:
        n, chunk = divmod(n, 10000)
        chunks.append(chunk)
    text, gap = "", False
    for i in range(len(chunks) - 1, -1, -1):
        chunk = chunks[i]
        if not chunk:
            gap = bool(text)
            continue
        if text and (gap or chunk < 1000):
            text += "零"  # a zero between sections is read once (壹万零伍拾)
        text += _four(chunk) + SECTIONS[i]
        gap = False
    if not text:
        return "".join([DIGITS[fen // 10] + "角" if fen // 10 else "", DIGITS[fen % 10] + "分" if fen % 10 else ""]) or "零元整"
    text += "元"
    jiao, f = divmod(fen, 10)
    if not jiao and not f:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif whole:
        text += "零"
    if f:
        text += DIGITS[f] + "分"
    else:
        text += "整"
    return text


@register.filter
def yuan(value) -> str:
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def clause(value) -> str:
    """Text to be followed by the template's own punctuation: trailing 。；，. removed (no doubled 。。)."""
    return str(value or "").rstrip("。；，.;, ")


@register.filter
def names(value, sep: str = "、") -> str:
    """People listed on a paper (执法人员：王建国（执法证号 41130001）、李明（…）): each kept whole on one line, so a
    certificate number never breaks across lines; the separator stays with the name before it (no line opens
    with 、)."""
    items = [value] if isinstance(value, str) else list(value or [])
    last = len(items) - 1
    return mark_safe("".join(f'<span class="nobreak">{conditional_escape(x)}{sep if i < last else ""}</span>'
                             for i, x in enumerate(items)))
