"""Hostile values on every public URL, the purchase webhook and the admin's import.

Whatever arrives (digits of other scripts, NUL, huge or long strings, NaN and 1e400, deep
nesting, wrong types, odd headers), the answer is never a 5xx, and a request that is refused
(4xx) leaves every table as it was. Runs in `make test` on SQLite and on PostgreSQL; the
"fuzz" profile keeps it bounded and repeatable: a fixed number of examples per URL, no
deadline, derandomised so CI tries the same values every time.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.authoring.services import assessment_import
from assessments.followups.services import followup_settings_ensure
from assessments.models import (
    Assessment,
    Brand,
    CheckIn,
    ContactPreference,
    FollowUp,
    Product,
    Purchase,
    Response,
)
from assessments.privacy.links import data_link_token
from assessments.taking.services import response_start
from tests.factories import BrandFactory, definition, products, stored_image, t
from tests.followups.conftest import buy, make_plan, make_response, purchase_payload, sign

settings.register_profile(
    "fuzz",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = settings.get_profile("fuzz")
# The webhook and the import read nested JSON: they get more examples than a form.
FUZZ_JSON = settings(FUZZ, max_examples=25)

pytestmark = pytest.mark.django_db

PARTNER = "https://partner.example"

# -- hostile values -------------------------------------------------------------------------

NASTY_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "²",
    "8²",
    "\u0663\u0660",  # Arabic-Indic "30"
    "\uff11\uff12",  # full-width "12"
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "-0",
    "0x10",
    "1_000",
    "7,5",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "-1",
    "ana@example.com\r\nBcc: x@example.com",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "../../etc/passwd",
    '{"a": NaN}',
    "\u202e\u200b\ufeff",
]
# Long ones are built when drawn, so that Hypothesis's descriptions of them stay short.
LONG_TEXTS = st.sampled_from(
    [("9", 5000), ("x", 300), ("r", 100_000), ("[", 200), ("🏃", 100)]
).map(lambda spec: spec[0] * spec[1])
# Plain printable text and most of Unicode, NUL included (st.text leaves out lone surrogates,
# which no browser can send as UTF-8).
TEXT = st.one_of(
    st.sampled_from(NASTY_TEXTS),
    LONG_TEXTS,
    LONG_TEXTS.map(lambda text: text + "@example.com"),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(repr),
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=80)
ORIGIN = st.one_of(
    st.none(),
    st.none(),
    st.just(PARTNER),
    st.sampled_from(["https://x.example:²", "null", "https://evil.example", "https://[::1"]),
    HEADER_TEXT,
)

JSON_NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([31, 63, 30, 400]).map(lambda exponent: 2**exponent),
    st.sampled_from([(-1, 63), (1, 30), (1, 400)]).map(lambda s: s[0] * 10 ** s[1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
JSON_LEAVES = st.one_of(st.none(), st.booleans(), JSON_NUMBERS, TEXT)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def _nested(depth: int) -> list[Any]:
    """A list nested `depth` deep, built without recursion."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


# Past the limit of 100 levels, but shallow enough for json.dumps to write it.
NESTED = st.integers(min_value=95, max_value=400).map(_nested)
# As text, deeper than any parser's stack.
DEEP = st.integers(min_value=90, max_value=200_000).map(lambda n: "[" * n + "]" * n)


def form_data(names: tuple[str, ...], plausible: tuple[str, ...]) -> st.SearchStrategy:
    """A form body: the names a real form sends (and a stray one), each with one value or a
    list, plausible (so the request gets past the first check) or hostile."""
    value = st.one_of(st.sampled_from(plausible), TEXT) if plausible else TEXT
    values = st.one_of(value, value, st.lists(value, max_size=3))
    keys = st.one_of(st.sampled_from(names), TEXT) if names else TEXT
    return st.dictionaries(keys, values, max_size=6)


# -- the world every request is sent into ---------------------------------------------------


@dataclass
class World:
    """A brand with a published assessment, responses, a purchase with its follow-ups, the
    customer's preferences and data link, and the brand's webhook secret."""

    brand: Brand
    assessment: Assessment
    taking: Response  # on its first step
    finished: Response  # completed, with a share link
    purchase: Purchase
    followups: dict[str, FollowUp]  # by kind: tip, checkin, reassess
    preference: ContactPreference
    data_token: str
    secret: str


