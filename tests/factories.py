"""Factories for the authoring models, and a small complete definition to build on."""

from __future__ import annotations

import copy
import io
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from assessments.models import Brand, BrandMembership


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    languages = ["en", "es"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def password(obj, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or "pw")
        if create:
            obj.save()


def member(brand: Brand, role: str = "editor", **user_fields: Any) -> Any:
    user = UserFactory(**user_fields)
    BrandMembership.objects.create(user=user, brand=brand, role=role)
    return user


def png_bytes(size: tuple[int, int] = (40, 40), colour: str = "#3366cc") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def stored_image(name: str) -> str:
    """Put a small PNG into media storage under `name` and return the stored name."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(png_bytes()))


def t(en: str, es: str | None = None) -> dict[str, str]:
    return {"en": en, "es": es if es is not None else f"{en} (es)"}


_MINIMAL: dict[str, Any] = {
    "format": 1,
    "key": "fit-check",
    "languages": ["en", "es"],
    "title": t("Fit check", "Prueba de ajuste"),
    "intro": t("Find what suits you."),
    "estimated_minutes": 2,
    "traits": [
        {
            "key": "support",
            "label": t("Support need"),
            "bands": [
                {
                    "key": "low",
                    "label": t("Low"),
                    "insight": t("Light support is enough."),
                    "max": 1,
                },
                {
                    "key": "high",
                    "label": t("High"),
                    "insight": t("You benefit from support."),
                    "min": 2,
                },
            ],
        }
    ],
    "steps": [
        {
            "key": "use",
            "title": t("Use"),
            "section": t("Use"),
            "why": t("How you use it changes what helps."),
            "questions": [
                {
                    "key": "use",
                    "kind": "single",
                    "prompt": t("What is it for?"),
                    "choices": [
                        {
                            "key": "run",
                            "label": t("Running"),
                            "points": {"support": 1},
                            "recall": t("you run"),
                        },
                        {"key": "walk", "label": t("Walking"), "recall": t("you walk")},
                    ],
                }
            ],
            "next": [{"when": {"answer": "use", "equals": "walk"}, "goto": "knees"}],
        },
        {
            "key": "distance",
            "title": t("Distance"),
            "questions": [
                {
                    "key": "km",
                    "kind": "number",
                    "prompt": t("Kilometres a week?"),
                    "number": {"min": 0, "max": 300, "unit": t("km")},
                    "scoring": [{"min": 30, "points": {"support": 1}}],
                }
            ],
        },
        {
            "key": "knees",
            "title": t("Knees"),
            "questions": [
                {
                    "key": "knees",
                    "kind": "single",
                    "prompt": t("Do your knees drift in?"),
                    "choices": [
                        {
                            "key": "yes",
                            "label": t("Yes"),
                            "points": {"support": 1},
                            "recall": t("your knees drift in"),
                        },
                        {"key": "no", "label": t("No")},
                    ],
                }
            ],
        },
    ],
    "outcomes": [
        {
            "key": "supported",
            "title": t("Supported"),
            "description": t("Go for support."),
            "rule": {"trait": "support", "band": "high"},
            "priority": 1,
        },
        {"key": "neutral", "title": t("Neutral"), "description": t("Go neutral.")},
    ],
    "recommendation": {
        "count": 1,
        "alternatives": 1,
        "trait_fit": [{"trait": "support", "attribute": "support", "weight": 2}],
    },
}


def definition(**overrides: Any) -> dict[str, Any]:
    """A small valid definition (deep copy) with top-level members overridden."""
    data = copy.deepcopy(_MINIMAL)
    data.update(overrides)
    return data


def products(brand_slug: str = "brand") -> list[dict[str, Any]]:
    """Three catalogue entries whose images exist in media storage: two support shoes (steady,
    then trail by sku) and one light shoe (breeze), so a runner has a genuine alternative and a
    walker has none."""
    rows = []
    for sku, band in (("steady", "high"), ("breeze", "low"), ("trail", "high")):
        rows.append(
            {
                "sku": sku,
                "name": t(sku.title()),
                "url": f"https://{brand_slug}.example/{sku}",
                "price": "99.00",
                "currency": "EUR",
                "image": stored_image(f"test/{sku}.png"),
                "attributes": {"support": [band]},
                "active": True,
            }
        )
    return rows
