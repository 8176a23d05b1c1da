"""Settings for zhifa, read from environment variables.

Every variable is documented in ``docs/configuration.md`` and ``.env.example``. The embedded default
(no variables set) is a development/demo set-up on SQLite under ``var/``; ``ZHIFA_ENV=production``
switches on the deployment checks and refuses to start without a real ``SECRET_KEY``.
"""

import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("ZHIFA_HOME", SRC_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("ZHIFA_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from the environment (``NAME``) or from a file (``NAME_FILE``: a Docker/Kubernetes/systemd secret),
    so that no secret has to live in the settings, the repository or a process listing."""
    value = os.environ.get(name, "")
    if not value and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
    return value or default


ENVIRONMENT = os.environ.get("ZHIFA_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env_secret("SECRET_KEY")
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # A production deployment must never run with a guessable key (sessions, signed payment links).
    raise ImproperlyConfigured("ZHIFA_ENV=production requires SECRET_KEY (at least 50 random characters).")
SECRET_KEY = SECRET_KEY or _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Reverse proxies whose X-Forwarded-For is believed (e.g. "127.0.0.1" behind the shipped nginx): the client address
# then comes from that header, for rate limits and the full-process record. Empty: the socket peer is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# Domain apps, in dependency order: an app imports only apps above it in this list (core at the bottom of the
# layering, reports/portal/integrations at the top). The import-linter contract in pyproject.toml holds the code to
# this order (``lint-imports``, run by scripts/test.sh; tests/test_layering.py keeps the two lists the same). Each
# app may provide urls.py, api.py (``router``), demo.py (``load``), dashboard.py (``widgets``), clocks.py and an
# AppConfig ``nav`` list; zhifa.urls / zhifa.api discover them.
ZHIFA_APPS = [
    "zhifa.core",
    "zhifa.notifications",
    "zhifa.discretion",
    "zhifa.documents",
    "zhifa.payments",
    "zhifa.cases",
    "zhifa.coercion",
    "zhifa.complaints",
    "zhifa.credit",
    "zhifa.overload",
    "zhifa.inspections",
    "zhifa.campaigns",
    "zhifa.oversight",
    "zhifa.training",
    "zhifa.permits",
    "zhifa.portal",
    "zhifa.reports",
    "zhifa.integrations",
]

# The order of the work, which is not the order of the code: the side navigation, the dashboard cards, the API's
# sections and the demo loaders follow it (a later demo reads the records of the earlier ones: payments pays the
# cases demo's fines, credit grades from every demo's penalties). Every app of ZHIFA_APPS appears once.
ZHIFA_WORK_ORDER = [
    "zhifa.core",
    "zhifa.notifications",
    "zhifa.discretion",
    "zhifa.documents",
    "zhifa.cases",
    "zhifa.coercion",
    "zhifa.payments",
    "zhifa.overload",
    "zhifa.inspections",
    "zhifa.credit",
    "zhifa.complaints",
    "zhifa.campaigns",
    "zhifa.oversight",
    "zhifa.training",
    "zhifa.permits",
    "zhifa.portal",
    "zhifa.reports",
    "zhifa.integrations",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its Swagger UI assets come from our static files: the API docs work without internet
    *ZHIFA_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhifa.core.middleware.HtmxLoginMiddleware",
    "zhifa.core.middleware.RequestContextMiddleware",
    "zhifa.core.middleware.SecurityHeadersMiddleware",
    "zhifa.core.middleware.DomainErrorMiddleware",
    "zhifa.core.cards.TouchMiddleware",
]

ROOT_URLCONF = "zhifa.urls"
WSGI_APPLICATION = "zhifa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.core.context_processors.navigation",
                "zhifa.notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database: SQLite under var/ by default, PostgreSQL when DATABASE_URL is set -------------------
DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
    DATABASES["default"].setdefault("TEST", {})
    # ZHIFA_TEST_DB keeps parallel test runs (several checkouts, several developers) apart.
    if os.environ.get("ZHIFA_TEST_DB"):
        DATABASES["default"]["TEST"]["NAME"] = f"test_zhifa_{os.environ['ZHIFA_TEST_DB']}"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "zhifa.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two concurrent transitions serialise instead of
                # failing half-way; WAL lets readers continue meanwhile.
                "transaction_mode": "IMMEDIATE",
                "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),  # seconds a writer waits for the lock
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": str(VAR_DIR / f"test{('-' + os.environ['ZHIFA_TEST_DB']) if os.environ.get('ZHIFA_TEST_DB') else ''}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["zhifa.core.auth.LockoutModelBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"
# Failed-login lockout (core/auth.py), counted in the cache (shared between processes only with CACHE_URL, which
# `check --deploy` requires in production): N failures for one account from one client address lock that pair for
# the window (nobody can lock the account out for others); failures over all accounts from one address lock the
# address (password spraying). A whole office behind one NAT address shares the address budget: keep it generous.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("LOGIN_ADDRESS_MAX_FAILURES", "30"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Second factor: wrong codes (TOTP or recovery) per user before the second factor is locked for the window.
TOTP_MAX_FAILURES = int(os.environ.get("TOTP_MAX_FAILURES", "5"))
TOTP_LOCKOUT_MINUTES = int(os.environ.get("TOTP_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
# ISO input formats so <input type="date"> widgets show their value (see zhifa/formats/zh_Hans).
FORMAT_MODULE_PATH = ["zhifa.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even before collectstatic
# Evidence files: a local directory by default; an S3-compatible bucket (MinIO, OSS, COS …) when
# EVIDENCE_S3_BUCKET is set, so several web/worker machines share one store.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))
# The weighing stations' photos and videos of each pass (named by the WIM records' image_refs / video_ref).
WIM_MEDIA_ROOT = Path(os.environ.get("WIM_MEDIA_ROOT", VAR_DIR / "wim-media"))
EVIDENCE_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["EVIDENCE_S3_BUCKET"],
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            "access_key": env_secret("EVIDENCE_S3_ACCESS_KEY") or None,
            "secret_key": env_secret("EVIDENCE_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("EVIDENCE_S3_REGION") or None,
            "location": os.environ.get("EVIDENCE_S3_PREFIX", "evidence"),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    if os.environ.get("EVIDENCE_S3_BUCKET")
    else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(EVIDENCE_ROOT)}}
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": EVIDENCE_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(200 * 1024 * 1024)))

# --- Cache (rate limits, short-lived data): per-process memory unless CACHE_URL names Redis -------------
CACHE_URL = env_secret("CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL.startswith("redis")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhifa"},
    # The dashboard's cards (core.views.dashboard), per user for DASHBOARD_CACHE_SECONDS: shared by the web
    # processes — Redis with CACHE_URL, else files under VAR_DIR (one host's processes share them).
    "dashboard": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                  "KEY_PREFIX": "dashboard",
                  # a hung server costs the page one short wait, then its queries (core.cards._Guarded)
                  "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_on_timeout": False}}
    if CACHE_URL.startswith("redis")
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache" / "dashboard"),
          "OPTIONS": {"MAX_ENTRIES": 5000}},
}
# The dashboard's figures (core.cards; docs/performance.md "The dashboard"). A user's own cards are kept for
# DASHBOARD_CACHE_SECONDS (0: computed on every visit) and dropped by their act. The jurisdiction figures are kept
# per unit and roles: without a Celery worker a visit computes an entry older than DASHBOARD_CACHE_SECONDS; with
# one, beat recomputes every unit looked at in the last DASHBOARD_WANTED_SECONDS about every
# DASHBOARD_REFRESH_SECONDS (a share of the units at each tick of DASHBOARD_REFRESH_TICK_SECONDS, so the work
# is spread over the interval) and visits read entries up to DASHBOARD_STALE_SECONDS old (the page says when
# they were computed).
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
DASHBOARD_STALE_SECONDS = int(os.environ.get("DASHBOARD_STALE_SECONDS", "600"))
DASHBOARD_REFRESH_SECONDS = int(os.environ.get("DASHBOARD_REFRESH_SECONDS", "30"))
DASHBOARD_REFRESH_TICK_SECONDS = int(os.environ.get("DASHBOARD_REFRESH_TICK_SECONDS", "2"))
DASHBOARD_WANTED_SECONDS = int(os.environ.get("DASHBOARD_WANTED_SECONDS", "900"))

# --- Sessions and security -------------------------------------------------------------------------
# Django's database store with its look-up compiled once (core/sessions.py).
SESSION_ENGINE = "zhifa.core.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Celery ------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = env_secret("CELERY_RESULT_BACKEND", "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not env_secret("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# The queues the deployed workers consume (deploy/zhifa-worker@.service: `-Q default`, `-Q wim`): every task goes
# to "default" except the weighing-data ingest, which has workers of its own.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"overload.ingest_*": {"queue": "wim"}}
# Without a broker (eager Celery), papers are rendered on a background thread of the web process so the act's
# response does not wait for the PDF (documents.queue); off: at the commit, in the request.
DOCUMENTS_RENDER_BACKGROUND = env_bool("DOCUMENTS_RENDER_BACKGROUND", True)
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs (run by `celery -A zhifa beat`); apps add theirs in their AppConfig.ready().
CELERY_BEAT_SCHEDULE = {
    "audit-verify-daily": {"task": "core.audit_verify", "schedule": 24 * 3600},
    "dashboard-cards": {"task": "core.refresh_dashboard_cards", "schedule": DASHBOARD_REFRESH_TICK_SECONDS,
                        # a tick waiting behind papers for longer than the interval is dropped; the next makes
                        # it up
                        "options": {"expires": DASHBOARD_REFRESH_SECONDS}},
}

# --- Notifications: e-mail through Django's backend (console in development, SMTP in production), SMS through a
# gateway adapter (docs/notifications.md). -------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
                               else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhifa@localhost")
ZHIFA_SMS_GATEWAY = os.environ.get("ZHIFA_SMS_GATEWAY", "zhifa.notifications.sms.FileSink")
SMS_OUTBOX_FILE = Path(os.environ.get("SMS_OUTBOX_FILE", VAR_DIR / "sms-outbox.jsonl"))

# Integrations (docs/integrations/README.md): the receiver of each target, INTEGRATION_<TARGET>_URL and _SECRET
# (HMAC-SHA256 of the body in X-Zhifa-Signature); INTEGRATION_SIMULATOR_URL sends every unconfigured target to the
# local simulator (zhifa integrations simulate). No URL: messages are kept and wait.
INTEGRATION_ENDPOINTS = {
    target: {"url": os.environ.get(f"INTEGRATION_{target.upper()}_URL", ""),
             "secret": env_secret(f"INTEGRATION_{target.upper()}_SECRET", "")}
    for target in ("supervision", "publicity", "hotline", "feishui", "overload_net", "regulation", "warning")
}
INTEGRATION_SIMULATOR_URL = os.environ.get("INTEGRATION_SIMULATOR_URL", "")
INTEGRATION_TIMEOUT = float(os.environ.get("INTEGRATION_TIMEOUT", "3"))  # seconds per try (connect and read)
INTEGRATION_MAX_ATTEMPTS = int(os.environ.get("INTEGRATION_MAX_ATTEMPTS", "8"))  # then 发送失败 (dead letter)
INTEGRATION_BACKOFF_BASE = int(os.environ.get("INTEGRATION_BACKOFF_BASE", "30"))  # seconds, doubled per try
INTEGRATION_BACKOFF_MAX = int(os.environ.get("INTEGRATION_BACKOFF_MAX", "3600"))
INTEGRATION_LEASE_SECONDS = int(os.environ.get("INTEGRATION_LEASE_SECONDS", "60"))  # a dead worker's claim expires
INTEGRATION_CONCURRENCY = int(os.environ.get("INTEGRATION_CONCURRENCY", "4"))  # parallel posts within a batch
# A supervision message waits at most this long (seconds) for its decision document's PDF to be made.
INTEGRATION_DOCUMENT_WAIT = int(os.environ.get("INTEGRATION_DOCUMENT_WAIT", "600"))
# The daily 四级联网 download (integrations.overload_net_daily): at most this many vehicles and drivers a run.
OVERLOAD_NET_DAILY_LIMIT = int(os.environ.get("OVERLOAD_NET_DAILY_LIMIT", "2000"))

# --- Domain settings (national defaults; per-province values are versioned data in the apps) ---------
# Document number format, e.g. 豫R交罚〔2026〕0123号.
ZHIFA_DOC_NUMBER_FORMAT = os.environ.get("ZHIFA_DOC_NUMBER_FORMAT", "{prefix}〔{year}〕{seq:04d}号")
ZHIFA_PUBLIC_BASE_URL = os.environ.get("ZHIFA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The payment channels printed on the decision, the 缴款通知书 and the 催告书 (the bank or payment system the
# finance department designated under 行政处罚法 Art. 67).
# Who issues the 缴款码 and reports payments (docs/integrations/feishui.md): "local" — the platform's own codes and
# its payment simulator (development, demo, a bureau not yet connected); "feishui" — the finance bureau's 非税收入
# 收缴系统 (罚缴分离: the code is the finance system's), reached through INTEGRATION_FEISHUI_URL / _SECRET.
ZHIFA_PAYMENT_COLLECTOR = os.environ.get("ZHIFA_PAYMENT_COLLECTOR", "local")
# 政府收支分类科目 103 05 01 一般罚没收入; the finance bureau may assign a finer item (目) per agency.
FEISHUI_INCOME_ITEM = os.environ.get("FEISHUI_INCOME_ITEM", "1030501")
ZHIFA_PAYMENT_CHANNELS = os.environ.get("ZHIFA_PAYMENT_CHANNELS", "代收银行营业网点、网上银行或者扫描二维码通过电子支付系统")
_DEV_PAYMENT_SECRET = "dev-payment-secret"
PAYMENT_CALLBACK_SECRET = env_secret("PAYMENT_CALLBACK_SECRET", _DEV_PAYMENT_SECRET)
if PRODUCTION and (PAYMENT_CALLBACK_SECRET == _DEV_PAYMENT_SECRET or len(PAYMENT_CALLBACK_SECRET) < 32):
    # With a known key anyone could post a signed "paid" callback and close a fine (罚缴分离, 行政处罚法 Art. 67).
    raise ImproperlyConfigured("ZHIFA_ENV=production requires PAYMENT_CALLBACK_SECRET (at least 32 characters).")
# The OpenAPI schema and docs (/api/v1/openapi.json, /api/v1/docs) without signing in: development only.
ZHIFA_API_DOCS_PUBLIC = env_bool("ZHIFA_API_DOCS_PUBLIC", True) and not PRODUCTION
# Per-agency keys of the payment system (docs/payments.md): a JSON object {"<merchant id>": "<key>", ...} from
# PAYMENT_MERCHANT_KEYS or PAYMENT_MERCHANT_KEYS_FILE. The merchant ids are data (payments.CollectionAccount); the
# keys stay out of the database, so a database account cannot sign a callback.
try:
    PAYMENT_MERCHANT_KEYS = json.loads(env_secret("PAYMENT_MERCHANT_KEYS", "{}"))
except ValueError:
    PAYMENT_MERCHANT_KEYS = None  # refused just below, with the variable's name
if not isinstance(PAYMENT_MERCHANT_KEYS, dict) or (PRODUCTION and any(len(str(k)) < 32 for k in PAYMENT_MERCHANT_KEYS.values())):
    raise ImproperlyConfigured("PAYMENT_MERCHANT_KEYS must be a JSON object of merchant id → key (at least 32 characters each).")
# Notices of an agency without a collection account accept the shared PAYMENT_CALLBACK_SECRET: development and
# demo only; in production every agency's notices are bound to its own merchant id and key.
PAYMENT_SHARED_KEY_FALLBACK = env_bool("PAYMENT_SHARED_KEY_FALLBACK", not PRODUCTION)
# paid_at may lie this far in the future (clock skew between the payment system and us), never more.
PAYMENT_CLOCK_SKEW_SECONDS = int(os.environ.get("PAYMENT_CLOCK_SKEW_SECONDS", "300"))

# --- The full-process record's key and checkpoints (docs/security.md, docs/deployment.md) -------------------
# Each event carries an HMAC-SHA256 under this key, which is NOT in the database: someone with the database but
# not the key can neither edit an event nor append one that verifies. Rotation: put the new key here and the
# old one into AUDIT_HMAC_OLD_KEYS (whitespace-separated); every event names its key by id.
AUDIT_HMAC_KEY = env_secret("AUDIT_HMAC_KEY")
if PRODUCTION and (len(AUDIT_HMAC_KEY) < 32 or len(set(AUDIT_HMAC_KEY)) < 5 or AUDIT_HMAC_KEY == SECRET_KEY):
    # With a known or derived key an insider with database access could rewrite the record consistently.
    raise ImproperlyConfigured("ZHIFA_ENV=production requires AUDIT_HMAC_KEY (at least 32 random characters, "
                               "not the SECRET_KEY).")
# Development and tests: derived deterministically from the (development) secret key — never in production.
AUDIT_HMAC_KEY = AUDIT_HMAC_KEY or hashlib.sha256(f"zhifa-audit-dev-key:{SECRET_KEY}".encode()).hexdigest()
AUDIT_HMAC_OLD_KEYS = env_secret("AUDIT_HMAC_OLD_KEYS").split()
# Signed checkpoints of the chain head, written outside the database (a directory on another volume, a
# WORM/object-store mount). Empty: var/audit-checkpoints/<database name>/.
AUDIT_CHECKPOINT_DIR = os.environ.get("AUDIT_CHECKPOINT_DIR", "")
# Business rows `zhifa audit verify` compares with their last event (every event carries its row's digest; these
# models are the ones whose every change goes through a service that records that very row): cases (decisions,
# fine amounts), parties, vehicles, coercive measures.
AUDIT_ROW_MODELS = env_list("AUDIT_ROW_MODELS", "cases.case,core.party,core.vehicle,coercion.measure")
AUDIT_CHECKPOINT_INTERVAL = int(os.environ.get("AUDIT_CHECKPOINT_INTERVAL", "3600"))
CELERY_BEAT_SCHEDULE["audit-checkpoint"] = {"task": "core.audit_checkpoint", "schedule": AUDIT_CHECKPOINT_INTERVAL}
# Backups: authenticated with a key derived from AUDIT_HMAC_KEY; encrypted at rest (AES-256-GCM) when this is set.
BACKUP_ENCRYPTION_KEY = env_secret("BACKUP_ENCRYPTION_KEY")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
