"""Customer pages. The token in /r/<token>/ is the only credential a customer ever needs."""

from __future__ import annotations

from django.urls import path, register_converter

from . import views


class TokenConverter:
    """A response token as `secrets.token_urlsafe(32)` makes it; anything else is not a page."""

    regex = r"[A-Za-z0-9_-]{32,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

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
    path("brand/<slug:slug>/theme.css", views.theme, name="theme"),
]
