"""Django settings for Coursegate.

Everything that differs between deployments comes from the environment and is read here,
once (see ``.env.example``). The defaults give an embedded laptop setup: SQLite under
``var/``, no broker (jobs run in-process), e-mail written to files under ``var/mail/``.
"""

from __future__ import annotations

import warnings
from urllib.parse import unquote, urlsplit

import dj_database_url

from coursegate import __version__
from coursegate.core.logformat import logging_config
from coursegate.edge import edge_settings, num_proxies
from coursegate.envconf import env, secret_from_var, trusted_issuers, writable_var_dir
from coursegate.envconf import env_flag as _flag
from coursegate.envconf import env_int as _int
from coursegate.envconf import env_str as _str
from coursegate.integration_settings import integration_settings
from coursegate.openapi_settings import spectacular_settings

VAR_DIR = writable_var_dir()


def _secret_from_var(name: str) -> str:
    return secret_from_var(VAR_DIR, name)


DEBUG = _flag("COURSEGATE_DEBUG", False)
SECRET_KEY = env.get("COURSEGATE_SECRET_KEY") or _secret_from_var("secret_key")
ALLOWED_HOSTS = [
    h.strip() for h in _str("COURSEGATE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()
]
COURSEGATE_VERSION = __version__

INSTALLED_APPS = [
    # The console first: its templates (admin/base_site.html, ...) override the admin's.
    "coursegate.console",
    "coursegate.console.admin_config.CoursegateAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "coursegate.core",
    "coursegate.feed",
    "coursegate.outbox",
    "coursegate.accounts",
    "coursegate.courses",
    "coursegate.enrollments",
    "coursegate.codes",
    "coursegate.reporting",
    "coursegate.enterprise",
    "coursegate.catalogs",
    "coursegate.subscriptions",
    "coursegate.enterprise_jobs",
    "coursegate.events",
    "coursegate.assignments",
    "coursegate.webhooks",
    "coursegate.idempotency",
    "coursegate.demo",
    "coursegate.provisioning",
]

MIDDLEWARE = [
    # Outermost: the request id every log line and every 5xx carries, the request metrics
    # (core/metrics.py, counted for every answer, the refusals below included), then the outage answer
    # (503 + Retry-After) for a database or broker that does not answer, then the input guard
    # (NUL, lone surrogates, malformed percent-encoding in the path, query string and headers).
    "coursegate.core.middleware.RequestIdMiddleware",
    "coursegate.core.metrics.MetricsMiddleware",
    "coursegate.core.outage.OutageMiddleware",
    "coursegate.core.input_guard.InputGuardMiddleware",
    "coursegate.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "coursegate.urls"
WSGI_APPLICATION = "coursegate.wsgi.application"
# Bulk endpoints take up to 10,000 events or identifiers in one JSON body.
DATA_UPLOAD_MAX_MEMORY_SIZE = _int("COURSEGATE_MAX_BODY_BYTES", 16 * 1024 * 1024)
# Several contracts use paths without a trailing slash (POST /api/enrollment/v1/enrollment);
# a redirect would turn a POST into a GET in most clients.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'coursegate.sqlite3'}"
# Each worker keeps its connection (COURSEGATE_DB_CONN_MAX_AGE seconds) instead of opening one per
# request. A health check ("SELECT 1" before the first query of every request) is off by default:
# it was a round trip on every small read; without it, the one request that meets a connection the
# database has dropped fails and the connection is replaced (COURSEGATE_DB_HEALTH_CHECKS=true to
# check anyway, e.g. behind a proxy that drops idle connections).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=_int("COURSEGATE_DB_CONN_MAX_AGE", 600),
        conn_health_checks=_flag("COURSEGATE_DB_HEALTH_CHECKS", False),
    )
}
# Bounded requests (PostgreSQL). gunicorn kills a web worker that has not answered within
# SERVE_TIMEOUT seconds; the statement budget ends before that (5 s below it by default, or half of
# it), lock waits sooner still, so a request is answered 503 (core/outage.py) rather than killed.
# A backend whose client is gone anyway (a killed worker) cancels its statement and releases its
# locks within DB_CLIENT_CHECK_MS (client_connection_check_interval, PostgreSQL 14+; 0 leaves it
# out for older servers). 0 switches a timeout off. `coursegate migrate`, `demo`, `shell`, `import`
# and `export` run without a statement timeout unless one is set explicitly (coursegate/__main__.py).
SERVE_TIMEOUT = _int("COURSEGATE_SERVE_TIMEOUT", 30)
_budget_ms = max(SERVE_TIMEOUT * 500, SERVE_TIMEOUT * 1000 - 5000)
DB_STATEMENT_TIMEOUT_MS = _int("COURSEGATE_DB_STATEMENT_TIMEOUT_MS", _budget_ms)
DB_LOCK_TIMEOUT_MS = _int("COURSEGATE_DB_LOCK_TIMEOUT_MS", min(10_000, DB_STATEMENT_TIMEOUT_MS or 10_000))
DB_CLIENT_CHECK_MS = _int("COURSEGATE_DB_CLIENT_CHECK_MS", 2000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}" + (
        f" -c client_connection_check_interval={DB_CLIENT_CHECK_MS}" if DB_CLIENT_CHECK_MS else ""
    )
    # A database host that does not answer at all fails a connection in seconds, not minutes.
    _options.setdefault("connect_timeout", _int("COURSEGATE_DB_CONNECT_TIMEOUT", 5))
    if _flag("COURSEGATE_DB_PGBOUNCER", False):
        # PgBouncer in transaction mode: no startup options (set the limits on the database role,
        # docs/deployment.md) and no server-side cursors, which cannot outlive a transaction there.
        del _options["options"]
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when the transaction starts, so two concurrent writers queue
        # (up to `timeout` seconds) instead of failing with "database is locked" mid-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache (throttling, token caches) -----------------------------------------------------
