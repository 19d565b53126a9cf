from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from assessments import embedding
from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("embed.js", embedding.loader, name="embed-loader"),
    path("admin/", admin.site.urls),
    path("", include("assessments.urls")),
    path("", include("assessments.urls_followups")),
]

if settings.BENCH_FLOOR:
    urlpatterns += [path("bench/floor/<str:token>/", views.bench_floor, name="bench_floor")]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
