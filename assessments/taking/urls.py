"""Customer pages. The token in /r/<token>/ is the only credential a customer ever needs."""

from __future__ import annotations

from django.urls import path

import assessments.web  # noqa: F401  (registers the <token:…> converter)

from . import views

app_name = "taking"

urlpatterns = [
    path("a/<slug:brand_slug>/<slug:key>/", views.landing, name="landing"),
    path("r/<token:token>/", views.resume, name="resume"),
    path("r/<token:token>/s/<slug:step_key>/", views.step, name="step"),
    path("r/<token:token>/back/", views.back, name="back"),
    path("r/<token:token>/results/", views.results, name="results"),
    path("r/<token:token>/learned/", views.learned, name="learned"),
    path("r/<token:token>/email/", views.email_results, name="email_results"),
    path("r/<token:token>/email-link/", views.email_link, name="email_link"),
    path("s/<token:share_token>/", views.shared, name="shared"),
    path("go/<slug:ref>/", views.go, name="go"),
    path("brand/<slug:slug>/theme.css", views.theme, name="theme"),
]
