"""Wet footprints drawn with Pillow, with an arch index known from the drawing itself.

A print is drawn upright (heel at the bottom) on a large mask: a heel ellipse, a forefoot
ellipse, a band along the outer edge joining them (its width sets the arch), and five toe
blobs beyond a gap. Its true index is counted on that mask, as Cavanagh & Rodgers define it:
the toes left out, the rest split into thirds of its length, the middle third over the whole.
The photo is then the mask rotated, scaled, lit unevenly and made noisy.

`python -m tests.taking.prints` writes the accuracy table to /tmp/footprint-accuracy.txt.
"""

from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

FOOT = (220, 600)  # the mask: width, height


@dataclass(frozen=True)
class Drawn:
    """A photo of a drawn print and the arch index of the drawing."""

    photo: bytes
    true_index: float


def print_mask(band: float) -> tuple[Image.Image, Image.Image]:
    """The print without toes and the toes, upright; `band` is the midfoot band's width (0-1)."""
    sole = Image.new("1", FOOT, 0)
    draw = ImageDraw.Draw(sole)
    draw.ellipse((40, 390, 170, 580), fill=1)  # heel
    draw.ellipse((20, 120, 200, 300), fill=1)  # forefoot, the ball
    # The band runs along the outer (right) edge from ball to heel.
    if band > 0:
        draw.rectangle((170 - int(band * 150), 210, 172, 490), fill=1)
        draw.rectangle((170, 210, 190, 300), fill=1)
    toes = Image.new("1", FOOT, 0)
    draw = ImageDraw.Draw(toes)
    for x, y, r in ((40, 80, 28), (88, 68, 18), (124, 70, 16), (156, 78, 14), (184, 92, 12)):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=1)
    return sole, toes


def true_index(sole: Image.Image) -> float:
    """The arch index of an upright mask: middle third of its rows over the whole area."""
    width, height = sole.size
    pixels = sole.convert("L").tobytes()
    rows = [sum(1 for v in pixels[y * width : (y + 1) * width] if v) for y in range(height)]
    filled = [y for y, n in enumerate(rows) if n]
    top, bottom = filled[0], filled[-1] + 1
    third = (bottom - top) / 3
    middle = sum(n for y, n in enumerate(rows) if top + third <= y + 0.5 < top + 2 * third)
    return middle / sum(rows)


def footprint_photo(
    band: float,
    *,
    angle: float = 0.0,
    scale: float = 1.0,
    noise: float = 0.0,
    light: float = 0.0,
    toes_joined: bool = False,
    seed: int = 0,
) -> Drawn:
    """A JPEG of the print on paper; `light` darkens one side of the paper by up to that share."""
    sole, toes = print_mask(band)
    index = true_index(sole)
    ink = Image.new("1", FOOT, 0)
    ink.paste(1, mask=sole)
    ink.paste(1, mask=toes)
    if toes_joined:
        # Wet toes touching the ball through the crease: a narrow bridge under each toe.
        for x in (40, 88, 124, 156, 184):
            ImageDraw.Draw(ink).rectangle((x - 4, 80, x + 4, 135), fill=1)
    # The print in the middle of a sheet, with room to rotate.
    sheet = Image.new("L", (900, 900), 0)
    sheet.paste(ink.convert("L"), (340, 150))
    sheet = sheet.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
    size = round(900 * scale)
    sheet = sheet.resize((size, size), Image.Resampling.BILINEAR)
    paper = Image.linear_gradient("L").rotate(90).resize((size, size))
    # Paper from 235 down to 235 * (1 - light); wet print 140 grey darker than the paper there.
    lit = paper.point(lambda v: round(235 - 235 * light * v / 255))
    print_grey = lit.point(lambda v: max(0, v - 140))
    photo = Image.composite(print_grey, lit, sheet.point(lambda v: 255 if v > 127 else 0))
    photo = photo.filter(ImageFilter.GaussianBlur(1))
    if noise:
        rng = random.Random(seed)
        data = bytes(min(255, max(0, v + round(rng.gauss(0, noise)))) for v in photo.tobytes())
        photo = Image.frombytes("L", photo.size, data)
    buffer = io.BytesIO()
    photo.convert("RGB").save(buffer, format="JPEG", quality=85)
    return Drawn(buffer.getvalue(), index)


# Twelve cases: flat to high arches, turned, scaled, noisy and unevenly lit.
CASES = [
    {"band": 0.0},
    {"band": 0.1, "angle": 15},
    {"band": 0.2, "angle": -30, "scale": 0.6},
    {"band": 0.3, "angle": 90, "noise": 8},
    {"band": 0.4, "angle": 45, "light": 0.4},
    {"band": 0.5, "scale": 1.4, "noise": 12, "seed": 1},
    {"band": 0.6, "angle": -60, "light": 0.5, "noise": 6, "seed": 2},
    {"band": 0.7, "angle": 180},
    {"band": 0.8, "angle": 10, "scale": 0.8, "light": 0.3},
    {"band": 0.9, "angle": -120, "noise": 10, "seed": 3},
    {"band": 0.35, "angle": 30, "toes_joined": True},
    {"band": 0.65, "angle": -15, "light": 0.6, "noise": 8, "toes_joined": True, "seed": 4},
]


def accuracy_table() -> tuple[str, float]:
    """The table of true and measured indices for CASES, and the largest error."""
    from assessments.taking.footprint import band_of, footprint_measure

    lines = [f"{'case':<52} {'true AI':>8} {'measured':>9} {'error':>7}  band"]
    worst = 0.0
    for case in CASES:
        drawn = footprint_photo(**case)
        measured = footprint_measure(
            drawn.photo, max_pixels=25_000_000, formats=frozenset({"JPEG"})
        )
        error = measured.index - drawn.true_index
        worst = max(worst, abs(error))
        label = ", ".join(f"{k}={v}" for k, v in case.items() if k != "seed")
        same = "same" if band_of(drawn.true_index) == measured.band else "DIFFERS"
        lines.append(
            f"{label:<52} {drawn.true_index:>8.3f} {measured.index:>9.3f} {error:>+7.3f}"
            f"  {measured.band} ({same})"
        )
    lines.append(f"largest error: {worst:.3f}")
    return "\n".join(lines) + "\n", worst


if __name__ == "__main__":
    table, _ = accuracy_table()
    sys.stdout.write(table)
    with open("/tmp/footprint-accuracy.txt", "w") as out:
        out.write(table)
