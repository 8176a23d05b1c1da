"""The discretion engine: from a violation item, the facts and the date to an outcome with its amount, range,
reasoning paragraph (说理) and citations.

Order of application (行政处罚法, 2021):
  Art. 36 limitation → Art. 30 under 14 → Art. 33 ¶2 no fault → Art. 33 ¶1 minor / first violation (lists)
  → the benchmark level (or the law's formula) → Art. 30 / Art. 32 mandatory lenient or mitigated → 从重
  → Art. 37 从旧兼从轻 between the edition in force on the violation date and today's edition.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from zhifa.core import versions
from zhifa.core.errors import DomainError

from . import overload_rules
from .models import (
    LEVEL_ORDER,
    PENALTY_KIND_LABELS,
    BenchmarkEdition,
    BenchmarkLevel,
    Formula,
    Level,
    ListEntry,
    ListKind,
    PenaltyKind,
    ViolationItem,
)

LAW = "《中华人民共和国行政处罚法》"
OUTCOME_LABELS = {
    "no_penalty": "不予处罚",
    "mitigated": "减轻处罚",
    "lenient": "从轻处罚",
    "general": "一般处罚",
    "heavy": "从重处罚",
}
HARM_LABELS = {"none": "无危害后果", "minor": "危害后果轻微", "serious": "危害后果严重"}
# Penalty kinds heavier than a fine, used when comparing two outcomes (从旧兼从轻).
HEAVY_KINDS = {PenaltyKind.CONFISCATE_INCOME, PenaltyKind.CONFISCATE_PROPERTY, PenaltyKind.LICENCE_SUSPENSION,
               PenaltyKind.LICENCE_REVOCATION, PenaltyKind.QUALIFICATION_DOWNGRADE, PenaltyKind.RESTRICT_OPERATION,
               PenaltyKind.ORDER_STOP, PenaltyKind.ORDER_CLOSURE, PenaltyKind.RESTRICT_PRACTICE}
ART32_FACTS = [
    ("reduced_harm", "主动消除或者减轻违法行为危害后果", "第三十二条第（一）项"),
    ("coerced", "受他人胁迫或者诱骗实施违法行为", "第三十二条第（二）项"),
    ("confessed", "主动供述行政机关尚未掌握的违法行为", "第三十二条第（三）项"),
    ("meritorious", "配合行政机关查处违法行为有立功表现", "第三十二条第（四）项"),
    ("other_statutory", "法律、法规、规章规定的其他从轻或者减轻情形", "第三十二条第（五）项"),
]


@dataclass
class Assessment:
    """The engine's proposal. ``reasoning`` is the Chinese paragraph for the decision; ``citations`` names every
    source used; ``benchmark_version`` is the edition whose result was applied. Store ``as_dict()`` with a
    decided case: a decided case keeps its stored assessment, later editions never rewrite it."""

    item_code: str
    item_name: str
    outcome: str
    outcome_label: str
    penalty_kinds: list[str]
    amount: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    reasoning: str
    citations: list[str]
    benchmark_version: str
    list_applied: str | None = None
    commitment_required: bool = False
    education_required: bool = False
    level: str | None = None
    level_label: str = ""
    steps: list[str] = field(default_factory=list)
    rounding: str | None = None
    compared_version: str | None = None
    violation_date: date | None = None
    limitation_years: int = 2
    overload: dict | None = None

    @property
    def penalty_kind_labels(self) -> list[str]:
        return [PENALTY_KIND_LABELS.get(k, k) for k in self.penalty_kinds]

    @property
    def list_applied_label(self) -> str:
        return dict(ListKind.choices).get(self.list_applied, "") if self.list_applied else ""

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("amount", "minimum", "maximum"):
            data[key] = str(data[key]) if data[key] is not None else None
        data["violation_date"] = self.violation_date.isoformat() if self.violation_date else None
        data["penalty_kind_labels"] = self.penalty_kind_labels
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Assessment:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("amount", "minimum", "maximum"):
            values[key] = Decimal(values[key]) if values.get(key) is not None else None
        if values.get("violation_date"):
            values["violation_date"] = date.fromisoformat(values["violation_date"])
        return cls(**values)

    def severity_key(self) -> tuple:
        """Lighter sorts first: no penalty < warning only < fines by amount; heavier kinds count first."""
        if self.outcome == "no_penalty":
            return (0, 0, Decimal(0))
        heavy = sum(1 for k in self.penalty_kinds if k in HEAVY_KINDS)
        return (1, heavy, self.amount or Decimal(0))


def edition_in_force(on: date) -> BenchmarkEdition | None:
    return BenchmarkEdition.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()


def _matches(criteria: dict, facts: dict) -> bool:
    """``criteria``: fact → value, list of allowed values, or {"gte": n, "lt": m, "lte": n, "gt": m}."""
    for key, expected in (criteria or {}).items():
        value = facts.get(key)
        if isinstance(expected, dict):
            if value is None:
                return False
            number = Decimal(str(value))
            checks = {"gte": number.__ge__, "gt": number.__gt__, "lte": number.__le__, "lt": number.__lt__}
            if any(not checks[op](Decimal(str(bound))) for op, bound in expected.items() if op in checks):
                return False
        elif isinstance(expected, list):
            if value not in expected:
                return False
        elif bool(expected) is expected:  # booleans: a missing fact counts as False
            if bool(value) is not expected:
                return False
        elif value != expected:
            return False
    return True


def _yuan(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "元"


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


class _Work:
    """Mutable state while one edition is applied."""

    def __init__(self, item: ViolationItem, edition: BenchmarkEdition | None, facts: dict, violation_date: date):
        self.item, self.edition, self.facts, self.violation_date = item, edition, facts, violation_date
        self.sentences: list[str] = []
        self.citations: list[str] = []
        self.steps: list[str] = []
        self.list_applied = None
        self.commitment = False
        self.education = False
        self.level = None
        self.rounding = None
        self.overload = None

    def cite(self, *sources: str):
        for s in sources:
            if s and s not in self.citations:
                self.citations.append(s)

    def result(self, outcome, kinds, amount, minimum, maximum) -> Assessment:
        return Assessment(
            item_code=self.item.code, item_name=self.item.name, outcome=outcome, outcome_label=OUTCOME_LABELS[outcome],
            penalty_kinds=[str(k) for k in kinds], amount=_cents(amount), minimum=_cents(minimum), maximum=_cents(maximum),
            reasoning="".join(self.sentences), citations=self.citations, list_applied=self.list_applied,
            benchmark_version=self.edition.code if self.edition else "", commitment_required=self.commitment,
            education_required=self.education or outcome == "no_penalty",
            level=self.level.level if self.level else None,
            level_label=self.level.get_level_display() if self.level else "", steps=self.steps,
            rounding=self.rounding, violation_date=self.violation_date,
            limitation_years=limitation_years_for(self.item, self.facts.get("harm")), overload=self.overload,
        )


def limitation_years_for(item: ViolationItem, harm: str | None = None) -> int:
    """行政处罚法 Art. 36: 2 years; 5 years where life/health safety is involved and there is harm
    (``harm`` None means not yet known and is treated as possible harm)."""
    return 5 if item.life_health_safety and harm != "none" else 2


def _no_penalty(w: _Work, sentence: str, *citations: str) -> Assessment:
    w.sentences.append(sentence)
    w.cite(*citations)
    w.education = True
    w.sentences.append(f"依据{LAW}第三十三条第三款，对当事人进行教育。")
    w.cite(f"{LAW}第三十三条第三款")
    return w.result("no_penalty", [], None, None, None)


def _list_entry(w: _Work, kind: str) -> ListEntry | None:
    if w.edition is None:
        return None
    entry = ListEntry.objects.filter(edition=w.edition, item=w.item, kind=kind).first()
    return entry if entry and _matches(entry.criteria, w.facts) else None


def _choose_level(w: _Work) -> BenchmarkLevel | None:
    if w.edition is None:
        return None
    levels = sorted(BenchmarkLevel.objects.filter(edition=w.edition, item=w.item), key=lambda lv: -LEVEL_ORDER[lv.level])
    wanted = w.facts.get("level")
    if wanted:
        chosen = next((lv for lv in levels if lv.level == wanted), None)
        if chosen is None:
            raise DomainError("unknown_level", f"《{w.edition.name}》对该事项没有“{dict(Level.choices).get(wanted, wanted)}”阶次。")
        return chosen
    for lv in levels:
        if lv.criteria and _matches(lv.criteria, w.facts):
            return lv
    return next((lv for lv in levels if lv.level == Level.GENERAL), levels[-1] if levels else None)


def _overload_base(w: _Work):
    """Base penalty for the overload items by the Art. 43 formula; mass and dimension fines add up (capped)."""
    f, on = w.facts, w.violation_date
    parts, kinds, amounts = [], [], []
    lo = hi = None
    info: dict = {}
    # The mass item (CX-001) also takes the dimension facts and cumulates; the dimension item only dimensions.
    mass_given = w.item.formula == Formula.OVERLOAD_MASS and (f.get("gross_kg") is not None or f.get("over_kg") is not None)
    if mass_given:
        if f.get("gross_kg") is not None and f.get("axles"):
            limit = overload_rules.vehicle_limit_kg(axles=int(f["axles"]), combination=bool(f.get("combination")),
                                                    single_drive_axle=bool(f.get("single_drive_axle")),
                                                    single_tyre_axles=int(f.get("single_tyre_axles") or 0), on=on)
            excess = int(f["gross_kg"]) - limit.limit_kg
            parts.append(f"经检测，车货总质量{int(f['gross_kg']):,}千克，{limit.rule}（{limit.citation}），超限{max(excess, 0):,}千克")
            w.cite(limit.citation)
            info.update(limit_kg=limit.limit_kg, gross_kg=int(f["gross_kg"]), limit_rule=limit.rule)
        else:
            excess = int(f["over_kg"])
            parts.append(f"车货总质量超过限值{excess:,}千克")
        fine = overload_rules.overload_fine(excess_kg=excess, on=on, rounding=f.get("rounding") or (w.edition.overload_rounding if w.edition else None))
        w.rounding = fine.rounding
        info.update(excess_kg=max(excess, 0), mass_rule=fine.rule, rounding=fine.rounding, rounding_label=fine.rounding_label)
        w.cite(fine.citation)
        w.steps.append(fine.rule)
        if fine.warning:
            kinds.append(PenaltyKind.WARNING)
            parts.append(f"依照{fine.citation}，{fine.rule}")
        elif fine.amount is not None:
            amounts.append(fine.amount)
            parts.append(f"依照{fine.citation}，{fine.rule}")
    dims = {k: f.get(k) for k in ("height_m", "width_m", "length_m")}
    if any(v is not None for v in dims.values()):
        dim = overload_rules.dimension_fine(on=on, **dims)
        w.steps.append(dim.rule)
        info.update(dimension_rule=dim.rule, dimension_band=dim.band)
        if dim.over:
            parts.append(f"{dim.rule}（{dim.citation}）")
            w.cite(dim.citation)
            amounts.append(dim.recommended)
            lo, hi = dim.minimum, dim.maximum
    w.overload = info
    if not kinds and not amounts:
        return None
    if amounts:
        total, capped = overload_rules.cumulate(amounts, on)
        if len(amounts) > 1:
            version = overload_rules.rule_version(on)
            parts.append(f"数项超限违法行为罚款合并计算，合计{_yuan(sum(amounts))}"
                         + (f"，超过{_yuan(version.cap_yuan)}的按{_yuan(version.cap_yuan)}计" if capped else "")
                         + f"（{version.citation_penalty}）")
        # Different outcomes of the mass and the dimension violation combine (行政处罚法 Art. 9: a decision may
        # combine kinds): a mass excess of at most 1000 kg keeps its warning next to the dimension fine.
        kinds = [*kinds, PenaltyKind.FINE]
        mass_part = total - (amounts[-1] if lo is not None else 0)
        minimum = min(total, mass_part + (lo or 0))
        maximum = min(overload_rules.rule_version(on).cap_yuan, mass_part + (hi if hi is not None else 0)) if lo is not None else total
        info["fine_total"] = str(total)
        w.sentences.append("；".join(parts) + "。")
        return kinds, total, minimum, maximum
    w.sentences.append("；".join(parts) + "。")
    return kinds, None, None, None


def _evaluate(item: ViolationItem, edition: BenchmarkEdition | None, facts: dict, violation_date: date,
              today: date) -> Assessment:
    w = _Work(item, edition, facts, violation_date)
    harm = facts.get("harm") or "none"
    if item.violated_provision.endswith("所列行为"):
        w.sentences.append(f"当事人实施了“{item.name}”的行为，属于{item.violated_provision.removesuffix('所列行为')}规定的违法行为。")
    else:
        w.sentences.append(f"当事人实施了“{item.name}”的行为，违反了{item.violated_provision}。")
    w.cite(item.violated_provision)

    # Art. 36: limitation, counted from the act (or its end) to discovery.
    discovered = facts.get("discovered_on")
    if discovered:
        discovered = date.fromisoformat(discovered) if isinstance(discovered, str) else discovered
        years = limitation_years_for(item, facts.get("harm"))
        try:
            limit_day = violation_date.replace(year=violation_date.year + years)
        except ValueError:  # 29 February
            limit_day = violation_date.replace(year=violation_date.year + years, day=28)
        if discovered > limit_day:
            return _no_penalty(w, f"该违法行为在{years}年内未被发现，依据{LAW}第三十六条，不再给予行政处罚。",
                               f"{LAW}第三十六条")

    if facts.get("party_kind", "person") == "person" and facts.get("age") is not None:
        age = int(facts["age"])
        # Art. 30: under 14 no penalty; 14–18 lenient or mitigated (handled below).
        if age < 14:
            return _no_penalty(w, f"当事人实施违法行为时不满十四周岁，依据{LAW}第三十条，不予行政处罚，责令监护人加以管教。",
                               f"{LAW}第三十条")
    if facts.get("no_fault"):
        # Art. 33 ¶2: the party proves it had no subjective fault.
        return _no_penalty(w, f"当事人有证据足以证明没有主观过错，依据{LAW}第三十三条第二款，不予行政处罚。",
                           f"{LAW}第三十三条第二款")

    corrected = bool(facts.get("corrected_promptly"))
    minor_entry = _list_entry(w, ListKind.MINOR_NO_PENALTY)
    minor = bool(facts.get("minor")) or minor_entry is not None
    if minor and corrected and harm == "none":
        # Art. 33 ¶1 first sentence: minor, promptly corrected, no harmful consequence → no penalty (always).
        w.list_applied = ListKind.MINOR_NO_PENALTY
        source = f"，并列入《{edition.name}》轻微违法行为不予处罚清单（{minor_entry.conditions}）" if minor_entry and edition else ""
        if minor_entry:
            w.cite(minor_entry.basis)
        return _no_penalty(w, f"该违法行为轻微并及时改正，没有造成危害后果{source}，依据{LAW}第三十三条第一款，不予行政处罚。",
                           f"{LAW}第三十三条第一款")
    if facts.get("first_violation"):
        first_entry = _list_entry(w, ListKind.FIRST_VIOLATION)
        if first_entry and corrected and harm in ("none", "minor"):
            # Art. 33 ¶1 second sentence: first violation, minor harm, promptly corrected → may not penalise; the
            # published list says when; the party signs a written commitment (告知承诺书).
            w.list_applied = ListKind.FIRST_VIOLATION
            w.commitment = first_entry.commitment_required
            w.cite(first_entry.basis)
            return _no_penalty(
                w, f"当事人系初次违法，{HARM_LABELS.get(harm, harm)}并及时改正，符合《{edition.name}》首次违法行为不予处罚清单"
                   f"（{first_entry.conditions}），依据{LAW}第三十三条第一款，可以不予行政处罚"
                   + ("，由当事人签署告知承诺书。" if first_entry.commitment_required else "。"),
                f"{LAW}第三十三条第一款")
        if first_entry is None:
            w.steps.append("当事人系初次违法，但该事项未列入首次违法行为不予处罚清单")
        else:
            w.steps.append("当事人系初次违法，但不符合首次违法行为不予处罚清单的条件（须危害后果轻微并及时改正）")

    # The base penalty: the law's formula or the benchmark level.
    w.cite(item.penalty_basis)
    if item.formula in (Formula.OVERLOAD_MASS, Formula.OVERLOAD_DIMENSION):
        if not any(facts.get(k) is not None for k in ("gross_kg", "over_kg", "height_m", "width_m", "length_m")):
            # An overload proposal comes only from the measurements (超限运输车辆行驶公路管理规定 Art. 3, 43): without
            # them there is nothing to propose, and "not over the limit" would be a finding nobody made.
            raise DomainError("overload_facts_missing", "超限违法行为须录入检测数据（车货总质量和轴数，或超限量、外廓尺寸）后方可给出裁量建议。")
        base = _overload_base(w)
        if base is None:
            w.sentences.append("经检测未超过规定限值，不构成超限运输，不予行政处罚。")
            return w.result("no_penalty", [], None, None, None)
        kinds, amount, lo, hi = base
        if amount is None:  # warning only
            w.sentences.append(f"依据{item.penalty_basis}，建议予以警告。")
            return w.result("general", kinds, None, None, None)
        formula = True
    else:
        formula = False
        level = _choose_level(w)
        w.level = level
        stat = f"，可处{_yuan(item.statutory_min)}以上{_yuan(item.statutory_max)}以下罚款" if item.statutory_max is not None else ""
        w.sentences.append(f"依据{item.penalty_basis}{stat}。")
        if level is None:
            if item.statutory_max is None:
                raise DomainError("no_benchmark", f"{violation_date:%Y年%m月%d日}施行的裁量基准中没有事项{item.code}的裁量阶次。")
            kinds = list(item.penalty_kinds)
            lo, hi = item.statutory_min or Decimal(0), item.statutory_max
            amount = lo
            w.sentences.append("施行中的裁量基准未对该事项细化阶次，在法定幅度内按下限建议。")
        else:
            kinds = list(level.penalty_kinds or item.penalty_kinds)
            lo, hi, amount = level.min_amount, level.max_amount, level.recommended
            edition_name = f"《{edition.name}》" if edition else "裁量基准"
            scale = (f"裁量幅度为{_yuan(lo)}至{_yuan(hi)}，建议{_yuan(amount)}" if amount is not None else
                     f"处罚种类为{'、'.join(PENALTY_KIND_LABELS.get(k, k) for k in kinds)}")
            w.sentences.append(f"根据{edition_name}，本案属于“{level.get_level_display()}”情形（{level.circumstances}），{scale}。")
            if edition:
                w.cite(f"{edition.name}{'（' + edition.source + '）' if edition.source else ''}")

    # Art. 30 (14–18) and Art. 32: must be lenient or mitigated.
    statutory = []
    if facts.get("party_kind", "person") == "person" and facts.get("age") is not None and 14 <= int(facts["age"]) < 18:
        statutory.append(("已满十四周岁不满十八周岁", f"{LAW}第三十条"))
    for key, text, art in ART32_FACTS:
        if facts.get(key):
            statutory.append((text, f"{LAW}{art}"))
    mitigated_entry = _list_entry(w, ListKind.MITIGATED)
    lenient_entry = _list_entry(w, ListKind.LENIENT)
    # 从重: a repeat within a year (serious harm already places the case in the 较重 level).
    heavy = bool(facts.get("repeat_within_year"))
    share_l = edition.lenient_share if edition else Decimal("0.30")
    share_m = edition.mitigated_share if edition else Decimal("0.50")
    stat_min = item.statutory_min or Decimal(0)

    if (statutory or mitigated_entry or lenient_entry) and amount is None:
        # No fine to scale (e.g. revocation): the circumstances are stated for the authority's decision.
        reasons = "、".join(t for t, _ in statutory) or "符合从轻、减轻处罚清单"
        w.cite(*(a for _, a in statutory))
        outcome = "mitigated" if (mitigated_entry or facts.get("mitigate")) else "lenient"
        w.sentences.append(f"当事人{reasons}，应当依法{OUTCOME_LABELS[outcome]}，由执法机关在法定处罚种类内选择较轻的处罚。")
    elif statutory or mitigated_entry or lenient_entry:
        reasons = "、".join(t for t, _ in statutory)
        w.cite(*(a for _, a in statutory))
        if mitigated_entry or facts.get("mitigate"):
            # 减轻: below the statutory minimum (or below the formula amount).
            outcome = "mitigated"
            ceiling = stat_min if stat_min > 0 and not formula else amount
            new_amount = _whole(ceiling * share_m)
            lo, hi = Decimal(0), ceiling
            src = f"符合《{edition.name}》减轻处罚清单（{mitigated_entry.conditions}）" if mitigated_entry else ""
            if mitigated_entry:
                w.cite(mitigated_entry.basis)
            why = "，".join(x for x in (f"当事人{reasons}" if reasons else "", src) if x)
            law = f"依据{'、'.join(dict.fromkeys(a for _, a in statutory))}，" if statutory else ""
            what = "按公式计算的罚款" if formula else ("法定最低罚款" if stat_min > 0 else "基准建议罚款")
            w.sentences.append(f"{why}，{law}应当减轻处罚，在{what}{_yuan(ceiling)}以下确定，按{share_m:.0%}计为{_yuan(new_amount)}。")
            if new_amount == 0 and PenaltyKind.WARNING in item.penalty_kinds:
                kinds = [PenaltyKind.WARNING]
                new_amount = None
        else:
            outcome = "lenient"
            top = lo + (hi - lo) * share_l if not formula else amount
            new_amount = _whole(lo) if not formula else _whole(amount * (1 - share_l))
            if formula:
                lo, hi = new_amount, amount
            else:
                hi = _whole(top)
            src = f"符合《{edition.name}》从轻处罚清单（{lenient_entry.conditions}）" if lenient_entry else ""
            if lenient_entry:
                w.cite(lenient_entry.basis)
            why = "，".join(x for x in (f"当事人{reasons}" if reasons else "", src) if x)
            law = f"依据{'、'.join(dict.fromkeys(a for _, a in statutory))}，应当" if statutory else "依据裁量基准，"
            w.sentences.append(f"{why}，{law}从轻处罚，在{_yuan(lo)}至{_yuan(hi)}内确定，建议{_yuan(new_amount)}。")
        if heavy:
            w.steps.append("存在从重情节，但法定从轻、减轻情节应当适用，不予从重")
        amount = new_amount
    elif heavy:
        outcome = "heavy"
        why = "一年内再次实施同类违法行为"
        if formula or amount is None:
            w.sentences.append(f"当事人{why}，但{'罚款按法定公式计算' if formula else '该事项无罚款幅度'}，不再上浮。")
        else:
            lo = _whole(hi - (hi - lo) * share_l)
            amount = hi
            w.sentences.append(f"当事人{why}，依据裁量基准从重处罚，在{_yuan(lo)}至{_yuan(hi)}内确定，建议{_yuan(amount)}。")
    else:
        outcome = "general"
    return w.result(outcome, kinds, amount, lo, hi)


MEMO_SIZE = 4096  # results kept per process, under the catalogue's version token
_memo = versions.Memo("discretion", size=MEMO_SIZE)


def frozen_facts(value):
    """A hashable, type-preserving key of the facts (``Decimal("1")`` and ``"1"`` stay apart: the engine
    compares some facts by equality)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), frozen_facts(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(frozen_facts(v) for v in value))
    return (type(value).__name__, repr(value))


