from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.utils import translation

from assessments import engine
from tests.engine.rating import TEMPLATES as RATING_TEMPLATES
from tests.engine.rating import RatingKind


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fast hashers, and a media folder per test session so tests never touch var/."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(_media_root(tmp_path_factory))
    # Rate-limit counts live in the cache: each test starts with none used.
    caches["default"].clear()
    # A request in another language leaves it active on this thread; start in the default.
    translation.activate(settings.LANGUAGE_CODE)


_MEDIA: list[Path] = []


def _media_root(factory: pytest.TempPathFactory) -> Path:
    if not _MEDIA:
        _MEDIA.append(factory.mktemp("media"))
    return _MEDIA[0]


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages() -> None:
    """Compile locale/*.po as `make messages` does, so a bare `pytest` runs translated too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalog)


@pytest.fixture
def rating_kind() -> Iterator[RatingKind]:
    """The test-only star rating kind (tests/engine/rating.py), registered for one test."""
    kind = engine.register(RatingKind())
    yield kind
    engine.unregister(kind.name)


@pytest.fixture
def rating_pages(rating_kind: RatingKind, settings) -> RatingKind:
    """`rating_kind`, with Django finding its template in the tests' template folder."""
    engine_settings = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine_settings, "DIRS": [RATING_TEMPLATES, *engine_settings["DIRS"]]},
        *settings.TEMPLATES[1:],
    ]
    return rating_kind