def _fuzz_definition() -> dict[str, Any]:
    """The test assessment, plus a step of the other kinds shown to kiosk customers."""
    data = definition(hidden_fields=[{"key": "partner", "label": t("Partner")}])
    data["steps"].append(
        {
            "key": "more",
            "title": t("More"),
            "condition": {"field": "partner", "equals": "kiosk"},
            "questions": [
                {
                    "key": "goals",
                    "kind": "multiple",
                    "prompt": t("Goals?"),
                    "max_picks": 2,
                    "choices": [
                        {"key": k, "label": t(k.title())} for k in ("speed", "distance", "fun")
                    ],
                },
                {
                    "key": "effort",
                    "kind": "scale",
                    "prompt": t("Effort?"),
                    "scale": {"min": 1, "max": 5},
                },
                {
                    "key": "notes",
                    "kind": "text",
                    "prompt": t("Anything else?"),
                    "required": False,
                    "text": {"max_length": 200},
                },
            ],
        }
    )
    return data


@pytest.fixture
def world(db, settings) -> World:
    # Limits would answer 429 long before a 500 showed; they have tests of their own.
    settings.RATELIMIT_ENABLE = False
    return _world()


def _world() -> World:
    brand = BrandFactory(slug="acme", allowed_origins=[PARTNER], sender_email="hello@acme.example")
    # The catalogue is written directly: importing it would make thumbnails for every test.
    image = "test/fuzz.png"
    if not default_storage.exists(image):
        stored_image(image)
    Product.objects.bulk_create(
        Product(
            brand=brand,
            sku=sku,
            name=t(sku.title()),
            url=f"https://acme.example/{sku}",
            price=Decimal("99.00"),
            image=image,
            attributes={"support": [band]},
        )
        for sku, band in (("steady", "high"), ("breeze", "low"))
    )
    assessment = assessment_import(brand=brand, source=_fuzz_definition(), publish=True)
    make_plan(assessment)
    taking = response_start(
        version=assessment.live_version, brand=brand, language="en", fields={"partner": "kiosk"}
    )
    finished = make_response(assessment)
    purchase, _ = buy(finished)
    return World(
        brand=brand,
        assessment=assessment,
        taking=taking,
        finished=finished,
        purchase=purchase,
        followups={f.step.kind: f for f in purchase.followups.select_related("step")},
        preference=ContactPreference.objects.get(),
        data_token=data_link_token(brand_id=brand.pk, email="ana@example.com", language="en"),
        secret=followup_settings_ensure(brand_id=brand.pk).webhook_secret,
    )


def _counts_query() -> str:
    """One query counting the rows of every table of the app (one round trip, not thirty)."""
    tables = [m._meta.db_table for m in apps.get_app_config("assessments").get_models()]
    quote_name = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote_name(t)})" for t in tables)


def _state() -> tuple[Any, ...]:
    """Every table's row count, and what the pages could change in the rows they reach."""
    with connection.cursor() as cursor:
        cursor.execute(_counts_query())
        counts = tuple(cursor.fetchone())
    rows = (
        list(
            Response.objects.order_by("pk").values_list(
                "pk", "revision", "status", "current_step", "learned", "emails_sent", "share_token"
            )
        ),
        list(ContactPreference.objects.order_by("pk").values()),
        list(FollowUp.objects.order_by("pk").values_list("pk", "state")),
        list(CheckIn.objects.order_by("pk").values()),
        list(Purchase.objects.order_by("pk").values_list("pk", "status")),
        list(Product.objects.order_by("pk").values_list("pk", "price", "url", "attributes")),
        list(Assessment.objects.order_by("pk").values_list("pk", "live_version", "updated_at")),
    )
    return counts, rows


def _answered(page, before: tuple[Any, ...], what: str) -> None:
    assert page.status_code < 500, (what, page.status_code)
    if 400 <= page.status_code < 500:
        assert _state() == before, (what, page.status_code, "a refused request wrote")


# -- the public URLs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One public URL: how to reach it in the world, and what a real form would send."""

    name: str
    method: str
    url: Callable[[World], str]
    names: tuple[str, ...] = ()
    plausible: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


def _r(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[a(w) for a in args])


