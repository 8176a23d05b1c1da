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

    execute_from_command_line(["zhifa", *args])


if __name__ == "__main__":
    main()
