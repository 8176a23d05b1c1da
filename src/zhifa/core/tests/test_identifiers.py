"""Identifier checks (legal-reference §10: GB 11643-1999, GB 32100-2015, plates)."""

import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhifa.core.demo import make_credit_code
from zhifa.core.identifiers import normalise_plate, validate_credit_code, validate_id_number


def test_gb11643_sample_number_is_accepted():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("bad", ["110105194912310021", "11010519491231002", "1101051949123100XX", "110105194913310028"])
def test_invalid_id_numbers_are_rejected_with_a_chinese_message(bad):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(bad)
    assert "身份证号码" in exc.value.messages[0]


def test_gb32100_known_code_is_accepted():
    # 91350100M000100Y43 is a widely published valid example of the format.
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize("bad", ["91350100M000100Y44", "91350100M000100Y4", "91350100M0001OOY43", ""])
def test_invalid_credit_codes_are_rejected(bad):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(bad)
    assert "统一社会信用代码" in exc.value.messages[0]


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_credit_codes_validate_and_any_single_change_is_caught(seed):
    code = make_credit_code(random.Random(seed), "411321")
    assert validate_credit_code(code) == code
    changed = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


@pytest.mark.parametrize(("raw", "expected"), [("豫RA1234", "豫R·A1234"), ("豫r·a1234", "豫R·A1234"), ("豫R·D12345", "豫R·D12345"), ("豫R 1234挂", "豫R·1234挂")])
def test_plates_normalise(raw, expected):
    assert normalise_plate(raw) == expected


@pytest.mark.parametrize("bad", ["RA1234", "豫1A1234", "豫RA12", "豫RI1234"])
def test_bad_plates_are_rejected(bad):
    with pytest.raises(ValidationError):
        normalise_plate(bad)