CACHE_URL = env.get("COURSEGATE_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs ----------------------------------------------------------------------
CELERY_BROKER_URL = env.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task is acknowledged when it has finished, not when it starts: a worker killed mid-task
# (kill -9, OOM) leaves it unacknowledged, and the broker hands it out again after the visibility
# timeout (Redis) or at once (a lost connection). Jobs also write a heartbeat that the job reaper
# (a sweep, below) watches, so a killed job is re-queued well before that timeout.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _int("COURSEGATE_BROKER_VISIBILITY_TIMEOUT", 900)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task never waits long for a broker that is down: the dispatch request is in the
# database already (jobs, outbox) and a sweep publishes it again when the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# Periodic jobs, run by `coursegate worker --beat` (or cron: `coursegate expire_assignments`).
CELERY_BEAT_SCHEDULE = {
    "expire-assignments": {"task": "coursegate.assignments.expire", "schedule": 3600.0},
    "sweeps": {"task": "coursegate.core.sweep", "schedule": float(_int("COURSEGATE_SWEEP_SECONDS", 10))},
}
# Sweeps (core/sweeps.py): idempotent functions, each safe to run in several processes at once,
# that finish what a dead process left: deliver due outbox e-mails, publish jobs whose dispatch
# did not reach the broker, re-queue jobs whose heartbeat stopped. `coursegate serve` runs them in
# a `coursegate dispatcher` process beside gunicorn; `coursegate worker --beat` runs them too.
COURSEGATE_SWEEPS = [
    "coursegate.outbox.sender.outbox_sweep",
    "coursegate.enterprise_jobs.dispatch.jobs_sweep",
    "coursegate.webhooks.delivery.webhooks_sweep",
    "coursegate.reporting.tallies.tallies_sweep",
    "coursegate.idempotency.services.idempotency_keys_sweep",
]
COURSEGATE_SWEEP_SECONDS = _int("COURSEGATE_SWEEP_SECONDS", 10)
# A running job writes a heartbeat at least this often; one silent for COURSEGATE_JOB_STALE_SECONDS
# is taken to have lost its worker and is queued again (its chunks are idempotent).
COURSEGATE_JOB_HEARTBEAT_SECONDS = _int("COURSEGATE_JOB_HEARTBEAT_SECONDS", 10)
COURSEGATE_JOB_STALE_SECONDS = _int("COURSEGATE_JOB_STALE_SECONDS", 45)
# Pairs per chunk (one transaction, one heartbeat), runs a job gets before it is failed, and how long
# a job may wait for its own after-commit dispatch before the sweep publishes it instead.
COURSEGATE_JOB_CHUNK_SIZE = _int("COURSEGATE_JOB_CHUNK_SIZE", 500)
COURSEGATE_JOB_MAX_ATTEMPTS = _int("COURSEGATE_JOB_MAX_ATTEMPTS", 5)
COURSEGATE_JOB_DISPATCH_GRACE_SECONDS = _int("COURSEGATE_JOB_DISPATCH_GRACE_SECONDS", 5)
# Learner credit redemption waits this long for the policy's lock (PostgreSQL) before a 429.
COURSEGATE_REDEEM_LOCK_WAIT_SECONDS = _int("COURSEGATE_REDEEM_LOCK_WAIT_SECONDS", 5)
# Events: how integer trainingType values are read (specification: 1 framework, 2 standard, 0 also
# framework; client: the .NET client's 0 framework, 1 standard).
COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING = _str("COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING", "specification")
# The dashboard keeps its counts this many seconds (?refresh=1 counts again).
COURSEGATE_DASHBOARD_CACHE_SECONDS = _int("COURSEGATE_DASHBOARD_CACHE_SECONDS", 60)
# Enterprise bulk license enrollment: most e-mails + course run keys in one request.
COURSEGATE_BULK_ENROLL_LIMIT = _int("COURSEGATE_BULK_ENROLL_LIMIT", 1000)
# ... and most (e-mail, course run) pairs: a job without a broker runs inside the request.
COURSEGATE_BULK_ENROLL_MAX_PAIRS = _int("COURSEGATE_BULK_ENROLL_MAX_PAIRS", 10_000)
# ... and most (holder, course run) pairs of an enroll_all job (run by workers or the dispatcher).
COURSEGATE_BULK_ENROLL_ALL_MAX_PAIRS = _int("COURSEGATE_BULK_ENROLL_ALL_MAX_PAIRS", 200_000)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_URL = env.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = _str("COURSEGATE_FROM_EMAIL", "Coursegate <no-reply@coursegate.local>")
if EMAIL_URL:
    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Every notification is an outbox row written with the change that causes it (outbox/); the
# sender retries a failed delivery with exponential backoff, up to this many attempts.
COURSEGATE_OUTBOX_MAX_ATTEMPTS = _int("COURSEGATE_OUTBOX_MAX_ATTEMPTS", 8)
COURSEGATE_OUTBOX_RETRY_SECONDS = _int("COURSEGATE_OUTBOX_RETRY_SECONDS", 30)
COURSEGATE_OUTBOX_RETRY_MAX_SECONDS = _int("COURSEGATE_OUTBOX_RETRY_MAX_SECONDS", 6 * 3600)
# How long a sender holds the rows it claimed before another may take them over (renewed while alive).
COURSEGATE_OUTBOX_LEASE_SECONDS = _int("COURSEGATE_OUTBOX_LEASE_SECONDS", 120)
# Without a broker, a request delivers at most this many of its own e-mails itself after its commit;
# the dispatcher's next sweep sends the rest, so a large notify never holds the response.
COURSEGATE_OUTBOX_INLINE_MAX = _int("COURSEGATE_OUTBOX_INLINE_MAX", 200)
# Static bearer token for GET /metrics (Prometheus scrapers); staff users' tokens work too.
COURSEGATE_METRICS_TOKEN = env.get("COURSEGATE_METRICS_TOKEN", "").strip()
# Base URL of the learner portal in license activation links; default: this server's own address.
COURSEGATE_LEARNER_PORTAL_URL = env.get("COURSEGATE_LEARNER_PORTAL_URL", "").strip()

# --- Auth ---------------------------------------------------------------------------------
# Open edX's password policy (2..75 characters, not too like the username or e-mail): the seeds'
# examples create accounts with the password "edx". Tighten with COURSEGATE_PASSWORD_MIN_LENGTH
# and COURSEGATE_PASSWORD_STRICT=true (adds Django's common-password and all-numeric checks).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": _int("COURSEGATE_PASSWORD_MIN_LENGTH", 2)},
    },
    {"NAME": "coursegate.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 75}},
]
if _flag("COURSEGATE_PASSWORD_STRICT", False):
    AUTH_PASSWORD_VALIDATORS += [
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]

