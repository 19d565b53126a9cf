"""One settings module: embedded by default, production only with a real secret key."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "core.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_the_development_key_or_a_short_one(tmp_path):
    result = run_manage(
        "check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="short", DJANGO_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "too weak" in result.stderr


def _example_env() -> dict[str, str]:
    lines = (ROOT / "deploy" / "production.env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    env = {
        **_example_env(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_without_a_shared_cache_is_warned_that_limits_count_per_process(tmp_path):
    env = {
        **_example_env(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_VAR_DIR": str(tmp_path),
        "CACHE_URL": "",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr + result.stdout


def test_with_nothing_set_it_runs_on_sqlite_with_eager_tasks():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.MAILERS['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_database_and_broker_urls_switch_to_postgresql_and_a_real_broker():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        DATABASE_URL="postgres://app@127.0.0.1:5432/anything",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


@pytest.mark.django_db
def test_the_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_front_page_links_each_published_assessment(client):
    from assessments.authoring.services import assessment_import
    from tests.factories import BrandFactory, definition, products

    brand = BrandFactory(slug="acme", name="Acme")
    assessment_import(brand=brand, source=definition(products=products("acme")), publish=True)
    assessment_import(brand=brand, source=definition(key="unpublished", products=products("acme")))
    page = client.get("/").content.decode()
    assert 'href="/a/acme/fit-check/"' in page
    assert "Fit check" in page
    assert "/a/acme/unpublished/" not in page