def assess(*, item_code: str, facts: dict, violation_date: date, today: date | None = None) -> Assessment:
    """Assess one violation (:func:`_assess`), the result kept while the catalogue does not change.

    The result depends only on the arguments and on the catalogue (items, editions, levels, lists, overload
    rule versions); every change of those gives the ``discretion`` key of ``core.versions`` a new token in the
    same transaction (database triggers, migration 0007), so the token (read with the others, once per page)
    replaces the eight or more queries of the evaluation — the case page shows the proposal of each pending
    case on every visit. A caller gets its own copy."""
    today = today or timezone.localdate()
    key = (item_code, frozen_facts(facts or {}), violation_date, today)
    result = _memo.get(key, lambda: _assess(item_code=item_code, facts=facts, violation_date=violation_date,
                                            today=today))
    return copy.deepcopy(result)


def _assess(*, item_code: str, facts: dict, violation_date: date, today: date | None = None) -> Assessment:
    """Assess one violation.

    ``facts`` keys (all optional):
      party_kind "person" | "organisation"; age (int, persons); first_violation; minor (违法行为轻微);
      harm "none" | "minor" | "serious"; corrected_promptly; reduced_harm, coerced, confessed, meritorious,
      other_statutory (Art. 32); mitigate (the authority chooses 减轻 over 从轻 for a statutory circumstance);
      no_fault (Art. 33 ¶2); repeat_within_year; discovered_on (date, Art. 36); level (force a level code);
      any item-specific fact named in a level's or list entry's criteria (e.g. passengers, days);
      overload: gross_kg, axles, combination, single_drive_axle, single_tyre_axles, or over_kg; height_m,
      width_m, length_m; rounding (override the edition's floor/ceil/proportional for a partial 1000 kg).
    The edition in force on ``violation_date`` is compared with the one in force ``today``; the lighter result
    applies (行政处罚法 Art. 37) and the reasoning says so.
    """
    today = today or timezone.localdate()
    item = ViolationItem.objects.filter(code=item_code).first()
    if item is None:
        raise DomainError("unknown_item", f"违法行为事项{item_code}不存在。", status=404)
    then = edition_in_force(violation_date)
    now = edition_in_force(today) if today >= violation_date else then
    result = _evaluate(item, then, facts, violation_date, today)
    if now is not None and then is not None and now.pk != then.pk:
        current = _evaluate(item, now, facts, violation_date, today)
        result.compared_version = now.code if current.severity_key() >= result.severity_key() else then.code
        if current.severity_key() < result.severity_key():
            current.compared_version = then.code
            current.reasoning += (f"违法行为发生时施行的是《{then.name}》，按其应{result.outcome_label}"
                                  f"{'（' + _yuan(result.amount) + '）' if result.amount is not None else ''}；"
                                  f"现行《{now.name}》对当事人更轻，依据{LAW}第三十七条（从旧兼从轻），适用现行基准。")
            current.citations.append(f"{LAW}第三十七条")
            return current
        result.reasoning += (f"违法行为发生时施行《{then.name}》，现行《{now.name}》并不更轻，"
                             f"依据{LAW}第三十七条适用行为时的基准。")
        result.citations.append(f"{LAW}第三十七条")
    elif then is None and now is not None:
        # No benchmark was published yet on the violation date: the statutory range applies, guided by today's.
        result = _evaluate(item, now, facts, violation_date, today)
        result.reasoning += f"违法行为发生时尚未发布裁量基准，参照现行《{now.name}》在法定幅度内裁量。"
    return result


def no_coercion(*, item_code: str, facts: dict, on: date) -> tuple[bool, str]:
    """Whether the no-coercive-measure list (不予实施行政强制措施清单) of the edition in force covers the case
    (行政强制法 Art. 16 ¶2), with the reason."""
    edition = edition_in_force(on)
    entry = None
    if edition is not None:
        entry = ListEntry.objects.filter(edition=edition, item__code=item_code, kind=ListKind.NO_COERCION).first()
    if entry and _matches(entry.criteria, facts):
        return True, f"符合《{edition.name}》不予实施行政强制措施清单（{entry.conditions}），依据{entry.basis}，可以不实施行政强制措施。"
    return False, "该事项未列入不予实施行政强制措施清单，或者不符合清单条件。"