def _landing(w: World) -> str:
    return reverse("taking:landing", args=[w.brand.slug, w.assessment.key])


def _step(key: str) -> Callable[[World], str]:
    return lambda w: reverse("taking:step", args=[w.taking.token, key])


def _followup(kind: str) -> Callable[[World], str]:
    return lambda w: reverse("followups:page", args=[w.followups[kind].token])


def _embedded(url: Callable[[World], str]) -> Callable[[World], str]:
    return lambda w: "/e" + url(w)


TAKING = lambda w: w.taking.token  # noqa: E731
FINISHED = lambda w: w.finished.token  # noqa: E731
PREFERENCE = lambda w: w.preference.token  # noqa: E731
BRAND = lambda w: w.brand.slug  # noqa: E731
DATA = lambda w: w.data_token  # noqa: E731

LANDING_QUERY = ("lang", "channel", "partner", "utm_source", "utm_campaign", "ref", "origin")
STEP_FIELDS = ("submission_id", "use", "km", "knees", "goals", "effort", "notes")
STEP_VALUES = ("run", "walk", "40", "yes", "no", "speed", "fun", "3", "ok", "s1")
CHECKIN = ("csat", "ces", "nps", "delivered", "comment")

TARGETS = [
    Target("home", "GET", lambda w: "/", ("lang",)),
    Target("embed.js", "GET", lambda w: reverse("embed-loader"), ("origin", "v")),
    Target("landing", "GET", _landing, LANDING_QUERY, ("en", "es", "kiosk", "embedded")),
    Target("start", "POST", _landing, ("language",), ("en", "es")),
    Target("resume", "GET", _r("taking:resume", TAKING)),
    *[
        Target(f"step {key}", "GET", _step(key), ("after", "sent"), ("use", "1"))
        for key in ("use", "more")
    ],
    *[
        Target(f"answer {key}", "POST", _step(key), STEP_FIELDS, STEP_VALUES)
        for key in ("use", "distance", "knees", "more")
    ],
    Target("back", "POST", _r("taking:back", TAKING), ("to_step",), ("use", "distance")),
    Target("results", "GET", _r("taking:results", FINISHED), ("emailed",), ("1",)),
    Target("learned", "POST", _r("taking:learned", FINISHED), ("learned",), ("yes", "no")),
    Target(
        "e-mail results",
        "POST",
        _r("taking:email_results", FINISHED),
        ("email", "consent"),
        ("ana@example.com", "yes", "on"),
    ),
    Target(
        "e-mail a link",
        "POST",
        _r("taking:email_link", TAKING),
        ("email",),
        ("ana@example.com",),
    ),
    Target("shared", "GET", lambda w: reverse("taking:shared", args=[w.finished.share_token])),
    Target("theme.css", "GET", _r("taking:theme", BRAND), ("v",)),
    Target("tip", "GET", _followup("tip")),
    Target("check-in page", "GET", _followup("checkin"), ("answered",), ("1",)),
    Target("check-in", "POST", _followup("checkin"), CHECKIN, ("1", "5", "7", "10", "yes")),
    Target("tip POST", "POST", _followup("tip"), CHECKIN),
    Target("retake", "POST", _followup("reassess")),
    Target(
        "what changed",
        "GET",
        lambda w: reverse("followups:changes", args=[w.followups["reassess"].token]),
    ),
    Target("unsubscribe page", "GET", _r("followups:unsubscribe", PREFERENCE)),
    Target("unsubscribe", "POST", _r("followups:unsubscribe", PREFERENCE), ("List-Unsubscribe",)),
    Target("preferences page", "GET", _r("followups:preferences", PREFERENCE)),
    Target(
        "preferences",
        "POST",
        _r("followups:preferences", PREFERENCE),
        ("tips", "checkins", "reassessments"),
        ("on", "1", "true"),
    ),
    Target("bought page", "GET", _r("followups:bought", FINISHED), ("purchase",), ("1",)),
    Target(
        "I bought this",
        "POST",
        _r("followups:bought", FINISHED),
        ("sku", "consent", "email", "first_name", "submission_id"),
        ("steady", "breeze", "on", "ana@example.com", "Ana"),
    ),
    Target("privacy page", "GET", _r("privacy:request", BRAND), ("lang", "sent"), ("es", "1")),
    Target(
        "privacy request",
        "POST",
        _r("privacy:request", BRAND),
        ("email",),
        ("ana@example.com",),
    ),
    Target("erased", "GET", _r("privacy:erased", BRAND), ("lang",), ("es",)),
    Target("my data", "GET", _r("privacy:data", BRAND, DATA), ("lang",), ("es",)),
    Target("download my data", "POST", _r("privacy:download", BRAND, DATA)),
    Target("erase my data", "POST", _r("privacy:erase", BRAND, DATA), ("confirm",), ("on",)),
    Target("embedded landing", "GET", _embedded(_landing), LANDING_QUERY, (PARTNER, "en", "es")),
    Target("embedded start", "POST", _embedded(_landing), ("language",), ("en",)),
    Target("embedded answer", "POST", _embedded(_step("use")), STEP_FIELDS, STEP_VALUES),
]


