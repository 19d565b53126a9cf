"""URLs while serving an embedded journey: the customer pages live under /e/.

EmbedMiddleware switches a request under /e/ to this urlconf, so every link, form action and
redirect the customer views build with reverse() stays inside the embedded journey without the
views knowing about embedding.
"""

from __future__ import annotations

from django.urls import include, path

from core.urls import urlpatterns as site_urlpatterns


def _is_customer_include(pattern: object) -> bool:
    module = getattr(pattern, "urlconf_module", None)
    return getattr(module, "__name__", "") == "assessments.taking.urls"


urlpatterns = [
    path("e/", include("assessments.taking.urls")),
    *[pattern for pattern in site_urlpatterns if not _is_customer_include(pattern)],
]
