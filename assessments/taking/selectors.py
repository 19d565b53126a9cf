"""Reads for customer pages, admin and dashboards."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Prefetch, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentVersion,
    Brand,
    Product,
    ProductReference,
    ProductVariant,
    Response,
)


def published_assessments() -> QuerySet[Assessment]:
    """Assessments customers can take: those with a live version, brand by brand."""
    return Assessment.objects.filter(live_version__isnull=False).select_related(
        "brand", "live_version"
    )


def live_assessment(*, brand_slug: str, key: str) -> Assessment | None:
    """The assessment a landing page shows, with its brand and live version; None when there
    is no such assessment or it is not published."""
    return published_assessments().filter(brand__slug=brand_slug, key=key).first()


@dataclass(frozen=True)
class _Columns:
    """A model's columns as one read selects them, with the converters the ORM would apply to
    each value (JSON decoding, SQLite's dates and booleans, …)."""

    model: type[Model]
    names: list[str]
    converters: list[tuple[Col, list[Any]]]

    @classmethod
    def of(cls, model: type[Model], alias: str, connection: BaseDatabaseWrapper) -> _Columns:
        fields = model._meta.concrete_fields
        columns = [field.get_col(alias) for field in fields]
        return cls(
            model,
            [field.attname for field in fields],
            [
                (
                    column,
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection),
                )
                for column in columns
            ],
        )

    def instance(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> Model:
        converted = []
        for value, (column, converters) in zip(values, self.converters, strict=True):
            for converter in converters:
                value = converter(value, column, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.names, converted)


@functools.cache
def _taking_read(vendor: str, with_brand: bool) -> tuple[str, _Columns, _Columns]:
    """The SQL of `response_for_taking`, and how to turn its row into a Response (and its
    Brand), written once per database vendor from the models' own metadata: a field added to
    either model is read with no change here."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    response, version, brand = Response._meta, AssessmentVersion._meta, Brand._meta
    response_columns = _Columns.of(Response, "r", connection)
    brand_columns = _Columns.of(Brand, "b", connection)
    selected = [f"r.{quote(f.column)}" for f in response.concrete_fields]
    selected.append(f"v.{quote(version.get_field('content_hash').column)}")
    joins = (
        f"LEFT JOIN {quote(version.db_table)} v "
        f"ON v.{quote(version.pk.column)} = r.{quote(response.get_field('version').column)}"
    )
    if with_brand:
        selected += [f"b.{quote(f.column)}" for f in brand.concrete_fields]
        joins += (
            f" JOIN {quote(brand.db_table)} b "
            f"ON b.{quote(brand.pk.column)} = r.{quote(response.get_field('brand').column)}"
        )
    sql = (
        f"SELECT {', '.join(selected)} FROM {quote(response.db_table)} r {joins} "
        f"WHERE r.{quote(response.get_field('token').column)} = %s"
    )
    return sql, response_columns, brand_columns


def response_for_taking(token: str, *, with_brand: bool = True) -> Response | None:
    """The response a customer page is about, by its token; None if none.

    With the version's content hash as `version_hash`, not the version: the compiled
    definition is cached by it (see `response_definition`), so the version row is read only
    when that cache has not seen it. With the brand unless `with_brand` is False; then it is
    read on first use (a step POST answered with a redirect or htmx's partial never shows it).

    Every step a customer sees or sends starts with this read, so it skips the ORM's query
    building: compiling the select (44 columns, two joins, an annotation) took longer than
    running it, about a quarter of a step page. The row is converted as the ORM converts it,
    so the instances are the same.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    sql, response_columns, brand_columns = _taking_read(connection.vendor, with_brand)
    with connection.cursor() as cursor:
        cursor.execute(sql, [token])
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(response_columns.names)
    response = response_columns.instance(row[:count], connection)
    response.version_hash = row[count]  # type: ignore[attr-defined]
    if with_brand:
        response.brand = brand_columns.instance(row[count + 1 :], connection)  # type: ignore[assignment]
    return response  # type: ignore[return-value]


def result_products(
    *, brand_id: int, skus: Iterable[str], variants: Iterable[str] = ()
) -> list[Product]:
    """The brand's products a result shows, as they are now (names, prices, images), each with
    those of its variants the result names (one more query, only when it names some)."""
    products = Product.objects.filter(brand_id=brand_id, sku__in=list(skus))
    wanted = list(variants)
    if wanted:
        products = products.prefetch_related(
            Prefetch("variants", ProductVariant.objects.filter(sku__in=wanted))
        )
    return list(products)


def shared_response(share_token: str) -> Response | None:
    """The finished response a share link shows, with its brand and version; None if none."""
    return (
        Response.objects.select_related("brand", "version__assessment")
        .filter(
            share_token=share_token,
            status=Response.Status.COMPLETED,
            result__isnull=False,
        )
        .first()
    )


# `new_reference` makes 16 characters; the column holds 32.
REFERENCE_MAX_LENGTH = 32


def product_link(ref: str) -> tuple[ProductReference, str] | None:
    """A product link's reference and the address it leads to: the variant's own page when the
    results showed an active variant that has one, else the product's; None when the ref is
    unknown or its product is gone or inactive (previews have no references)."""
    if not ref or len(ref) > REFERENCE_MAX_LENGTH:
        return None
    reference = (
        ProductReference.objects.select_related("response")
        .filter(ref=ref, response__is_preview=False)
        .only("pk", "ref", "sku", "variant", "clicked_at", "response_id", "response__brand_id")
        .first()
    )
    if reference is None:
        return None
    product = Product.objects.filter(
        brand_id=reference.response.brand_id, sku=reference.sku, active=True
    ).first()
    if product is None:
        return None
    if reference.variant:
        own = (
            product.variants.filter(sku=reference.variant, active=True)
            .exclude(url="")
            .values_list("url", flat=True)
            .first()
        )
        if own:
            return reference, own
    return reference, product.url


def brand_by_slug(slug: str) -> Brand | None:
    return Brand.objects.filter(slug=slug).first()


def abandoned_responses(*, idle_for: timedelta) -> QuerySet[Response]:
    """Counted responses left in progress for at least `idle_for`; each keeps its last step."""
    return Response.objects.filter(
        status=Response.Status.IN_PROGRESS,
        is_preview=False,
        updated_at__lte=timezone.now() - idle_for,
    )
