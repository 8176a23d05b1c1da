"""The longest tests are scheduled first (zhifa.testing.LONGEST_FIRST, docs/testing.md "Longest first")."""

from pathlib import Path

import pytest

from zhifa.testing import LONGEST_FIRST, longest_first_rank

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.engine_independent


@pytest.mark.parametrize("prefix", LONGEST_FIRST)
def test_each_listed_prefix_names_a_test_file_or_directory(prefix):
    """A renamed or moved test would silently drop back to its collection place."""
    assert (ROOT / prefix).exists(), f"{prefix} is in LONGEST_FIRST but no longer exists"


def test_listed_tests_rank_by_their_place_and_the_rest_after_them():
    assert longest_first_rank("src/zhifa/reports/tests/test_consistency_demo.py::test_x") == 0
    assert longest_first_rank("tests/faults/test_retries.py::test_y") == LONGEST_FIRST.index("tests/faults/")
    assert longest_first_rank("src/zhifa/cases/tests/test_ordinary.py::test_z") == len(LONGEST_FIRST)


def test_the_session_runs_the_listed_tests_first(request):
    """In this session's collection every listed test comes before every unlisted one."""
    ranks = [longest_first_rank(item.nodeid) for item in request.session.items]
    assert ranks == sorted(ranks)
