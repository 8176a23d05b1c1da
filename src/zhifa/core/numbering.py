"""The one numbering service for every number a person reads: case numbers, decision and other document numbers,
coercive-measure registrations, inspection plans, operations, problems and supervision listings, permit
applications and certificates, complaint and mediation tracking codes.

Each app declares its series next to the model it numbers (``Series(code, title, template, model=…)``); the layout
is data — the default in the declaration, replaced by an administrator's :class:`~zhifa.core.models.NumberFormat`
row — and the count is a :class:`~zhifa.core.models.NumberCounter` row per series × organisation × year ×
sub-series. :func:`reserve` must run inside the transaction that stores the numbered row: the counter is bumped
with a single ``UPDATE … SET last = last + 1``, whose row lock (PostgreSQL) or the database write lock (SQLite,
IMMEDIATE transactions) serialises concurrent writers, and a rolled-back transaction rolls its number back with
it — no duplicates, no gaps. The numbered field carries a unique constraint where the number must be unique.

A counter row is created with the first number of its year. If the numbered table already holds numbers of that
series and year (issued before the counter existed, or loaded in bulk), the count continues after the highest of
them instead of starting at 1. A series whose number is a public tracking code (complaints: whoever holds the code
may follow the matter, so it must not be guessable) takes a random code and checks it is free instead of counting.
"""

import secrets
import string
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from .errors import DomainError
from .models import NumberCounter, NumberFormat, Organisation

SERIES: dict[str, "Series"] = {}
FIELDS = {"org", "year", "part", "seq", "date", "code"}
SAMPLE = {"org": "411321", "year": 2026, "part": "XD", "seq": 12, "date": date(2026, 12, 5), "code": "K7M2QX"}


@dataclass(frozen=True)
class Series:
    """One series of numbers. ``template`` is the default layout (see ``NumberFormat``); ``model`` and ``field``
    name the column that holds the numbers (for uniqueness checks and for continuing after numbers already
    there); ``per_organisation`` counts separately per organisation (``{org}``), else platform-wide;
    ``code_length`` > 0 makes it a tracking-code series (random ``{code}`` of that length from ``code_chars``).
    A series without a template is formatted by its owner (``note`` says where) and only counted here."""

    code: str
    title: str
    template: str
    model: str = ""
    field: str = "number"
    per_organisation: bool = True
    code_length: int = 0
    code_chars: str = ""
    note: str = ""

    def __post_init__(self):
        if SERIES.get(self.code, self) != self:
            raise ValueError(f"numbering series {self.code} declared twice")
        SERIES[self.code] = self


def template_for(series: Series) -> str:
    """The layout in force: the administrator's ``NumberFormat`` row, else the series' default."""
    row = NumberFormat.objects.filter(series=series.code).values_list("template", flat=True).first()
    return row or series.template


def check_template(code: str, template: str) -> None:
    """Refuse a layout that cannot number the series: unknown placeholders, no ``{seq}`` (or ``{code}``), or a
    number longer than its column."""
    series = SERIES.get(code)
    if series is None:
        raise ValidationError({"series": f"没有编号序列“{code}”。可选：{'、'.join(sorted(SERIES))}"})
    if not series.template:
        raise ValidationError({"series": f"{series.title}的格式不在此设置（{series.note}）。"})
    try:
        used = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        if used - FIELDS:
            raise ValidationError({"template": f"编号格式含有不认识的占位符：{'、'.join(sorted(used - FIELDS))}"})
        sample = template.format(**SAMPLE)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValidationError({"template": f"编号格式无法使用：{exc}"}) from exc
    needed = "code" if series.code_length else "seq"
    if needed not in used:
        raise ValidationError({"template": f"编号格式必须含有 {{{needed}}}，否则编号会重复。"})
    # The counter runs per organisation, year and part wherever the default layout shows them: a layout leaving one
    # out would give two organisations (or two years) the same number.
    keys = {f for _, f, _, _ in string.Formatter().parse(series.template) if f in ("org", "year", "part")}
    if series.per_organisation:
        keys.add("org")
    missing = [k for k in sorted(keys) if k not in used and not (k == "year" and "date" in used)]
    if missing and not series.code_length:
        raise ValidationError({"template": f"编号格式必须含有 {'、'.join('{' + k + '}' for k in missing)}，否则不同单位或年度的编号会重复。"})
    if series.model:
        limit = apps.get_model(series.model)._meta.get_field(series.field).max_length
        if limit and len(sample) > limit:
            raise ValidationError({"template": f"按此格式编出的号（如 {sample}）超过 {limit} 个字符。"})


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a number must be reserved inside the transaction that stores it")


