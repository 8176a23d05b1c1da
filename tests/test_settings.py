"""Production settings: refuse to start without a real SECRET_KEY; pass ``manage.py check --deploy``."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env)
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=full_env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", ZHIFA_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    assert _manage("check", ZHIFA_ENV="production", SECRET_KEY="short").returncode != 0


def test_production_passes_check_deploy(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64),
                     ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