# User passwords: Django's default (PBKDF2). The last hasher is for OAuth2 client secrets only
# (core/client_secrets.py): random strings, so a keyed HMAC-SHA256 instead of a slow hash.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "coursegate.core.client_secrets.ClientSecretHasher",
]
# The key of that HMAC, kept out of the database; older keys stay accepted (and their hashes are
# re-made with the current key on use) while listed in the fallbacks.
CLIENT_SECRET_KEY = env.get("COURSEGATE_CLIENT_SECRET_KEY") or _secret_from_var("client_secret_key")
CLIENT_SECRET_KEY_FALLBACKS = [
    k.strip() for k in env.get("COURSEGATE_CLIENT_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]

ACCESS_TOKEN_EXPIRE_SECONDS = _int("COURSEGATE_ACCESS_TOKEN_SECONDS", 3600)
if not 60 <= ACCESS_TOKEN_EXPIRE_SECONDS < 86400:
    # edx-rest-api-client computes its cache lifetime with timedelta.seconds, which wraps at a day.
    raise ValueError("COURSEGATE_ACCESS_TOKEN_SECONDS must be between 60 and 86399")

OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_EXPIRE_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 86400,
    "SCOPES": {
        "read": "Read access",
        "write": "Write access",
        "email": "The user's e-mail address",
        "profile": "The user's name and staff status",
        "user_id": "The user's numeric id",
    },
    "DEFAULT_SCOPES": ["read", "write", "email", "profile"],
    "OAUTH2_VALIDATOR_CLASS": "coursegate.core.oauth.CoursegateOAuth2Validator",
    # Application.client_secret is hashed on save with this PASSWORD_HASHERS algorithm
    # (core.client_secrets.ClientSecretHasher), not with the user-password default.
    "CLIENT_SECRET_HASHER": "coursegate_hmac_sha256",
    # Only a checksum of each access token is stored (RFC 9700 §4.14 token storage).
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "PKCE_REQUIRED": False,
}
# The password grant is part of the Open edX contract; oauth2_provider nags about it on every use.
warnings.filterwarnings("ignore", message=".*password credentials grant.*", category=DeprecationWarning)

# PostgreSQL: whether issuing a client-credentials token waits for its row's WAL flush
# (core/oauth.py _token_issuance: by default it does not; a server crash may lose a token just issued).
TOKEN_SYNCHRONOUS_COMMIT = _flag("COURSEGATE_TOKEN_SYNCHRONOUS_COMMIT", False)

JWT_SECRET = env.get("COURSEGATE_JWT_SECRET") or _secret_from_var("jwt_secret")
JWT_ISSUER = _str("COURSEGATE_JWT_ISSUER", "coursegate")
JWT_AUDIENCE = _str("COURSEGATE_JWT_AUDIENCE", "coursegate")
JWT_VERSION = "1.2.0"
JWT_LEEWAY_SECONDS = _int("COURSEGATE_JWT_LEEWAY_SECONDS", 300)


JWT_TRUSTED_ISSUERS = trusted_issuers(env.get("COURSEGATE_TRUSTED_JWT_ISSUERS", ""))

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["coursegate.core.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["coursegate.core.renderers.FastJSONRenderer"],
    # Strict everywhere (core/parsers.py); the few seed leniencies are set on their own views.
    "DEFAULT_PARSER_CLASSES": [
        "coursegate.core.parsers.StrictJSONParser",
        "coursegate.core.parsers.StrictFormParser",
        "coursegate.core.parsers.StrictMultiPartParser",
    ],
    "EXCEPTION_HANDLER": "coursegate.core.errors.exception_handler",
    "NUM_PROXIES": num_proxies(),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        # Open edX EnrollmentUserThrottle: 40/minute for learners, 120/minute for staff.
        "enrollment_user": _str("COURSEGATE_THROTTLE_ENROLLMENT_USER", "40/minute"),
        "enrollment_staff": _str("COURSEGATE_THROTTLE_ENROLLMENT_STAFF", "120/minute"),
        "enrollment_anon": _str("COURSEGATE_THROTTLE_ENROLLMENT_ANON", "120/minute"),
    },
}
# Deepest nesting of arrays and objects a JSON body may have (deeper: 400, never a RecursionError).
COURSEGATE_JSON_MAX_DEPTH = _int("COURSEGATE_JSON_MAX_DEPTH", 64)
# Throttles can be switched off as a whole (benchmarks, trusted networks).
THROTTLING_ENABLED = _flag("COURSEGATE_THROTTLING", True)

