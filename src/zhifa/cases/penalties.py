"""Penalty lines (行政处罚法 Art. 9): what each kind needs, how a line reads on paper, which lines are paid,
the 双公示 处罚类别 of each kind, and the Art. 45 comparison of a decision with its notice.

A notice and a decision each carry one or more lines (``PenaltyLine``), e.g. 没收违法所得 150 元 + 罚款
10,000 元 (道路运输条例 Art. 63) or 吊销 道路运输证 (公路安全保护条例 Art. 66). The case's ``penalty_kind`` /
``fine_amount`` / ``payable_amount`` are derived from the lines for the readers that predate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from zhifa.core.errors import DomainError
from zhifa.discretion.models import PenaltyKind

CENT = Decimal("0.01")


@dataclass(frozen=True)
class KindSpec:
    """What a line of this kind must state. ``money``: an amount the party pays (罚缴分离, Art. 67);
    ``amount``: the line carries an amount (required for money kinds, optional value for 没收非法财物);
    ``subject``: what the penalty bears on (licence and number, items, activity) is required; ``term``: a
    period is required (暂扣许可证件 is temporary by nature)."""

    money: bool = False
    amount: bool = False
    subject: bool = False
    term: bool = False
    subject_label: str = ""


K = PenaltyKind
SPECS: dict[str, KindSpec] = {
    K.WARNING: KindSpec(),
    K.PUBLIC_CRITICISM: KindSpec(subject_label="通报范围"),
    K.FINE: KindSpec(money=True, amount=True),
    K.CONFISCATE_INCOME: KindSpec(money=True, amount=True),
    K.CONFISCATE_PROPERTY: KindSpec(amount=False, subject=True, subject_label="非法财物的名称、数量"),
    K.LICENCE_SUSPENSION: KindSpec(subject=True, term=True, subject_label="许可证件名称及编号"),
    K.QUALIFICATION_DOWNGRADE: KindSpec(subject=True, subject_label="资质名称及降低后的等级"),
    K.LICENCE_REVOCATION: KindSpec(subject=True, subject_label="许可证件名称及编号"),
    K.RESTRICT_OPERATION: KindSpec(subject=True, term=True, subject_label="限制的生产经营活动"),
    K.ORDER_STOP: KindSpec(subject_label="停产停业的范围（如停业整顿）"),
    K.ORDER_CLOSURE: KindSpec(),
    K.RESTRICT_PRACTICE: KindSpec(subject=True, subject_label="限制从事的职业或活动"),
}
MONEY_KINDS = frozenset(k for k, spec in SPECS.items() if spec.money)
# Art. 51: the simplified procedure knows only a warning and a (small) fine.
SIMPLIFIED_KINDS = frozenset({K.WARNING, K.FINE})


class PenaltyCategory(str):
    """The 双公示 处罚类别 of a kind: the name as the export writes it (the string itself) and its ``code``."""

    code: str

    def __new__(cls, code: str, label: str):
        obj = super().__new__(cls, label)
        obj.code = code
        return obj

    @property
    def label(self) -> str:
        return str(self)


# 双公示 (国办发〔2018〕118号 and the credit-information penalty data standard): 处罚类别 names follow 行政处罚法
# Art. 9 verbatim. The two-digit codes number the kinds in the order of Art. 9 [unconfirmed: a province's
# credit platform may use its own code list — map them in the export if it does]; 99 is 其他.
_CATEGORIES = {
    K.WARNING: "01", K.PUBLIC_CRITICISM: "02", K.FINE: "03", K.CONFISCATE_INCOME: "04", K.CONFISCATE_PROPERTY: "05",
    K.LICENCE_SUSPENSION: "06", K.QUALIFICATION_DOWNGRADE: "07", K.LICENCE_REVOCATION: "08",
    K.RESTRICT_OPERATION: "09", K.ORDER_STOP: "10", K.ORDER_CLOSURE: "11", K.RESTRICT_PRACTICE: "12",
}


def penalty_category(kind: str) -> PenaltyCategory:
    """The 双公示 处罚类别 of a penalty kind: its name (``str(...)``, e.g. 没收违法所得) with ``.code`` (e.g. "04");
    an unknown kind is 其他 (99)."""
    if kind in _CATEGORIES:
        return PenaltyCategory(_CATEGORIES[kind], PenaltyKind(kind).label)
    return PenaltyCategory("99", "其他")


@dataclass(frozen=True)
class Line:
    """A validated penalty line before it is stored."""

    kind: str
    amount: Decimal | None = None
    subject: str = ""
    term: str = ""

    @property
    def label(self) -> str:
        return PenaltyKind(self.kind).label

    @property
    def money(self) -> bool:
        return SPECS[self.kind].money

    def as_dict(self) -> dict:
        return {"kind": self.kind, "amount": str(self.amount) if self.amount is not None else None,
                "subject": self.subject, "term": self.term}


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise DomainError("invalid_amount", f"金额“{value}”格式不正确。") from None
    if not amount.is_finite() or amount <= 0:
        raise DomainError("invalid_amount", "金额须大于零。")
    return amount.quantize(CENT)


def parse_lines(lines: list, *, allowed: frozenset | None = None) -> list[Line]:
    """Validate penalty lines given as dicts (kind, amount, subject, term) or ``Line``s. Each kind once; money
    kinds need an amount; licence and confiscation lines name what they bear on (a decision that revokes
    "the licence" without naming it cannot be executed). Raises ``DomainError`` with a Chinese message."""
    if not lines:
        raise DomainError("invalid_penalty", "请至少填写一项处罚（行政处罚法第九条）。")
    result: list[Line] = []
    for raw in lines:
        data = raw.as_dict() if isinstance(raw, Line) else dict(raw)
        kind = str(data.get("kind") or "").strip()
        if kind not in SPECS:
            raise DomainError("invalid_penalty", f"处罚种类“{kind}”不是行政处罚法第九条规定的种类。")
        label = PenaltyKind(kind).label
        if allowed is not None and kind not in allowed:
            raise DomainError("invalid_penalty", f"简易程序只能给予警告或者罚款，不能{label}（行政处罚法第五十一条）。")
        if any(x.kind == kind for x in result):
            raise DomainError("invalid_penalty", f"“{label}”填写了两次，请合并为一项。")
        spec = SPECS[kind]
        amount = _money(data.get("amount")) if (spec.amount or kind == K.CONFISCATE_PROPERTY) else None
        if spec.amount and amount is None:
            raise DomainError("invalid_amount", f"{label}须写明金额，且金额须大于零。")
        subject = str(data.get("subject") or "").strip()[:300]
        term = str(data.get("term") or "").strip()[:60]
        if spec.subject and not subject:
            raise DomainError("penalty_subject_required", f"{label}须写明{spec.subject_label}。")
        if spec.term and not term:
            raise DomainError("penalty_term_required", f"{label}须写明期限。")
        result.append(Line(kind=kind, amount=amount, subject=subject, term=term))
    # The order on paper follows Art. 9.
    order = list(SPECS)
    return sorted(result, key=lambda x: order.index(x.kind))


def lines_from(penalty_kind: str, amount) -> list[dict]:
    """The single line of a caller that names one kind and an amount (the interface before lines)."""
    return [{"kind": penalty_kind, "amount": amount}]


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def line_text(line) -> str:
    """How a line reads in a notice or a decision, e.g. 没收违法所得人民币150.00元; 吊销道路运输证（No. …）."""
    kind, amount, subject, term = line.kind, line.amount, line.subject, line.term
    label = PenaltyKind(kind).label
    if kind in MONEY_KINDS:
        return f"{label}人民币{_yuan(amount)}元"
    if kind == K.CONFISCATE_PROPERTY:
        return f"没收非法财物：{subject}" + (f"（价值人民币{_yuan(amount)}元）" if amount else "")
    if kind in (K.LICENCE_SUSPENSION, K.LICENCE_REVOCATION):
        verb = label[:2]  # 暂扣 / 吊销
        return f"{verb}{subject}" + (f"，期限{term}" if term else "")
    if kind == K.QUALIFICATION_DOWNGRADE:
        return f"降低资质等级：{subject}"
    text = label + (f"（{subject}）" if subject else "")
    return text + (f"，期限{term}" if term else "")


def lines_text(lines) -> str:
    """All lines as one sentence part: “1. 没收违法所得人民币150.00元；2. 罚款人民币10,000.00元”; one line alone
    is written without a number."""
    lines = list(lines)
    if len(lines) == 1:
        return line_text(lines[0])
    return "；".join(f"{i}. {line_text(x)}" for i, x in enumerate(lines, 1))


def summary(lines) -> dict:
    """The case fields derived from the lines: ``penalty_kind`` (罚款 when there is one, else the first line),
    ``fine_amount`` (the fine), ``payable_amount`` (罚款 + 没收违法所得: what the payment notice collects)."""
    lines = list(lines)
    fine = next((x.amount for x in lines if x.kind == K.FINE), None)
    payable = sum((x.amount for x in lines if x.kind in MONEY_KINDS), Decimal(0))
    primary = K.FINE if fine is not None else (lines[0].kind if lines else "")
    return {"penalty_kind": primary, "fine_amount": fine, "payable_amount": payable.quantize(CENT) if payable else None}


def kind_amounts(lines) -> dict:
    return {x.kind: x.amount for x in lines if x.amount is not None}


def assert_not_heavier(decided: list[Line], notified: list[Line]) -> None:
    """行政处罚法 Art. 45 ¶2 (no heavier penalty for defending oneself): every decided kind was notified (a warning
    may always replace a heavier notice) and no amount exceeds the notified amount of its kind; a heavier
    decision needs a new notice."""
    if not notified:
        return
    told = {x.kind: x for x in notified}
    for line in decided:
        before = told.get(line.kind)
        if before is None:
            if line.kind == K.WARNING:
                continue
            notified_text = "、".join(x.label for x in notified)
            raise DomainError("penalty_increased", f"告知的拟处罚为{notified_text}，不得改为或增加“{line.label}”；"
                              "如需加重须重新告知（行政处罚法第四十五条）。")
        if line.amount is not None and before.amount is not None and line.amount > before.amount:
            raise DomainError("penalty_increased", f"决定{line.label}{line.amount}元高于告知的{before.amount}元，"
                              "不得因当事人陈述申辩而加重处罚（行政处罚法第四十五条）。")


def assert_provided_by_item(lines: list[Line], item) -> None:
    """行政处罚法 Art. 4 (处罚法定): a catalogue item names the kinds its penalty provision provides; a kind
    outside them is refused (a warning is refused too when the provision does not provide it)."""
    if item is None or not item.penalty_kinds:
        return
    foreign = [x for x in lines if x.kind not in item.penalty_kinds]
    if foreign:
        provided = "、".join(PenaltyKind(k).label for k in item.penalty_kinds if k in SPECS)
        raise DomainError("penalty_not_provided", f"“{item.name}”的处罚依据（{item.penalty_basis}）规定的处罚种类为{provided}，"
                          f"不能{'、'.join(x.label for x in foreign)}（行政处罚法第四条）。")


def store_lines(case, stage: str, lines: list[Line]) -> None:
    """Write the lines of one stage (called inside the notice/decision transaction; a new notice replaces the
    notified lines, a decision's lines are written once)."""
    from .models import PenaltyLine

    PenaltyLine.objects.filter(case=case, stage=stage).delete()
    PenaltyLine.objects.bulk_create([PenaltyLine(case=case, stage=stage, seq=i, kind=x.kind, amount=x.amount, subject=x.subject,
                                                 term=x.term) for i, x in enumerate(lines, 1)])


def stored(case, stage: str) -> list[Line]:
    # .all() so that a prefetch (lists, the 双公示 export) is used.
    rows = sorted((x for x in case.penalty_lines.all() if x.stage == stage), key=lambda x: x.seq)
    return [Line(kind=x.kind, amount=x.amount, subject=x.subject, term=x.term) for x in rows]


def case_lines(case, stage: str = "decided") -> list[Line]:
    """The lines of a case; a case decided before lines existed reads as its one kind and amount."""
    lines = stored(case, stage)
    if lines:
        return lines
    kind = case.penalty_kind if stage == "decided" else case.notified_penalty_kind
    amount = case.fine_amount if stage == "decided" else case.notified_amount
    if not kind:
        return []
    return [Line(kind=kind, amount=amount if kind in MONEY_KINDS else None)]


def case_penalty_categories(case) -> list[PenaltyCategory]:
    """The 双公示 处罚类别 of every decided line of a case, in the order of Art. 9."""
    return [penalty_category(x.kind) for x in case_lines(case)]


def case_penalty_content(case) -> str:
    """The 处罚内容 of a decided case as the decision states it (for the 双公示 export and the portal)."""
    return lines_text(case_lines(case))


def assert_deviation_explained(proposal: dict, amount: Decimal | None, reason: str) -> None:
    """A fine that differs from the benchmark's suggested amount (行政处罚法 Art. 34: the published 裁量基准 binds
    the authority) needs the officer's written reason; the decision's reasoning states it."""
    suggested = (proposal or {}).get("amount")
    if suggested in (None, "") or amount is None or Decimal(str(suggested)) == Decimal(amount) or reason.strip():
        return
    raise DomainError("deviation_reason_required", f"裁量基准建议罚款{Decimal(str(suggested)):,.2f}元，决定罚款{Decimal(amount):,.2f}元，"
                      "与建议不同的须书面说明理由（理由将写入决定书）。")


def deviation_sentence(case) -> str:
    """The sentence of the decision's reasoning that states a departure from the benchmark and its reason."""
    data = case.assessment or {}
    suggested, reason = data.get("amount"), (case.deviation_reason or "").strip()
    if not reason or suggested in (None, "") or case.fine_amount is None or Decimal(str(suggested)) == case.fine_amount:
        return ""
    low, high = data.get("minimum"), data.get("maximum")
    scale = (f"（裁量幅度{Decimal(str(low)):,.2f}元至{Decimal(str(high)):,.2f}元）" if low not in (None, "") and high not in (None, "") else "")
    return (f"依据裁量基准，本案建议罚款{Decimal(str(suggested)):,.2f}元{scale}，本机关决定罚款{case.fine_amount:,.2f}元，"
            f"理由是：{reason.rstrip('。')}。")
