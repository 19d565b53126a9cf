"""A follow-up rendered once per draft reaches each customer exactly as if rendered for them."""

from __future__ import annotations

import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import NoReverseMatch, reverse

from assessments.brands.mail import brand_sender
from assessments.followups import services
from assessments.followups.purchases import preference_ensure
from assessments.followups.services import (
    absolute,
    followup_email_render,
    followup_language,
    followup_message,
    followup_product,
    followup_product_card,
    followup_values,
)
from assessments.models import FollowUp, Purchase

from .conftest import buy, make_response

pytestmark = pytest.mark.django_db

NAMES = [
    "Ana",
    "Ana María",
    "O'Brien & Co",
    "<script>alert('x')</script>",
    'Zoë "Z" Ünal',
    "",
    "Ana\nBcc: victim@example.com",
    " Ana ",
    "Ana  María",
    "!Bob",
    "Bob ,",
    "Jr. Smith, Esq.",
    "{product}",
    "\ue000first_name\ue000",
    "Line\u2028break",
]


def plain_message(row: FollowUp) -> EmailMultiAlternatives:
    """The message as it was built before drafts were rendered once: every template rendered
    for this customer, every link reversed, Django's own message class."""
    preference = preference_ensure(brand_id=row.brand_id, email=row.email)
    language = followup_language(row)
    unsubscribe = absolute(reverse("followups:unsubscribe", args=[preference.token]))
    rendered = followup_email_render(
        brand=row.brand,
        step=row.step,
        values=followup_values(row, language),
        language=language,
        page_url=absolute(reverse("followups:page", args=[row.token])),
        preferences_url=absolute(reverse("followups:preferences", args=[preference.token])),
        unsubscribe_url=unsubscribe,
        product=followup_product_card(followup_product(row), language, absolute_urls=True),
    )
    domain = urlsplit(settings.SITE_URL).hostname
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=brand_sender(row.brand),
        to=[row.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<followup-{row.token[:32]}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def received(message: EmailMultiAlternatives) -> bytes:
    """The bytes a mail server would get, but for the send time and the random boundary."""
    built = message.message(policy=email.policy.SMTP).as_bytes()
    built = re.sub(rb"={15}\d+==", b"BOUNDARY", built)
    return re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\n", built)


def rows_for(response, names: list[str], label: str) -> list[FollowUp]:
    for n, name in enumerate(names):
        purchase, _ = buy(response, order_id=f"{label}-{n}", email=f"{label}{n}@example.com")
        Purchase.objects.filter(pk=purchase.pk).update(first_name=name)
    return list(FollowUp.objects.filter(purchase__order_id__startswith=f"{label}-").order_by("id"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_customer_gets_what_rendering_just_for_them_gives(published, plan, language):
    response = make_response(published, language=language)
    hits = services._rendered_once._shape.cache_info().hits
    for row in rows_for(response, NAMES, language):
        preference = preference_ensure(brand_id=row.brand_id, email=row.email)
        fast = followup_message(row, preference)
        assert received(fast) == received(plain_message(row)), (row.purchase.first_name, row.step)
        parsed = email.message_from_bytes(received(fast), policy=email.policy.default)
        text, html = (part.get_content() for part in parsed.iter_parts())
        assert "<script>" not in html and "/u/" in text and "/u/" in html
        assert "Bcc" not in parsed  # a line break in a name never starts a header
    # The plain names (and the empty one) came from drafts rendered once, not one by one.
    assert services._rendered_once._shape.cache_info().hits - hits >= 3 * 4 - 4


def test_a_stand_ins_mark_typed_by_an_author_renders_plainly(published, plan):
    step = plan.steps.get(position=0)
    response = make_response(published)
    for n, body in enumerate(["see \ue000page_url\ue000", "see \ue000page_url\ue000 and \ue000"]):
        step.body = {"en": f"Hi {{first_name}}, {body}.", "es": "Hola"}
        step.save()
        for row in rows_for(response, ["Ana", ""], f"mark{n}"):
            preference = preference_ensure(brand_id=row.brand_id, email=row.email)
            fast = received(followup_message(row, preference))
            assert fast == received(plain_message(row))
            if row.step_id == step.pk:
                assert (
                    "see \ue000page_url\ue000".encode()
                    in email.message_from_bytes(fast, policy=email.policy.default)
                    .get_body(("plain",))
                    .get_content()
                    .encode()
                )


def test_the_pages_links_are_what_reverse_gives(published, plan):
    token = "a" * 43
    for name in ("followups:page", "followups:preferences", "followups:unsubscribe"):
        assert services._token_path(name, token) == reverse(name, args=[token])
        with pytest.raises(NoReverseMatch):
            services._token_path(name, "too-short")


def test_a_brand_that_changes_its_look_is_seen_in_the_next_message(published, plan, brand):
    response = make_response(published)
    first, second = rows_for(response, ["Ana", "Ana"], "look")[::3]
    preference = preference_ensure(brand_id=first.brand_id, email=first.email)
    before = followup_message(first, preference)
    brand.sender_name, brand.primary_color = "Acme Running", "#aa0000"
    brand.save()
    second.refresh_from_db()
    after = followup_message(second, preference_ensure(brand_id=brand.pk, email=second.email))
    assert before.from_email == "Acme <hello@acme.example>"
    assert after.from_email == "Acme Running <hello@acme.example>"
    assert "#aa0000" not in before.alternatives[0].content
    assert "#aa0000" in after.alternatives[0].content
    assert received(after) == received(plain_message(second))
