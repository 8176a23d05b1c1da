"""Production settings: refuse to start without a real SECRET_KEY, payment callback key and record key (from the
environment or ``*_FILE`` files); pass ``manage.py check --deploy``."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items()
                if k not in {"SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "PAYMENT_CALLBACK_SECRET", "CACHE_URL",
                             "AUDIT_HMAC_KEY"}}
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
                     PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32), AUDIT_HMAC_KEY=secrets.token_urlsafe(32),
                     ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path), CACHE_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_a_shared_cache_for_rate_limits(tmp_path):
    """Regression (issue 17): rate limits and lockout were per process unless CACHE_URL was set, and check --deploy
    said nothing."""
    result = _manage("check", "--deploy", ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64),
                     PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32), AUDIT_HMAC_KEY=secrets.token_urlsafe(32),
                     ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path), CACHE_URL="")
    assert result.returncode != 0 and "zhifa.E001" in result.stdout + result.stderr


def test_production_refuses_the_development_payment_secret(tmp_path):
    """A known callback key would let anyone post a signed "paid" notification and close a fine."""
    env = dict(ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64), ZHIFA_VAR_DIR=str(tmp_path))
    for value in ("", "dev-payment-secret", "short"):
        result = _manage("check", PAYMENT_CALLBACK_SECRET=value, **env)
        assert result.returncode != 0 and "PAYMENT_CALLBACK_SECRET" in result.stderr


def test_production_secrets_from_files(tmp_path):
    """``*_FILE`` variables: the secrets come from files (Docker/Kubernetes/systemd credentials), not the environment."""
    (tmp_path / "key").write_text(secrets.token_urlsafe(64) + "\n", encoding="utf-8")
    (tmp_path / "pay").write_text(secrets.token_urlsafe(32), encoding="utf-8")
    (tmp_path / "audit").write_text(secrets.token_urlsafe(32), encoding="utf-8")
    result = _manage("check", ZHIFA_ENV="production", SECRET_KEY_FILE=str(tmp_path / "key"), PAYMENT_CALLBACK_SECRET_FILE=str(tmp_path / "pay"),
                     AUDIT_HMAC_KEY_FILE=str(tmp_path / "audit"), ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_production_keeps_the_api_schema_private(tmp_path):
    env = dict(ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64), PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
               AUDIT_HMAC_KEY=secrets.token_urlsafe(32), ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path),
               ZHIFA_API_DOCS_PUBLIC="1")
    result = _manage("shell", "-c", "from django.conf import settings; print('docs public:', settings.ZHIFA_API_DOCS_PUBLIC)", **env)
    assert "docs public: False" in result.stdout, result.stdout + result.stderr


def test_production_refuses_a_missing_short_or_reused_record_key(tmp_path):
    """Without its own key (not in the database) the full-process record could be rewritten by anyone with the
    database; a development key is derived from the known development SECRET_KEY and never accepted here."""
    secret_key = secrets.token_urlsafe(64)
    env = dict(ZHIFA_ENV="production", SECRET_KEY=secret_key, PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
               ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path))
    for value in ("", "short", "a" * 40, secret_key):
        result = _manage("check", AUDIT_HMAC_KEY=value, **env)
        assert result.returncode != 0 and "AUDIT_HMAC_KEY" in result.stderr, value
    assert _manage("check", AUDIT_HMAC_KEY=secrets.token_urlsafe(32), **env).returncode == 0


def test_malformed_merchant_keys_are_refused_at_start(tmp_path):
    env = dict(ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64), PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
               ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path))
    for value in ("not json", '["M1"]', '{"M411321": "short"}'):
        result = _manage("check", PAYMENT_MERCHANT_KEYS=value, **env)
        assert result.returncode != 0 and "PAYMENT_MERCHANT_KEYS" in result.stderr, value


def test_check_deploy_fails_for_an_unsigned_or_plain_http_integration(tmp_path):
    """Regression: with INTEGRATION_<TARGET>_SECRET empty the outbox posted unsigned, and production accepted it;
    an http receiver got case and party data in clear. A receiver with https and a secret passes."""
    env = dict(ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64), PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
               AUDIT_HMAC_KEY=secrets.token_urlsafe(32), ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(tmp_path),
               CACHE_URL="redis://127.0.0.1:6379/0")
    unsigned = _manage("check", "--deploy", INTEGRATION_SUPERVISION_URL="https://jd.example.gov.cn/api", **env)
    assert unsigned.returncode != 0 and "zhifa.E002" in unsigned.stdout + unsigned.stderr
    plain = _manage("check", "--deploy", INTEGRATION_HOTLINE_URL="http://12345.example.gov.cn/api",
                    INTEGRATION_HOTLINE_SECRET=secrets.token_urlsafe(32), **env)
    assert plain.returncode != 0 and "zhifa.E003" in plain.stdout + plain.stderr and "zhifa.E002" not in plain.stdout + plain.stderr
    good = _manage("check", "--deploy", "--fail-level", "WARNING", INTEGRATION_SUPERVISION_URL="https://jd.example.gov.cn/api",
                   INTEGRATION_SUPERVISION_SECRET=secrets.token_urlsafe(32), **env)
    assert good.returncode == 0, good.stdout + good.stderr


@pytest.mark.django_db
def test_throw_away_test_databases_do_not_wait_for_the_disk():
    """zhifa.testing turns synchronous commits off for the test databases only (suite time, docs/testing.md)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW synchronous_commit")
            assert cur.fetchone()[0] == "off"
        else:
            cur.execute("PRAGMA synchronous")
            assert cur.fetchone()[0] == 0
            cur.execute("PRAGMA busy_timeout")  # a writer waits for the lock even on a loaded machine
            assert cur.fetchone()[0] >= 120_000


def test_every_task_goes_to_a_queue_the_deployed_workers_consume():
    """deploy/zhifa-worker@.service consumes the queue its instance names (docs/deployment.md: ``default`` and
    ``wim``); a task sent to any other queue (Celery's own default is "celery") would wait for ever."""
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(__file__).resolve().parents[1]
    unit = (root / "deploy" / "zhifa-worker@.service").read_text()
    assert "-Q %i" in unit
    deployed = set(re.findall(r"zhifa-worker@(\w+)", (root / "docs" / "deployment.md").read_text()))
    assert deployed == {"default", "wim"}
    # The project's app, not celery.current_app: a test that made a client app of its own (the worker tests)
    # leaves that one current.
    from zhifa.celery import app

    app.loader.import_default_modules()
    names = [n for n in app.tasks if not n.startswith("celery.")]
    assert "overload.ingest_file" in names and "core.refresh_dashboard_cards" in names
    router = app.amqp.router
    for name in names:
        route = router.route({}, name)
        queue = route["queue"].name if hasattr(route.get("queue"), "name") else route.get("queue")
        assert queue in deployed, f"{name} → {queue}"
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
