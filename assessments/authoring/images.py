"""Image checks and thumbnails, with Pillow."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from assessments.models import Product

THUMBNAIL_SIZE = (320, 320)
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
# 25 megapixels: a 6000 by 4000 photo fits; a small file that decodes into gigabytes does not.
MAX_PIXELS = 25_000_000
UNREADABLE = "This file is not an image that can be read in full; save it again and upload it."


def image_clean(upload: UploadedFile, *, max_bytes: int) -> ContentFile:
    """The upload decoded in full and encoded afresh, or a ValidationError saying why not.

    Encoding afresh drops what an image file can carry besides its pixels: EXIF (camera, GPS
    location), comments, and anything appended after the image data. The EXIF orientation is
    applied first, so the picture still stands the right way up.
    """
    if upload.size and upload.size > max_bytes:
        raise ValidationError(
            "This image is %(size)s MB; the limit is %(limit)s MB.",
            params={"size": round(upload.size / 1_048_576, 1), "limit": max_bytes // 1_048_576},
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    "Upload a PNG, JPEG, WebP or GIF image (this one is %(format)s).",
                    params={"format": image.format or "unknown"},
                )
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    "This image is %(width)s by %(height)s pixels; keep it under 25 megapixels.",
                    params={"width": image.width, "height": image.height},
                )
            image.load()
            format_ = image.format
            upright = ImageOps.exif_transpose(image)
            data = _encoded(upright, format_)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(UNREADABLE) from error
    except Image.DecompressionBombError as error:
        raise ValidationError(
            "This image has too many pixels; keep it under 25 megapixels."
        ) from error
    finally:
        upload.seek(0)
    stem = PurePosixPath(upload.name or "image").stem[:80] or "image"
    return ContentFile(data, name=f"{stem}.{_EXTENSIONS[format_]}")


_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


def _encoded(image: Image.Image, format_: str) -> bytes:
    buffer = io.BytesIO()
    if format_ == "JPEG":
        image.convert("RGB").save(buffer, format="JPEG", quality=90, optimize=True)
    elif format_ == "WEBP":
        image.save(buffer, format="WEBP", quality=90, method=4)
    elif format_ == "GIF":
        image.save(buffer, format="GIF")
    else:
        image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


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
