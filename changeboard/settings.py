"""Changeboard settings, read from environment variables.

Every variable is documented in the README; those of the multi-process
layout (single sign-on, task workers and the scheduler, shared file storage,
gunicorn) in docs/deployment.md, by process. `CHANGEBOARD_ENV=production` turns
on the production profile, which refuses to start without the values a real
deployment must set (secret key, allowed hosts) rather than guessing them.
Secrets may be given directly or as `<NAME>_FILE` pointing at a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    """A string from `NAME`, or from the file named by `NAME_FILE`."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is None and file_name:
        value = Path(file_name).read_text(encoding="utf-8").strip()
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Set the environment variable {name} (or {name}_FILE).")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = env_str("CHANGEBOARD_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("CHANGEBOARD_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", False) and not PRODUCTION
SECRET_KEY = env_str("SECRET_KEY", required=PRODUCTION) or "changeboard-development-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated) in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_rq",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "treebeard",
    "axes",
    "changeboard.core",
    "changeboard.accounts",
    "changeboard.organisation",
    "changeboard.portfolio",
    "changeboard.impacts",
    "changeboard.surveys",
    "changeboard.readiness",
    "changeboard.reports",
    "changeboard.cutover",
    "changeboard.hypercare",
    "changeboard.engagement",
    "changeboard.network",
    "changeboard.capability",
    "changeboard.site",
    "changeboard.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "changeboard.core.middleware.RequestIdMiddleware",
    "changeboard.core.middleware.NoStoreMiddleware",
    "changeboard.core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "changeboard.core.middleware.SessionLifetimeMiddleware",
    "changeboard.accounts.sso.SSOSessionRefresh",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "changeboard.core.middleware.NumberOverflowMiddleware",
]

ROOT_URLCONF = "changeboard.urls"
WSGI_APPLICATION = "changeboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "changeboard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "changeboard.site.context_processors.navigation",
            ],
        },
    },
]

# Database: embedded SQLite under var/ unless DATABASE_URL names another.
# WAL and immediate transactions let the web server and the worker share it.
SQLITE_PATH = BASE_DIR / "var" / "changeboard.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when REDIS_URL is set (several web processes or machines): the cache
# (and with it the rate limits kept there) and the session cache are shared by
# every process, and background tasks go to RQ workers. django-redis ignores a
# Redis outage (a cache miss, logged), so the site keeps answering while Redis
# restarts: sessions are cached_db (the database holds them, Redis caches
# them), so nobody is signed out by a Redis restart. Without REDIS_URL: one
# process's memory, database sessions and the database task backend.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

RQ_BACKEND = "django_tasks_rq.RQBackend"
DATABASE_TASKS_BACKEND = "django_tasks_db.DatabaseBackend"
# Tasks go to one queue, TASK_QUEUE (tests and try-outs sharing a Redis give
# each run its own; "default" stays declared, as every task is declared on it,
# but `core.tasks.enqueue` sends them to TASK_QUEUE, the one `manage.py
# run_worker` works, on either backend). On RQ
# a job whose worker dies is retried up to TASK_RETRIES times (RQ's Retry,
# see core/tasks.py). A worker whose whole process died stops renewing its
# job's heartbeat (every TASK_HEARTBEAT_SECONDS, run out 60 s later); the
# next maintenance pass of any worker, every TASK_MAINTENANCE_SECONDS (idle
# workers wake that often for it), finds the job abandoned and requeues it.
TASK_QUEUE = env_str("TASK_QUEUE", "default")
TASK_RETRIES = env_int("TASK_RETRIES", 3)
TASK_MAINTENANCE_SECONDS = env_int("TASK_MAINTENANCE_SECONDS", 30)
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 10)
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", RQ_BACKEND if REDIS_URL else DATABASE_TASKS_BACKEND),
        "QUEUES": sorted({"default", TASK_QUEUE}),
    }
}
# django-rq's queue for the RQ task backend (the same Redis).
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": env_int("TASK_TIMEOUT_SECONDS", 1800),
                    "QUEUE_CLASS": "changeboard.core.tasks.RetryingQueue"} for name in TASKS["default"]["QUEUES"]}
# The scheduler's leader lease (Redis with REDIS_URL, else the database): only
# its holder queues work; a standby takes over once it runs out.
SCHEDULER_LEASE_NAME = env_str("SCHEDULER_LEASE_NAME", "scheduler")

