"""The engine: statutory circumstances (行政处罚法 Arts. 30, 32, 33, 36), levels, the four lists, 从重, and
从旧兼从轻 across two benchmark editions (Art. 37)."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.core.errors import DomainError
from zhifa.discretion import services
from zhifa.discretion.engine import Assessment, assess

from .helpers import edition_doc, set_level, yaml_bytes

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 1)
LAW = "《中华人民共和国行政处罚法》"


def run(code="YS-004", **facts):
    return assess(item_code=code, facts=facts, violation_date=ON, today=ON)


def test_general_level_with_reasoning_and_citations():
    result = run(harm="minor")
    assert result.outcome == "general" and result.level == "general"
    assert (result.minimum, result.amount, result.maximum) == (Decimal("800.00"), Decimal("1100.00"), Decimal("1400.00"))
    assert "第六十四条" in result.reasoning and "一般" in result.reasoning
    assert any("第六十四条" in c for c in result.citations)
    assert result.benchmark_version == "CN-DEFAULT-2022"


def test_level_follows_the_harm():
    assert run(harm="none").level == "minor"
    assert run(harm="serious").level == "serious"
    assert run(harm="serious").amount == Decimal("2000.00")


def test_level_can_be_chosen_explicitly_and_must_exist():
    assert run(level="serious").level == "serious"
    with pytest.raises(DomainError):
        run(level="severe")


def test_unknown_item_refused():
    with pytest.raises(DomainError) as exc:
        run("NO-SUCH")
    assert exc.value.code == "unknown_item"


def test_art30_under_14_no_penalty_guardian_told():
    result = run(age=13, harm="serious")
    assert result.outcome == "no_penalty" and result.amount is None
    assert "监护人" in result.reasoning and f"{LAW}第三十条" in result.citations
    assert result.education_required


def test_art30_age_14_to_18_must_be_lenient():
    result = run(age=16, harm="minor")
    assert result.outcome == "lenient"
    assert result.amount == Decimal("800.00") and result.maximum == Decimal("980.00")
    assert f"{LAW}第三十条" in result.citations


def test_art30_adult_and_organisation_not_affected():
    assert run(age=18, harm="minor").outcome == "general"
    assert run(age=16, party_kind="organisation", harm="minor").outcome == "general"


@pytest.mark.parametrize(("fact", "article"), [
    ("reduced_harm", "第三十二条第（一）项"), ("coerced", "第三十二条第（二）项"), ("confessed", "第三十二条第（三）项"),
    ("meritorious", "第三十二条第（四）项"), ("other_statutory", "第三十二条第（五）项"),
])
def test_art32_each_circumstance_must_be_lenient(fact, article):
    result = run(harm="minor", **{fact: True})
    assert result.outcome == "lenient"
    assert f"{LAW}{article}" in result.citations and article in result.reasoning
    assert result.amount < Decimal("1100.00")


def test_art32_mitigated_goes_below_the_statutory_minimum():
    result = run(harm="minor", confessed=True, mitigate=True)
    assert result.outcome == "mitigated"
    assert result.amount == Decimal("100.00") and result.amount < Decimal("200")
    assert "法定最低罚款" in result.reasoning


def test_art32_statutory_lenient_prevails_over_repeat():
    result = run(harm="minor", coerced=True, repeat_within_year=True)
    assert result.outcome == "lenient"
    assert "不予从重" in "".join(result.steps)


def test_repeat_within_year_is_heavy():
    result = run(harm="minor", repeat_within_year=True)
    assert result.outcome == "heavy" and result.amount == result.maximum == Decimal("1400.00")


def test_art33_para1_minor_promptly_corrected_no_harm_no_penalty():
    result = run(minor=True, corrected_promptly=True, harm="none")
    assert result.outcome == "no_penalty" and result.list_applied == "minor_no_penalty"
    assert f"{LAW}第三十三条第一款" in result.citations and f"{LAW}第三十三条第三款" in result.citations
    assert not result.commitment_required and result.education_required


def test_art33_para1_minor_needs_correction_and_no_harm():
    assert run(minor=True, corrected_promptly=False, harm="none").outcome != "no_penalty"
    assert run(minor=True, corrected_promptly=True, harm="minor").outcome != "no_penalty"


def test_art33_para1_minor_list_entry_applies_without_the_minor_fact():
    result = run("LZ-006", corrected_promptly=True, harm="none")
    assert result.outcome == "no_penalty" and "轻微违法行为不予处罚清单" in result.reasoning


def test_art33_para1_first_violation_list_gives_no_penalty_with_commitment():
    result = run("YS-011", first_violation=True, harm="minor", corrected_promptly=True)
    assert result.outcome == "no_penalty" and result.list_applied == "first_violation"
    assert result.commitment_required and "告知承诺书" in result.reasoning


def test_art33_para1_first_violation_requires_the_list_and_correction():
    not_listed = run("YS-004", first_violation=True, harm="minor", corrected_promptly=True)
    assert not_listed.outcome == "general" and "未列入" in "".join(not_listed.steps)
    uncorrected = run("YS-011", first_violation=True, harm="minor", corrected_promptly=False)
    assert uncorrected.outcome == "general"
    serious = run("YS-011", first_violation=True, harm="serious", corrected_promptly=True)
    assert serious.outcome != "no_penalty"


def test_art33_para2_no_fault_no_penalty():
    result = run(no_fault=True, harm="serious")
    assert result.outcome == "no_penalty" and f"{LAW}第三十三条第二款" in result.citations


def test_art36_limitation_two_years():
    late = assess(item_code="YS-008", facts={"harm": "minor", "discovered_on": "2028-05-02"}, violation_date=ON, today=ON)
    assert late.outcome == "no_penalty" and f"{LAW}第三十六条" in late.citations
    in_time = assess(item_code="YS-008", facts={"harm": "minor", "discovered_on": "2028-05-01"}, violation_date=ON, today=ON)
    assert in_time.outcome == "general"


def test_art36_limitation_five_years_for_life_health_items_with_harm():
    assert services.limitation_years("YS-003") == 5
    assert services.limitation_years("YS-003", harm="none") == 2
    assert services.limitation_years("YS-008") == 2
    result = assess(item_code="YS-003", facts={"harm": "minor", "discovered_on": "2030-05-01"}, violation_date=ON, today=ON)
    assert result.outcome == "general" and result.limitation_years == 5


def test_lenient_list_entry_applies():
    result = run("YS-007", harm="minor", objective_cause=True)
    assert result.outcome == "lenient" and "从轻处罚清单" in result.reasoning


def test_mitigated_list_entry_applies():
    result = run("YS-001", harm="minor", first_violation=True, own_vehicle=True)
    assert result.outcome == "mitigated" and result.amount < Decimal("3000")


def test_no_coercion_list():
    ok, reason = services.no_coercion(item_code="LZ-006", facts={}, on=ON)
    assert ok and "行政强制法" in reason
    assert not services.no_coercion(item_code="YS-002", facts={}, on=ON)[0]


def test_assessment_round_trips_as_stored_data():
    result = run(harm="minor", age=16)
    again = Assessment.from_dict(result.as_dict())
    assert again == result


def test_items_without_fine_state_the_circumstance():
    result = run("CX-006", coerced=True)
    assert result.outcome == "lenient" and result.penalty_kinds == ["licence_revocation"] and result.amount is None


# ---- 从旧兼从轻 (Art. 37) --------------------------------------------------------------------------------

def _second_edition(admin, **levels):
    doc = edition_doc(code="TEST-2026", name="测试省交通运输行政处罚裁量基准（2026年版）", region="测试省",
                      effective_from="2026-01-01")
    for level, values in levels.items():
        set_level(doc, "YS-004", level, **values)
    return services.edition_import(actor=admin, content=yaml_bytes(doc), filename="test-2026.yaml")


def test_art37_newer_lighter_edition_applies_to_an_older_act(world):
    _second_edition(world.users["admin"], general={"min_amount": 400, "max_amount": 800, "recommended": 600})
    result = assess(item_code="YS-004", facts={"harm": "minor"}, violation_date=date(2025, 6, 1), today=date(2026, 6, 1))
    assert result.benchmark_version == "TEST-2026" and result.amount == Decimal("600.00")
    assert "从旧兼从轻" in result.reasoning and f"{LAW}第三十七条" in result.citations
    assert result.compared_version == "CN-DEFAULT-2022"


def test_art37_newer_heavier_edition_does_not_apply_to_an_older_act(world):
    _second_edition(world.users["admin"], general={"min_amount": 1500, "max_amount": 2000, "recommended": 1800})
    old = assess(item_code="YS-004", facts={"harm": "minor"}, violation_date=date(2025, 6, 1), today=date(2026, 6, 1))
    assert old.benchmark_version == "CN-DEFAULT-2022" and old.amount == Decimal("1100.00")
    assert "并不更轻" in old.reasoning and f"{LAW}第三十七条" in old.citations
    new = assess(item_code="YS-004", facts={"harm": "minor"}, violation_date=date(2026, 2, 1), today=date(2026, 6, 1))
    assert new.benchmark_version == "TEST-2026" and new.amount == Decimal("1800.00")
    assert "第三十七条" not in new.reasoning
