"""The longest tests are scheduled first (zhifa.testing.LONGEST_FIRST, docs/testing.md "Longest first")."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zhifa.testing import (
    LONGEST_FIRST,
    PHASE_ORDER_TRANSACTIONAL_FIRST,
    django_phase,
    longest_first_rank,
    transactional_first,
)

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


def test_the_session_keeps_pytest_djangos_phases_and_the_listed_tests_first_within_each(request):
    """Every rolled-back test before every transactional one (or, with ZHIFA_TEST_TRANSACTIONAL_FIRST, every
    transactional one first); within a phase every listed test first."""
    order = PHASE_ORDER_TRANSACTIONAL_FIRST if transactional_first() else (0, 1, 2)
    keys = [(order[django_phase(item)], longest_first_rank(item.nodeid)) for item in request.session.items]
    assert keys == sorted(keys)


def test_transactional_first_puts_the_transactional_tests_first_and_the_rest_in_their_order(monkeypatch):
    """ZHIFA_TEST_TRANSACTIONAL_FIRST=1 (the PostgreSQL run of scripts/test.sh): transactional tests, then the
    rolled-back ones, then those without a database; the listed tests first within each."""
    from types import SimpleNamespace

    from zhifa import testing

    def item(nodeid, *, transaction=None, fixtures=()):
        marker = None if transaction is None else pytest.mark.django_db(transaction=transaction).mark
        return SimpleNamespace(nodeid=nodeid, cls=None, fixturenames=fixtures,
                               get_closest_marker=lambda name: marker if name == "django_db" else None)

    items = [item("src/a.py::rolled_back", transaction=False), item("tests/x.py::no_db"),
             item("tests/faults/test_retries.py::t", transaction=True),
             item("src/b.py::db", fixtures=("db",)),
             item("tests/faults/test_worker_kill.py::t", transaction=True),
             item("src/zhifa/reports/tests/test_consistency_demo.py::t", transaction=False)]
    monkeypatch.setenv("ZHIFA_TEST_TRANSACTIONAL_FIRST", "1")
    testing.pytest_collection_modifyitems(None, items)
    assert [i.nodeid for i in items] == [
        "tests/faults/test_worker_kill.py::t", "tests/faults/test_retries.py::t",
        "src/zhifa/reports/tests/test_consistency_demo.py::t", "src/a.py::rolled_back", "src/b.py::db",
        "tests/x.py::no_db"]
    monkeypatch.delenv("ZHIFA_TEST_TRANSACTIONAL_FIRST")
    testing.pytest_collection_modifyitems(None, items)
    assert [i.nodeid for i in items] == [
        "src/zhifa/reports/tests/test_consistency_demo.py::t", "src/a.py::rolled_back", "src/b.py::db",
        "tests/faults/test_worker_kill.py::t", "tests/faults/test_retries.py::t", "tests/x.py::no_db"]


def test_a_listed_transactional_test_still_runs_after_the_tests_that_read_migration_rows():
    """Regression (stranger review, 2026-12-06): sorted by LONGEST_FIRST alone, the fault and browser tests
    (transactional: their closing flush empties the database) ran before tests that read the rows the
    migrations made, such as the shipped discretion catalogue. Collected together, the catalogue's test comes
    first."""
    memo = "src/zhifa/discretion/tests/test_engine_memo.py"
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/faults/test_outbox_kill.py",
            memo,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
    )
    nodeids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert nodeids, collected.stdout[-2000:] + collected.stderr[-2000:]
    first_fault = next(i for i, n in enumerate(nodeids) if n.startswith("tests/faults/"))
    assert all(n.startswith(memo) for n in nodeids[:first_fault]) and first_fault > 0
