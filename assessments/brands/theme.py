"""A brand's colours, font and corners as CSS custom properties, kept readable whatever the
brand chose; the same values for e-mails, whose styles are inline."""

from __future__ import annotations

import re

from assessments.models import Brand
from assessments.models.brands import CORNER_RADIUS_MAX

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A font stack: family names, quotes, commas, spaces. Nothing that could end the declaration.
_FONT = re.compile(r"""^[A-Za-z0-9 ,"'_.-]{1,200}$""")

DEFAULTS = {
    "primary": "#1a5fb4",
    "accent": "#e66100",
    "text": "#1d1d1f",
    "background": "#ffffff",
    "font": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
}
DEFAULT_RADIUS = 12

# WCAG 2.2 AA: 4.5:1 for body text, 3:1 for large text and interface components.
TEXT_CONTRAST = 4.5


def _colour(value: str, default: str) -> str:
    return value.lower() if isinstance(value, str) and _COLOUR.match(value) else default


def luminance(colour: str) -> float:
    """Relative luminance of #rrggbb, as WCAG defines it."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _readable_on(background: str) -> str:
    return (
        "#ffffff"
        if contrast("#ffffff", background) >= contrast("#111111", background)
        else "#111111"
    )


def _radius(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= CORNER_RADIUS_MAX:
        return value
    return DEFAULT_RADIUS


def brand_theme(brand: Brand) -> dict[str, str]:
    """The brand's theme as CSS custom property values, adjusted to pass WCAG AA contrast."""
    background = _colour(brand.background_color, DEFAULTS["background"])
    text = _colour(brand.text_color, DEFAULTS["text"])
    if contrast(text, background) < TEXT_CONTRAST:
        text, background = DEFAULTS["text"], DEFAULTS["background"]
    primary = _colour(brand.primary_color, DEFAULTS["primary"])
    accent = _colour(brand.accent_color, DEFAULTS["accent"])
    # Links and focus rings are drawn in the primary colour on the page background; fall back
    # to the text colour when the brand's primary would be too faint to read.
    link = primary if contrast(primary, background) >= TEXT_CONTRAST else text
    font = brand.font_family if isinstance(brand.font_family, str) else ""
    return {
        "--brand-primary": primary,
        "--brand-on-primary": _readable_on(primary),
        "--brand-accent": accent,
        "--brand-on-accent": _readable_on(accent),
        "--brand-link": link,
        "--brand-text": text,
        "--brand-background": background,
        "--brand-font": font if _FONT.match(font) else DEFAULTS["font"],
        "--brand-radius": f"{_radius(brand.corner_radius)}px",
    }


def brand_theme_css(brand: Brand) -> str:
    declarations = "".join(f"  {name}: {value};\n" for name, value in brand_theme(brand).items())
    return f":root {{\n{declarations}}}\n"


def email_theme(brand: Brand) -> dict[str, str]:
    """The theme as plain values for e-mails' inline styles (mail clients read no stylesheet).

    Double quotes in the font stack become single ones, as the values sit in style="…".
    """
    theme = brand_theme(brand)
    return {
        "primary": theme["--brand-primary"],
        "on_primary": theme["--brand-on-primary"],
        "text": theme["--brand-text"],
        "background": theme["--brand-background"],
        "link": theme["--brand-link"],
        "font": theme["--brand-font"].replace('"', "'"),
        "radius": theme["--brand-radius"],
    }
