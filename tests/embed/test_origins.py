"""Allowed partner origins: strict shapes, one explicit subdomain rule, never `*`."""

from __future__ import annotations

import pytest

from assessments.embedding.origins import (
    OriginError,
    clean_allowed_origins,
    frame_ancestors,
    normalize_origin,
    origin_allowed,
)


@pytest.mark.parametrize(
    ("entry", "canonical"),
    [
        ("https://Shop.Example", "https://shop.example"),
        ("https://shop.example/", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("http://localhost:8001", "http://localhost:8001"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("https://*.club.example", "https://*.club.example"),
    ],
)
def test_good_entries_are_kept_in_canonical_form(entry, canonical):
    assert normalize_origin(entry) == canonical


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("*", "any site"),
        ("https://*", "any site"),
        ("shop.example", "scheme"),
        ("ftp://shop.example", "scheme"),
        ("https://shop.example/embed", "no path"),
        ("https://shop.example?x=1", "no path"),
        ("http://shop.example", "https"),
        ("https://shop.*.example", "wildcard"),
        ("https://*.example", "too broad"),
        ("https://shop.example:99999", "port"),
        ("", "empty"),
    ],
)
def test_bad_entries_are_refused_with_the_reason(entry, says):
    with pytest.raises(OriginError, match=says):
        normalize_origin(entry)


def test_a_whole_list_reports_every_bad_entry_and_drops_duplicates():
    assert clean_allowed_origins(["https://a.example", "https://A.example/"]) == [
        "https://a.example"
    ]
    with pytest.raises(OriginError) as error:
        clean_allowed_origins(["*", "https://ok.example", "http://evil.example"])
    assert "any site" in str(error.value) and "https" in str(error.value)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://shop.example", True),
        ("https://SHOP.example", True),
        ("https://shop.example:8443", False),
        ("http://shop.example", False),
        ("https://evil.example", False),
        ("https://shop.example.evil.example", False),
        ("https://run.club.example", True),
        ("https://a.b.club.example", True),
        ("https://club.example", False),
        ("https://evilclub.example", False),
        ("null", False),
        (None, False),
    ],
)
def test_request_origins_match_only_what_the_brand_allows(origin, allowed):
    patterns = ["https://shop.example", "https://*.club.example"]
    assert origin_allowed(origin, patterns) is allowed


def test_frame_ancestors_lists_only_usable_entries():
    assert frame_ancestors(["https://shop.example/", "*", "http://localhost:8001"]) == [
        "https://shop.example",
        "http://localhost:8001",
    ]


@pytest.mark.django_db
def test_the_brand_form_refuses_a_wildcard_allow_list_and_saves_a_clean_one():
    from assessments.admin.forms import BrandForm

    base = {
        "name": "Acme",
        "slug": "acme",
        "languages": '["en"]',
        "primary_color": "#123456",
        "accent_color": "#123456",
        "text_color": "#111111",
        "background_color": "#ffffff",
        "font_family": "system-ui",
    }
    form = BrandForm({**base, "allowed_origins": '["*"]'})
    assert not form.is_valid()
    assert "any site" in form.errors["allowed_origins"][0]
    form = BrandForm({**base, "allowed_origins": '["https://Shop.example/"]'})
    assert form.is_valid(), form.errors
    assert form.save().allowed_origins == ["https://shop.example"]