SPECTACULAR_SETTINGS = spectacular_settings(__version__)  # the OpenAPI document (coursegate/openapi_settings.py)

# --- `coursegate serve` defaults ----------------------------------------------------------
SERVE_HOST = _str("COURSEGATE_HOST", "127.0.0.1")
SERVE_PORT = _int("COURSEGATE_PORT", 8000)
SERVE_WORKERS = _int("COURSEGATE_WORKERS", 2)
SERVE_THREADS = _int("COURSEGATE_THREADS", 1)
SERVE_FORWARDED_ALLOW_IPS = _str("COURSEGATE_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket: off unless this instance is given its own path.
SERVE_CONTROL_SOCKET = _str("COURSEGATE_CONTROL_SOCKET", "")
# SERVE_TIMEOUT (COURSEGATE_SERVE_TIMEOUT, gunicorn's --timeout) is read with the database
# settings above: the statement budget follows it. Long work is a job instead.
# `coursegate serve` starts `coursegate dispatcher` (the sweeps) beside gunicorn unless false.
SERVE_DISPATCHER = _flag("COURSEGATE_DISPATCHER", True)

# --- i18n, static, logging ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Static files (admin, Swagger UI) are served from the installed apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = True

# Every line carries the request id; COURSEGATE_LOG_FORMAT=json for one JSON object per line.
LOGGING = logging_config(
    level=_str("COURSEGATE_LOG_LEVEL", "INFO").upper(), json_lines=_str("COURSEGATE_LOG_FORMAT", "plain") == "json"
)

# --- HTTPS, cookies, CORS, proxies: coursegate/edge.py ------------------------------------
globals().update(edge_settings(DEBUG))
# --- Change feed, webhooks, idempotency keys: coursegate/integration_settings.py -----------
globals().update(integration_settings())
