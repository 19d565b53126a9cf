"""Settings of the peer project: what `startproject` gives, database sessions, formtools.

Driven by the same environment variables as the product where they mean the same thing
(DATABASE_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS), with the same connection pool, so
the two differ in how they are built, not in how they are run.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

HERE = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "peer-bench-only-" + "x" * 40)
DEBUG = False
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "formtools",
    "tests.bench.peer",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "tests.bench.peer.urls"
WSGI_APPLICATION = "tests.bench.peer.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

_db = dj_database_url.parse(os.environ.get("DATABASE_URL", f"sqlite:///{HERE / 'peer.sqlite3'}"))
if _db["ENGINE"] == "django.db.backends.postgresql":
    # The product's pool settings (core/settings.py), so both hold connections the same way.
    _db["CONN_MAX_AGE"] = 0
    _db.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 10, "timeout": 10}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions in the database, as by default: the wizard keeps its answers there.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
