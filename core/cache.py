"""Django's Redis cache, failing open: with Redis away, reads miss and writes are dropped.

The cache holds only what can be recomputed (rate-limit counts, which webhook events a brand
wants), so a customer's journey must carry on while Redis is down: rate limits are then not
counted (django-ratelimit's RATELIMIT_FAIL_OPEN) rather than refusing everyone. Each failure is
logged once per call, as a warning, so an operator sees the outage.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("core.cache")


class FailOpenRedisCache(RedisCache):
    def _failed(self, operation: str, error: Exception) -> None:
        log.warning("cache %s failed, going on without it: %s", operation, error)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._failed("add", error)
            return False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._failed("get", error)
            return default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._failed("set", error)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        # None tells django-ratelimit the count is unknown; with RATELIMIT_FAIL_OPEN it allows.
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._failed("incr", error)
            return None

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._failed("delete", error)
            return False

    def clear(self) -> None:
        try:
            super().clear()
        except RedisError as error:
            self._failed("clear", error)