def _counter_key(series: Series, organisation: Organisation | None, year: int, part: str) -> dict:
    if series.per_organisation and organisation is None:
        raise ValueError(f"series {series.code} is numbered per organisation")
    return {"series": series.code, "organisation": organisation if series.per_organisation else None, "year": year,
            "part": part}


def _split(template: str) -> tuple[str, str]:
    """The layout before and after ``{seq}``, as two layouts."""
    head, tail, after = [], [], False
    for literal, name, spec, conversion in string.Formatter().parse(template):
        (tail if after else head).append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name == "seq":
            after = True
            continue
        (tail if after else head).append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(head), "".join(tail)


def _highest_in_table(series: Series, values: dict) -> int:
    """The highest sequence of this series, organisation and year already in the numbered column (0 if none)."""
    if not series.model:
        return 0
    head, tail = (t.format(**values) for t in _split(template_for(series)))
    column = series.field
    rows = (apps.get_model(series.model)._default_manager.filter(**{f"{column}__startswith": head, f"{column}__endswith": tail})
            .annotate(_length=Length(column)).order_by("-_length", f"-{column}").values_list(column, flat=True))
    for number in rows[:20]:  # longest first, then highest: the first whose middle is a number is the highest
        middle = number[len(head):len(number) - len(tail)]
        if middle.isdigit():
            return int(middle)
    return 0


def take(series: Series, *, organisation: Organisation | None, year: int, part: str = "") -> int:
    """Take the next sequence of the series (1, 2, 3 … per organisation, year and sub-series) inside the caller's
    transaction. Formatting is :func:`reserve`'s; documents format their own numbers (``documents.numbering``)."""
    _require_atomic()
    key = _counter_key(series, organisation, year, part)
    counter = NumberCounter.objects.filter(**key)
    if not counter.update(last=F("last") + 1):
        values = {"org": organisation.code if organisation else "", "year": year, "part": part}
        first = _highest_in_table(series, values) + 1
        try:
            with transaction.atomic():  # savepoint: a concurrent first writer may create the row first
                NumberCounter.objects.create(**key, last=first)
        except IntegrityError:
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def raise_to(series: Series, *, organisation: Organisation | None, year: int, last: int, part: str = "") -> None:
    """Make the count go on after ``last`` (numbers written without this service, e.g. demo history)."""
    key = _counter_key(series, organisation, year, part)
    row, _ = NumberCounter.objects.get_or_create(**key)
    NumberCounter.objects.filter(pk=row.pk, last__lt=last).update(last=last)


def reserve(series: Series, *, organisation: Organisation | None = None, year: int | None = None, part: str = "",
            on: date | None = None) -> str:
    """Reserve the next number of ``series`` for a row stored in the current transaction and return it formatted.
    ``year`` is the numbering year (of the act the number belongs to); a tracking-code series uses ``on`` (the
    day, default today) instead of a count."""
    _require_atomic()
    template = template_for(series)
    values = {"org": organisation.code if organisation else "", "year": year, "part": part}
    if series.code_length:
        values["date"] = on or timezone.localdate()
        model = apps.get_model(series.model)
        for _ in range(10):
            values["code"] = "".join(secrets.choice(series.code_chars) for _ in range(series.code_length))
            number = template.format(**values)
            if not model._default_manager.filter(**{series.field: number}).exists():
                return number
        raise DomainError("number_busy", f"{series.title}生成冲突，请重试。")
    if year is None:
        raise ValueError(f"series {series.code} needs the numbering year")
    return template.format(**values, seq=take(series, organisation=organisation, year=year, part=part))
