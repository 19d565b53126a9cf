"""Sending outgoing webhooks: signing, the address guard, attempts, retries and giving up.

A delivery is an outbox row (`outbox.py` writes it with the event). A task claims it by moving
its next attempt a lease ahead in one conditional UPDATE, so two workers never send it at once
and a worker that dies leaves it due again; then it POSTs, and records what came of it. Failures
are retried with exponential backoff and jitter until `retry_until` (a day); a delivery that
gives up without the endpoint having accepted anything since disables the endpoint and e-mails
the brand's owners. No long countdowns are handed to the broker (see assessments/tasks.py): a
beat-driven pass queues the due rows.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import logging
import random
import smtplib
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from assessments.models import BrandMembership, WebhookDelivery, WebhookEndpoint

from .wanted import events_wanted_forget

log = logging.getLogger(__name__)

USER_AGENT = "assessments-webhooks/1"
TIMEOUT_SECONDS = 10
# A claimed delivery whose worker vanished is due again after this long.
LEASE = dt.timedelta(minutes=5)
RESPONSE_READ_LIMIT = 64 * 1024

Outcome = Literal["delivered", "retry", "failed", "not_claimed"]


class DeliveryRefused(Exception):
    """This delivery cannot be sent (again) as things are; the message says why."""


class AddressRefused(Exception):
    """The endpoint's host is, or resolves to, an address we do not send to."""


# -- the endpoint's address --------------------------------------------------------------


