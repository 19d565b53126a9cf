"""Measuring a photo of a wet footprint: the Arch Index of Cavanagh & Rodgers (1987).

Pure Python and Pillow, no Django (the import contract holds it to that), so it is tested by
drawing prints with a known index. The photo is read from bytes in memory and nothing of it
outlives the call: no file, no EXIF, no pixels are kept.

The method, step by step:

1. Normalise: EXIF orientation applied, grayscale, scaled down so the long side is at most
   `WORKING_SIZE` pixels (the index is a ratio of areas, so resolution barely matters).
2. Even the light: the paper's brightness is estimated by a grey-level closing (a max filter
   wider than the print's parts, which wipes the dark print out) and a blur; the photo is
   subtracted from it, so the print is "how much darker than the paper around it".
3. Threshold with Otsu's method on that difference.
4. Keep the print: the largest dark component, and any other at least `PART_SHARE` of its
   size (a high arch can leave heel and forefoot unjoined). Toe prints are far smaller and
   left apart by the crease under the toes, so they fall away here.
5. Align along the principal axis of the kept pixels (from their second moments).
6. Leave out the toes still joined to the ball: in the distal `TOE_ZONE` of either end, a
   slice across the axis with less than `TOE_NECK` of the fullest slice's pixels, between
   fuller ones, is the crease under the toes; what lies beyond it is dropped. (A heel only
   tapers towards its tip, so it never shows such a crease.)
7. Split the remaining length into thirds; the index is the middle third's area over the
   whole area.

The `footprint` question kind (assessments/engine/kinds/footprint.py) owns the bands; the step
page reads the photo in memory (uploads.py), measures it here, and hands the engine the index.
"""

from __future__ import annotations

import io
import math
from collections import deque
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from assessments.engine.kinds.footprint import BANDS, FLAT_MIN, HIGH_ARCH_MAX, band_of

__all__ = [
    "BANDS",
    "FLAT_MIN",
    "HIGH_ARCH_MAX",
    "MESSAGES",
    "Measured",
    "PhotoProblem",
    "band_of",
    "footprint_measure",
    "photo_without_metadata",
]

WORKING_SIZE = 400
PART_SHARE = 0.2
TOE_ZONE = 0.3
TOE_NECK = 0.35
# Quality limits, as shares of the working image.
DARKEST_MEAN = 55  # a photo whose mean grey (0-255) is below this is too dark to read
SMALLEST_SHARE = 0.02  # the print covers at least this share of the picture
SHORTEST_SHARE = 0.3  # and is at least this share of the picture's long side
EDGE_MARGIN = 2  # pixels: ink this close to the border means the print is cut off
EDGE_PIXELS = 6  # tolerated stray pixels at the border (a speck of water)
# Otsu's split must separate print and paper by at least this much grey to be a print.
LEAST_CONTRAST = 25
LEAST_ELONGATION = 1.4  # a foot is clearly longer than wide


class PhotoProblem(Exception):
    """A photo that cannot be measured; `.code` names why (see `MESSAGES`)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(MESSAGES[code])


MESSAGES = {
    "unreadable": "This file is not a photo we can read.",
    "too_large": "This photo is too large.",
    "too_dark": "The photo is too dark to see the print.",
    "no_print": "No footprint was found in the photo.",
    "too_small": "The print is too small in the photo.",
    "cut_off": "The print is cut off at the edge of the photo.",
}


@dataclass(frozen=True, slots=True)
class Measured:
    """What a photo showed: the arch index, its band, and the print's size on the picture."""

    index: float
    band: str
    area: int  # pixels of the print without toes, on the working image
    length: int  # its length along the foot's axis, in working pixels


