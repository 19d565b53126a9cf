"""The photo step: a print posted with the form is measured to a band, or the drawings follow."""

from __future__ import annotations

import datetime as dt
import io
import secrets

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils import timezone
from PIL import Image

from assessments.models import KeptPhoto, Response
from assessments.taking.services import response_definition
from assessments.tasks import kept_photos_expire_task
from tests.taking.conftest import start, step_url
from tests.taking.footprints import (
    KEEP_DAYS,
    blank_paper,
    cut_off_print,
    dark_photo,
    drawn_blob,
    flat_foot,
    high_arch,
    photo_assessment,
    upload,
    with_exif,
)
from tests.taking.prints import footprint_photo

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def finder(brand):
    return photo_assessment(brand)


def send(client, response, data: dict, **extra):
    """Submit the photo step as the browser does: multipart, with a fresh submission id."""
    payload = {"submission_id": secrets.token_urlsafe(16), **data}
    return client.post(step_url(response, "photo"), payload, **extra)


def stored(response: Response) -> dict:
    response.refresh_from_db()
    return response.answers


def test_the_photo_step_is_a_multipart_form_that_opens_the_camera(client, finder):
    response = start(client, finder)
    html = client.get(step_url(response, "photo")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert (
        '<input type="file" name="photo-arch_photo" id="q-arch_photo-input" accept="image/*" '
        'capture="environment"' in html
    )
    assert f"Keep my photo for {KEEP_DAYS} days so staff can look at it with me." in html
    assert "No photo? Just continue: you will choose from three drawings instead." in html


def test_a_high_arch_print_is_measured_without_javascript(client, finder):
    response = start(client, finder)
    page = send(client, response, {"photo-arch_photo": upload(high_arch())})
    # Measured: the drawings are not asked, the next step is.
    assert page.status_code == 303
    assert page["Location"] == step_url(response, "knees")
    answer = stored(response)["arch_photo"]
    assert answer["band"] == "high"
    assert answer["index"] == pytest.approx(0.112, abs=0.025)
    assert set(answer) == {"band", "index"}  # nothing of the photo
    scores = response_definition(response).scores(response.answers)
    assert (scores["cushion"].value, scores["cushion"].band.key) == (2.0, "lots")
    assert not KeptPhoto.objects.exists()


def test_a_flat_print_is_measured_with_htmx(client, finder):
    response = start(client, finder)
    page = send(client, response, {"photo-arch_photo": upload(flat_foot())}, **HTMX)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["HX-Push-Url"] == step_url(response, "knees")
    assert "Do your knees drift in?" in html and "<html" not in html
    answer = stored(response)["arch_photo"]
    assert answer["band"] == "flat"
    assert answer["index"] == pytest.approx(0.342, abs=0.025)
    scores = response_definition(response).scores(response.answers)
    assert (scores["support"].value, scores["cushion"].value) == (2.0, 0.0)


def test_the_band_is_recalled_on_the_results(client, finder):
    response = start(client, finder)
    send(client, response, {"photo-arch_photo": upload(high_arch())})
    client.post(step_url(response, "knees"), {"submission_id": "k1", "knees": "no"}, follow=False)
    html = client.get(f"/r/{response.token}/results/").content.decode()
    assert "your print shows a high arch" in html


PROBLEMS = [
    ("file_too_large", lambda: b"\xff\xd8" + b"0" * (8 * 1024 * 1024), "larger than 8 MB"),
    ("unreadable", lambda: b"%PDF-1.4 this is a document", "not a photo we can read"),
    ("too_dark", dark_photo, "too dark to see the print"),
    ("cut_off", cut_off_print, "cut off at the edge of the photo"),
    ("too_small", drawn_blob, "too small in the photo"),
    ("no_print", blank_paper, "could not find a footprint in the photo"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("code", "photo", "words"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_a_photo_that_cannot_be_measured_sends_the_customer_to_the_drawings_saying_why(
    client, finder, code, photo, words, htmx
):
    response = start(client, finder)
    send(client, response, {"photo-arch_photo": upload(high_arch())})
    client.post(f"/r/{response.token}/back/", {"to_step": "photo"})
    sent = {"photo-arch_photo": upload(photo()), "keep-photo-arch_photo": "yes"}
    page = send(client, response, sent, **(HTMX if htmx else {}))
    if htmx:
        assert page.status_code == 200
        assert page["HX-Push-Url"] == f"{step_url(response, 'feet')}?photo={code}"
        html = page.content.decode()
    else:
        assert page.status_code == 303
        assert page["Location"] == f"{step_url(response, 'feet')}?photo={code}"
        html = client.get(page["Location"]).content.decode()
    assert 'role="alert"' in html and "We could not measure your photo." in html
    assert words in html
    assert "Choose the drawing that looks most like your print instead." in html
    assert "Which print looks most like yours?" in html
    # The earlier measurement is gone, and nothing of this photo is kept.
    assert "arch_photo" not in stored(response)
    assert not KeptPhoto.objects.exists()


def test_no_photo_goes_on_to_the_drawings_without_a_word(client, finder):
    response = start(client, finder)
    page = send(client, response, {})
    assert page["Location"] == step_url(response, "feet")
    html = client.get(page["Location"]).content.decode()
    assert "We could not measure your photo" not in html
    assert "Which print looks most like yours?" in html


def test_the_reason_shows_only_on_the_drawings_step(client, finder):
    response = start(client, finder)
    send(client, response, {})
    html = client.get(f"{step_url(response, 'feet')}?photo=too_dark").content.decode()
    assert "too dark to see the print" in html
    client.post(step_url(response, "feet"), {"submission_id": "f1", "arch": "low"})
    html = client.get(f"{step_url(response, 'knees')}?photo=too_dark").content.decode()
    assert "We could not measure your photo" not in html


def test_a_value_typed_in_place_of_a_photo_is_no_answer(client, finder):
    response = start(client, finder)
    page = send(client, response, {"arch_photo": "high"})
    # Only a measured photo answers; a value sent under the question's key is not read.
    assert page["Location"] == step_url(response, "feet")
    assert "arch_photo" not in stored(response)


def test_the_photo_is_read_in_memory_never_in_a_temporary_file(client, finder, monkeypatch):
    spilled = []
    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", lambda *a, **k: spilled.append(a))
    # Over Django's 2.5 MB memory threshold, where the default handlers write to disk.
    big = Image.open(io.BytesIO(footprint_photo(0.0).photo)).resize((1200, 1000))
    out = io.BytesIO()
    big.convert("RGB").save(out, format="PNG", compress_level=0)
    assert len(out.getvalue()) > 3 * 1024 * 1024
    response = start(client, finder)
    page = send(client, response, {"photo-arch_photo": upload(out.getvalue(), "p.png")})
    assert page["Location"] == step_url(response, "knees")
    assert stored(response)["arch_photo"]["band"] == "high"
    assert spilled == []


def test_without_the_tick_no_photo_is_kept(client, finder):
    response = start(client, finder)
    send(client, response, {"photo-arch_photo": upload(with_exif(high_arch()))})
    assert stored(response)["arch_photo"]["band"] == "high"
    assert not KeptPhoto.objects.exists()


def test_with_the_tick_the_photo_is_kept_without_exif_and_deleted_after_the_days(
    client, finder, monkeypatch
):
    original = with_exif(high_arch())
    assert Image.open(io.BytesIO(original)).getexif()  # the phone's EXIF is there to lose
    response = start(client, finder)
    before = timezone.now()
    send(client, response, {"photo-arch_photo": upload(original), "keep-photo-arch_photo": "yes"})
    kept = KeptPhoto.objects.get(response=response, question_key="arch_photo")
    image = Image.open(io.BytesIO(bytes(kept.image)))
    assert image.format == "JPEG" and image.size == (900, 900)
    assert not image.getexif() and "exif" not in image.info
    assert bytes(kept.image) != original
    days = kept.delete_after - before
    assert dt.timedelta(days=KEEP_DAYS) <= days < dt.timedelta(days=KEEP_DAYS, minutes=1)

    # Beat runs the expiry hourly: before the day the photo stays, after it, it is gone.
    assert kept_photos_expire_task.apply().get() == 0
    assert KeptPhoto.objects.filter(pk=kept.pk).exists()
    later = kept.delete_after + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert kept_photos_expire_task.apply().get() == 1
    assert not KeptPhoto.objects.filter(pk=kept.pk).exists()
    assert stored(response)["arch_photo"]["band"] == "high"  # the measurement stays


def test_sending_the_step_again_without_the_tick_lets_the_kept_photo_go(client, finder):
    response = start(client, finder)
    send(client, response, {"photo-arch_photo": upload(high_arch()), "keep-photo-arch_photo": "1"})
    assert KeptPhoto.objects.count() == 1
    client.post(f"/r/{response.token}/back/", {"to_step": "photo"})
    send(client, response, {"photo-arch_photo": upload(flat_foot())})
    assert not KeptPhoto.objects.exists()
    assert stored(response)["arch_photo"]["band"] == "flat"


def test_the_photo_step_and_its_reasons_speak_spanish(client, finder):
    response = start(client, finder, language="es")
    html = client.get(step_url(response, "photo")).content.decode()
    assert f"Guardar mi foto {KEEP_DAYS} días para que el personal pueda verla conmigo." in html
    page = send(client, response, {"photo-arch_photo": upload(dark_photo())})
    html = client.get(page["Location"]).content.decode()
    assert (
        "No hemos podido medir tu foto. La foto está demasiado oscura para ver la huella. "
        "Elige en su lugar el dibujo que más se parezca a tu huella."
    ) in html


def test_going_back_shows_the_measurement_and_continuing_keeps_it(client, finder):
    response = start(client, finder)
    send(client, response, {"photo-arch_photo": upload(high_arch()), "keep-photo-arch_photo": "1"})
    measured = stored(response)["arch_photo"]
    client.post(f"/r/{response.token}/back/", {"to_step": "photo"})
    html = client.get(step_url(response, "photo")).content.decode()
    assert f"Your photo showed: High arch (Arch Index {measured['index']:.2f})." in html
    assert "Forget this measurement: I will choose a drawing instead." in html
    # Continue without a new photo: the measurement and the kept photo stay.
    page = send(client, response, {})
    assert page["Location"] == step_url(response, "knees")
    assert stored(response)["arch_photo"] == measured
    assert KeptPhoto.objects.count() == 1


def test_choosing_the_drawings_instead_forgets_the_measurement_and_the_photo(client, finder):
    response = start(client, finder)
    send(client, response, {"photo-arch_photo": upload(high_arch()), "keep-photo-arch_photo": "1"})
    client.post(f"/r/{response.token}/back/", {"to_step": "photo"})
    page = send(client, response, {"drawings-arch_photo": "yes"}, **HTMX)
    assert page["HX-Push-Url"] == step_url(response, "feet")
    html = page.content.decode()
    assert "Which print looks most like yours?" in html
    assert "We could not measure your photo" not in html
    assert "arch_photo" not in stored(response)
    assert not KeptPhoto.objects.exists()


@pytest.mark.parametrize("origin", ["", "?origin=https://partner.example"])
def test_an_embedded_journey_takes_the_photo_too(client, finder, origin):
    started = client.post(f"/e/a/acme/{finder.key}/{origin}", {"language": "en"})
    response = Response.objects.get(token=started["Location"].split("/r/")[1].split("/")[0])
    html = client.get(f"/e/r/{response.token}/s/photo/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    page = client.post(
        f"/e/r/{response.token}/s/photo/",
        {"submission_id": "e1", "photo-arch_photo": upload(high_arch())},
    )
    assert page["Location"] == f"/e/r/{response.token}/s/knees/"
    assert stored(response)["arch_photo"]["band"] == "high"
