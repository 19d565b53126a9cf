"""Flat, deterministic illustrations for the demo brands.

Every image path named in the demo definitions (choices, outcomes, products) and each brand's
logo is drawn with Pillow: no downloads, no fonts beyond Pillow's bundled default, no
randomness. Colours come from a hash of the key, so adding a product to the JSON gives it its
own colourway the next time the images are drawn.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import json
import pathlib
from collections.abc import Callable, Iterator
from typing import Any

from PIL import Image, ImageDraw, ImageFont

DEMO_DIR = pathlib.Path(__file__).resolve().parent
SS = 2  # supersampling factor: draw large, scale down, get smooth edges
COLOURS = 128  # flat illustrations: a palette PNG is a fraction of the size

PRODUCT_SIZE = (600, 600)
CHOICE_SIZE = (400, 300)
OUTCOME_SIZE = (800, 450)
LOGO_SIZE = (480, 144)

RGB = tuple[int, int, int]


# --------------------------------------------------------------------------- collecting


def load_brands() -> list[dict[str, Any]]:
    with (DEMO_DIR / "brands.json").open(encoding="utf-8") as fh:
        return json.load(fh)["brands"]


def load_definition(name: str) -> dict[str, Any]:
    with (DEMO_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _walk(node: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[dict[str, Any], tuple]]:
    """Every object holding an `image` member, with the chain of objects above it."""
    if isinstance(node, dict):
        if isinstance(node.get("image"), str):
            yield node, trail
        for value in node.values():
            yield from _walk(value, (*trail, node))
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, trail)


def image_jobs() -> list[tuple[str, Callable[[], Image.Image]]]:
    """(relative path, painter) for every image the demo content references."""
    jobs: dict[str, Callable[[], Image.Image]] = {}
    for brand in load_brands():
        theme = brand["theme"]
        logo = brand.get("logo") or f"demo/{brand['slug']}/logo.png"
        jobs[logo] = _bind(draw_logo, brand["name"], theme)
        for name in brand["assessments"]:
            definition = load_definition(name)
            for node, trail in _walk(definition):
                path = node["image"]
                if path in jobs:
                    continue
                kind = pathlib.PurePosixPath(path).parent.name
                if kind == "products" or "sku" in node:
                    jobs[path] = _bind(draw_product, brand["slug"], node, theme)
                elif kind == "outcomes" or "rule" in node or "priority" in node:
                    jobs[path] = _bind(draw_outcome, node["key"], theme)
                else:
                    question = next(
                        (t for t in reversed(trail) if "kind" in t and "choices" in t), {}
                    )
                    jobs[path] = _bind(
                        draw_choice, question.get("key", ""), node.get("key", ""), theme
                    )
    return sorted(jobs.items())


def _bind(fn: Callable[..., Image.Image], *args: Any) -> Callable[[], Image.Image]:
    return lambda: fn(*args)


# Drawing is deterministic and the demo files ship with the code, so a process draws each
# image once, however often it loads the demo (the tests load it several times).
_DRAWN: dict[str, bytes] = {}


def draw_demo_images(storage_root: pathlib.Path) -> list[str]:
    """Draw every demo image under `storage_root`; return the relative paths written.

    Files that already hold exactly the same bytes are left alone (and not returned).
    """
    written: list[str] = []
    for rel, painter in image_jobs():
        data = _DRAWN.get(rel)
        if data is None:
            data = _DRAWN[rel] = png_bytes(painter())
        target = pathlib.Path(storage_root) / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(rel)
    return written


def referenced_images() -> list[str]:
    """Every image path the demo brands and definitions name."""
    return [rel for rel, _ in image_jobs()]


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    flat = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- colour helpers


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def hls(h: float, lightness: float, s: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, lightness, s)
    return (round(r * 255), round(g * 255), round(b * 255))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


WHITE: RGB = (255, 255, 255)
INK: RGB = (38, 42, 48)


def palette(seed: str) -> dict[str, RGB]:
    """A pleasant, deterministic colourway from a key."""
    d = _digest(seed)
    hue = d[0] / 255
    accent_shift = 0.33 + (d[1] / 255) * 0.34  # complementary-ish, never the same hue
    return {
        "main": hls(hue, 0.42 + d[2] / 255 * 0.12, 0.38 + d[3] / 255 * 0.24),
        "dark": hls(hue, 0.22, 0.45),
        "light": hls(hue, 0.93, 0.45),
        "pale": hls(hue, 0.97, 0.35),
        "accent": hls(hue + accent_shift, 0.58, 0.72),
        "sole": hls(hue + 0.08, 0.9 - (d[4] / 255) * 0.1, 0.2),
    }


# --------------------------------------------------------------------------- canvas helpers


class Canvas:
    """A supersampled drawing surface working in final-size coordinates."""

    def __init__(self, size: tuple[int, int], background: RGB):
        self.size = size
        self.image = Image.new("RGB", (size[0] * SS, size[1] * SS), background)
        self.draw = ImageDraw.Draw(self.image)

    def _p(self, points):
        return [(x * SS, y * SS) for x, y in points]

    def polygon(self, points, fill):
        self.draw.polygon(self._p(points), fill=fill)

    def line(self, points, fill, width):
        self.draw.line(self._p(points), fill=fill, width=round(width * SS), joint="curve")
        for x, y in (points[0], points[-1]):
            self.ellipse((x, y), width / 2, fill)

    def ellipse(self, centre, rx, fill, ry=None):
        ry = rx if ry is None else ry
        x, y = centre
        self.draw.ellipse(((x - rx) * SS, (y - ry) * SS, (x + rx) * SS, (y + ry) * SS), fill=fill)

    def rect(self, box, fill, radius=0):
        x0, y0, x1, y1 = box
        self.draw.rounded_rectangle(
            (x0 * SS, y0 * SS, x1 * SS, y1 * SS), radius=radius * SS, fill=fill
        )

    def vertical_gradient(self, top: RGB, bottom: RGB):
        w, h = self.image.size
        for y in range(h):
            self.draw.line([(0, y), (w, y)], fill=mix(top, bottom, y / max(1, h - 1)))

    def text(self, xy, text, fill, size):
        font = _font(size * SS)
        self.draw.text((xy[0] * SS, xy[1] * SS), text, fill=fill, font=font, anchor="lm")

    def done(self) -> Image.Image:
        return self.image.resize(self.size, Image.Resampling.LANCZOS)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # Pillow built without FreeType
        return ImageFont.load_default()


def bezier(p0, p1, p2, p3, steps=24):
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


def path(*segments):
    """Join bezier segments [(p0, p1, p2, p3), ...] into one list of points."""
    points = []
    for seg in segments:
        pts = bezier(*seg)
        points.extend(pts if not points else pts[1:])
    return points


# --------------------------------------------------------------------------- logos


def draw_logo(name: str, theme: dict[str, str]) -> Image.Image:
    primary = hex_rgb(theme["primary_color"])
    accent = hex_rgb(theme["accent_color"])
    c = Canvas(LOGO_SIZE, hex_rgb(theme["background_color"]))
    c.rect((16, 22, 116, 122), primary, radius=26)
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    # a simple mark: two stacked arcs in the accent colour over the initials' tile
    c.ellipse((66, 72), 30, accent)
    c.ellipse((66, 72), 18, primary)
    c.ellipse((86, 52), 9, WHITE)
    c.text((136, 60), name, hex_rgb(theme["text_color"]), 40)
    c.rect((138, 96, 138 + 24 * len(initials), 104), accent, radius=4)
    return c.done()


# --------------------------------------------------------------------------- products


def draw_product(slug: str, product: dict[str, Any], theme: dict[str, str]) -> Image.Image:
    if slug == "stride-lab" or "terrain" in product.get("attributes", {}):
        return draw_shoe(product)
    return draw_skincare(product, theme)


def draw_shoe(product: dict[str, Any]) -> Image.Image:
    sku = product["sku"]
    attrs = product.get("attributes", {})
    pal = palette(sku)
    cushion = attrs.get("cushion", ["moderate"])
    cushion = cushion if isinstance(cushion, list) else [cushion]
    support = attrs.get("support", ["neutral"])
    support = support if isinstance(support, list) else [support]
    trail = attrs.get("terrain") in ("trail", "mixed")

    c = Canvas(PRODUCT_SIZE, pal["pale"])
    c.ellipse((300, 300), 250, pal["light"])
    c.ellipse((305, 452), 225, mix(pal["light"], INK, 0.12), ry=16)  # shadow

    ground = 440
    t = 44 if "high" in cushion else 34 if "moderate" in cushion else 24  # midsole height
    top = ground - t

    # outsole + midsole
    sole = path(
        ((96, ground - 6), (98, ground + 2), (110, ground + 2), (130, ground + 2)),
        ((130, ground + 2), (300, ground + 2), (440, ground + 2), (500, ground - 8)),
        ((500, ground - 8), (530, ground - 16), (548, ground - 34), (548, top - 8)),
        ((548, top - 8), (540, top - 16), (520, top - 6), (490, top)),
        ((490, top), (380, top + 6), (200, top), (110, top - 4)),
        ((110, top - 4), (92, top), (88, ground - 24), (96, ground - 6)),
    )
    c.polygon(sole, pal["sole"])
    outsole = path(
        ((100, ground - 8), (104, ground + 2), (120, ground + 2), (135, ground + 2)),
        ((135, ground + 2), (300, ground + 2), (440, ground + 2), (500, ground - 8)),
        ((500, ground - 8), (520, ground - 13), (532, ground - 20), (538, ground - 26)),
        ((538, ground - 26), (500, ground - 14), (420, ground - 8), (300, ground - 8)),
        ((300, ground - 8), (200, ground - 8), (130, ground - 9), (100, ground - 8)),
    )
    c.polygon(outsole, pal["dark"])
    if trail:
        for i in range(11):
            x = 120 + i * 36
            c.rect((x, ground - 6, x + 20, ground + 9), pal["dark"], radius=4)
    if "high" in support or "moderate" in support:
        # a firmer medial post, shown as a darker block under the arch and heel
        post = mix(pal["sole"], pal["main"], 0.55 if "high" in support else 0.35)
        end = 300 if "high" in support else 250
        c.polygon(
            path(
                ((112, top - 2), (150, top + 1), (220, top + 3), (end, top + 4)),
                (
                    (end, top + 4),
                    (end - 10, ground - 14),
                    (end - 20, ground - 10),
                    (end - 30, ground - 9),
                ),
                ((end - 30, ground - 9), (200, ground - 9), (140, ground - 10), (108, ground - 12)),
                ((108, ground - 12), (98, ground - 22), (100, top + 6), (112, top - 2)),
            ),
            post,
        )

    # upper
    upper = path(
        ((108, top - 2), (96, top - 60), (96, top - 120), (112, top - 150)),
        ((112, top - 150), (140, top - 158), (170, top - 140), (200, top - 138)),
        ((200, top - 138), (215, top - 170), (238, top - 190), (258, top - 186)),
        ((258, top - 186), (290, top - 150), (380, top - 92), (450, top - 62)),
        ((450, top - 62), (510, top - 40), (546, top - 24), (544, top - 8)),
        ((544, top - 8), (520, top), (460, top + 2), (400, top + 2)),
        ((400, top + 2), (300, top + 4), (180, top + 2), (108, top - 2)),
    )
    c.polygon(upper, pal["main"])
    # heel counter and toe cap in a darker shade
    c.polygon(
        path(
            ((108, top - 2), (98, top - 50), (98, top - 110), (112, top - 150)),
            ((112, top - 150), (130, top - 154), (150, top - 146), (160, top - 140)),
            ((160, top - 140), (150, top - 90), (160, top - 40), (185, top + 2)),
        ),
        pal["dark"],
    )
    c.polygon(
        path(
            ((470, top - 54), (500, top - 40), (546, top - 26), (544, top - 8)),
            ((544, top - 8), (520, top), (480, top + 2), (440, top + 2)),
            ((440, top + 2), (450, top - 20), (458, top - 40), (470, top - 54)),
        ),
        mix(pal["main"], pal["dark"], 0.5),
    )
    # collar opening
    c.polygon(
        path(
            ((118, top - 146), (150, top - 150), (185, top - 134), (205, top - 132)),
            ((205, top - 132), (195, top - 124), (150, top - 126), (118, top - 146)),
        ),
        pal["dark"],
    )
    # brand stripes: two parallel swoops in the accent colour
    for offset in (0, 22):
        c.line(
            bezier(
                (185, top - 16 - offset),
                (230, top - 44 - offset),
                (280, top - 70 - offset),
                (330, top - 84 - offset),
                20,
            ),
            pal["accent"],
            10,
        )
    # laces
    for i in range(5):
        x = 262 + i * 34
        y = top - 176 + i * 22
        c.line([(x - 14, y + 6), (x + 16, y - 8)], WHITE, 6)
    # reflective dot or pull tab
    c.rect((100, top - 158, 120, top - 118), pal["accent"], radius=6)
    if "waterproof" in attrs.get("features", []):
        drop = mix(pal["accent"], WHITE, 0.2)
        for i in range(3):
            x, y = 470 + i * 30, top - 160 + (i % 2) * 18
            c.polygon([(x - 7, y - 4), (x, y - 18), (x + 7, y - 4)], drop)
            c.ellipse((x, y), 8, drop)
    return c.done()


SKIN_CATEGORIES = ("cleanser", "serum", "cream", "balm", "spf")


def draw_skincare(product: dict[str, Any], theme: dict[str, str]) -> Image.Image:
    sku = product["sku"]
    attrs = product.get("attributes", {})
    pal = palette(sku)
    category = attrs.get("category") or SKIN_CATEGORIES[_digest(sku)[5] % len(SKIN_CATEGORIES)]
    brand = hex_rgb(theme["primary_color"])
    c = Canvas(PRODUCT_SIZE, hex_rgb(theme["background_color"]))
    c.ellipse((300, 290), 230, pal["light"])
    c.ellipse((300, 500), 170, mix(pal["light"], INK, 0.12), ry=14)
    body = mix(pal["main"], WHITE, 0.35)
    cap = mix(brand, INK, 0.1)
    label = WHITE

    if category == "cleanser":  # pump bottle
        c.rect((215, 200, 385, 500), body, radius=36)
        c.rect((270, 160, 330, 205), cap, radius=8)
        c.rect((288, 118, 312, 165), cap, radius=4)
        c.rect((288, 118, 372, 138), cap, radius=8)
        c.rect((235, 300, 365, 420), label, radius=10)
    elif category == "serum":  # dropper bottle
        c.rect((235, 290, 365, 500), body, radius=28)
        c.rect((265, 240, 335, 295), cap, radius=6)
        c.ellipse((300, 205), 32, cap, ry=44)
        c.rect((252, 350, 348, 450), label, radius=8)
    elif category == "cream":  # jar
        c.rect((170, 330, 430, 500), body, radius=30)
        c.rect((160, 280, 440, 340), cap, radius=16)
        c.rect((200, 380, 400, 460), label, radius=10)
    elif category == "balm":  # flat tin
        c.ellipse((300, 455), 150, mix(body, INK, 0.15), ry=40)
        c.rect((150, 380, 450, 455), body, radius=4)
        c.ellipse((300, 380), 150, cap, ry=40)
        c.ellipse((300, 380), 90, mix(cap, WHITE, 0.25), ry=22)
    else:  # spf tube, cap down
        c.polygon([(215, 150), (385, 150), (360, 430), (240, 430)], body)
        c.rect((205, 130, 395, 160), mix(body, INK, 0.1), radius=6)
        c.rect((235, 425, 365, 500), cap, radius=12)
        c.rect((245, 230, 355, 350), label, radius=8)
        c.ellipse((300, 290), 30, pal["accent"])

    # label details: a colour stripe and two "text" bars
    lx = 300
    if category in ("cleanser", "serum", "cream", "spf"):
        ly = {"cleanser": 330, "serum": 375, "cream": 400, "spf": 250}[category]
        if category != "spf":
            c.rect((lx - 40, ly, lx + 40, ly + 10), pal["accent"], radius=5)
        c.rect(
            (
                lx - 36,
                ly + 60 if category != "spf" else ly + 80,
                lx + 36,
                (ly + 68) if category != "spf" else ly + 88,
            ),
            mix(INK, WHITE, 0.6),
            radius=4,
        )
        c.rect((lx - 24, ly + 32, lx + 24, ly + 42), brand, radius=4)
    # a glint of light on the body
    glint = {
        "cleanser": (230, 220, 240, 280),
        "serum": (248, 305, 256, 340),
        "cream": (185, 345, 195, 380),
        "balm": (180, 400, 220, 410),
        "spf": (228, 180, 238, 220),
    }.get(category)
    if glint:
        c.rect(glint, mix(body, WHITE, 0.6), radius=4)
    return c.done()


# --------------------------------------------------------------------------- choices


def draw_choice(question: str, choice: str, theme: dict[str, str]) -> Image.Image:
    painter = CHOICE_PAINTERS.get(question)
    if painter is not None:
        image = painter(choice, theme)
        if image is not None:
            return image
    return _generic_choice(f"{question}-{choice}", theme)


def _generic_choice(seed: str, theme: dict[str, str]) -> Image.Image:
    pal = palette(seed)
    c = Canvas(CHOICE_SIZE, pal["pale"])
    c.ellipse((200, 150), 90, pal["light"])
    c.ellipse((200, 150), 54, pal["main"])
    c.ellipse((222, 128), 16, WHITE)
    return c.done()


def _footprint(choice: str, theme: dict[str, str]) -> Image.Image | None:
    # how far the dry arch reaches across the midfoot, from the inner (left) edge
    cut = {"low": 6, "medium": 42, "high": 70}
    if choice not in cut:
        return None
    card = (236, 224, 204)
    wet = (150, 128, 104)
    table = (222, 232, 236)
    c = Canvas(CHOICE_SIZE, table)
    c.rect((110, 14, 290, 286), card, radius=10)  # the piece of card
    # a right foot, heel at the bottom, big toe on the left (the inner side)
    c.ellipse((196, 236), 34, wet, ry=40)  # heel
    c.ellipse((206, 118), 50, wet, ry=42)  # ball of the foot
    c.polygon([(162, 236), (230, 236), (256, 118), (156, 118)], wet)
    c.ellipse((152, 180), cut[choice], card, ry=52 if choice != "high" else 60)  # dry arch
    c.rect((0, 100, 110, 260), table)  # keep the dry arch on the card
    for dx, dy, r in ((-30, 62, 15), (-4, 56, 11), (16, 58, 10), (33, 62, 9), (48, 70, 8)):
        c.ellipse((200 + dx, dy), r, wet, ry=r * 1.15)
    return c.done()


def _terrain(choice: str, theme: dict[str, str]) -> Image.Image | None:
    sky = (205, 228, 242)
    if choice == "pavement":
        c = Canvas(CHOICE_SIZE, sky)
        c.rect((0, 150, 400, 300), (150, 196, 120))
        c.polygon([(170, 150), (230, 150), (400, 300), (0, 300)], (92, 98, 108))
        for i in range(5):
            y0 = 160 + i * 28
            w0 = 2 + i * 1.6
            c.polygon(
                [
                    (200 - w0, y0),
                    (200 + w0, y0),
                    (200 + w0 * 1.3, y0 + 14),
                    (200 - w0 * 1.3, y0 + 14),
                ],
                (250, 250, 240),
            )
        c.ellipse((320, 60), 26, (255, 214, 102))
        return c.done()
    if choice == "park":
        c = Canvas(CHOICE_SIZE, sky)
        c.ellipse((100, 260), 230, (126, 186, 110), ry=120)
        c.ellipse((330, 270), 220, (106, 170, 96), ry=110)
        c.polygon(
            path(
                ((180, 300), (200, 240), (260, 210), (240, 150)),
                ((240, 150), (250, 170), (250, 210), (230, 300)),
            ),
            (214, 190, 150),
        )
        for x, y, r in ((90, 140, 36), (330, 150, 30)):
            c.rect((x - 5, y, x + 5, y + 50), (110, 84, 60))
            c.ellipse((x, y), r, (70, 140, 80))
        c.ellipse((60, 55), 22, (255, 214, 102))
        return c.done()
    if choice == "trail":
        c = Canvas(CHOICE_SIZE, (196, 222, 206))
        c.ellipse((200, 330), 300, (92, 140, 84), ry=160)
        c.polygon(
            path(
                ((150, 300), (170, 250), (250, 230), (220, 180)),
                ((220, 180), (215, 200), (210, 240), (215, 300)),
            ),
            (150, 116, 84),
        )
        for x, h in ((60, 130), (110, 100), (300, 140), (350, 110), (255, 80)):
            c.rect((x - 5, 250 - 20, x + 5, 250), (96, 70, 50))
            for k in range(3):
                y = 250 - 20 - k * h / 4
                half = 34 - k * 8
                c.polygon([(x - half, y), (x + half, y), (x, y - h / 2.4)], (40, 96, 64))
        return c.done()
    if choice == "mountain":
        c = Canvas(CHOICE_SIZE, sky)
        c.polygon([(-20, 300), (140, 80), (300, 300)], (112, 118, 130))
        c.polygon([(120, 300), (280, 60), (440, 300)], (88, 94, 108))
        c.polygon([(280, 60), (250, 105), (268, 98), (282, 112), (298, 96), (312, 104)], WHITE)
        c.polygon([(140, 80), (118, 112), (134, 106), (148, 118), (160, 104)], WHITE)
        for x, y, r in ((60, 270, 22), (170, 280, 30), (330, 276, 26)):
            c.ellipse((x, y), r, (150, 144, 136), ry=r * 0.6)
        return c.done()
    return None


def _face(choice: str, theme: dict[str, str]) -> Image.Image | None:
    if choice not in ("tight", "comfortable", "tzone-shine", "all-shine"):
        return None
    bg = hex_rgb(theme["background_color"])
    skin = (238, 200, 172)
    shade = (218, 176, 148)
    c = Canvas(CHOICE_SIZE, bg)
    c.ellipse((200, 60), 84, (96, 70, 56), ry=50)  # hair
    c.ellipse((200, 160), 82, skin, ry=110)
    c.ellipse((170, 140), 8, (70, 56, 50))
    c.ellipse((230, 140), 8, (70, 56, 50))
    c.line([(200, 150), (194, 190), (204, 192)], shade, 4)
    c.line(bezier((176, 224), (190, 236), (212, 236), (226, 224), 12), (188, 110, 104), 5)
    shine = (255, 252, 236)
    if choice in ("tzone-shine", "all-shine"):
        c.rect((172, 86, 228, 102), shine, radius=8)  # forehead
        c.rect((194, 156, 206, 186), shine, radius=6)  # nose
        c.ellipse((200, 252), 10, shine, ry=5)  # chin
    if choice == "all-shine":
        c.ellipse((150, 196), 14, shine, ry=8)
        c.ellipse((250, 196), 14, shine, ry=8)
    if choice == "tight":
        for x, s in ((148, 1), (252, -1)):
            for i in range(3):
                y = 186 + i * 12
                c.line([(x - 10 * s, y), (x, y + 4), (x + 10 * s, y)], shade, 3)
    if choice == "comfortable":
        c.ellipse((150, 196), 14, (242, 186, 170), ry=8)
        c.ellipse((250, 196), 14, (242, 186, 170), ry=8)
    return c.done()


CHOICE_PAINTERS: dict[str, Callable[[str, dict[str, str]], Image.Image | None]] = {
    "arch": _footprint,
    "surface": _terrain,
    "tzone": _face,
}


# --------------------------------------------------------------------------- outcomes


def draw_outcome(key: str, theme: dict[str, str]) -> Image.Image:
    primary = hex_rgb(theme["primary_color"])
    accent = hex_rgb(theme["accent_color"])
    pal = palette(key)
    c = Canvas(OUTCOME_SIZE, primary)
    c.vertical_gradient(mix(primary, WHITE, 0.1), mix(primary, INK, 0.35))
    light = mix(primary, WHITE, 0.75)
    motif = OUTCOME_MOTIFS.get(key)
    if motif is not None:
        motif(c, light, accent)
    else:
        for i, r in enumerate((170, 120, 70)):
            c.ellipse((560, 225), r, mix(light, pal["main"], i * 0.25))
    c.rect((60, 360, 320, 372), accent, radius=6)
    c.rect((60, 388, 220, 398), light, radius=5)
    return c.done()


def _motif_trail(c: Canvas, light: RGB, accent: RGB):
    c.polygon([(360, 380), (560, 90), (760, 380)], light)
    c.polygon([(480, 380), (640, 150), (820, 380)], mix(light, accent, 0.35))
    c.polygon([(560, 90), (528, 138), (552, 128), (566, 144), (584, 126), (594, 132)], WHITE)


def _motif_max_support(c: Canvas, light: RGB, accent: RGB):
    # a shield over a footprint arch
    c.polygon(
        path(
            ((560, 70), (620, 100), (680, 100), (700, 90)),
            ((700, 90), (710, 220), (660, 320), (560, 380)),
            ((560, 380), (460, 320), (410, 220), (420, 90)),
            ((420, 90), (440, 100), (500, 100), (560, 70)),
        ),
        light,
    )
    c.ellipse((560, 230), 70, accent)
    c.ellipse((560, 230), 40, light)


def _motif_stability(c: Canvas, light: RGB, accent: RGB):
    for i in range(4):
        y = 120 + i * 60
        c.line(bezier((400, y + 30), (500, y - 20), (620, y + 40), (740, y), 30), light, 14)
    c.ellipse((740, 120), 16, accent)


def _motif_neutral(c: Canvas, light: RGB, accent: RGB):
    for i in range(3):
        y = 160 + i * 70
        c.line(bezier((380, y), (480, y - 60), (600, y + 60), (760, y), 30), light, 18)
    c.ellipse((420, 110), 22, accent)


def _motif_leaf(c: Canvas, light: RGB, accent: RGB):
    c.polygon(
        path(
            ((440, 340), (460, 180), (580, 90), (720, 90)),
            ((720, 90), (720, 240), (620, 340), (440, 340)),
        ),
        light,
    )
    c.line(bezier((460, 330), (540, 260), (620, 180), (700, 110), 30), accent, 8)


def _motif_drops(c: Canvas, light: RGB, accent: RGB):
    for x, y, r, colour in ((520, 230, 90, light), (680, 170, 50, accent), (670, 320, 36, light)):
        c.polygon(
            [(x - r * 0.86, y - r * 0.5), (x, y - r * 2), (x + r * 0.86, y - r * 0.5)], colour
        )
        c.ellipse((x, y), r, colour)


def _motif_balance(c: Canvas, light: RGB, accent: RGB):
    c.rect((580, 110, 596, 360), light, radius=8)
    c.rect((440, 110, 736, 126), light, radius=8)
    c.ellipse((470, 200), 50, accent, ry=18)
    c.ellipse((706, 200), 50, light, ry=18)
    c.rect((530, 350, 646, 372), light, radius=10)


def _motif_essentials(c: Canvas, light: RGB, accent: RGB):
    for i, x in enumerate((470, 590, 710)):
        c.ellipse((x, 225), 52, accent if i == 1 else light)


OUTCOME_MOTIFS: dict[str, Callable[[Canvas, RGB, RGB], None]] = {
    "trail": _motif_trail,
    "max-support": _motif_max_support,
    "stability": _motif_stability,
    "neutral-cushioned": _motif_neutral,
    "calm-barrier": _motif_leaf,
    "deep-hydration": _motif_drops,
    "balance-shine": _motif_balance,
    "simple-essentials": _motif_essentials,
}


def size_for(rel: str) -> tuple[int, int]:
    """The pixel size of a demo image, from where it lives."""
    p = pathlib.PurePosixPath(rel)
    if p.name == "logo.png":
        return LOGO_SIZE
    return {
        "products": PRODUCT_SIZE,
        "choices": CHOICE_SIZE,
        "outcomes": OUTCOME_SIZE,
    }.get(p.parent.name, CHOICE_SIZE)


__all__ = ["draw_demo_images", "referenced_images", "size_for"]