def footprint_measure(
    data: bytes, *, max_pixels: int, formats: frozenset[str] | set[str]
) -> Measured:
    """The arch index of the print in a photo, or PhotoProblem saying why it cannot be read."""
    gray = _normalised(data, max_pixels=max_pixels, formats=formats)
    width, height = gray.size
    pixels = gray.tobytes()
    if sum(pixels) / len(pixels) < DARKEST_MEAN:
        raise PhotoProblem("too_dark")
    darkness = _darkness(gray)
    level, contrast = _otsu(darkness)
    if contrast < LEAST_CONTRAST:
        raise PhotoProblem("no_print")
    ink = bytearray(1 if v > level else 0 for v in darkness)
    points = _print_pixels(ink, width, height)
    if not points:
        raise PhotoProblem("no_print")
    if len(points) < SMALLEST_SHARE * width * height:
        raise PhotoProblem("too_small")
    if _on_edge(points, width, height):
        raise PhotoProblem("cut_off")
    along = _aligned(points)
    if along is None:
        raise PhotoProblem("no_print")
    kept = _without_toes(along)
    low, high = min(kept), max(kept)
    length = high - low
    if length < SHORTEST_SHARE * max(width, height):
        raise PhotoProblem("too_small")
    third = length / 3
    middle = sum(1 for u in kept if low + third <= u < low + 2 * third)
    index = round(middle / len(kept), 3)
    return Measured(index, band_of(index), len(kept), round(length))


def photo_without_metadata(
    data: bytes, *, max_pixels: int, formats: frozenset[str] | set[str], longest: int = 1600
) -> bytes:
    """The photo as a new JPEG, upright, at most `longest` pixels on its long side, with no
    EXIF or any other metadata: only its pixels are copied. For a photo the customer asked us
    to keep; call it on a photo `footprint_measure` has read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in formats or image.width * image.height > max_pixels:
                raise PhotoProblem("unreadable")
            image.draft("RGB", (longest, longest))
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoProblem:
        raise
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, ValueError) as error:
        raise PhotoProblem("unreadable") from error
    upright.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    pixels = Image.frombytes("RGB", upright.size, upright.tobytes())
    out = io.BytesIO()
    pixels.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------


def _normalised(data: bytes, *, max_pixels: int, formats: frozenset[str] | set[str]) -> Image.Image:
    """The photo upright, grey and at most WORKING_SIZE on its long side."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in formats:
                raise PhotoProblem("unreadable")
            if image.width * image.height > max_pixels:
                raise PhotoProblem("too_large")
            # A JPEG can be decoded at a fraction of its size, which is all we need.
            image.draft("L", (WORKING_SIZE * 2, WORKING_SIZE * 2))
            upright = ImageOps.exif_transpose(image)
            gray = upright.convert("L")
    except PhotoProblem:
        raise
    except Image.DecompressionBombError as error:
        raise PhotoProblem("too_large") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise PhotoProblem("unreadable") from error
    gray.thumbnail((WORKING_SIZE, WORKING_SIZE), Image.Resampling.LANCZOS)
    # A new image from raw pixels carries no metadata at all.
    return Image.frombytes("L", gray.size, gray.tobytes())


