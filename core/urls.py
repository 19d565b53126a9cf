from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from assessments.embedding.views import loader as embed_loader
from core import health, metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    # Answered first by core.health.ProbeMiddleware; named here so they can be reversed.
    path("healthz", health.healthz, name="health"),
    path("readyz", health.readyz, name="ready"),
    path("metrics", metrics.metrics_page, name="metrics"),
    path("embed.js", embed_loader, name="embed-loader"),
    # A new staff login's one-time link to set its password (manage.py create_brand prints it).
    path(
        "admin/password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_set_done"),
            extra_context={"site_header": admin.site.site_header},
        ),
        name="password_set",
    ),
    path(
        "admin/password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="admin/password_set_done.html",
            extra_context={"site_header": admin.site.site_header},
        ),
        name="password_set_done",
    ),
    path("admin/", admin.site.urls),
    path("", include("assessments.api.urls")),
    path("", include("assessments.taking.urls")),
    path("", include("assessments.followups.urls")),
    path("", include("assessments.privacy.urls")),
    path("", include("assessments.store.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The database being away is a 503 ("back in a moment"), anything else the 500 page.
handler500 = "core.errors.server_error"
