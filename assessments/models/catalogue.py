"""The brand's products, which recommendations rank."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .brands import Brand
from .fields import KeyField, LocalizedTextField

PRIORITY_LIMIT = 1000  # a product's priority lies in -1000..1000


class Product(models.Model):
    """An item of a brand's catalogue, with attributes the engine can match."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="products")
    sku = KeyField(_("SKU"))
    name = LocalizedTextField(_("name"))
    description = LocalizedTextField(_("description"), multiline=True, blank=True)
    url = models.URLField(_("product page URL"), max_length=500)
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO code, e.g. EUR."))],
    )
    image = models.ImageField(_("image"), upload_to="products/")
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="products/thumbs/", blank=True, editable=False
    )
    attributes = models.JSONField(
        _("attributes"),
        default=dict,
        blank=True,
        help_text=_(
            'What recommendations match on: {"support": ["stability"], '
            '"gender": ["women"], "feel": "soft"}.'
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive products are never recommended.")
    )
    # Only breaks ties: a product that fits the customer better always ranks first.
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        validators=[MinValueValidator(-PRIORITY_LIMIT), MaxValueValidator(PRIORITY_LIMIT)],
        help_text=_(
            "Among products that fit a customer equally well, a higher priority is shown first "
            "(then by SKU). 0 is the default; use a negative number to put one after the rest."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand__name", "sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["brand", "sku"], name="product_unique_brand_sku"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_positive"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=-PRIORITY_LIMIT, priority__lte=PRIORITY_LIMIT),
                name="product_priority_range",
            ),
        ]

    def __str__(self) -> str:
        names = self.name or {}
        return names.get("en") or next(iter(names.values()), self.sku)
