"""Previews of follow-up e-mails for the staff who write them: sample values, real templates."""

from __future__ import annotations

from dataclasses import replace

from django.utils import translation
from django.utils.translation import gettext

from assessments.engine.text import localized
from assessments.models import FollowUpPlanStep, Product

from .services import (
    FollowupEmail,
    ProductCard,
    followup_email_render,
    followup_product_card,
)

PREVIEW_URL = "#preview"  # links in a preview lead nowhere


def _sample_product(step: FollowUpPlanStep) -> Product | None:
    plan = step.plan
    products = Product.objects.filter(brand=plan.assessment.brand).order_by("-active", "sku")
    return (plan.product_sku and products.filter(sku=plan.product_sku).first()) or products.first()


def _preview_card(step: FollowUpPlanStep, language: str) -> ProductCard | None:
    card = followup_product_card(_sample_product(step), language)
    return replace(card, url=PREVIEW_URL) if card and card.url else card


def followup_sample_values(step: FollowUpPlanStep, language: str) -> dict[str, str]:
    """Believable values for the placeholders: the plan's product or the first in the catalogue,
    the assessment's first outcome, and an insight from the first band of each trait."""
    plan = step.plan
    assessment = plan.assessment
    brand = assessment.brand
    products = Product.objects.filter(brand=brand).order_by("-active", "sku")
    product = (
        plan.product_sku and products.filter(sku=plan.product_sku).first()
    ) or products.first()
    outcomes = assessment.outcomes.all()
    outcome = (
        plan.outcome_key and outcomes.filter(key=plan.outcome_key).first()
    ) or outcomes.first()
    insights = []
    for trait in assessment.traits.prefetch_related("bands"):
        band = next(iter(trait.bands.all()), None)
        if band is not None and band.insight:
            insights.append(
                f"{localized(trait.label, language)}: {localized(band.insight, language)}"
            )
    with translation.override(language):
        first_name = gettext("Alex")
    return {
        "first_name": first_name,
        "product": localized(product.name, language) if product else "",
        "outcome": localized(outcome.title, language) if outcome else "",
        "insights": "\n".join(insights),
        "brand": brand.name,
    }


def followup_previews(step: FollowUpPlanStep) -> list[tuple[str, FollowupEmail]]:
    """The step's e-mail in each of the brand's languages, as a customer would get it."""
    brand = step.plan.assessment.brand
    return [
        (
            language,
            followup_email_render(
                brand=brand,
                step=step,
                values=followup_sample_values(step, language),
                language=language,
                page_url=PREVIEW_URL,
                preferences_url=PREVIEW_URL,
                unsubscribe_url=PREVIEW_URL,
                product=_preview_card(step, language),
            ),
        )
        for language in (brand.languages or ["en"])
    ]
