from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from assessments.embedding.views import loader as embed_loader
from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("embed.js", embed_loader, name="embed-loader"),
    path("admin/", admin.site.urls),
    path("", include("assessments.api.urls")),
    path("", include("assessments.taking.urls")),
    path("", include("assessments.followups.urls")),
    path("", include("assessments.privacy.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
