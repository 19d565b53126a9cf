"""After-purchase pages and the purchase webhook."""

from __future__ import annotations

from django.urls import path, re_path

import assessments.web  # noqa: F401  (registers the <token:…> converter)

from . import views

app_name = "followups"

urlpatterns = [
    # The store webhook's first address, kept as an alias (see views.purchases_webhook).
    path("api/v1/purchases", views.purchases_webhook, name="webhook"),
    path("hooks/store/<slug:brand_slug>/", views.store_webhook, name="store-webhook"),
    path("hooks/shopify/<slug:brand_slug>/", views.shopify_webhook, name="shopify"),
    path("hooks/woocommerce/<slug:brand_slug>/", views.woocommerce_webhook, name="woocommerce"),
    path("r/<token:token>/purchase/", views.bought, name="bought"),
    path("f/<token:token>/", views.page, name="page"),
    path("f/<token:token>/changes/", views.changes, name="changes"),
    path("u/<token:token>/", views.unsubscribe, name="unsubscribe"),
    path("p/<token:token>/", views.preferences, name="preferences"),
    # A signed link (`confirmation.py`): base64 and colons, of a bounded length.
    re_path(r"^c/(?P<token>[A-Za-z0-9_:.-]{20,300})/$", views.confirm, name="confirm"),
]