def _darkness(gray: Image.Image) -> bytes:
    """How much darker each pixel is than the paper around it (0: paper)."""
    width, height = gray.size
    # Closing at a small scale: the max filter must be wider than the widest part of the print.
    small = gray.resize((max(1, width // 8), max(1, height // 8)), Image.Resampling.BOX)
    reach = max(3, (max(small.size) // 3) | 1)
    paper = small.filter(ImageFilter.MaxFilter(min(reach, 31)))
    paper = paper.filter(ImageFilter.MinFilter(min(reach, 31)))
    paper = paper.resize(gray.size, Image.Resampling.BILINEAR)
    paper = paper.filter(ImageFilter.GaussianBlur(max(width, height) / 40))
    return bytes(max(0, p - q) for p, q in zip(paper.tobytes(), gray.tobytes(), strict=True))


def _otsu(values: bytes) -> tuple[int, float]:
    """Otsu's threshold of 0-255 values and the grey distance between the two classes."""
    histogram = [0] * 256
    for v in values:
        histogram[v] += 1
    total = len(values)
    weighted = sum(i * n for i, n in enumerate(histogram))
    best, best_level, best_gap = -1.0, 0, 0.0
    below = below_sum = 0
    for level in range(256):
        below += histogram[level]
        below_sum += level * histogram[level]
        above = total - below
        if below == 0 or above == 0:
            continue
        mean_below = below_sum / below
        mean_above = (weighted - below_sum) / above
        between = below * above * (mean_below - mean_above) ** 2
        if between > best:
            best, best_level, best_gap = between, level, mean_above - mean_below
    return best_level, best_gap


# -- the print ----------------------------------------------------------------------------


def _print_pixels(ink: bytearray, width: int, height: int) -> list[tuple[int, int]]:
    """The pixels of the largest ink component and of those at least PART_SHARE of it."""
    seen = bytearray(len(ink))
    parts: list[list[tuple[int, int]]] = []
    for start, on in enumerate(ink):
        if not on or seen[start]:
            continue
        seen[start] = 1
        part = []
        queue = deque([start])
        while queue:
            at = queue.popleft()
            y, x = divmod(at, width)
            part.append((x, y))
            for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
                if 0 <= nx < width and 0 <= ny < height:
                    n = ny * width + nx
                    if ink[n] and not seen[n]:
                        seen[n] = 1
                        queue.append(n)
        parts.append(part)
    if not parts:
        return []
    largest = max(len(p) for p in parts)
    return [xy for p in parts if len(p) >= PART_SHARE * largest for xy in p]


def _on_edge(points: list[tuple[int, int]], width: int, height: int) -> bool:
    right, bottom = width - EDGE_MARGIN, height - EDGE_MARGIN
    touching = sum(
        1 for x, y in points if x < EDGE_MARGIN or y < EDGE_MARGIN or x >= right or y >= bottom
    )
    return touching > EDGE_PIXELS


def _aligned(points: list[tuple[int, int]]) -> list[float] | None:
    """Each pixel's place along the print's principal axis; None when it is not elongated."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points) / n
    syy = sum((y - my) ** 2 for _, y in points) / n
    sxy = sum((x - mx) * (y - my) for x, y in points) / n
    spread = math.sqrt(((sxx - syy) / 2) ** 2 + sxy**2)
    major, minor = (sxx + syy) / 2 + spread, (sxx + syy) / 2 - spread
    if minor <= 0 or math.sqrt(major / minor) < LEAST_ELONGATION:
        return None
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    cos, sin = math.cos(angle), math.sin(angle)
    return [(x - mx) * cos + (y - my) * sin for x, y in points]


def _without_toes(along: list[float]) -> list[float]:
    """The places along the axis of the print's pixels, less any toes joined to the ball.

    The print is counted in one-pixel slices across the axis. In the distal TOE_ZONE of each
    end, going inwards from the tip, a slice with less than TOE_NECK of the fullest slice's
    pixels, after fuller ones (the toes) and before fuller ones (the ball), is the crease under
    the toes, and everything beyond it is left out. A heel only tapers, so it has no crease.
    """
    low = min(along)
    slices = int(max(along) - low) + 1
    counts = [0] * slices
    for u in along:
        counts[int(u - low)] += 1
    zone = max(1, int(TOE_ZONE * slices))
    neck = TOE_NECK * max(counts)
    first = _crease(counts, range(zone), neck)
    last = _crease(counts, range(slices - 1, slices - 1 - zone, -1), neck)
    keep_from = 0 if first is None else first + 1
    keep_to = slices - 1 if last is None else last - 1
    return [u for u in along if keep_from <= int(u - low) <= keep_to]


def _crease(counts: list[int], inwards: range, neck: float) -> int | None:
    """The slice of the crease between toes and ball, going `inwards` from a tip, if any.

    Between the first fuller slice from the tip and the last one in the zone, the emptiest
    slice is the crease when it is below `neck`: the dips between toes of different lengths are
    shallower than the crease under them all.
    """
    fuller = [i for i in inwards if counts[i] >= neck]
    if len(fuller) < 2:
        return None
    start, end = inwards.index(fuller[0]), inwards.index(fuller[-1])
    between = [inwards[p] for p in range(start, end + 1)]
    deepest = min(between, key=lambda i: counts[i])
    return deepest if counts[deepest] < neck else None
