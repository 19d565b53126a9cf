from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fast hashers, and a media folder per test session so tests never touch var/."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(_media_root(tmp_path_factory))


_MEDIA: list[Path] = []


def _media_root(factory: pytest.TempPathFactory) -> Path:
    if not _MEDIA:
        _MEDIA.append(factory.mktemp("media"))
    return _MEDIA[0]
