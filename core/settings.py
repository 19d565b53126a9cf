"""Settings for every environment, driven by environment variables.

With nothing set, the project runs on its embedded default: a SQLite file under var/, Celery
tasks executed eagerly in-process and e-mail written to the console. Production sets
DJANGO_DEBUG=0 and a real DJANGO_SECRET_KEY, and points DATABASE_URL at PostgreSQL and
CELERY_BROKER_URL at Redis or RabbitMQ (see deploy/).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

# A development key is fine on a laptop; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=0) refuses to start without "
            "a real secret key: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "assessments",
]

# Admin logins: after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES (a page says so, with a 429). Locking the
# pair, not the address alone, keeps a shop's shared connection usable for everyone else.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

MIDDLEWARE = [
    # First: every later log line carries the request id, and the probes (/healthz, /readyz,
    # /metrics) are answered before host checks, the https redirect and rate limits.
    "core.requestid.RequestIdMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    "core.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the response first: it relaxes framing for the embedded journey only.
    "assessments.embedding.middleware.EmbedMiddleware",
]

ROOT_URLCONF = "core.urls"
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (postgres://...) switches to PostgreSQL with
# psycopg's connection pool.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL)
    if _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
        _db["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not.
        from core.dbpool import connection_check

        # A sync gunicorn worker or Celery process runs one query at a time, so a small pool.
        # `check` tests a pooled connection before handing it out: after PostgreSQL restarts,
        # dead connections are replaced instead of failing a customer's request, and a live
        # one is handed out without a round trip (core/dbpool.py). `timeout` is
        # how long a request waits for a connection before the 503 page says to try again.
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ.get("DATABASE_POOL_MAX", "4")),
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "5")),
            "check": connection_check,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Browser libraries (htmx) come from the pinned npm package installed by the set-up.
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads larger than this are refused before Pillow ever opens them.
MAX_IMAGE_UPLOAD_BYTES = 5 * 1024 * 1024
# Footprint photos (the photo question): read in memory only, never a temporary file; larger
# ones are refused with a message. Pixels are checked before Pillow decodes (a decompression
# bomb is refused, not expanded); 50 MP takes any phone's photo at its usual settings.
FOOTPRINT_MAX_BYTES = 8 * 1024 * 1024
FOOTPRINT_MAX_PIXELS = 50_000_000
FOOTPRINT_FORMATS = ("JPEG", "MPO", "PNG", "WEBP")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Celery: eager in-process without a broker, real workers with one.
# The cache holds rate-limit counts; every web process must share it in production.
CACHE_URL = os.environ.get("CACHE_URL", "")
# Redis fails open (core/cache.py): with Redis away, pages are served and limits not counted.
CACHES = {
    "default": {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": CACHE_URL,
        # A Redis that is away must cost a request milliseconds, not a hung worker.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
RATELIMIT_FAIL_OPEN = True
# The header the proxy in front puts the client's address in (nginx: HTTP_X_REAL_IP); empty
# when clients connect directly.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")
# Uses per period of every anonymous action that costs (assessments/limits.py); a 429 says
# when to come back. Shared addresses (a shop's wifi, a kiosk) are why the per-client figures
# are generous; e-mail to one address is what stays scarce.
RATE_LIMITS = {
    "start": "60/10m",  # per client: new responses
    "step": "300/10m",  # per client: step and back submissions
    "email_client": "10/h",  # per client: e-mails asked for (results, link, data)
    "email_address": "3/d",  # per address: e-mails a visitor can have sent to it
    "email_brand": os.environ.get("MAIL_BRAND_DAILY_CEILING", "2000") + "/d",  # per brand
    "purchase_client": "10/h",  # per client: "I bought this"
    "checkin": "30/h",  # per client: check-in answers
    "webhook": "600/m",  # per brand: signed store calls
    "privacy": "10/h",  # per client: data requests
    "store_lookup": "20/10m",  # per staff login and per client: store codes tried
    "api": os.environ.get("API_RATE_LIMIT", "600/m"),  # per API key
}
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Workers log through LOGGING above (JSON, with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Follow-ups are rows, not timers: beat only wakes a dispatcher that claims the due rows. Beat
# never carries an eta, so nothing is lost or redelivered twice while workers are down.
CELERY_BEAT_SCHEDULE = {
    "followups-dispatch-due": {
        "task": "assessments.tasks.followups_dispatch_due",
        "schedule": float(os.environ.get("FOLLOWUPS_DISPATCH_EVERY", "60")),
        "options": {"expires": 50},
    },
    # Insights rollups: re-sum the (version, day) buckets whose responses changed; the page is
    # exact either way, this keeps it fast.
    "insights-refresh": {
        "task": "assessments.tasks.insights_refresh",
        "schedule": float(os.environ.get("INSIGHTS_REFRESH_EVERY", "60")),
        "options": {"expires": 50},
    },
    # Outgoing webhooks whose next attempt is due (first attempts are queued at once).
    "webhooks-dispatch-due": {
        "task": "assessments.api.tasks.webhooks_dispatch_due",
        "schedule": float(os.environ.get("WEBHOOKS_DISPATCH_EVERY", "30")),
        "options": {"expires": 25},
    },
    # Each brand's retention period: old unfinished responses deleted, finished ones
    # anonymised. Daily, at a quiet hour; safe to run twice (see assessments/privacy).
    # Footprint photos a customer asked us to keep go on their day; hourly, so never a day late.
    "kept-photos-expire": {
        "task": "assessments.tasks.kept_photos_expire",
        "schedule": float(os.environ.get("KEPT_PHOTOS_EXPIRE_EVERY", "3600")),
        "options": {"expires": 3000},
    },
    "privacy-retention-daily": {
        "task": "assessments.tasks.retention_apply",
        "schedule": crontab(hour=int(os.environ.get("RETENTION_HOUR_UTC", "3")), minute=17),
        "options": {"expires": 3600},
    },
}
# Public address of the site, for links in e-mails (tips, check-ins, unsubscribe).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Outgoing webhooks: retried with exponential backoff (base, doubling, capped) and jitter for
# this many hours, then the endpoint is disabled. Plain http to localhost, and endpoints that
# resolve to private, loopback or link-local addresses, only where explicitly allowed.
WEBHOOKS_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOKS_RETRY_BASE_SECONDS", "30"))
WEBHOOKS_RETRY_MAX_SECONDS = int(os.environ.get("WEBHOOKS_RETRY_MAX_SECONDS", "7200"))
WEBHOOKS_RETRY_WINDOW_HOURS = int(os.environ.get("WEBHOOKS_RETRY_WINDOW_HOURS", "24"))
WEBHOOKS_ALLOW_HTTP_LOOPBACK = DEBUG
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", DEBUG)
# A claimed row whose task never started goes back to the queue after this many seconds; a row
# left "sending" by a dead worker is marked failed (outcome unknown) after this many.
FOLLOWUPS_CLAIM_TIMEOUT = int(os.environ.get("FOLLOWUPS_CLAIM_TIMEOUT", "900"))
FOLLOWUPS_SENDING_TIMEOUT = int(os.environ.get("FOLLOWUPS_SENDING_TIMEOUT", "900"))
FOLLOWUPS_BATCH = int(os.environ.get("FOLLOWUPS_BATCH", "200"))
# How long the link e-mailed to a customer who asked for their data (to download or erase
# it) stays usable.
PRIVACY_LINK_MAX_AGE = int(os.environ.get("PRIVACY_LINK_HOURS", "24")) * 3600

# E-mail: console by default (SMTP in production). EMAIL_BACKEND=file writes to var/mail;
# smtp uses EMAIL_HOST, EMAIL_PORT and friends.
_email = os.environ.get("EMAIL_BACKEND", "console" if DEBUG else "smtp")
_mail_backends = {
    "console": ("django.core.mail.backends.console.EmailBackend", {}),
    "file": ("django.core.mail.backends.filebased.EmailBackend", {"file_path": VAR_DIR / "mail"}),
    "locmem": ("django.core.mail.backends.locmem.EmailBackend", {}),
    "smtp": (
        "django.core.mail.backends.smtp.EmailBackend",
        {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 20,
        },
    ),
}
_mail_backend, _mail_options = _mail_backends.get(_email, (_email, {}))
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "assessments@localhost")

# Security. Customer pages set no cookies at all; the admin keeps Django's sessions and CSRF.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Logs: one JSON object per line in production (DJANGO_LOG_FORMAT=json), plain text on a
# laptop; both carry the request id (core/requestid.py), in web processes and Celery tasks.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Its start-up banner is noise; lockouts are warnings and still show.
        "axes": {"level": "WARNING"},
        # One access line per request (core/metrics.py); off unless asked for, since nginx
        # writes one too.
        "core.requests": {"level": os.environ.get("DJANGO_ACCESS_LOG_LEVEL", "WARNING")},
        # A 503 for a database outage is already logged as one warning by core.errors.
        "django.request": {"level": "ERROR"},
    },
}

# /metrics is served to these networks (the client's address as the proxy reports it), or to
# a scraper sending `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