def _loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_url_problem(url: str) -> str | None:
    """Why this URL cannot receive webhooks, for the owner typing it; None when it can."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK:
        if parts.hostname and _loopback_host(parts.hostname):
            return None
        return "Plain http is only for this machine (localhost) in development; use https://."
    return "Use an https:// address: events carry customers' answers."


def addresses_allowed(host: str, port: int) -> list[tuple[Any, ...]]:
    """The socket addresses `host` resolves to, if every one may be sent to.

    Refuses private, loopback, link-local, multicast and reserved addresses (anything not
    globally routable), so an endpoint cannot make us call our own network, unless
    WEBHOOKS_ALLOW_PRIVATE_ADDRESSES (development). Checking every address, and connecting to
    a checked one, means a name that answers differently on a second lookup gains nothing.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"{host} does not resolve: {error}") from error
    if not found:
        raise AddressRefused(f"{host} does not resolve.")
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return [entry[4] for entry in found]
    for entry in found:
        address = ipaddress.ip_address(entry[4][0].split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            raise AddressRefused(f"{host} resolves to {address}, which is not a public address.")
    return [entry[4] for entry in found]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int


def post_signed(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url`, connected to an address `addresses_allowed` checked. Redirects
    are not followed: a redirect could lead past the guard."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sockaddr = addresses_allowed(host, port)[0]
    sock = socket.create_connection((sockaddr[0], sockaddr[1]), timeout=TIMEOUT_SECONDS)
    try:
        if parts.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
        connection.sock = sock  # already connected (and checked): http.client uses it as is
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(RESPONSE_READ_LIMIT)
        return Answer(answer.status)
    finally:
        sock.close()


# -- one attempt -------------------------------------------------------------------------


def signed_headers(delivery: WebhookDelivery, body: bytes, now: dt.datetime) -> dict[str, str]:
    """Standard Webhooks headers: webhook-id, webhook-timestamp and a v1 HMAC-SHA256."""
    signature = Webhook(delivery.endpoint.secret).sign(
        msg_id=delivery.message_id, timestamp=now, data=body.decode()
    )
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter after `attempts` failed tries: base·2ⁿ⁻¹, capped, then
    a random 50 to 100 % of it, so endpoints that failed together are not retried in step."""
    base = settings.WEBHOOKS_RETRY_BASE_SECONDS
    ceiling = min(base * 2 ** max(attempts - 1, 0), settings.WEBHOOKS_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1, last_attempt_at=now)
    )


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> Outcome:
    """Send one due delivery once and record what came of it; safe to run twice."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "not_claimed"
    delivery = WebhookDelivery.objects.select_related("endpoint__brand").get(pk=delivery_id)
    if not delivery.endpoint.active:
        return _give_up(delivery, now, None, "The endpoint is disabled.", disable=False)
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    code: int | None = None
    try:
        code = post_signed(delivery.endpoint.url, body, signed_headers(delivery, body, now)).status
        error = "" if 200 <= code < 300 else f"The endpoint answered {code}."
    except AddressRefused as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.DELIVERED,
            delivered_at=timezone.now(),
            next_attempt_at=None,
            response_code=code,
            error="",
        )
        return "delivered"
    wait = retry_delay(delivery.attempts)
    if now + wait > delivery.retry_until:
        return _give_up(delivery, now, code, error, disable=True)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=now + wait, response_code=code, error=error[:500]
    )
    return "retry"


def _give_up(
    delivery: WebhookDelivery, now: dt.datetime, code: int | None, error: str, *, disable: bool
) -> Outcome:
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.FAILED,
            next_attempt_at=None,
            response_code=code,
            error=error,
        )
        if disable:
            endpoint_disable_if_failing(endpoint=delivery.endpoint, since=delivery.created_at)
    return "failed"


def endpoint_disable_if_failing(*, endpoint: WebhookEndpoint, since: dt.datetime) -> bool:
    """Disable an endpoint that accepted nothing since `since`, and tell the brand's owners.

    One failed delivery among good ones is the receiver's bug with that event; nothing
    accepted for a whole retry window is an endpoint that is gone.
    """
    if endpoint.deliveries.filter(delivered_at__gte=since).exists():
        return False
    reason = (
        "Nothing sent to it was accepted for "
        f"{settings.WEBHOOKS_RETRY_WINDOW_HOURS} hours (the last error is in the delivery log)."
    )
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=timezone.now(), disabled_reason=reason
    )
    if disabled:
        events_wanted_forget(endpoint.brand_id)
        transaction.on_commit(lambda: _owners_tell(endpoint, reason))
    return bool(disabled)


def _owners_tell(endpoint: WebhookEndpoint, reason: str) -> None:
    owners = BrandMembership.objects.filter(
        brand_id=endpoint.brand_id, role=BrandMembership.Role.OWNER, user__is_active=True
    ).exclude(user__email="")
    to = sorted({membership.user.email for membership in owners.select_related("user")})
    if not to:
        return
    try:
        _owners_mail(endpoint, reason, to)
    except (OSError, smtplib.SMTPException):
        # The endpoint stays disabled and says why in the admin; the mail is a courtesy.
        log.exception("Could not tell the owners of %s that it was disabled.", endpoint.url)


def _owners_mail(endpoint: WebhookEndpoint, reason: str, to: list[str]) -> None:
    send_mail(
        subject=f"Webhook endpoint disabled: {endpoint.url}",
        message=(
            f"We stopped sending events to {endpoint.url} for {endpoint.brand.name}.\n\n"
            f"{reason}\n\nFix the receiver, tick “active” on the endpoint in the admin, and "
            f"send the failed deliveries again from the delivery log:\n"
            f"{settings.SITE_URL}/admin/assessments/webhookdelivery/?state__exact=failed\n"
        ),
        from_email=None,
        recipient_list=to,
    )


@transaction.atomic
def delivery_redeliver(*, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now, with a new retry window and the same webhook-id."""
    delivery = (
        WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery_id)
    )
    if not delivery.endpoint.active:
        raise DeliveryRefused(
            f"The endpoint {delivery.endpoint.url} is disabled: make it active first."
        )
    now = timezone.now()
    delivery.state = WebhookDelivery.State.PENDING
    delivery.next_attempt_at = now
    delivery.retry_until = now + dt.timedelta(hours=settings.WEBHOOKS_RETRY_WINDOW_HOURS)
    delivery.delivered_at = None
    delivery.save(update_fields=["state", "next_attempt_at", "retry_until", "delivered_at"])
    return delivery


def deliveries_due(*, limit: int, now: dt.datetime | None = None) -> list[int]:
    """The ids of deliveries whose next attempt is due, oldest first."""
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
