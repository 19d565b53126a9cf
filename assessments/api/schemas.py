"""The API's types: what each endpoint takes and returns, and what webhooks carry as `data`.

The same classes validate requests and write the OpenAPI document, so the document is the code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, field_validator

from assessments.models.catalogue import PRIORITY_LIMIT


def _utc(value: dt.datetime) -> dt.datetime:
    """A time moved to UTC; offsets and years the database cannot store are refused (422)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError as error:
        raise ValueError("This time is out of range.") from error
    if not 1970 <= value.year <= 9998:
        raise ValueError("Give a time between the years 1970 and 9998.")
    return value


# A time as the database keeps it: PostgreSQL refuses offsets beyond ±15:59, so every time
# taken from a client is moved to UTC first.
Instant = Annotated[dt.datetime, AfterValidator(_utc)]


class TextIn(Schema):
    """An input whose strings are checked for NUL characters, which no PostgreSQL text column
    can store: refused with a 422 that names the field, on every database alike."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character (\\u0000)")
        return value


Text = dict[str, str]  # a text in each language: {"en": "…", "es": "…"}
Sku = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]


class VersionSummary(Schema):
    number: int
    published_at: dt.datetime
    content_hash: str


class AssessmentOut(Schema):
    key: str
    title: Text
    live_version: int | None = Field(description="The number of the version customers take.")
    versions: list[VersionSummary]


class VersionOut(VersionSummary):
    assessment: str
    definition: dict[str, Any] = Field(
        description="The version's definition as the admin exports it, with the catalogue."
    )


class ResponseOut(Schema):
    id: int
    assessment: str
    version: int
    language: str
    channel: str
    status: Literal["completed"]
    started_at: dt.datetime
    completed_at: dt.datetime
    answers: dict[str, Any]
    fields: dict[str, str] = Field(description="Values from the start link, e.g. the partner.")
    attribution: dict[str, Any]
    learned: str = Field(description='"yes", "a_little", "no", or "" when not answered.')
    result: dict[str, Any] | None = Field(
        description="The profile, outcome and ranked products exactly as the customer saw them."
    )


class LearnedOut(Schema):
    response_id: int
    assessment: str
    learned: str
    learned_at: dt.datetime | None


class Page[T](Schema):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page, or later for rows added since."
    )
    has_more: bool = Field(description="Whether the next page already has rows.")


class VariantIn(Schema):
    sku: Sku
    name: Text = Field(min_length=1, description='What sets it apart: {"en": "Women\'s"}.')
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="Only what differs from the product's attributes."
    )
    url: Annotated[str, StringConstraints(max_length=500, pattern=r"^(https?://.*)?$")] = Field(
        default="", description="Its own page; empty for the product's."
    )
    price: Decimal | None = Field(
        default=None,
        ge=0,
        lt=Decimal(10) ** 8,
        decimal_places=2,
        description="None: the product's.",
    )
    active: bool = True


class VariantOut(Schema):
    sku: str
    name: Text
    attributes: dict[str, Any]
    url: str
    price: Decimal | None
    active: bool


class ProductIn(Schema):
    sku: Sku
    name: Text = Field(min_length=1)
    description: Text = Field(default_factory=dict)
    url: Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://")]
    price: Decimal = Field(ge=0, lt=Decimal(10) ** 8, decimal_places=2)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    attributes: dict[str, Any] = Field(default_factory=dict)
    active: bool = True
    priority: int = Field(
        default=0,
        ge=-PRIORITY_LIMIT,
        le=PRIORITY_LIMIT,
        description="Among equally fitting products, higher is shown first (then by SKU).",
    )
    tags: list[Sku] = Field(
        default_factory=list,
        max_length=50,
        description="Put the product in the catalogue of assessments that name one of these.",
    )
    variants: list[VariantIn] | None = Field(
        default=None,
        max_length=100,
        description="Sizes, fits, colours: the whole list replaces the product's variants; "
        "leave it out to keep them as they are.",
    )


class ProductOut(Schema):
    sku: str
    name: Text
    description: Text
    url: str
    price: Decimal
    currency: str
    attributes: dict[str, Any]
    active: bool
    priority: int
    tags: list[str]
    variants: list[VariantOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_variants(product: Any) -> list[Any]:
        return list(product.variants.all())


class ProductsUpserted(Schema):
    created: int
    updated: int
    products: list[ProductOut]


class ItemIn(TextIn):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    quantity: int = Field(default=1, ge=1, le=2_147_483_647)
    price: Decimal | None = Field(default=None, ge=0, lt=Decimal(10) ** 8)
    ref: str = Field(default="", max_length=64, description="The product link's ref, if kept.")


class ConsentIn(TextIn):
    wording_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    given_at: Instant | None = None


class PurchaseIn(TextIn):
    order_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    items: list[ItemIn] = Field(min_length=1, max_length=200)
    purchased_at: Instant | None = None
    reference: str = Field(
        default="", max_length=200, description="A product link's ref, or the response token."
    )
    email: str = Field(default="", max_length=254)
    first_name: str = Field(default="", max_length=100)
    language: str = Field(default="", max_length=8)
    consent: ConsentIn | None = Field(
        default=None, description="The customer agreed to follow-ups at checkout."
    )


class PurchaseItemOut(Schema):
    sku: str
    quantity: int
    price: Decimal
    recommended: bool
    rank: int | None


class PurchaseOut(Schema):
    id: int
    order_id: str
    response_id: int | None
    email: str
    status: str
    source: str
    purchased_at: dt.datetime
    refunded_at: dt.datetime | None
    created_at: dt.datetime
    items: list[PurchaseItemOut]


class PurchaseRecorded(Schema):
    created: bool
    followups_scheduled: int
    reference_unmatched: bool = Field(
        description="The reference named no response of this brand: recorded, not linked."
    )
    purchase: PurchaseOut


class CheckInOut(Schema):
    id: int
    response_id: int | None
    order_id: str
    sku: str
    csat: int
    ces: int
    nps: int
    delivered: str
    comment: str
    answered_at: dt.datetime


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, str]] | None = None
