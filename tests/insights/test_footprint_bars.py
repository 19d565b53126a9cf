"""Insights counts footprint photos by the arch band they measured, as it counts choices."""

from __future__ import annotations

import secrets

from assessments.insights.figures import Filters
from assessments.insights.selectors import insights_for
from tests.taking.conftest import start, step_url
from tests.taking.footprints import flat_foot, high_arch, photo_assessment, upload


def _photo(client, assessment, photo: bytes | None) -> None:
    response = start(client, assessment)
    data = {"submission_id": secrets.token_urlsafe(16)}
    if photo is not None:
        data["photo-arch_photo"] = upload(photo)
    assert client.post(step_url(response, "photo"), data).status_code == 303


def test_photos_are_counted_by_the_band_they_measured(client, brand):
    assessment = photo_assessment(brand)
    for photo in (high_arch(), high_arch(), flat_foot(), None):
        _photo(client, assessment, photo)

    insights = insights_for(assessment, Filters(), min_n=1)
    photos = next(q for q in insights.questions if q.key == "arch_photo")

    assert photos.seen == 4 and photos.answered == 3
    assert [(bar.key, bar.label, bar.count) for bar in photos.bars] == [
        ("high", "High arch", 2),
        ("normal", "Medium arch", 0),
        ("flat", "Low arch", 1),
    ]


def test_the_insights_page_draws_the_photo_bands(admin_client, client, brand):
    assessment = photo_assessment(brand)
    _photo(client, assessment, high_arch())
    page = admin_client.get(f"/admin/assessments/assessment/{assessment.pk}/insights/?min_n=1")
    html = page.content.decode()
    assert page.status_code == 200
    # The photo question's own card (the drawings question has "High arch" too).
    card = html[html.index('id="card-question-arch_photo"') :]
    card = card[: card.index("</figure>")]
    assert "High arch" in card and "Medium arch" in card and "Low arch" in card
