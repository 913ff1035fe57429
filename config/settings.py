"""Settings for Marginalia, driven by the environment.

DATABASE_URL          PostgreSQL URL; unset means the embedded cluster in var/postgres.
DATABASE_REPLICA_URL  a streaming replica of it; safe web requests read there (config.replica).
DJANGO_SECRET_KEY     required when DJANGO_DEBUG is off.
DJANGO_DEBUG          "1"/"true" for development (the default when unset is on for local use).
DJANGO_ALLOWED_HOSTS  comma-separated host names.
DJANGO_SECURE         "1" when served over HTTPS only: SSL redirect, HSTS, secure cookies.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import embedded_db, headers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)

_INSECURE_PREFIX = "django-insecure-"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = _INSECURE_PREFIX + "local-development-only-never-in-production"
elif not DEBUG and (SECRET_KEY.startswith(_INSECURE_PREFIX) or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 32 random characters."
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "template_partials",
    "briefs",
    "annotations",
    "search",
    "accounts",
    # Installed, django-ninja renders /api/v1/docs through the template loader, so
    # templates/ninja/swagger.html (our pinned Swagger UI) replaces its CDN page.
    "ninja",
    "axes",
    "csp",
    # Background jobs in PostgreSQL (no new server): `manage.py db_worker` runs them.
    "django_tasks",
    "django_tasks_db",
]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry these headers as well.
    "config.headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and auth: unreadable input never reaches the database.
    "config.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a lockout raised during authentication into the 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+address is refused before any password is checked.
    # AxesBackend, not the standalone one: force_login() and sessions name the first backend,
    # which must also load users (it inherits ModelBackend for that).
    # Both read a user's permissions in one query, not two (config.auth).
    "config.auth.AxesPermissionBackend",
    "config.auth.PermissionBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
else:
    DATABASES = {"default": embedded_db.database_settings(BASE_DIR)}

# Django's PostgreSQL backend with timestamps parsed in C (config/postgresql/base.py).
for _database in DATABASES.values():
    _database["ENGINE"] = "config.postgresql"

# A read replica (PostgreSQL streaming replication of the default database): safe web requests
# read there unless their client wrote within MARGINALIA_REPLICA_PIN_SECONDS (config.replica).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
MARGINALIA_REPLICA_PIN_SECONDS = int(os.environ.get("MARGINALIA_REPLICA_PIN_SECONDS", 10))
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at PostgreSQL (postgres://...).")
    DATABASES["replica"]["ENGINE"] = "config.postgresql"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the test database there
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    # Before sessions: whether this request's reads (its session's too) may use the replica.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("config.input_guard.InputGuardMiddleware") + 1, "config.replica.ReplicaMiddleware"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface speaks English and Korean: the language cookie (set by the header's switcher),
# then the browser's Accept-Language, English by default. Brief text keeps its own lang.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it: the page says its language in <html lang>
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# whitenoise warns about a missing STATIC_ROOT before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "briefs:library"
LOGOUT_REDIRECT_URL = "briefs:library"

# Uploads and request bodies: refuse rather than buffer anything huge.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Importer: the largest document we accept, in bytes.
MARGINALIA_MAX_IMPORT_BYTES = int(os.environ.get("MARGINALIA_MAX_IMPORT_BYTES", 20 * 1024 * 1024))
# Wall time one request may spend importing (reading, then saving and indexing), in seconds:
# past it the import is refused with a clear message and nothing is saved (the command line
# has no such limit).
MARGINALIA_IMPORT_SECONDS = float(os.environ.get("MARGINALIA_IMPORT_SECONDS", 60))
# One upload at /import/ may carry several documents, each within the limit above, all of
# them together within MARGINALIA_MAX_IMPORT_BYTES × 2 (the request is refused before it is read).
MARGINALIA_MAX_IMPORT_FILES = int(os.environ.get("MARGINALIA_MAX_IMPORT_FILES", 10))
# An upload of this many documents or more, or of one larger than this many bytes, is read by
# the background worker (manage.py db_worker) while the import page shows its progress; smaller
# ones are read in the request. The worker's time budget for one document, in seconds.
MARGINALIA_BACKGROUND_IMPORT_FILES = int(os.environ.get("MARGINALIA_BACKGROUND_IMPORT_FILES", 3))
MARGINALIA_BACKGROUND_IMPORT_BYTES = int(
    os.environ.get("MARGINALIA_BACKGROUND_IMPORT_BYTES", 2 * 1024 * 1024)
)
MARGINALIA_BACKGROUND_IMPORT_SECONDS = float(os.environ.get("MARGINALIA_BACKGROUND_IMPORT_SECONDS", 600))
# How long an import preview (an upload read but not yet saved) waits for its confirmation.
MARGINALIA_IMPORT_PREVIEW_HOURS = int(os.environ.get("MARGINALIA_IMPORT_PREVIEW_HOURS", 24))

# API: token clients get this many requests per window ("requests/seconds"), counted in
# PostgreSQL across all processes (accounts.auth); bodies over the limit are refused with 413
# before parsing. A malformed limit stops startup here rather than failing every request.
MARGINALIA_API_RATE_LIMIT = os.environ.get("MARGINALIA_API_RATE_LIMIT", "").strip() or "600/60"
if not re.fullmatch(r"\s*[1-9][0-9]*\s*/\s*[1-9][0-9]*\s*", MARGINALIA_API_RATE_LIMIT):
    raise ImproperlyConfigured(
        'MARGINALIA_API_RATE_LIMIT must be "<requests>/<seconds>" with positive integers, '
        f"like '600/60'; got {MARGINALIA_API_RATE_LIMIT!r}."
    )
MARGINALIA_API_MAX_BODY_BYTES = int(os.environ.get("MARGINALIA_API_MAX_BODY_BYTES", 256 * 1024))
# POST /api/v1/annotations/bulk: one batch, all or nothing (annotations.bulk).
MARGINALIA_BULK_MAX_BYTES = int(os.environ.get("MARGINALIA_BULK_MAX_BYTES", 32 * 1024 * 1024))
MARGINALIA_BULK_MAX_ITEMS = int(os.environ.get("MARGINALIA_BULK_MAX_ITEMS", 20_000))
# A batch larger than this is searchable once the worker has indexed it (seconds later), so the
# request does not wait for the morphological analysis of every quote and note.
MARGINALIA_BULK_INDEX_INLINE = int(os.environ.get("MARGINALIA_BULK_INDEX_INLINE", 500))

# The reader highlights and lists this many annotations per section; "show more" adds as many
# again, up to MARGINALIA_READER_MAX_ANNOTATIONS in one section, so a page stays small
# whatever the number of annotations.
MARGINALIA_READER_ANNOTATIONS_PER_SECTION = int(
    os.environ.get("MARGINALIA_READER_ANNOTATIONS_PER_SECTION", 200)
)
MARGINALIA_READER_MAX_ANNOTATIONS = int(os.environ.get("MARGINALIA_READER_MAX_ANNOTATIONS", 1000))
# The longest a claims view (matrix, timeline, co-occurrence) may count before PostgreSQL
# cancels it and the page asks for narrower filters: no request runs unbounded.
MARGINALIA_CLAIMS_SECONDS = float(os.environ.get("MARGINALIA_CLAIMS_SECONDS", 20))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx and the reader script read the token from the page, not it
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# whitenoise answers before the clickjacking middleware runs; config.headers adds the header.
WHITENOISE_ADD_HEADERS_FUNCTION = headers.static_headers
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    LANGUAGE_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)

# DJANGO_SECURE=1: the site is only ever reached over HTTPS. Off by default because a plain
# http://localhost run would otherwise redirect to an https:// nobody listens on.
SECURE = env_bool("DJANGO_SECURE", False)
if SECURE:
    SECURE_SSL_REDIRECT = True
    # A load balancer's plain-HTTP health check must not be redirected.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
# Behind a TLS-terminating proxy, name the header it sets, e.g. "X-Forwarded-Proto: https".
# Only set it when the proxy always overwrites that header: a client could send it otherwise.
_proxy_ssl_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    _name, _sep, _value = _proxy_ssl_header.partition(":")
    if not _sep or not _name.strip() or not _value.strip():
        raise ImproperlyConfigured(
            'DJANGO_SECURE_PROXY_SSL_HEADER must be "<Header-Name>: <value>", like '
            f"'X-Forwarded-Proto: https'; got {_proxy_ssl_header!r}."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())

# Every page's Content-Security-Policy: nothing from elsewhere, no inline script or style
# attribute (tag colours travel as data-hl, static/js/colours.js sets them through the CSSOM).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page here uses, refused for the page and anything it embeds.
MARGINALIA_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "interest-cohort=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Sign-in throttling (django-axes): after MARGINALIA_LOGIN_FAILURES wrong passwords for one
# username from one address, that pair is refused (429) for MARGINALIA_LOGIN_COOLOFF_MINUTES.
# Keyed on the pair, so an attacker elsewhere cannot lock a user out of their own desk, and
# one address trying many usernames is locked per username. API tokens never pass through it.
MARGINALIA_LOGIN_FAILURES = int(os.environ.get("MARGINALIA_LOGIN_FAILURES", 5))
MARGINALIA_LOGIN_COOLOFF_MINUTES = int(os.environ.get("MARGINALIA_LOGIN_COOLOFF_MINUTES", 15))
if MARGINALIA_LOGIN_FAILURES < 1 or MARGINALIA_LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        "MARGINALIA_LOGIN_FAILURES and MARGINALIA_LOGIN_COOLOFF_MINUTES must be positive integers."
    )
AXES_FAILURE_LIMIT = MARGINALIA_LOGIN_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=MARGINALIA_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A successful sign-in clears that pair's count, so five typos a month never add up.
AXES_RESET_ON_SUCCESS = True
# Attempts during the pause are refused unchecked, so they need not prolong it: the lock ends
# at the time the page gives, however often the form is sent meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
# Failed attempts keep their form data for the admin; passwords are masked, and so is the CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
