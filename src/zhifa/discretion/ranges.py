"""The statutory fine range of a penalty provision (行政处罚法 Art. 4, 处罚法定).

A fine above the maximum the penalty provision allows is never lawful, whichever way the case reached it
(a catalogue item, or a case outside the catalogue citing the provision by hand); a fine below the minimum
is lawful only as 减轻处罚 (Art. 32). The range is the catalogue's (``ViolationItem.statutory_min/max``):
a case linked to an item takes the item's; any other case takes the range of the catalogue items whose
penalty provision it cites (several items citing the same provision: the widest range).

A provision the catalogue does not know, or a fine that is a multiple of illegal gains (no fixed
range), cannot be checked here, and is never let through unchecked (:func:`unchecked_reason`): the
cases app then requires legal review (法制审核, Art. 58) whose opinion records that the reviewer
checked the amount against the provision, and refuses such a fine on the spot (Art. 51: the
simplified procedure has no legal review).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from zhifa.core import provisions
from zhifa.core.errors import DomainError

from .models import ViolationItem


@dataclass(frozen=True)
class StatutoryRange:
    """The fine range of one penalty provision and the catalogue items it was read from."""

    minimum: Decimal | None
    maximum: Decimal | None
    basis: str
    codes: tuple[str, ...]


_DIGITS = "零一二三四五六七八九"


def _chinese(number: str) -> str:
    """Arabic numerals as the Chinese numerals of a citation (68 → 六十八, 10 → 十, 105 → 一百零五)."""
    if not number.isdigit():
        return number
    n = int(number)
    if n == 0 or n >= 1000:
        return number
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and units:
        text += "零"
    return text + (_DIGITS[units] if units else "")


def _numerals(part: str) -> str:
    return re.sub(r"[0-9]+", lambda m: _chinese(m.group(0)), part or "")


def _key(p: provisions.Provision) -> tuple[str, str, str, str]:
    # 《道路运输条例》 and 《中华人民共和国道路运输条例》 name the same law; 第68条 and 第六十八条 the
    # same article.
    law = p.law.removeprefix("中华人民共和国")
    return (law, _numerals(p.article), _numerals(p.paragraph), _numerals(p.item))


def _edition(p: provisions.Provision) -> str:
    return re.sub(r"[（）()\s]", "", p.edition)


def _cited(text: str) -> dict[tuple[str, str, str, str], str]:
    try:
        return {_key(p): _edition(p) for p in provisions.parse(text).provisions}
    except DomainError:
        return {}


def same_basis(checked: str, cited: str) -> bool:
    """Whether two penalty bases cite the same provisions (law, article, paragraph, item, and the
    edition where both state one; 第68条 and 第六十八条 alike); texts citing no provision the parser
    reads must be equal."""
    a, b = _cited(checked), _cited(cited)
    if a or b:  # an edition stated on both sides must agree (as in ``statutory_range``)
        return a.keys() == b.keys() and all(not a[k] or not b[k] or a[k] == b[k] for k in a)
    return " ".join(checked.split()) == " ".join(cited.split())


def statutory_range(*, item: ViolationItem | None = None, penalty_basis: str = "") -> StatutoryRange | None:
    """The range of ``item``, or of the catalogue items whose first penalty provision
    ``penalty_basis`` cites (an edition stated on both sides must agree: the taxi items' ranges differ
    between versions)."""
    if item is not None:
        if item.statutory_max is None:
            return None
        return StatutoryRange(item.statutory_min, item.statutory_max, item.penalty_basis, (item.code,))
    cited = _cited(penalty_basis)
    if not cited:
        return None
    matches = []
    # a cheap filter before parsing: the article's number (without 之一) appears in the item's text
    numbers = {key[1].split("之")[0] for key in cited}
    candidates = ViolationItem.objects.filter(active=True, statutory_max__isnull=False).only(
        "code", "penalty_basis", "statutory_min", "statutory_max")
    for candidate in candidates:
        if not any(f"第{n}条" in candidate.penalty_basis for n in numbers):
            continue
        try:
            first = provisions.parse(candidate.penalty_basis).provisions[:1]
        except DomainError:
            continue
        if not first or _key(first[0]) not in cited:
            continue
        stated, own = cited[_key(first[0])], _edition(first[0])
        if stated and own and stated != own:
            continue
        matches.append(candidate)
    if not matches:
        return None
    low = [m.statutory_min for m in matches if m.statutory_min is not None]
    minimum = min(low) if len(low) == len(matches) else None
    maximum = max(m.statutory_max for m in matches)
    return StatutoryRange(minimum, maximum, penalty_basis, tuple(sorted(m.code for m in matches)))


def assert_fine_within(amount: Decimal | None, *, item: ViolationItem | None = None, penalty_basis: str = "",
                       mitigated: bool = False, illegal_gains: bool = False) -> None:
    """Refuse a fine outside the statutory range of the cited penalty provision (Art. 4; below the minimum
    only when the fine is mitigated under Art. 32)."""
    if amount is None or illegal_gains:
        # Where the decision confiscates illegal gains, the provisions' gains branch (a multiple of the gains,
        # e.g. 道路运输条例 Art. 63) sets the fine; the catalogue's fixed range is the no-gains branch.
        return
    rng = statutory_range(item=item, penalty_basis=penalty_basis)
    if rng is None:
        return
    basis = rng.basis.strip() or "处罚依据"
    if rng.maximum is not None and amount > rng.maximum:
        raise DomainError("fine_above_statutory_max",
                          f"罚款{amount:,.2f}元超过{basis}规定的上限{rng.maximum:,.2f}元，"
                          "超出法定幅度的处罚没有法律依据（行政处罚法第四条、第三十八条）。")
    if rng.minimum is not None and amount < rng.minimum and not mitigated:
        raise DomainError("fine_below_statutory_min",
                          f"罚款{amount:,.2f}元低于{basis}规定的下限{rng.minimum:,.2f}元；"
                          "低于法定下限的，须符合减轻处罚的情形并在决定中写明（行政处罚法第三十二条）。")


def unchecked_reason(amount: Decimal | None, *, item: ViolationItem | None = None, penalty_basis: str = "",
                     illegal_gains: bool = False) -> str:
    """Why the range of a fine of ``amount`` cannot be checked here (Chinese, naming the provision), or
    "" when it can (or there is no fine): the cited provision has no range in the catalogue, or the fine
    is a multiple of illegal gains. Fail closed: the caller must have the amount checked by a person
    (法制审核) or refuse it."""
    if amount is None or (item is None and not _cited(penalty_basis)):
        # no fine, or no provision cited yet (the notice and the decision refuse a missing one themselves)
        return ""
    basis = (penalty_basis or (item.penalty_basis if item is not None else "")).strip() or "所引处罚依据"
    if illegal_gains:
        return f"没收违法所得并处罚款的，罚款按违法所得的倍数计算，系统无法核对{basis}规定的幅度"
    if statutory_range(item=item, penalty_basis=penalty_basis) is None:
        return f"处罚依据{basis}的罚款幅度不在违法行为事项目录中，系统无法核对"
    return ""
