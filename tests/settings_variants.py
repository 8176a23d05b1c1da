"""Run ``manage.py`` commands under several environments in one interpreter (tests/test_settings.py).

Each variant would otherwise be a Python start-up and a Django start-up of its own (1–3 s of CPU each).
Here the apps are loaded once, under a valid production environment (``base``); then every variant runs in
a forked child that replaces the environment, drops the settings module (so ``zhifa.settings`` is imported
again, from the variant's environment: a refusal raises there, as at a real start) and runs the command
through ``zhifa.cli.main`` like manage.py does. The checks, including the ``--deploy`` ones, read the
variant's settings; nothing of one variant is seen by another (each child exits).

Reads ``{"base": env, "variants": [{"name", "args", "env"}]}`` as JSON on stdin; prints
``{name: {"returncode", "stdout", "stderr"}}`` as JSON.
"""

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def run_variant(args: list[str], env: dict, out_dir: str) -> dict:
    out, err = Path(out_dir) / "out", Path(out_dir) / "err"
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            with out.open("wb") as o, err.open("wb") as e:
                os.dup2(o.fileno(), 1)
                os.dup2(e.fileno(), 2)
            os.environ.clear()
            os.environ.update(env)
            from django.conf import settings
            from django.utils.functional import empty

            sys.modules.pop("zhifa.settings", None)
            settings._wrapped = empty  # the next access imports zhifa.settings again, from this environment
            from zhifa.cli import main

            try:
                main(args)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return {"returncode": os.waitstatus_to_exitcode(status), "stdout": out.read_text(errors="replace"),
            "stderr": err.read_text(errors="replace")}


def main() -> None:
    spec = json.load(sys.stdin)
    os.environ.clear()
    os.environ.update(spec["base"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    import django

    django.setup()  # the apps, once
    # The URLconf too (django-ninja's routers and schemas, ~1 CPU-s), as the web entry point loads it at
    # import (zhifa/wsgi.py): every ``check`` of a variant runs the URL checks, and each child imported it
    # again. It reads no setting that differs between the variants (``ZHIFA_APPS``; the API's docs setting is
    # read per request).
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — loads the URLconf
    results = {}
    with tempfile.TemporaryDirectory() as out_dir:
        for variant in spec["variants"]:
            sys.stdout.flush()
            sys.stderr.flush()
            results[variant["name"]] = run_variant(variant["args"], variant["env"], out_dir)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
