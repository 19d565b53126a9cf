"""The brand's products, which recommendations rank."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .brands import Brand
from .fields import KeyField, LocalizedTextField, key_validator

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
    tags = models.JSONField(
        _("tags"),
        default=list,
        blank=True,
        help_text=_(
            "Words that put the product in an assessment's catalogue, such as “shoes” or "
            "“socks”: an assessment that names a tag recommends only products that have it."
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

    def clean(self) -> None:
        super().clean()
        tags = self.tags
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ValidationError({"tags": _("Tags are a list of words.")})
        for tag in tags:
            try:
                key_validator(tag)
            except ValidationError:
                raise ValidationError(
                    {
                        "tags": _(
                            "“%(tag)s” is not a tag: use lowercase letters, digits, “-” and "
                            "“_”, as in “running-shoes”."
                        )
                        % {"tag": tag}
                    }
                ) from None
        if self.sku and self.brand_id:
            taken = ProductVariant.objects.filter(product__brand_id=self.brand_id, sku=self.sku)
            if taken.exists():
                raise ValidationError(
                    {
                        "sku": _("A variant of this brand already has the SKU “%(sku)s”.")
                        % {"sku": self.sku}
                    }
                )


class ProductVariant(models.Model):
    """One version of a product (a size, a gender's fit, a colour), shown under its model.

    Filters look at a variant's attributes (its own over the product's); a results card shows the
    model once with the variant that fits, and the variant's link, price and picture where it
    has its own.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = KeyField(_("SKU"))
    name = LocalizedTextField(
        _("name"), help_text=_("What sets it apart, shown under the product's name: “Women's”.")
    )
    attributes = models.JSONField(
        _("attributes"),
        default=dict,
        blank=True,
        help_text=_('Only what differs from the product: {"gender": "women"}.'),
    )
    url = models.URLField(
        _("product page URL"), max_length=500, blank=True, help_text=_("Empty: the product's.")
    )
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Empty: the product's."),
    )
    image = models.ImageField(
        _("image"), upload_to="products/", blank=True, help_text=_("Empty: the product's.")
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive variants are never recommended.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["product", "position", "pk"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="variant_unique_product_sku"),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="variant_price_positive",
            ),
        ]

    def __str__(self) -> str:
        names = self.name or {}
        return names.get("en") or next(iter(names.values()), self.sku)

    def clean(self) -> None:
        super().clean()
        brand_id = self.product.brand_id if self.product_id else None
        if not self.sku or brand_id is None:
            return
        # Orders and links name a variant by its sku as they name a product: one namespace.
        clash = Product.objects.filter(brand_id=brand_id, sku=self.sku).exists() or (
            ProductVariant.objects.filter(product__brand_id=brand_id, sku=self.sku)
            .exclude(pk=self.pk)
            .exists()
        )
        if clash:
            raise ValidationError(
                {
                    "sku": _("This brand already has a product or variant with the SKU “%(sku)s”.")
                    % {"sku": self.sku}
                }
            )
