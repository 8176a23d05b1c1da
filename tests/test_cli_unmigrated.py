"""Commands on a database that was never migrated say what to run (zhifa migrate) instead of a traceback."""

import subprocess
import sys

import pytest

from zhifa.cli import _missing_table

# The commands run on a fresh SQLite file of their own (no DATABASE_URL in their environment); the test process opens
# no database: SQLite only (scripts/test.sh).
pytestmark = pytest.mark.engine_independent


@pytest.mark.parametrize("argv", [["calendar", "add-working-days", "2026-09-30", "7"], ["overload", "assess", "--axles", "6", "--gross-kg", "55000"]])
def test_fresh_database_answers_with_the_command_to_run(tmp_path, argv):
    env = {"ZHIFA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": "src"}
    run = subprocess.run([sys.executable, "-c", "from zhifa.cli import main; main()", *argv], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 2, run.stderr[-2000:]
    assert "zhifa migrate" in run.stderr and "Traceback" not in run.stderr


def test_only_schema_errors_are_turned_into_the_hint():
    from django.db.utils import OperationalError

    assert _missing_table(OperationalError("no such table: core_holiday"))
    assert _missing_table(OperationalError('relation "core_holiday" does not exist'))
    assert not _missing_table(OperationalError("database is locked"))
