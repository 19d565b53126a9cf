"""Customers' own data: ask for a link, then see, download or erase what it leads to."""

from __future__ import annotations

from django.urls import path, register_converter

from . import views


class SignedLinkConverter:
    """A token as `TimestampSigner.sign_object` makes it, of a bounded length."""

    regex = r"[A-Za-z0-9_:.-]{20,600}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SignedLinkConverter, "signed")

app_name = "privacy"

urlpatterns = [
    path("privacy/<slug:brand_slug>/", views.request_link, name="request"),
    path("privacy/<slug:brand_slug>/erased/", views.erased, name="erased"),
    path("privacy/<slug:brand_slug>/data/<signed:token>/", views.data, name="data"),
    path(
        "privacy/<slug:brand_slug>/data/<signed:token>/download/",
        views.download,
        name="download",
    ),
    path("privacy/<slug:brand_slug>/data/<signed:token>/erase/", views.erase, name="erase"),
]
