"""Rate limits on what anonymous visitors can make the product do, counted in the cache.

Every action that costs (starting, answering, e-mail, reporting a purchase, a check-in, the
webhook, a data request) names a limit in `settings.RATE_LIMITS`: how many uses a key (a
client's address, an e-mail address, a brand) gets per period. Counting is django-ratelimit's
fixed window in Django's cache: Redis in production (`CACHE_URL`), so every web process sees
the same counts; local memory on the embedded default, which is one process.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage


@dataclass(frozen=True, slots=True)
class Exceeded(Exception):
    """A limit was reached; `retry_after` seconds until the window opens again."""

    limit: str
    retry_after: int


def limit_take(limit: str, key: str) -> None:
    """Count one use of `limit` by `key`; raise Exceeded when it is over the limit.

    A use that is refused is counted too, so hammering a closed limit keeps it closed.
    """
    rate = settings.RATE_LIMITS.get(limit)
    if not rate or not key:
        return
    usage = get_usage(
        None, group=f"limit:{limit}", key=lambda _group, _request: key, rate=rate, increment=True
    )
    if usage and usage["should_limit"]:
        raise Exceeded(limit, max(1, int(usage["time_left"])))


def limit_reached(limit: str, key: str) -> bool:
    """Whether `key` has used up `limit` for now, without counting a use."""
    rate = settings.RATE_LIMITS.get(limit)
    if not rate or not key:
        return False
    usage = get_usage(
        None, group=f"limit:{limit}", key=lambda _group, _request: key, rate=rate, increment=False
    )
    return bool(usage and usage["count"] >= usage["limit"])


def client_key(request: HttpRequest) -> str:
    """Who is asking: the client's address (an IPv6 client by its /64, which one host owns).

    Behind a proxy, `CLIENT_IP_HEADER` names the header it sets (nginx: X-Real-IP); without
    one, the connection's own address.
    """
    header = settings.CLIENT_IP_HEADER
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    return _client(raw)


# Parsing an address costs more than counting its use; a worker sees the same few again and
# again, so their keys are kept.
@functools.lru_cache(maxsize=4096)
def _client(raw: str) -> str:
    try:
        address = ipaddress.ip_address(raw.split(",")[0].strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
