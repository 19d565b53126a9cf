"""The results e-mail's content: the customer's profile, outcome and products, as plain text and
as HTML that mail clients render (inline styles, tables, absolute links and images).

It sits beside `display`, whose page values it reuses, and is handed to
`services.results_email_send`, which decides whether the e-mail may go at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.utils import translation

from assessments.brands.theme import email_theme
from assessments.engine.text import localized
from assessments.models import Response
from assessments.taking.display import image, results_context
from assessments.taking.results import result_read
from assessments.taking.selectors import result_products
from assessments.taking.services import ResultsEmail

TEXT = "assessments/taking/email/results.txt"
HTML = "assessments/taking/email/results.html"


def _origin(link: str) -> str:
    """`https://host` of an absolute link: what relative paths in the e-mail are joined to."""
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _absolute(origin: str, url: str) -> str:
    """A path made absolute for a mail client, which has no page to resolve it against."""
    if not url or urlsplit(url).scheme:
        return url
    return f"{origin}{url}" if url.startswith("/") else url


def results_email(response: Response, *, title: Any, link: str) -> ResultsEmail | None:
    """The results e-mail for a finished `response` in its language; `link` is the absolute
    address of the results page. None when the response has no frozen result to show."""
    result = result_read(response)
    if result is None:
        return None
    origin = _origin(link)
    language = response.language
    brand = response.brand
    shown = results_context(result, result_products(brand_id=response.brand_id, skus=result.skus))
    products = [
        {
            "name": product.name,
            "variant": product.variant,
            "price": product.price,
            "reasons": product.reasons[:1],
            "url": _absolute(origin, product.url),
            "image": _absolute(origin, product.thumbnail.url) if product.thumbnail else "",
        }
        for product in shown["recommended"]
    ]
    outcome = shown["outcome"]
    logo = image(brand.logo.name) if brand.logo else None
    context = {
        "language": language,
        "brand": brand,
        "title": localized(title, language),
        "outcome": outcome,
        "outcome_image": _absolute(origin, outcome.image.url) if outcome and outcome.image else "",
        "traits": shown["traits"],
        "products": products,
        "link": link,
        "logo_url": _absolute(origin, logo.url) if logo else "",
        "theme": email_theme(brand),
    }
    with translation.override(language):
        return ResultsEmail(
            text=render_to_string(TEXT, context), html=render_to_string(HTML, context)
        )
