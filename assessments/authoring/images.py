"""Image checks and thumbnails, with Pillow."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from assessments.models import Product

THUMBNAIL_SIZE = (320, 320)
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000


def image_validate(upload: UploadedFile, *, max_bytes: int) -> None:
    """Refuse anything that is not a reasonably sized PNG, JPEG, WebP or GIF image."""
    if upload.size and upload.size > max_bytes:
        raise ValidationError(
            "This image is %(size)s MB; the limit is %(limit)s MB.",
            params={"size": round(upload.size / 1_048_576, 1), "limit": max_bytes // 1_048_576},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    "Upload a PNG, JPEG, WebP or GIF image (this one is %(format)s).",
                    params={"format": image.format or "unknown"},
                )
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("This image has too many pixels; keep it under 40 MP.")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError("This file is not an image Pillow can read.") from error
    finally:
        upload.seek(position)


def product_thumbnail_make(*, product: Product) -> None:
    """Make (or remake) the product's square thumbnail for result pages and the admin."""
    if not product.image or not default_storage.exists(product.image.name):
        return
    with default_storage.open(product.image.name, "rb") as handle, Image.open(handle) as image:
        image = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.save(buffer, format="WEBP", quality=82, method=4)
    stem = PurePosixPath(product.image.name).stem
    name = f"products/thumbs/{product.brand_id}-{product.sku}-{stem}.webp"
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(buffer.getvalue()))
    Product.objects.filter(pk=product.pk).update(thumbnail=saved)
    product.thumbnail.name = saved
