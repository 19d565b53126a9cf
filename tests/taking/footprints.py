"""A small published assessment with a footprint photo step, and photos to post to it."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Brand
from tests.factories import definition, stored_image, t
from tests.taking.prints import footprint_photo

KEEP_DAYS = 7


def _band_trait(key: str) -> dict:
    return {
        "key": key,
        "label": t(key.title()),
        "bands": [
            {"key": "some", "label": t("Some"), "insight": t("Some is enough."), "max": 1},
            {"key": "lots", "label": t("Lots"), "insight": t("You want lots."), "min": 2},
        ],
    }


def photo_definition() -> dict:
    """Photo, then the drawings (only without a photo), then one last question."""
    drawings = [
        ("low", {"support": 2}, "your footprint shows a low arch"),
        ("medium", {}, "your footprint shows a medium arch"),
        ("high", {"cushion": 2}, "your footprint shows a high arch"),
    ]
    return definition(
        traits=[_band_trait("support"), _band_trait("cushion")],
        steps=[
            {
                "key": "photo",
                "title": t("Your footprint, measured"),
                "questions": [
                    {
                        "key": "arch_photo",
                        "kind": "footprint",
                        "prompt": t("Photograph the print of your wet foot"),
                        "help": t("Hold the phone flat over the print."),
                        "fallback": "arch",
                        "keep_photo_days": KEEP_DAYS,
                        "bands": {
                            "high": {
                                "label": t("High arch"),
                                "points": {"cushion": 2},
                                "recall": t("your print shows a high arch"),
                            },
                            "normal": {
                                "label": t("Medium arch"),
                                "recall": t("your print shows a medium arch"),
                            },
                            "flat": {
                                "label": t("Low arch"),
                                "points": {"support": 2},
                                "recall": t("your print shows a low arch"),
                            },
                        },
                    }
                ],
            },
            {
                "key": "feet",
                "title": t("Your feet"),
                "questions": [
                    {
                        "key": "arch",
                        "kind": "image",
                        "prompt": t("Which print looks most like yours?"),
                        "condition": {"not": {"answered": "arch_photo"}},
                        "choices": [
                            {
                                "key": key,
                                "label": t(f"{key.title()} arch"),
                                "image": stored_image(f"test/arch-{key}.png"),
                                **({"points": points} if points else {}),
                                "recall": t(recall),
                            }
                            for key, points, recall in drawings
                        ],
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
                            {"key": "yes", "label": t("Yes")},
                            {"key": "no", "label": t("No")},
                        ],
                    }
                ],
            },
        ],
        outcomes=[{"key": "everyone", "title": t("Your shoe"), "description": t("Try these.")}],
        recommendation={
            "count": 1,
            "alternatives": 1,
            "trait_fit": [{"trait": "cushion", "attribute": "cushion", "weight": 2}],
        },
    )


def photo_products(brand_slug: str) -> list[dict]:
    return [
        {
            "sku": sku,
            "name": t(sku.title()),
            "url": f"https://{brand_slug}.example/{sku}",
            "price": "99.00",
            "currency": "EUR",
            "image": stored_image(f"test/{sku}.png"),
            "attributes": {"cushion": [band]},
            "active": True,
        }
        for sku, band in (("plush", "lots"), ("firm", "some"))
    ]


def photo_assessment(brand: Brand) -> Assessment:
    data = photo_definition()
    data["products"] = photo_products(brand.slug)
    return assessment_import(brand=brand, source=data, publish=True)


def upload(data: bytes, name: str = "print.jpg", kind: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


def high_arch() -> bytes:
    """A drawn print with no midfoot band: a high arch (true index 0.112)."""
    return footprint_photo(0.0, angle=12).photo


def flat_foot() -> bytes:
    """A drawn print with a wide midfoot band: a low (flat) arch (true index 0.342)."""
    return footprint_photo(0.9, angle=-20).photo


def dark_photo() -> bytes:
    image = Image.open(io.BytesIO(high_arch())).point(lambda v: v // 8)
    return _jpeg(image)


def cut_off_print() -> bytes:
    """The print runs off the top of the picture."""
    image = Image.open(io.BytesIO(footprint_photo(0.5).photo))
    return _jpeg(image.crop((0, 0, 900, 420)))


def with_exif(data: bytes) -> bytes:
    """The photo with EXIF saying where and with what it was taken."""
    image = Image.open(io.BytesIO(data))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x9003] = "2026:12:06 10:00:00"  # DateTimeOriginal (in the IFD, but fine for a test)
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 25.0, 0.0)
    return _jpeg(image, exif=exif.tobytes())


def _jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85, **options)
    return out.getvalue()


def blank_paper() -> bytes:
    """A photo of the paper alone."""
    return _jpeg(Image.new("L", (300, 400), 230))


def drawn_blob() -> bytes:
    """A grey square with a dark dot: a print far too small to measure."""
    image = Image.new("L", (400, 400), 200)
    ImageDraw.Draw(image).ellipse((190, 190, 210, 210), fill=60)
    return _jpeg(image)
