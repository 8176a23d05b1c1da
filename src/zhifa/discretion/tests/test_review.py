"""The legal-review catalogue (行政处罚法 Art. 58) and the hearing right (Art. 63) as data, per-province thresholds."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.discretion.models import ReviewRule
from zhifa.discretion.services import hearing_right, review_requirement

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 1)


def test_art58_fine_threshold_for_a_citizen():
    needed, reasons = review_requirement(item_code="YS-002", party_kind="person", amount=Decimal("10000"),
                                         penalty_kinds=["fine"], on=ON)
    assert needed and "第五十八条" in reasons[0] and "本地设定" in reasons[0]
    assert not review_requirement(item_code="YS-002", party_kind="person", amount=Decimal("9999.99"),
                                  penalty_kinds=["fine"], on=ON)[0]


def test_art58_fine_threshold_for_an_organisation_is_separate():
    assert not review_requirement(item_code="YS-002", party_kind="organisation", amount=Decimal("50000"),
                                  penalty_kinds=["fine"], on=ON)[0]
    assert review_requirement(item_code="YS-002", party_kind="organisation", amount=Decimal("100000"),
                              penalty_kinds=["fine"], on=ON)[0]


def test_art58_revocation_hearing_and_several_legal_relations():
    assert review_requirement(item_code="CX-006", party_kind="person", amount=None, penalty_kinds=["licence_revocation"], on=ON)[0]
    _, reasons = review_requirement(item_code="YS-008", party_kind="person", amount=Decimal("100"), penalty_kinds=["fine"],
                                    hearing_held=True, several_legal_relations=True, on=ON)
    assert len(reasons) == 2


def test_art63_hearing_right():
    assert hearing_right(party_kind="person", amount=Decimal("10000"), penalty_kinds=["fine"], on=ON)[0]
    right, reason = hearing_right(party_kind="person", amount=Decimal("2000"), penalty_kinds=["fine"], on=ON)
    assert not right and "第六十三条" in reason
    assert hearing_right(party_kind="organisation", amount=None, penalty_kinds=["order_stop"], on=ON)[0]


def test_province_threshold_supersedes_the_default_from_its_effective_date():
    ReviewRule.objects.create(catalogue="hearing", kind="fine_at_least", party_kind="person", threshold=Decimal("5000"),
                              region="宁夏", label="对公民处以五千元以上罚款", basis="本省较大数额罚款标准",
                              effective_from=date(2026, 6, 1))
    assert not hearing_right(party_kind="person", amount=Decimal("6000"), penalty_kinds=["fine"], on=ON)[0]
    assert hearing_right(party_kind="person", amount=Decimal("6000"), penalty_kinds=["fine"], on=date(2026, 6, 1))[0]
