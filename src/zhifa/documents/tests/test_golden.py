"""Golden texts (issue 14): every form of ``KINDS`` rendered for a realistic overload scenario, for a citizen and
for an organisation, compared word for word with the expected text in ``golden/<kind>-<who>.txt`` (reviewed
against 《交通运输行政执法文书式样》). The text is what the party reads (``composer.html_text``): Beijing time, 你 or
你单位, the legal basis from structured provisions, the enforcement body as issuer; and the lint finds nothing."""

from pathlib import Path

import pytest

from zhifa.documents.composer import html_text, lint
from zhifa.documents.kinds import KINDS
from zhifa.documents.render import render_html

from .factories import golden_context

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["person", "organisation"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_golden_text(world, kind, who):
    ctx = golden_context(kind, who)
    year = str(ctx.get("issued_on") or "2026")[:4]  # a paper is numbered in the year it is issued
    number = f"豫R召交{KINDS[kind].series}〔{year}〕0001号" if KINDS[kind].series else ""
    text = html_text(render_html(kind=KINDS[kind], organisation=world.brigade_a, number=number, context=ctx))
    assert lint(text) == []
    assert text == (GOLDEN / f"{kind}-{who}.txt").read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize("plate", ["豫R·DEXAE", "豫RDE7XA", "京A·D12345", "豫R12345挂"])
def test_lint_reads_a_plate_as_a_plate_not_as_english(plate):
    assert lint(f"当事人驾驶{plate}号重型货车超限运输。") == []


def test_lint_still_refuses_english_beside_a_plate():
    assert any(p.startswith("英文") for p in lint("当事人驾驶豫R·DEXAE号车辆，status pending。"))


def test_lint_takes_xxx_inside_a_credit_code_for_the_code_not_a_placeholder():
    """Regression: a party whose 统一社会信用代码 contains XXX (its alphabet has X) was refused every paper as
    "未填写的占位" (seen for 9141132102CXXXTGUY, a listing decision of the credit tests)."""
    assert lint("当事人：测试物流有限公司，统一社会信用代码：9141132102CXXXTGUY。") == []
    assert any(p.startswith("未填写的占位") for p in lint("当事人：XXX，住所：某地。"))
