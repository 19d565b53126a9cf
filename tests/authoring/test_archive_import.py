"""A definition imported with its images from a .zip: paths resolved inside the archive, and
anything unsafe, oversized or not an image refused in words, with nothing written."""

from __future__ import annotations

import io
import json
import re
import zipfile
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.authoring.bundles import assessment_import_archive
from assessments.authoring.services import DefinitionRejected
from assessments.models import Assessment, Product
from tests.factories import BrandFactory, definition, member, png_bytes, products

pytestmark = pytest.mark.django_db


def packed(data: dict, files: dict[str, bytes], name: str = "shoe/assessment.json") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, json.dumps(data))
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()


def with_images() -> dict:
    rows = products("acme")
    for row in rows:
        row["image"] = f"images/{row['sku']}.png"
    data = definition(products=rows)
    data["outcomes"][0]["image"] = "images/supported.png"
    return data


IMAGES = {
    "shoe/images/steady.png": png_bytes(colour="#112233"),
    "shoe/images/breeze.png": png_bytes(colour="#445566"),
    "shoe/images/trail.png": png_bytes(colour="#99aabb"),
    "shoe/images/supported.png": png_bytes(colour="#778899"),
}


def problems_of(rejected: pytest.ExceptionInfo) -> list[str]:
    return [f"{p.path}: {p.message}" for p in rejected.value.problems]


def test_images_in_the_zip_are_stored_and_the_definition_names_them():
    brand = BrandFactory(slug="acme")
    assessment = assessment_import_archive(brand=brand, content=packed(with_images(), IMAGES))
    outcome = assessment.outcomes.get(key="supported")
    assert outcome.image.name.startswith(f"imports/{brand.pk}/")
    assert default_storage.exists(outcome.image.name)
    product = Product.objects.get(brand=brand, sku="steady")
    assert product.image.name.startswith(f"imports/{brand.pk}/") and product.thumbnail
    # The same archive again stores each picture once, under the same name.
    again = assessment_import_archive(brand=brand, content=packed(with_images(), IMAGES))
    assert again.outcomes.get(key="supported").image.name == outcome.image.name


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"../evil.png": png_bytes()}, "“../evil.png”, a path outside the archive"),
        ({"/etc/evil.png": png_bytes()}, "“/etc/evil.png”, a path outside the archive"),
        ({"shoe/notes.txt": b"hello"}, "“shoe/notes.txt”, which the definition does not name"),
        ({"shoe/extra.json": b"{}"}, "exactly one definition (.json file)"),
    ],
)
def test_unsafe_or_stray_members_are_refused(files, expected):
    brand = BrandFactory(slug="acme")
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import_archive(brand=brand, content=packed(with_images(), {**IMAGES, **files}))
    assert any(expected in p for p in problems_of(rejected))
    assert not Assessment.objects.exists()


def test_a_definition_path_leaving_the_archive_is_refused():
    data = with_images()
    data["outcomes"][0]["image"] = "../../secret.png"
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import_archive(brand=BrandFactory(slug="acme"), content=packed(data, IMAGES))
    assert "$.outcomes[0].image: Image path “../../secret.png” leaves the archive." in (
        problems_of(rejected)
    )


def test_a_named_file_that_is_no_image_is_refused_with_the_reason():
    files = {**IMAGES, "shoe/images/supported.png": b"%PDF-1.4 not a picture"}
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import_archive(
            brand=BrandFactory(slug="acme"), content=packed(with_images(), files)
        )
    assert any(
        p.startswith("$.outcomes[0].image: Image “images/supported.png”: This file is not an image")
        for p in problems_of(rejected)
    )
    assert not Assessment.objects.exists()


def test_an_oversized_image_is_refused_before_it_is_read(settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 2 * 1_048_576
    big = png_bytes() + b"\0" * (3 * 1_048_576)
    files = {**IMAGES, "shoe/images/supported.png": big}
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import_archive(
            brand=BrandFactory(slug="acme"), content=packed(with_images(), files)
        )
    assert "$.outcomes[0].image: Image “images/supported.png” is 3.0 MB; the limit is 2 MB." in (
        problems_of(rejected)
    )


def test_an_image_neither_in_the_zip_nor_in_storage_is_named():
    files = {k: v for k, v in IMAGES.items() if "supported" not in k}
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import_archive(
            brand=BrandFactory(slug="acme"), content=packed(with_images(), files)
        )
    assert any("neither in the .zip" in p for p in problems_of(rejected))


def test_a_refused_import_leaves_no_new_images_behind():
    data = with_images()
    data["steps"][0]["next"] = [{"goto": "nowhere"}]
    before = (
        set(default_storage.listdir("imports")[0]) if default_storage.exists("imports") else set()
    )
    with pytest.raises(DefinitionRejected):
        assessment_import_archive(brand=BrandFactory(slug="acme"), content=packed(data, IMAGES))
    brand_dirs = default_storage.listdir("imports")[0] if default_storage.exists("imports") else []
    for folder in set(brand_dirs) - before:
        assert default_storage.listdir(f"imports/{folder}")[1] == []


def test_the_command_imports_a_zip(tmp_path):
    BrandFactory(slug="acme")
    path = tmp_path / "shoe.zip"
    path.write_bytes(packed(with_images(), IMAGES))
    out = StringIO()
    call_command("import_assessment", str(path), "--brand", "acme", stdout=out)
    assert "Imported acme/fit-check" in out.getvalue()
    path.write_bytes(packed(with_images(), {**IMAGES, "../x.png": png_bytes()}))
    with pytest.raises(CommandError, match="a path outside the archive"):
        call_command("import_assessment", str(path), "--brand", "acme", stdout=StringIO())


def test_the_admin_import_takes_a_zip(client):
    brand = BrandFactory(slug="acme")
    client.force_login(member(brand, "editor"))
    upload = io.BytesIO(packed(with_images(), IMAGES))
    upload.name = "shoe.zip"
    url = reverse("admin:assessments_assessment_import")
    response = client.post(url, {"brand": brand.pk, "file": upload})
    assert response.status_code == 302
    assert Assessment.objects.get(brand=brand).outcomes.get(key="supported").image

    upload = io.BytesIO(packed(with_images(), {**IMAGES, "shoe/notes.txt": b"x"}))
    upload.name = "shoe.zip"
    response = client.post(url, {"brand": brand.pk, "file": upload})
    assert response.status_code == 400
    assert re.search(r"which the definition does not name", response.text.replace("&ldquo;", "“"))
