"""Production settings: refuse to start without a real SECRET_KEY, payment callback key and record key (from the
environment or ``*_FILE`` files); pass ``manage.py check --deploy``."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent


STRIPPED = {"SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "PAYMENT_CALLBACK_SECRET", "CACHE_URL", "AUDIT_HMAC_KEY"}
SECRET_KEY = secrets.token_urlsafe(64)


def _environment(**env) -> dict:
    """The developer's environment without the settings under test (and without DATABASE_URL: nothing here opens a
    database), plus ``env``."""
    return {**{k: v for k, v in os.environ.items() if k not in STRIPPED}, **env}


def _variants(var: Path) -> dict[str, tuple[list[str], dict]]:
    """Every command the tests below run, by name: (manage.py arguments, environment)."""
    production = dict(ZHIFA_ENV="production", SECRET_KEY=secrets.token_urlsafe(64), PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
                      AUDIT_HMAC_KEY=secrets.token_urlsafe(32), ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(var))
    deploy = ["check", "--deploy"]
    shared = dict(production, CACHE_URL="redis://127.0.0.1:6379/0")
    without_payment = {k: v for k, v in production.items() if k not in {"PAYMENT_CALLBACK_SECRET", "AUDIT_HMAC_KEY", "ALLOWED_HOSTS"}}
    without_record = dict(production, SECRET_KEY=SECRET_KEY)
    del without_record["AUDIT_HMAC_KEY"]
    without_merchant = {k: v for k, v in production.items() if k != "AUDIT_HMAC_KEY"}
    v = {
        "no secret key": (["check"], dict(ZHIFA_ENV="production")),
        "short secret key": (["check"], dict(ZHIFA_ENV="production", SECRET_KEY="short")),
        "deploy": ([*deploy, "--fail-level", "WARNING"], shared),
        "deploy without cache": (deploy, dict(production, CACHE_URL="")),
        "secrets from files": (["check"], dict(ZHIFA_ENV="production", SECRET_KEY_FILE=str(var / "key"), PAYMENT_CALLBACK_SECRET_FILE=str(var / "pay"),
                                               AUDIT_HMAC_KEY_FILE=str(var / "audit"), ALLOWED_HOSTS="zhifa.example.gov.cn", ZHIFA_VAR_DIR=str(var))),
        "api docs": (["shell", "-c", "from django.conf import settings; print('docs public:', settings.ZHIFA_API_DOCS_PUBLIC)"],
                     dict(production, ZHIFA_API_DOCS_PUBLIC="1")),
        "good record key": (["check"], dict(without_record, AUDIT_HMAC_KEY=secrets.token_urlsafe(32))),
        "unsigned integration": (deploy, dict(shared, INTEGRATION_SUPERVISION_URL="https://jd.example.gov.cn/api")),
        "plain http integration": (deploy, dict(shared, INTEGRATION_HOTLINE_URL="http://12345.example.gov.cn/api",
                                                INTEGRATION_HOTLINE_SECRET=secrets.token_urlsafe(32))),
        "good integration": ([*deploy, "--fail-level", "WARNING"], dict(shared, INTEGRATION_SUPERVISION_URL="https://jd.example.gov.cn/api",
                                                                         INTEGRATION_SUPERVISION_SECRET=secrets.token_urlsafe(32))),
    }
    for value in DEVELOPMENT_PAYMENT_SECRETS:
        v[f"payment secret {value!r}"] = (["check"], dict(without_payment, PAYMENT_CALLBACK_SECRET=value))
    for value in BAD_RECORD_KEYS:
        v[f"record key {value!r}"] = (["check"], dict(without_record, AUDIT_HMAC_KEY=value))
    for value in MALFORMED_MERCHANT_KEYS:
        v[f"merchant keys {value!r}"] = (["check"], dict(without_merchant, PAYMENT_MERCHANT_KEYS=value))
    return {name: (args, _environment(**env)) for name, (args, env) in v.items()}


DEVELOPMENT_PAYMENT_SECRETS = ("", "dev-payment-secret", "short")
BAD_RECORD_KEYS = ("", "short", "a" * 40, SECRET_KEY)
MALFORMED_MERCHANT_KEYS = ("not json", '["M1"]', '{"M411321": "short"}')


@pytest.fixture(scope="module")
def manage(tmp_path_factory):
    """The result of every variant's command, by name: one subprocess runs them all (tests/settings_variants.py: the
    apps load once, each variant imports the settings again in a forked child), not one Django start-up each."""
    var = tmp_path_factory.mktemp("settings")
    (var / "key").write_text(secrets.token_urlsafe(64) + "\n", encoding="utf-8")
    (var / "pay").write_text(secrets.token_urlsafe(32), encoding="utf-8")
    (var / "audit").write_text(secrets.token_urlsafe(32), encoding="utf-8")
    variants = _variants(var)
    spec = {"base": variants["deploy"][1], "variants": [{"name": n, "args": a, "env": e} for n, (a, e) in variants.items()]}
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "settings_variants.py")], input=json.dumps(spec), env=_environment(),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    results = {name: SimpleNamespace(**r) for name, r in json.loads(run.stdout).items()}
    return results.__getitem__


# The commands never open a database (DATABASE_URL is removed), nor does the test process: SQLite only (scripts/test.sh).
engine_independent = pytest.mark.engine_independent


@engine_independent
def test_production_refuses_to_start_without_secret_key(manage):
    result = manage("no secret key")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@engine_independent
def test_production_refuses_a_short_secret_key(manage):
    assert manage("short secret key").returncode != 0


@engine_independent
def test_production_passes_check_deploy(manage):
    result = manage("deploy")
    assert result.returncode == 0, result.stdout + result.stderr


@engine_independent
def test_check_deploy_fails_without_a_shared_cache_for_rate_limits(manage):
    """Regression (issue 17): rate limits and lockout were per process unless CACHE_URL was set, and check --deploy
    said nothing."""
    result = manage("deploy without cache")
    assert result.returncode != 0 and "zhifa.E001" in result.stdout + result.stderr


@engine_independent
def test_production_refuses_the_development_payment_secret(manage):
    """A known callback key would let anyone post a signed "paid" notification and close a fine."""
    for value in DEVELOPMENT_PAYMENT_SECRETS:
        result = manage(f"payment secret {value!r}")
        assert result.returncode != 0 and "PAYMENT_CALLBACK_SECRET" in result.stderr


@engine_independent
def test_production_secrets_from_files(manage):
    """``*_FILE`` variables: the secrets come from files (Docker/Kubernetes/systemd credentials), not the environment."""
    result = manage("secrets from files")
    assert result.returncode == 0, result.stderr


@engine_independent
def test_production_keeps_the_api_schema_private(manage):
    result = manage("api docs")
    assert "docs public: False" in result.stdout, result.stdout + result.stderr


@engine_independent
def test_production_refuses_a_missing_short_or_reused_record_key(manage):
    """Without its own key (not in the database) the full-process record could be rewritten by anyone with the
    database; a development key is derived from the known development SECRET_KEY and never accepted here."""
    for value in BAD_RECORD_KEYS:
        result = manage(f"record key {value!r}")
        assert result.returncode != 0 and "AUDIT_HMAC_KEY" in result.stderr, value
    assert manage("good record key").returncode == 0


@engine_independent
def test_malformed_merchant_keys_are_refused_at_start(manage):
    for value in MALFORMED_MERCHANT_KEYS:
        result = manage(f"merchant keys {value!r}")
        assert result.returncode != 0 and "PAYMENT_MERCHANT_KEYS" in result.stderr, value


@engine_independent
def test_check_deploy_fails_for_an_unsigned_or_plain_http_integration(manage):
    """Regression: with INTEGRATION_<TARGET>_SECRET empty the outbox posted unsigned, and production accepted it;
    an http receiver got case and party data in clear. A receiver with https and a secret passes."""
    unsigned = manage("unsigned integration")
    assert unsigned.returncode != 0 and "zhifa.E002" in unsigned.stdout + unsigned.stderr
    plain = manage("plain http integration")
    assert plain.returncode != 0 and "zhifa.E003" in plain.stdout + plain.stderr and "zhifa.E002" not in plain.stdout + plain.stderr
    good = manage("good integration")
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


@engine_independent
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


@engine_independent
def test_the_web_entry_point_freezes_what_it_loaded():
    """zhifa.wsgi moves what it loaded (modules, settings, the URLconf) out of the collector's generations
    (``gc.freeze``): a full collection in a web worker, during which all its threads wait, no longer scans it
    (docs/performance.md, "2026-12-06, 10:03–11:56 UTC"). In a process of its own: imported here it would
    freeze the test worker's objects too."""
    code = "import gc, zhifa.wsgi; print(gc.get_freeze_count())"
    result = subprocess.run([sys.executable, "-c", code], env=_environment(PYTHONPATH=str(ROOT / "src")),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 50_000
