"""Partner origins a brand allows to embed its assessments, and matching requests against them.

An allowed origin is a scheme, a host and an optional port: `https://shop.example`,
`https://shop.example:8443`. One wildcard form exists, an explicit subdomain rule
`https://*.shop.example`, which matches any subdomain of shop.example but not shop.example
itself. A bare `*`, paths, queries and wildcards anywhere else are refused. Plain http is only
accepted for the machine itself (localhost, 127.0.0.1, [::1]), for local testing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_PORT = re.compile(r"[0-9]{1,5}")
_HOST = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*$|^\[::1\]$")


class OriginError(ValueError):
    """An allowed-origin entry that cannot be used, with the reason in plain words."""


def normalize_origin(value: str) -> str:
    """Return the canonical form of an allowed-origin entry or raise OriginError."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise OriginError("An origin cannot be empty.")
    if text == "*" or text.endswith("://*"):
        raise OriginError("“*” would let any site embed the assessment; list each partner.")
    try:
        parts = urlsplit(text.rstrip("/"))
    except ValueError:  # "https://[::1": an unclosed IPv6 bracket
        raise OriginError(f"“{text}” has an invalid host.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OriginError(f"“{text}” needs a scheme: https://… (or http:// for localhost).")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise OriginError(f"“{text}” must be just scheme, host and port, with no path.")
    netloc = parts.netloc.lower()
    host, _sep, port_text = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if not _sep:
        host, port_text = netloc, ""
    if not _HOST.match(host):
        raise OriginError(
            f"“{text}” has an invalid host; a wildcard is only allowed as “*.” at the start."
        )
    if host.startswith("*.") and host.count(".") < 2:
        raise OriginError(f"“{text}” is too broad: name the site, as in https://*.shop.example.")
    if scheme == "http" and host not in LOOPBACK:
        raise OriginError(f"“{text}” must use https (plain http only for localhost).")
    if port_text:
        # ASCII digits only: str.isdigit() also accepts "²" and other scripts' digits.
        if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
            raise OriginError(f"“{text}” has an invalid port.")
        if int(port_text) == DEFAULT_PORTS[scheme]:
            port_text = ""
    return f"{scheme}://{host}" + (f":{port_text}" if port_text else "")


def clean_allowed_origins(values: object) -> list[str]:
    """Validate a whole allow-list; raise OriginError naming every bad entry."""
    if not isinstance(values, list):
        raise OriginError('Give a list, for example ["https://shop.example"].')
    cleaned, problems = [], []
    for value in values:
        try:
            origin = normalize_origin(value)
        except OriginError as error:
            problems.append(str(error))
        else:
            if origin not in cleaned:
                cleaned.append(origin)
    if problems:
        raise OriginError(" ".join(problems))
    return cleaned


def origin_allowed(origin: str | None, patterns: Iterable[str]) -> bool:
    """Whether a request's Origin header matches one of the brand's allowed origins."""
    if not origin:
        return False
    try:
        candidate = normalize_origin(origin)
    except OriginError:
        return False
    if "*" in candidate:
        return False
    scheme, _sep, rest = candidate.partition("://")
    for pattern in patterns:
        try:
            allowed = normalize_origin(pattern)
        except OriginError:
            continue
        if allowed == candidate:
            return True
        a_scheme, _sep, a_rest = allowed.partition("://")
        if a_rest.startswith("*.") and a_scheme == scheme:
            suffix = a_rest[1:]  # ".shop.example[:port]"
            host_port = rest
            if host_port.endswith(suffix) and len(host_port) > len(suffix):
                return True
    return False


def frame_ancestors(patterns: Iterable[str]) -> list[str]:
    """CSP frame-ancestors sources for a brand's allow-list; empty means no one may frame."""
    sources = []
    for pattern in patterns:
        try:
            sources.append(normalize_origin(pattern))
        except OriginError:
            continue
    return sources
