"""A photo of a wet footprint is measured to the arch index of the print drawn in it."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from assessments.taking.footprint import PhotoProblem, band_of, footprint_measure
from tests.taking.prints import CASES, footprint_photo

LIMITS = {"max_pixels": 25_000_000, "formats": frozenset({"JPEG", "PNG"})}


def measure(photo: bytes):
    return footprint_measure(photo, **LIMITS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_the_measured_index_is_within_two_and_a_half_hundredths_of_the_drawn_one(case):
    drawn = footprint_photo(**case)
    tolerance = 0.025 if case.get("toes_joined") else 0.015
    assert measure(drawn.photo).index == pytest.approx(drawn.true_index, abs=tolerance)


def test_the_bands_are_cavanagh_and_rodgers():
    assert [band_of(v) for v in (0.0, 0.21, 0.215, 0.259, 0.26, 0.4)] == [
        "high", "high", "normal", "normal", "flat", "flat"
    ]  # fmt: skip


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _problem(photo: bytes) -> str:
    with pytest.raises(PhotoProblem) as raised:
        measure(photo)
    return raised.value.code


def test_blank_paper_has_no_print():
    assert _problem(_png(Image.new("L", (300, 400), 230))) == "no_print"


def test_a_photo_taken_in_the_dark_is_too_dark():
    assert _problem(_png(Image.new("L", (300, 400), 20))) == "too_dark"


def test_a_print_far_away_is_too_small():
    paper = Image.new("L", (800, 800), 230)
    ImageDraw.Draw(paper).ellipse((390, 380, 410, 430), fill=90)
    assert _problem(_png(paper)) == "too_small"


def test_a_print_running_off_the_paper_is_cut_off():
    photo = Image.open(io.BytesIO(footprint_photo(0.5).photo))
    assert _problem(_png(photo.crop((0, 0, 900, 420)))) == "cut_off"


def test_a_file_that_is_not_a_photo_is_unreadable():
    assert _problem(b"%PDF-1.4 not a photo") == "unreadable"


def test_a_photo_over_the_pixel_limit_is_not_decoded():
    with pytest.raises(PhotoProblem) as raised:
        footprint_measure(footprint_photo(0.5).photo, max_pixels=1000, formats={"JPEG"})
    assert raised.value.code == "too_large"