@pytest.mark.parametrize("target", TARGETS, ids=str)
@FUZZ
@given(data=st.data())
def test_a_public_url_never_fails_and_a_refusal_writes_nothing(client, world, target, data):
    url = target.url(world)
    sent = data.draw(form_data(target.names, target.plausible), label="sent")
    headers: dict[str, str] = {}
    language = data.draw(st.one_of(st.none(), HEADER_TEXT), label="Accept-Language")
    if language is not None:
        headers["accept-language"] = language
    if target.method == "POST":
        origin = data.draw(ORIGIN, label="Origin")
        if origin is not None:
            headers["origin"] = origin
        if data.draw(st.booleans(), label="htmx"):
            headers["hx-request"] = "true"
    if url.startswith("/e/"):
        # An embedded page says which partner page it is on in its query string.
        url += "?" + "origin=" + quote(data.draw(st.one_of(st.just(PARTNER), TEXT)), safe="")
    before = _state()
    if target.method == "GET":
        page = client.get(url, sent, headers=headers)
    else:
        page = client.post(url, sent, headers=headers)
    _answered(page, before, f"{target.method} {url}")


BODIES = st.one_of(
    st.binary(max_size=300),
    TEXT.map(str.encode),
    JSON.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    DEEP.map(str.encode),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=nope",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "application/json",
        "text/plain",
    ]
)


@FUZZ
@given(data=st.data())
def test_a_body_that_is_not_a_form_gets_an_answer_not_a_crash(client, world, data):
    target = data.draw(st.sampled_from([t for t in TARGETS if t.method == "POST"]), label="url")
    body = data.draw(BODIES, label="body")
    before = _state()
    page = client.generic(
        "POST", target.url(world), body, content_type=data.draw(CONTENT_TYPES, label="type")
    )
    _answered(page, before, target.name)


PATH_TEMPLATES = [
    "/a/{0}/{1}/",
    "/r/{0}/",
    "/r/{0}/s/{1}/",
    "/r/{0}/results/",
    "/s/{0}/",
    "/brand/{0}/theme.css",
    "/f/{0}/",
    "/u/{0}/",
    "/p/{0}/",
    "/r/{0}/purchase/",
    "/privacy/{0}/data/{1}/",
    "/e/a/{0}/{1}/",
]


@FUZZ
@given(data=st.data())
def test_a_made_up_path_is_a_404_not_a_crash(client, world, data):
    template = data.draw(st.sampled_from(PATH_TEMPLATES), label="path")
    parts = [
        quote(data.draw(st.one_of(TEXT, st.just(world.taking.token)), label="part"), safe="")
        for _ in range(2)
    ]
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    before = _state()
    page = client.generic(method, template.format(*parts))
    _answered(page, before, template)


# -- the purchase webhook -------------------------------------------------------------------


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value (member names and list positions), the root first."""
    yield here
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*here, index))


_GONE = object()


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of `value` with the place `path` holding `new` (or removed, for _GONE)."""
    if not path:
        return new
    copied = copy.deepcopy(value)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    if new is _GONE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copied


def _mutated(valid: Any) -> st.SearchStrategy:
    """`valid` with one place replaced by a hostile value, or removed."""
    places = list(_paths(valid))
    return st.builds(
        _replaced,
        st.just(valid),
        st.sampled_from(places[1:]),
        st.one_of(JSON, st.just(_GONE), NESTED),
    )


