"""The admin site's own words: staff see the product's name, not Django's."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Self-discovery assessments")
admin.site.site_title = _("Assessments staff")
admin.site.index_title = _("Your brands: assessments, catalogue and follow-ups")
