"""The overload formula of 《超限运输车辆行驶公路管理规定》(MOT Order 2016 No. 62): the Art. 3 gross-mass
limits and the Art. 43 fines. The figures are data (``OverloadRuleVersion``, shipped in
``data/overload_rules.yaml``); this module applies the version in force on a date and names its source on
every result. The rounding of a partial 1000 kg is the benchmark edition's setting [unconfirmed]."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from zhifa.core.errors import DomainError

from .models import BenchmarkEdition, OverloadRuleVersion, Rounding

ROUNDING_LABELS = dict(Rounding.choices)


@dataclass
class LimitResult:
    """The gross-mass limit of a vehicle and the rule that gave it."""

    limit_kg: int
    rule: str
    citation: str
    version: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class FineResult:
    """An Art. 43 fine: ``amount`` None with ``warning`` True for a warning only; ``rounding`` always shown."""

    excess_kg: int
    warning: bool
    amount: Decimal | None
    steps: Decimal
    rounding: str
    rounding_label: str
    rule: str
    citation: str
    version: str
    capped: bool = False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["amount"] = str(self.amount) if self.amount is not None else None
        data["steps"] = str(self.steps)
        return data


@dataclass
class DimensionFine:
    """The Art. 43 dimension band of a vehicle: allowed fine range and the recommended amount."""

    over: bool
    band: int
    minimum: Decimal
    maximum: Decimal
    recommended: Decimal
    rule: str
    citation: str
    exceeded: list[str] = field(default_factory=list)


def rule_version(on: date | None = None) -> OverloadRuleVersion:
    on = on or timezone.localdate()
    version = OverloadRuleVersion.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if version is None:
        raise DomainError("no_overload_rules", f"{on:%Y年%m月%d日}没有施行中的超限认定规则版本，请先导入规则数据。")
    return version


def limit_table(on: date | None = None) -> list[dict]:
    """The Art. 3 table as rows (axles, combination, limit_kg, single_drive_axle_limit_kg) for screening."""
    version = rule_version(on)
    return [
        {
            "axles": int(row["axles"]),
            "combination": bool(row["combination"]),
            "limit_kg": int(row["limit_kg"]),
            "single_drive_axle_limit_kg": int(row.get("single_drive_axle_limit_kg") or row["limit_kg"]),
            "label": row.get("label", ""),
        }
        for row in version.limits
    ]


def vehicle_limit_kg(*, axles: int, combination: bool, single_drive_axle: bool = False, single_tyre_axles: int = 0,
                     on: date | None = None) -> LimitResult:
    """Gross-mass limit of a goods vehicle (MOT Order 2016 No. 62 Art. 3). Six or more axles use the 6-axle row;
    a tractor with a single drive axle uses the lower figure (46,000 kg); each non-drive axle with single tyres
    per side reduces the limit by 3,000 kg (Art. 3 ¶2)."""
    if axles < 2:
        raise DomainError("invalid_axles", "轴数至少为2。")
    if single_tyre_axles < 0 or single_tyre_axles >= axles:
        raise DomainError("invalid_single_tyre_axles", "单轮胎轴数应小于总轴数且不为负数。")
    version = rule_version(on)
    rows = limit_table(on)
    wanted = min(axles, max(r["axles"] for r in rows))
    # A 2-axle vehicle is a truck; for 5+ axles only combinations are listed — fall back to the other kind.
    candidates = [r for r in rows if r["axles"] == wanted and r["combination"] == combination] or \
                 [r for r in rows if r["axles"] == wanted]
    if not candidates:
        raise DomainError("no_limit_row", f"限值表中没有{axles}轴车辆的限值。")
    row = candidates[0]
    limit = row["limit_kg"]
    parts = [row["label"] or f"{row['axles']}轴{'汽车列车' if row['combination'] else '货车'}", f"限值{limit:,}千克"]
    if single_drive_axle and row["single_drive_axle_limit_kg"] != row["limit_kg"]:
        limit = row["single_drive_axle_limit_kg"]
        parts.append(f"牵引车驱动轴为单轴，限值{limit:,}千克")
    if single_tyre_axles:
        reduction = single_tyre_axles * version.single_tyre_reduction_kg
        limit -= reduction
        parts.append(f"{single_tyre_axles}个轴每侧为单轮胎，减{reduction:,}千克")
    return LimitResult(limit_kg=limit, rule="；".join(parts) + f"；认定限值{limit:,}千克",
                       citation=version.citation_limits, version=version.code)


def edition_rounding(on: date | None = None) -> str:
    """The rounding mode of the benchmark edition in force on ``on`` (default floor)."""
    on = on or timezone.localdate()
    edition = BenchmarkEdition.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
    return edition.overload_rounding if edition else Rounding.FLOOR


def overload_fine(*, excess_kg: int, on: date | None = None, rounding: str | None = None) -> FineResult:
    """Art. 43 of MOT Order 2016 No. 62: over by ≤1000 kg → warning; over by more → 500 yuan for each 1000 kg,
    at most 30,000 yuan. A partial 1000 kg is counted by ``rounding`` (floor / ceil / proportional), taken from
    the benchmark edition in force unless given."""
    version = rule_version(on)
    rounding = rounding or edition_rounding(on)
    if rounding not in ROUNDING_LABELS:
        raise DomainError("invalid_rounding", f"未知的计算方式：{rounding}")
    excess_kg = int(excess_kg)
    base = dict(excess_kg=excess_kg, rounding=rounding, rounding_label=ROUNDING_LABELS[rounding],
                citation=version.citation_penalty, version=version.code)
    if excess_kg <= 0:
        return FineResult(warning=False, amount=None, steps=Decimal(0), rule="未超过限值，不构成超限", **base)
    if excess_kg <= version.warning_kg:
        return FineResult(warning=True, amount=None, steps=Decimal(0),
                          rule=f"超限{excess_kg:,}千克，未超过{version.warning_kg:,}千克，予以警告", **base)
    exact = Decimal(excess_kg) / Decimal(version.step_kg)
    if rounding == Rounding.FLOOR:
        steps = Decimal(excess_kg // version.step_kg)
    elif rounding == Rounding.CEIL:
        steps = Decimal(-(-excess_kg // version.step_kg))
    else:
        steps = exact
    amount = (steps * version.step_yuan).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    capped = amount > version.cap_yuan
    amount = min(amount, version.cap_yuan)
    rule = (f"超限{excess_kg:,}千克，每超{version.step_kg:,}千克罚款{version.step_yuan:.0f}元"
            f"（{ROUNDING_LABELS[rounding]}，计{steps.normalize():f}个单位）")
    rule += f"，超过上限按{version.cap_yuan:,.0f}元计" if capped else f"，计{amount:,.2f}元"
    return FineResult(warning=False, amount=amount, steps=steps, rule=rule, capped=capped, **base)


def dimension_fine(*, height_m=None, width_m=None, length_m=None, on: date | None = None) -> DimensionFine:
    """Art. 43 ¶1 dimension bands: the first band whose every bound the vehicle stays within (e.g. height ≤ 4.2,
    width ≤ 3, length ≤ 20 → up to 200 yuan); Art. 3 limits decide whether it is over-limit at all."""
    version = rule_version(on)
    dims = {"height": height_m, "width": width_m, "length": length_m}
    limits = {"height": version.max_height_m, "width": version.max_width_m, "length": version.max_length_m}
    names = {"height": "高度", "width": "宽度", "length": "长度"}
    exceeded = [f"{names[k]}{Decimal(str(v))}米超过{limits[k]}米" for k, v in dims.items()
                if v is not None and Decimal(str(v)) > limits[k]]
    if not exceeded:
        return DimensionFine(False, 0, Decimal(0), Decimal(0), Decimal(0), "外廓尺寸未超过限值", version.citation_limits)
    keys = {"height": "height_m", "width": "width_m", "length": "length_m"}
    number, band = len(version.dimension_bands), version.dimension_bands[-1]
    for index, candidate in enumerate(version.dimension_bands, start=1):
        if all(v is None or candidate.get(keys[k]) is None or Decimal(str(v)) <= Decimal(str(candidate[keys[k]]))
               for k, v in dims.items()):
            number, band = index, candidate
            break
    rule = f"{'、'.join(exceeded)}，属第{number}档（{band['label']}），罚款{band['min']}至{band['max']}元"
    return DimensionFine(True, number, Decimal(str(band["min"])), Decimal(str(band["max"])),
                         Decimal(str(band["recommended"])), rule, version.citation_penalty, exceeded)


def cumulate(amounts: list[Decimal | None], on: date | None = None) -> tuple[Decimal, bool]:
    """Art. 43 last paragraph: fines for several overload violations add up, at most 30,000 yuan in total."""
    version = rule_version(on)
    total = sum((a for a in amounts if a is not None), Decimal(0))
    return min(total, version.cap_yuan), total > version.cap_yuan
