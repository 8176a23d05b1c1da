from datetime import date

import pytest

from zhifa.documents.render import rights_deadlines
from zhifa.documents.templatetags.docforms import cn_date, yuan_upper


@pytest.mark.parametrize("amount,text", [
    ("3000", "叁仟元整"), ("200.00", "贰佰元整"), ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ("10050", "壹万零伍拾元整"), ("100000", "壹拾万元整"), ("0.05", "伍分"), ("20300", "贰万零叁佰元整"), ("10000005", "壹仟万零伍元整"), ("30000", "叁万元整"),
    ("1001.50", "壹仟零壹元伍角整"),
])
def test_capital_amounts(amount, text):
    assert yuan_upper(amount) == text


def test_cn_date():
    assert cn_date("2026-10-01") == "2026年10月1日"
    assert cn_date(date(2026, 1, 5)) == "2026年1月5日"


@pytest.mark.django_db
def test_remedy_deadlines_reconsideration_60_days_litigation_6_months():
    """行政复议法 Art. 20 (60 days), 行政诉讼法 Art. 46 (6 months); a period ending on a rest day moves on."""
    r = rights_deadlines(date(2026, 8, 31))
    assert r["reconsideration"].date == date(2026, 10, 30)
    # 6 months after 31 August is 28 February 2027 (a Sunday) → next working day 1 March 2027
    assert r["litigation"].date >= date(2027, 2, 28)
    assert rights_deadlines(None) == {}


def test_context_shapes_are_normalised():
    from types import SimpleNamespace

    from zhifa.documents.composer import compose
    from zhifa.documents.kinds import KINDS

    data = compose(kind=KINDS["penalty_decision"], organisation=SimpleNamespace(name="机构"), number="", context={
        "officers": "王建国（41130001）、李明（41130002）", "evidence": "照片：车辆；询问笔录（周伟）",
        "party_kind": "法人或其他组织", "party_identifier": "91411321MA45ABCD1X", "legal_representative": "周伟",
        "statement": "首次超限。", "statement_adopted": "不予采纳。", "violation": "超限运输",
        "violated_provision": "《公路安全保护条例》第三十三条", "legal_basis": "《公路安全保护条例》第六十四条"})
    assert data["officers"] == ["王建国（41130001）", "李明（41130002）"]
    assert data["evidence"] == ["照片：车辆", "询问笔录（周伟）"]
    assert data["party_kind"] == "organisation" and data["party_credit_code"] == "91411321MA45ABCD1X"
    assert data["party_legal_rep"] == "周伟" and data["cause"] == "超限运输" and data["you"] == "你单位"
    assert "首次超限" in data["defence"] and "不予采纳" in data["defence"]
    assert data["basis"] == "违反了《公路安全保护条例》第三十三条的规定，依据《公路安全保护条例》第六十四条的规定"


@pytest.mark.parametrize("kind", ["penalty_decision", "delivery_receipt", "register", "reminder"])
def test_forms_render_with_only_the_required_fields(kind):
    """Regression: a template used an optional field as a filter argument and failed when it was absent."""
    from types import SimpleNamespace

    from zhifa.documents.kinds import KINDS
    from zhifa.documents.render import render_html

    spec = KINDS[kind]
    ctx = {name: ["x"] if name in ("evidence", "questions", "statements", "schedule") else "2026-11-20" if name.endswith("_on") else "x"
           for name in spec.required}
    ctx.update({k: "《公路安全保护条例》第六十四条" for k in ("violated_provision", "penalty_provision") if k in ctx})
    html = render_html(kind=spec, organisation=SimpleNamespace(name="机构", phone="", address=""), number="", context=ctx)
    assert spec.title in html
