"""Scenario tests of a draft: personas with the results their author expects."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .authoring import Assessment


class Scenario(models.Model):
    """A persona's answers and what must come out of them; Validate runs it, Publish needs it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scenarios")
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who this persona is, e.g. “Beginner on trails”.")
    )
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_('By question key: {"use": "run", "km": 40, "goals": ["speed"]}.'),
    )
    fields = models.JSONField(
        _("hidden fields"),
        default=dict,
        blank=True,
        help_text=_('Values of hidden fields by key: {"partner": "runclub"}.'),
    )
    expect_outcome = models.CharField(
        _("expected outcome"), max_length=64, blank=True, help_text=_("Empty: not checked.")
    )
    expect_bands = models.JSONField(
        _("expected bands"),
        default=dict,
        blank=True,
        help_text=_('Band key by trait key: {"support": "high"}.'),
    )
    expect_top_products = models.JSONField(
        _("expected top products"),
        default=list,
        blank=True,
        help_text=_("Skus expected first among the products shown."),
    )
    top_in_order = models.BooleanField(
        _("in this order"),
        default=True,
        help_text=_("Unticked: the top products may come in any order."),
    )
    expect_never_products = models.JSONField(
        _("never these products"),
        default=list,
        blank=True,
        help_text=_("Skus that must not be recommended or shown as alternatives."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "name"], name="scenario_unique_name"),
            models.CheckConstraint(condition=~models.Q(name=""), name="scenario_named"),
        ]

    def __str__(self) -> str:
        return self.name
