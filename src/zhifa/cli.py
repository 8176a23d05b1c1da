"""The ``zhifa`` console script: Django's management commands under one name.

``zhifa calendar add-working-days 2026-09-30 7`` runs the ``calendar`` command; a hyphenated command
name (``demo-data``) maps to its module (``demo_data``); ``zhifa check figures`` runs ``check_figures``.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:2] == ["check", "figures"]:  # the consistency check reads as a sub-check of Django's ``check``
        args = ["check_figures", *args[2:]]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["zhifa", *args])
    except (OperationalError, ProgrammingError) as exc:
        if not _missing_table(exc):
            raise
        # A fresh install (or an upgrade without its migrations): say what to run instead of a traceback.
        sys.stderr.write("数据库尚未初始化或未升级到当前版本（缺少数据表）。请先运行：zhifa migrate\n"
                         "（首次使用可再运行 zhifa demo-data 载入演示数据）\n")
        sys.exit(2)


def _missing_table(exc: Exception) -> bool:
    """Whether a database error means the schema is not there: SQLite's "no such table/column", PostgreSQL's
    "relation … does not exist" / "column … does not exist"."""
    text = str(exc).lower()
    return "no such table" in text or "no such column" in text or "does not exist" in text and (
        "relation" in text or "column" in text)


if __name__ == "__main__":
    main()
