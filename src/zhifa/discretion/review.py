"""The legal-review catalogue (重大执法决定法制审核目录, 行政处罚法 Art. 58) and the hearing right (Art. 63),
read from ``ReviewRule`` rows. For each criterion (kind, party kind, penalty kind, item) the latest rule in
force on the date applies, so a province's edition loaded with a later effective date supersedes the default."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from .models import PENALTY_KIND_LABELS, ReviewRule


def rules_in_force(catalogue: str, on: date) -> list[ReviewRule]:
    qs = ReviewRule.objects.filter(catalogue=catalogue, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)).order_by("-effective_from", "-id")
    chosen: dict[tuple, ReviewRule] = {}
    for rule in qs:
        chosen.setdefault((rule.kind, rule.party_kind, rule.penalty_kind, rule.item_code), rule)
    return list(chosen.values())


def _fine_hit(rule: ReviewRule, party_kind: str, amount: Decimal | None) -> bool:
    return (amount is not None and rule.threshold is not None and (not rule.party_kind or rule.party_kind == party_kind)
            and Decimal(amount) >= rule.threshold)


def _kind_hit(rule: ReviewRule, party_kind: str, penalty_kinds: list[str], kind_amounts: dict | None) -> bool:
    """A penalty-kind rule matches a proposed kind; with a threshold only when that kind's amount reaches it
    (e.g. Art. 63 (二): 没收较大数额违法所得 — the province sets what is 较大)."""
    if rule.penalty_kind not in penalty_kinds or (rule.party_kind and rule.party_kind != party_kind):
        return False
    if rule.threshold is None:
        return True
    value = (kind_amounts or {}).get(rule.penalty_kind)
    return value is not None and Decimal(value) >= rule.threshold


def _describe(rule: ReviewRule) -> str:
    note = "" if rule.confirmed else "（本地设定数值）"
    return f"{rule.label}（{rule.basis}）{note}"


def review_requirement(*, item_code: str, party_kind: str, amount: Decimal | None, penalty_kinds: list[str],
                       hearing_held: bool = False, several_legal_relations: bool = False,
                       on: date, kind_amounts: dict | None = None) -> tuple[bool, list[str]]:
    """Whether the decision needs legal review (法制审核) before it is made, and why (each reason cites its
    source). 行政处罚法 Art. 58."""
    reasons = []
    for rule in rules_in_force(ReviewRule.Catalogue.LEGAL_REVIEW, on):
        hit = {
            ReviewRule.Kind.FINE_AT_LEAST: lambda r: _fine_hit(r, party_kind, amount),
            ReviewRule.Kind.PENALTY_KIND: lambda r: _kind_hit(r, party_kind, penalty_kinds, kind_amounts),
            ReviewRule.Kind.HEARING_HELD: lambda r: hearing_held,
            ReviewRule.Kind.SEVERAL_RELATIONS: lambda r: several_legal_relations,
            ReviewRule.Kind.ITEM: lambda r: r.item_code == item_code,
        }[rule.kind](rule)
        if hit:
            reasons.append(_describe(rule))
    return bool(reasons), reasons


def hearing_right(*, party_kind: str, amount: Decimal | None, penalty_kinds: list[str], on: date,
                  kind_amounts: dict | None = None) -> tuple[bool, str]:
    """Whether the party must be told of a hearing right (行政处罚法 Art. 63), with the reason; the large-fine
    threshold is the provincial setting in force on ``on``."""
    reasons = []
    for rule in rules_in_force(ReviewRule.Catalogue.HEARING, on):
        if rule.kind == ReviewRule.Kind.FINE_AT_LEAST and _fine_hit(rule, party_kind, amount):
            reasons.append(_describe(rule))
        elif rule.kind == ReviewRule.Kind.PENALTY_KIND and _kind_hit(rule, party_kind, penalty_kinds, kind_amounts):
            reasons.append(_describe(rule))
    if reasons:
        return True, "当事人有权要求听证：" + "；".join(reasons)
    kinds = "、".join(PENALTY_KIND_LABELS.get(k, k) for k in penalty_kinds) or "无"
    return False, f"拟处罚（{kinds}{'，' + format(Decimal(amount), ',.2f') + '元' if amount is not None else ''}）不属于听证范围（行政处罚法第六十三条）"
