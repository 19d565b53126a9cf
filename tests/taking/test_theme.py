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


def test_the_brands_corner_radius_rounds_cards_and_buttons(client):
    BrandFactory(slug="square", corner_radius=0)
    BrandFactory(slug="round", corner_radius=20)
    assert "--brand-radius: 0px;" in client.get("/brand/square/theme.css").content.decode()
    assert "--brand-radius: 20px;" in client.get("/brand/round/theme.css").content.decode()


def test_a_corner_radius_out_of_range_is_refused_in_the_form_and_the_database():
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    brand = BrandFactory.build(corner_radius=99)
    with pytest.raises(ValidationError) as refused:
        brand.full_clean(exclude=["slug", "name"])
    assert "corner_radius" in refused.value.message_dict
    assert brand_theme(brand)["--brand-radius"] == "12px"  # never drawn as a blob
    with transaction.atomic(), pytest.raises(IntegrityError):
        BrandFactory(slug="blob", corner_radius=99)


def test_e_mails_get_the_same_readable_colours_as_plain_values():
    from assessments.brands.theme import email_theme

    brand = BrandFactory.build(
        primary_color="#ffee00", text_color="#111111", font_family='"Inter", sans-serif'
    )
    theme = email_theme(brand)
    assert contrast(theme["on_primary"], theme["primary"]) >= 4.5
    assert '"' not in theme["font"]  # it sits inside style="…"
    assert theme["radius"] == "12px"


def test_the_brand_form_keeps_the_default_corners_when_the_radius_is_left_empty():
    from assessments.admin.forms import BrandForm

    data = {
        "name": "Acme",
        "slug": "acme",
        "languages": '["en"]',
        "primary_color": "#123456",
        "accent_color": "#123456",
        "text_color": "#111111",
        "background_color": "#ffffff",
        "font_family": "system-ui",
        "allowed_origins": "[]",
    }
    for radius in ({}, {"corner_radius": ""}, {"corner_radius": "4"}, {"corner_radius": "30"}):
        form = BrandForm({**data, **radius})
        if radius.get("corner_radius") == "30":
            assert "corner_radius" in form.errors  # past 24, cards would turn into pills
            continue
        assert form.is_valid(), form.errors
        assert form.save().corner_radius == int(radius.get("corner_radius") or 12)
        form.instance.delete()