AUTH_USER_MODEL = "accounts.User"
# Axes first (it refuses a locked-out username before anything checks a
# password); passwords as LOCAL_PASSWORD_LOGIN allows; single sign-on (it
# answers only on the OIDC callback, and only when SSO is configured).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "changeboard.accounts.sso.PasswordBackend",
    "changeboard.accounts.sso.SSOBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username after repeated failures,
# LOGIN_FAILURE_LIMIT from one address or LOGIN_ACCOUNT_FAILURE_LIMIT from any
# addresses (changeboard.accounts.throttling applies the second limit).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "changeboard.accounts.throttling.LoginAttemptHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]

# Single sign-on (OpenID Connect, mozilla-django-oidc): on when
# OIDC_RP_CLIENT_ID is set. Authorization Code with PKCE (S256), a nonce, the
# ID token's RS256 signature checked against the provider's JWKS. Who gets in
# and with which role is decided by the claim rules admins edit
# (changeboard.accounts.sso). Production refuses a half-configured SSO.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_SETTINGS_REQUIRED = ["OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"]
if PRODUCTION and OIDC_RP_CLIENT_ID:
    missing = [name for name in OIDC_SETTINGS_REQUIRED if not globals()[name]]
    if missing:
        raise ImproperlyConfigured(f"Single sign-on is half-configured: set {', '.join(missing)} (or unset OIDC_RP_CLIENT_ID).")
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM", "roles")
OIDC_STAFF_NUMBER_CLAIM = env_str("OIDC_STAFF_NUMBER_CLAIM", "employeeid")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft Entra ID")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of sign-out at the provider
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env_int("OIDC_RENEW_MINUTES", 15) * 60
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_OP_LOGOUT_URL_METHOD = "changeboard.accounts.sso.provider_logout_url"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
OIDC_EXEMPT_URLS = ["logout", "sso-no-access", "healthz", "readyz"]
# Who may still sign in with a password: `all`, `break-glass` (only accounts
# an admin marked as break-glass) or `off`.
LOCAL_PASSWORD_LOGIN = env_str("LOCAL_PASSWORD_LOGIN", "break-glass" if OIDC_RP_CLIENT_ID else "all")
if LOCAL_PASSWORD_LOGIN not in {"all", "break-glass", "off"}:
    raise ImproperlyConfigured("LOCAL_PASSWORD_LOGIN must be 'all', 'break-glass' or 'off'.")

# Sessions end after SESSION_IDLE_MINUTES without a request of the person's
# (a page's background poll does not count), and SESSION_ABSOLUTE_HOURS after
# signing in however active (changeboard.core.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", PRODUCTION) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict Content Security Policy (Django's built-in): only our own files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production WhiteNoise serves straight from the built files, so
# `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Files users upload and files the system generates (evidence, hypercare
# attachments, staged imports, board packs) go through Django's storage API,
# so several machines share them: the local file system under MEDIA_ROOT by
# default (one machine, or a shared volume), an S3-compatible object store
# through django-storages when S3_BUCKET is set. Files are only ever streamed
# by the app's own permission-checked views: no public ACL, no signed URLs,
# and MEDIA_URL is not served. A name in use is never overwritten.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
S3_BUCKET = env_str("S3_BUCKET")
S3_ADDRESSING_STYLES = {"auto", "path", "virtual"}


def s3_storage_options() -> dict[str, Any]:
    """django-storages' S3Storage options from S3_* variables. Keys may be
    left unset to use boto3's own chain (an instance or pod role)."""
    style = env_str("S3_ADDRESSING_STYLE", "auto")
    if style not in S3_ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be one of {', '.join(sorted(S3_ADDRESSING_STYLES))}, not {style!r}.")
    endpoint = env_str("S3_ENDPOINT_URL")
    if endpoint and not endpoint.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"S3_ENDPOINT_URL must be an http(s):// URL, not {endpoint!r}.")
    access_key, secret_key = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or their _FILE forms), or neither.")
    return {
        "bucket_name": env_str("S3_BUCKET", required=True),
        "endpoint_url": endpoint or None,
        "region_name": env_str("S3_REGION") or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "addressing_style": None if style == "auto" else style,
        "location": env_str("S3_PREFIX").strip("/"),
        "default_acl": None,  # the bucket's own (private) default: never public-read
        "querystring_auth": False,  # no signed links: downloads go through our views
        "file_overwrite": False,  # a name in use gets a new one, as on the file system
    }


if S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_storage_options()}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 50)
# Every import refuses an XLSX workbook past these before loading it
# (core.tabular.check_workbook): a small zip can unpack to gigabytes.
IMPORT_MAX_UNCOMPRESSED_MB = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 100)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 1_000_000)
IMPORT_MAX_SHARED_STRINGS = env_int("IMPORT_MAX_SHARED_STRINGS", 1_000_000)
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 10)



SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailers_from_env() -> dict[str, dict[str, Any]]:
    """Django 6.1's MAILERS from the same environment variables as before
    (EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_TIMEOUT). The server's options
    go to the SMTP backend only: another backend (console, locmem, file)
    refuses options it does not know."""
    backend = env_str("EMAIL_BACKEND", SMTP_BACKEND)
    options: dict[str, Any] = {}
    if backend == SMTP_BACKEND:
        options = {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 30),
        }
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers_from_env()
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "changeboard@localhost")
# The worker sends the outbox over SMTP only when a mail server is configured;
# otherwise messages wait on the outbox page (the demo shows the flow there).
# Where emailed links point (survey invitations): the public address of the site.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
OUTBOX_SEND = env_bool("OUTBOX_SEND", bool(os.environ.get("EMAIL_HOST")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["changeboard.core.permissions.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: the human-readable reference is /api/v1/docs/ (DRF's
    # browsable pages are not built to this service's accessibility bar).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers, cleaning text of what XLSX and PDF cannot hold (issue 17).
    "DEFAULT_PARSER_CLASSES": [
        "changeboard.core.parsers.JSONParser",
        "changeboard.core.parsers.FormParser",
        "changeboard.core.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Changeboard API",
    "DESCRIPTION": "The same data and scopes as the Changeboard pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Several models have a `status`; name the sets that would otherwise collide.
    "ENUM_NAME_OVERRIDES": {
        "BoardPackStatusEnum": "changeboard.reports.models.BoardPack.Status",
        "ReviewDecisionEnum": "changeboard.readiness.models.Review.Decision",
        "ExitDecisionEnum": "changeboard.hypercare.models.ExitDecision.Decision",
        "PositionEnum": "changeboard.engagement.models.Position",
        "TaskKindEnum": "changeboard.cutover.models.Task.Kind",
        "RunKindEnum": "changeboard.cutover.models.Run.Kind",
        "RunStatusEnum": "changeboard.cutover.models.Run.Status",
        "RunTaskStatusEnum": "changeboard.cutover.models.RunTask.Status",
        "QueryStatusEnum": "changeboard.hypercare.models.Query.Status",
        "PeriodStatusEnum": "changeboard.hypercare.models.Period.Status",
        "ChampionStatusEnum": "changeboard.network.models.Champion.Status",
        "NominatedAsEnum": "changeboard.network.models.Champion.NominatedAs",
        "ActivityKindEnum": "changeboard.network.models.Activity.Kind",
        "ActivityStatusEnum": "changeboard.network.models.Activity.Status",
        "ThemeCategoryEnum": "changeboard.network.models.Theme.Category",
        "ThemeSentimentEnum": "changeboard.network.models.Theme.Sentiment",
        "ThemeStatusEnum": "changeboard.network.models.Theme.Status",
        "ApproachStatusEnum": "changeboard.capability.models.ApproachStatus",
        "MeasureEnum": "changeboard.capability.models.Measure",
        "SectionEnum": "changeboard.capability.models.Section",
        "EmotionEnum": "changeboard.capability.models.Emotion",
        "TouchpointKindEnum": "changeboard.capability.models.TouchpointKind",
        "AssessmentKindEnum": "changeboard.capability.models.AssessmentKind",
        "HandoverActivityEnum": "changeboard.capability.models.HandoverActivity",
        "AdkarEnum": "changeboard.surveys.models.Adkar",
        "CompetencyLevelEnum": "changeboard.capability.models.LEVELS",
    },
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"

# Logs carry request ids, never personal data. Every record goes through the
# one console handler, which redacts survey links; Django's own default
# handlers (its DEBUG console, the development server's access log, mail to
# admins) are replaced so that no record reaches a handler without it.
# gunicorn's logs are redacted by the logger class in gunicorn.conf.py.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "changeboard.core.middleware.RequestIdFilter"},
        "redact_links": {"()": "changeboard.core.redaction.RedactSurveyLinksFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id", "redact_links"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "py.warnings": {"handlers": ["console"], "propagate": False},
    },
}

# Several web machines behind a load balancer (docs/deployment.md): how many
# proxies in front of the web processes append to X-Forwarded-For, so the
# sign-in throttle and the hypercare limits count each client's own address
# rather than the balancer's (changeboard.core.clientip). 0 (the default):
# the connection's address, the header ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "changeboard.core.clientip.client_ip"
