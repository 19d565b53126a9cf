"""The store: kiosk devices (/k/), the hand-off link (/h/) and staff assist (/store/)."""

from __future__ import annotations

from django.urls import path

import assessments.web  # noqa: F401  (registers the <token:…> converter)

from . import views

app_name = "store"

urlpatterns = [
    path("k/<token:kiosk_token>/", views.kiosk, name="kiosk"),
    path("k/<token:kiosk_token>/reset/", views.kiosk_reset_view, name="kiosk_reset"),
    path(
        "k/<token:kiosk_token>/v/<token:visit_token>/s/<slug:step_key>/",
        views.kiosk_step,
        name="kiosk_step",
    ),
    path("k/<token:kiosk_token>/v/<token:visit_token>/back/", views.kiosk_back, name="kiosk_back"),
    path(
        "k/<token:kiosk_token>/v/<token:visit_token>/results/",
        views.kiosk_results,
        name="kiosk_results",
    ),
    path(
        "k/<token:kiosk_token>/v/<token:visit_token>/email/",
        views.kiosk_email,
        name="kiosk_email",
    ),
    path("h/<token:token>/", views.handoff, name="handoff"),
    path("store/", views.store_home, name="home"),
    path("store/<slug:brand_slug>/", views.lookup, name="lookup"),
    path("store/<slug:brand_slug>/assist/<token:token>/", views.assist, name="assist"),
    path(
        "store/<slug:brand_slug>/assist/<token:token>/photo/<slug:question_key>.jpg",
        views.assist_photo,
        name="assist_photo",
    ),
    path(
        "store/<slug:brand_slug>/assist/<token:token>/sale/",
        views.assist_sale,
        name="assist_sale",
    ),
]
