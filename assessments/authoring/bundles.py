"""Definitions that bring their images: a .zip holding the definition JSON and the pictures it
names, imported all or nothing.

Every image path in the definition is looked up beside the JSON inside the archive; a path not
in the archive must already be in media storage, as for a plain JSON file. Nothing in the archive
is trusted: member names that leave the archive, oversized members, files that are no image
(or that the definition does not name) are refused with the reason, before anything is stored.
Images are decoded and encoded afresh by `image_clean`, then stored under a name made from their
content, so importing the same archive twice stores each picture once.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.engine import Problem
from assessments.models import Assessment, Brand

from .images import image_clean
from .services import DefinitionRejected, _parse, assessment_import

ARCHIVE_MAX_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 500
MAX_DEFINITION_BYTES = 5 * 1024 * 1024
# Names a zip tool adds on its own; never part of what the author packed.
IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db")


def is_archive(content: bytes) -> bool:
    """Whether the uploaded bytes are a .zip (rather than a JSON definition)."""
    return content[:4] == b"PK\x03\x04"


@dataclass(frozen=True)
class ImageRef:
    """Where in the definition an image path sits, and the path as written."""

    where: str
    path: str
    holder: dict[str, Any]


def _image_refs(data: dict[str, Any]) -> Iterator[ImageRef]:
    for s, step in enumerate(_dicts(data.get("steps"))):
        for q, question in enumerate(_dicts(step.get("questions"))):
            for c, choice in enumerate(_dicts(question.get("choices"))):
                where = f"$.steps[{s}].questions[{q}].choices[{c}].image"
                if isinstance(choice.get("image"), str) and choice["image"]:
                    yield ImageRef(where, choice["image"], choice)
    for o, outcome in enumerate(_dicts(data.get("outcomes"))):
        if isinstance(outcome.get("image"), str) and outcome["image"]:
            yield ImageRef(f"$.outcomes[{o}].image", outcome["image"], outcome)
    for p, product in enumerate(_dicts(data.get("products"))):
        if isinstance(product.get("image"), str) and product["image"]:
            yield ImageRef(f"$.products[{p}].image", product["image"], product)
        for v, variant in enumerate(_dicts(product.get("variants"))):
            if isinstance(variant.get("image"), str) and variant["image"]:
                yield ImageRef(f"$.products[{p}].variants[{v}].image", variant["image"], variant)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _outside(name: str) -> bool:
    normal = posixpath.normpath(name.replace("\\", "/"))
    return (
        name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or normal == ".."
        or normal.startswith("../")
    )


@dataclass
class Bundle:
    """What an archive holds once checked: the definition and its cleaned images by path."""

    definition: dict[str, Any]
    images: dict[str, ContentFile]


def bundle_open(content: bytes) -> Bundle:
    """The archive's definition and images, checked; DefinitionRejected says every problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as error:
        raise DefinitionRejected(
            [Problem("$", f"The .zip cannot be read ({error}).", "archive")]
        ) from error
    members = [m for m in members if not any(i in m.filename for i in IGNORED)]
    problems: list[Problem] = []
    if len(members) > MAX_MEMBERS:
        problems.append(
            Problem("$", f"The .zip holds {len(members)} files; at most {MAX_MEMBERS}.", "archive")
        )
    for member in members:
        if _outside(member.filename):
            problems.append(
                Problem(
                    "$",
                    f"The .zip holds “{member.filename}”, a path outside the archive; "
                    "pack files by names relative to the definition.",
                    "archive_path",
                )
            )
    definitions = [m for m in members if m.filename.lower().endswith(".json")]
    if len(definitions) != 1:
        found = ", ".join(m.filename for m in definitions) or "none"
        problems.append(
            Problem(
                "$",
                f"The .zip must hold exactly one definition (.json file); found {found}.",
                "archive",
            )
        )
    if problems:
        raise DefinitionRejected(problems, "The .zip has problems; nothing was imported.")
    (definition_member,) = definitions
    if definition_member.file_size > MAX_DEFINITION_BYTES:
        raise DefinitionRejected(
            [Problem("$", "The definition in the .zip is over 5 MB.", "archive")],
            "The .zip has problems; nothing was imported.",
        )
    data = _parse(archive.read(definition_member))
    folder = posixpath.dirname(definition_member.filename)
    by_name = {posixpath.normpath(m.filename): m for m in members}
    named: set[str] = {definition_member.filename}
    images: dict[str, ContentFile] = {}
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    for ref in _image_refs(data):
        if ref.path in images:
            continue
        inside = posixpath.normpath(posixpath.join(folder, ref.path.replace("\\", "/")))
        if _outside(ref.path) or _outside(inside):
            problems.append(
                Problem(ref.where, f"Image path “{ref.path}” leaves the archive.", "archive_path")
            )
            continue
        member = by_name.get(inside)
        if member is None:
            if not default_storage.exists(ref.path):
                problems.append(
                    Problem(
                        ref.where,
                        f"Image “{ref.path}” is neither in the .zip (beside the definition) "
                        "nor in the media storage.",
                        "image_missing",
                    )
                )
            continue
        named.add(member.filename)
        if member.file_size > limit:
            problems.append(
                Problem(
                    ref.where,
                    f"Image “{ref.path}” is {round(member.file_size / 1_048_576, 1)} MB; "
                    f"the limit is {limit // 1_048_576} MB.",
                    "image",
                )
            )
            continue
        upload = SimpleUploadedFile(posixpath.basename(inside), archive.read(member))
        try:
            images[ref.path] = image_clean(upload, max_bytes=limit)
        except ValidationError as error:
            words = " ".join(error.messages)
            problems.append(Problem(ref.where, f"Image “{ref.path}”: {words}", "image"))
    for member in members:
        if member.filename not in named:
            problems.append(
                Problem(
                    "$",
                    f"The .zip holds “{member.filename}”, which the definition does not name "
                    "as an image; remove it from the archive.",
                    "archive",
                )
            )
    if problems:
        raise DefinitionRejected(problems, "The .zip has problems; nothing was imported.")
    return Bundle(definition=data, images=images)


def _stored_name(brand: Brand, image: ContentFile) -> str:
    digest = hashlib.sha256(image.read()).hexdigest()[:16]
    image.seek(0)
    stem = PurePosixPath(image.name or "image")
    return f"imports/{brand.pk}/{digest}-{stem.stem[:40]}{stem.suffix}"


def assessment_import_archive(
    *,
    brand: Brand,
    content: bytes,
    publish: bool = False,
    user: AbstractBaseUser | None = None,
) -> Assessment:
    """Import a .zip's definition with its images: all or nothing, as `assessment_import`.

    Images are stored first (the definition then names them where they are); if the import is
    refused, the images this call stored are removed again.
    """
    if len(content) > ARCHIVE_MAX_BYTES:
        raise DefinitionRejected([Problem("$", "A .zip is limited to 50 MB.", "archive")])
    bundle = bundle_open(content)
    stored: dict[str, str] = {}
    created: list[str] = []
    for path, image in bundle.images.items():
        name = _stored_name(brand, image)
        if not default_storage.exists(name):
            name = default_storage.save(name, image)
            created.append(name)
        stored[path] = name
    for ref in list(_image_refs(bundle.definition)):
        if ref.path in stored:
            ref.holder["image"] = stored[ref.path]
    try:
        return assessment_import(brand=brand, source=bundle.definition, publish=publish, user=user)
    except Exception:
        for name in created:
            default_storage.delete(name)
        raise
