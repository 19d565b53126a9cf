"""The brand's theme is a stylesheet of custom properties that always stays readable."""

from __future__ import annotations

import pytest

from assessments.brands.theme import brand_theme, contrast
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def test_the_theme_is_served_as_css_with_the_brands_colours_and_font(client):
    BrandFactory(slug="stride", primary_color="#0b5d3b", font_family="Inter, sans-serif")
    page = client.get("/brand/stride/theme.css")
    css = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/css")
    assert "--brand-primary: #0b5d3b;" in css
    assert "--brand-font: Inter, sans-serif;" in css
    assert "max-age=300" in page["Cache-Control"]
    assert not page.cookies


def test_an_unknown_brand_has_no_theme(client):
    assert client.get("/brand/nobody/theme.css").status_code == 404


def test_unreadable_brand_colours_fall_back_to_readable_ones():
    brand = BrandFactory.build(
        text_color="#eeeeee", background_color="#ffffff", primary_color="#ffee00"
    )
    theme = brand_theme(brand)
    assert contrast(theme["--brand-text"], theme["--brand-background"]) >= 4.5
    assert contrast(theme["--brand-link"], theme["--brand-background"]) >= 4.5
    assert contrast(theme["--brand-on-primary"], theme["--brand-primary"]) >= 4.5


def test_nothing_in_a_brand_field_can_break_out_of_the_stylesheet():
    brand = BrandFactory.build(
        font_family="x;} body{display:none} /*", primary_color="red;}", text_color="#000"
    )
    theme = brand_theme(brand)
    assert theme["--brand-font"].startswith("system-ui")
    assert theme["--brand-primary"] == "#1a5fb4"