WEBHOOK_VALUES = st.sampled_from(
    [
        {"quantity": 10**20},
        {"quantity": 2**31},
        {"quantity": -1},
        {"quantity": 1.5},
        {"price": "1e400"},
        {"price": "1111111111111"},
        {"price": "NaN"},
        {"price": -5},
        {"sku": "steady\x00"},
        {"sku": "x" * 300},
    ]
)


@FUZZ_JSON
@given(data=st.data())
def test_a_signed_webhook_with_a_hostile_body_is_a_400_not_a_500(client, world, data):
    valid = purchase_payload(world.finished, order_id=f"W-{uuid.uuid4().hex[:8]}")
    choice = data.draw(st.integers(0, 3), label="kind")
    if choice == 0:
        payload = data.draw(_mutated(valid), label="payload")
    elif choice == 1:
        item = {**valid["data"]["items"][0], **data.draw(WEBHOOK_VALUES, label="item")}
        payload = _replaced(valid, ("data", "items"), [item])
    elif choice == 2:
        payload = data.draw(JSON, label="payload")
    else:
        payload = None
    if payload is None:
        body = data.draw(st.one_of(DEEP, TEXT, st.just(5000).map(lambda n: "1" * n)), label="body")
    else:
        body = json.dumps(payload, allow_nan=True)
    before = _state()
    page = client.post(
        reverse("followups:webhook") + f"?brand={world.brand.slug}",
        data=body,
        content_type="application/json",
        **sign(world.secret, body),
    )
    _answered(page, before, "webhook")
    assert page.status_code in (200, 201, 400, 404, 413), page.content[:300]


def test_the_webhook_fuzz_reaches_the_store(client, world):
    """The fuzz's valid starting point is recorded: a 201 is reachable, not only refusals."""
    body = json.dumps(purchase_payload(world.finished, order_id="W-valid"))
    page = client.post(
        reverse("followups:webhook") + f"?brand={world.brand.slug}",
        data=body,
        content_type="application/json",
        **sign(world.secret, body),
    )
    assert page.status_code == 201, page.content


# -- the admin's import ---------------------------------------------------------------------


def _import_file(world: World) -> dict[str, Any]:
    return {**_fuzz_definition(), "key": "imported", "products": products(world.brand.slug)}


@FUZZ_JSON
@given(data=st.data())
def test_an_import_of_a_hostile_file_is_refused_whole_or_leaves_a_working_brand(
    admin_client, world, data
):
    valid = _import_file(world)
    if data.draw(st.integers(0, 4), label="kind"):
        content = json.dumps(data.draw(_mutated(valid), label="file"), allow_nan=True)
    else:
        content = data.draw(st.one_of(DEEP, TEXT, JSON.map(json.dumps)), label="file")
    publish = data.draw(st.booleans(), label="publish")
    before = _state()
    page = admin_client.post(
        reverse("admin:assessments_assessment_import"),
        {
            "brand": world.brand.pk,
            "file": SimpleUploadedFile("file.json", content.encode("utf-8", "surrogatepass")),
            "publish": "on" if publish else "",
        },
    )
    _answered(page, before, "import")
    assert page.status_code in (302, 400), page.status_code
    if page.status_code == 302:
        # Whatever was accepted, the brand's pages still work.
        imported = Assessment.objects.get(brand=world.brand, key="imported")
        for url in (
            reverse("admin:assessments_product_changelist"),
            reverse("admin:assessments_assessment_export", args=[imported.pk]),
            reverse("admin:assessments_assessment_validate", args=[imported.pk]),
            reverse("taking:landing", args=[world.brand.slug, imported.key]),
        ):
            assert admin_client.get(url).status_code in (200, 404), url


def test_the_import_fuzz_starts_from_a_file_that_imports(admin_client, world):
    content = json.dumps(_import_file(world)).encode()
    page = admin_client.post(
        reverse("admin:assessments_assessment_import"),
        {"brand": world.brand.pk, "file": SimpleUploadedFile("f.json", content), "publish": "on"},
    )
    assert page.status_code == 302


def test_the_world_is_what_the_fuzz_expects(world):
    assert world.taking.current_step == "use"
    assert world.finished.share_token
    assert set(world.followups) == {"tip", "checkin", "reassess"}
