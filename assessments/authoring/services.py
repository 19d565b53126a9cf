"""Writes behind authoring: import, publish, roll back, duplicate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max

from assessments.engine import (
    KINDS,
    Problem,
    definition_warnings,
    in_catalogue,
    validate_definition,
)
from assessments.engine.scenarios import scenario_problems
from assessments.models import (
    Assessment,
    AssessmentVersion,
    Brand,
    Choice,
    Outcome,
    Product,
    ProductVariant,
    Question,
    RecommendationSettings,
    Scenario,
    Step,
    Trait,
    TraitBand,
)

from .definitions import (
    canonical_json,
    catalogue_data,
    content_hash,
    definition_from_draft,
)
from .images import product_thumbnail_make
from .scenarios import (
    DraftCheck,
    active_catalogue,
    catalogue_after_import,
    definition_scenarios_run,
)


class DefinitionRejected(Exception):
    """A definition or draft has problems; nothing was written. `problems` lists them all."""

    def __init__(self, problems: list[Problem], summary: str = "") -> None:
        self.problems = problems
        super().__init__(summary or f"{len(problems)} problem(s) found")

    def report(self) -> str:
        return "\n".join(f"{p.path}: {p.message}" for p in self.problems)


@dataclass(frozen=True)
class PublishResult:
    version: AssessmentVersion
    created: bool
    # What Validate would warn about: published all the same, and worth a look.
    warnings: tuple[Problem, ...] = ()


def _missing_images(data: dict[str, Any]) -> list[Problem]:
    """Image paths in a file must name files already in media storage."""
    problems = []

    def check(path: str, name: Any) -> None:
        if isinstance(name, str) and name and not default_storage.exists(name):
            problems.append(
                Problem(
                    path,
                    f"Image “{name}” is not in the media storage; upload it first.",
                    "image_missing",
                )
            )

    for s, step in enumerate(data.get("steps") or []):
        for q, question in enumerate(step.get("questions") or []):
            for c, choice in enumerate(question.get("choices") or []):
                check(f"$.steps[{s}].questions[{q}].choices[{c}].image", choice.get("image"))
    for o, outcome in enumerate(data.get("outcomes") or []):
        check(f"$.outcomes[{o}].image", outcome.get("image"))
    for p, product in enumerate(data.get("products") or []):
        check(f"$.products[{p}].image", product.get("image"))
        for v, variant in enumerate(product.get("variants") or []):
            check(f"$.products[{p}].variants[{v}].image", variant.get("image"))
    return problems


def draft_problems(
    assessment: Assessment, definition: dict[str, Any] | None = None
) -> list[Problem]:
    """Every problem that would stop this draft from publishing, in plain words."""
    if definition is None:
        definition = definition_from_draft(assessment)
    return validate_definition(_with_catalogue(assessment, definition)) + _missing_images(
        definition
    )


def _with_catalogue(assessment: Assessment, definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with the active products of its own catalogue, as publishing checks it:
    products another assessment of the brand recommends are not this one's to fix."""
    rec = definition.get("recommendation") or {}
    products = [
        p
        for p in catalogue_data(assessment.brand_id)
        if p.get("active", True) and in_catalogue(rec, p)
    ]
    return {**definition, "products": products}


def draft_warnings(
    assessment: Assessment, definition: dict[str, Any] | None = None
) -> list[Problem]:
    """What is worth the author's look before publishing but does not stop it."""
    if definition is None:
        definition = definition_from_draft(assessment)
    return definition_warnings(_with_catalogue(assessment, definition))


def draft_check(assessment: Assessment, definition: dict[str, Any] | None = None) -> DraftCheck:
    """Validate the draft and, when it is sound, run its scenarios against the catalogue."""
    if definition is None:
        definition = definition_from_draft(assessment)
    problems = draft_problems(assessment, definition)
    if problems:
        return DraftCheck(problems)
    results = definition_scenarios_run(
        definition=definition, catalogue=active_catalogue(assessment.brand_id)
    )
    warnings = draft_warnings(assessment, definition)
    return DraftCheck(problems, results, scenarios_ran=True, warnings=warnings)


@transaction.atomic
def assessment_publish(*, assessment: Assessment, user: AbstractBaseUser | None) -> PublishResult:
    """Validate the draft and freeze it as the next version, made live. Refuses a broken draft."""
    # Lock the assessment so two authors publishing at once get consecutive numbers.
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    definition = definition_from_draft(assessment)
    # A failing scenario stops publishing as a definition problem does.
    check = draft_check(assessment, definition)
    problems = check.blocking
    if problems:
        raise DefinitionRejected(problems, "The draft has problems; nothing was published.")
    digest = content_hash(definition)
    latest = assessment.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == digest:
        # Nothing changed since the latest version: make it live rather than copy it.
        version, created = latest, False
    else:
        number = (assessment.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = AssessmentVersion.objects.create(
            assessment=assessment,
            number=number,
            definition=definition,
            content_hash=digest,
            published_by=user if user is not None and user.is_authenticated else None,
        )
        created = True
    Assessment.objects.filter(pk=assessment.pk).update(live_version=version)
    return PublishResult(version=version, created=created, warnings=tuple(check.warnings))


@transaction.atomic
def version_make_live(*, version: AssessmentVersion) -> AssessmentVersion:
    """Roll back (or forward): customers starting from now get this published version."""
    Assessment.objects.filter(pk=version.assessment_id).update(live_version=version)
    return version


def _parse(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except UnicodeDecodeError as error:
        raise DefinitionRejected(
            [Problem("$", f"The file is not UTF-8 text ({error.reason}).", "encoding")]
        ) from error
    except json.JSONDecodeError as error:
        raise DefinitionRejected(
            [
                Problem(
                    "$",
                    f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
                    "json",
                )
            ]
        ) from error
    except RecursionError as error:
        # Python's parser gives up on thousands of nested brackets; no definition needs them.
        raise DefinitionRejected(
            [Problem("$", "The file is nested too deeply to be a definition.", "json")]
        ) from error
    except ValueError as error:
        # Python refuses to read a whole number of more than 4,300 digits.
        raise DefinitionRejected(
            [Problem("$", f"The file holds a number too long to read: {error}.", "json")]
        ) from error
    if not isinstance(data, dict):
        raise DefinitionRejected(
            [Problem("$", "The file must hold one JSON object (an assessment definition).", "type")]
        )
    return data


def _brand_language_problems(brand: Brand, data: dict[str, Any]) -> list[Problem]:
    languages = data.get("languages")
    if not isinstance(languages, list):
        return []
    unknown = [lang for lang in languages if lang not in brand.languages]
    if not unknown:
        return []
    return [
        Problem(
            "$.languages",
            f"Brand “{brand.slug}” does not offer {', '.join(map(str, unknown))}; "
            f"its languages are {', '.join(brand.languages)}.",
            "language",
        )
    ]


@transaction.atomic
def assessment_import(
    *,
    brand: Brand,
    source: str | bytes | dict[str, Any],
    publish: bool = False,
    user: AbstractBaseUser | None = None,
) -> Assessment:
    """Create or replace the draft named in `source`, upsert its products, optionally publish.

    All or nothing: any problem raises DefinitionRejected listing every problem, and the
    database is left as it was.
    """
    data = source if isinstance(source, dict) else _parse(source)
    problems = validate_definition(data)
    if not problems:
        problems = _brand_language_problems(brand, data) + _missing_images(data)
    if problems:
        raise DefinitionRejected(problems, "The file has problems; nothing was imported.")
    # The file's scenarios run before anything is written, against the catalogue as the
    # import will leave it.
    products = data.get("products") or []
    results = definition_scenarios_run(
        definition={k: v for k, v in data.items() if k != "products"},
        catalogue=catalogue_after_import(brand.pk, products),
    )
    problems = scenario_problems(results)
    if problems:
        raise DefinitionRejected(problems, "A scenario fails; nothing was imported.")

    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        brand=brand, key=data["key"], defaults={"title": data["title"]}
    )
    _write_draft(assessment, data)
    for product in data.get("products") or []:
        _product_upsert(brand, product)
    if publish:
        assessment_publish(assessment=assessment, user=user)
        assessment.refresh_from_db()
    return assessment


def _write_draft(assessment: Assessment, data: dict[str, Any]) -> None:
    """Replace the draft's content wholesale with `data` (published versions hold their own)."""
    assessment.title = data["title"]
    assessment.intro = data.get("intro", {})
    assessment.learn = data.get("learn", {})
    assessment.estimated_minutes = data.get("estimated_minutes", 5)
    assessment.languages = list(data["languages"])
    assessment.hidden_fields = data.get("hidden_fields", [])
    assessment.save()
    assessment.steps.all().delete()
    assessment.traits.all().delete()
    assessment.outcomes.all().delete()
    assessment.scenarios.all().delete()
    _write_traits(assessment, data.get("traits") or [])
    _write_steps(assessment, data["steps"])
    _write_outcomes(assessment, data.get("outcomes") or [])
    _write_recommendation(assessment, data.get("recommendation") or {})
    _write_scenarios(assessment, data.get("scenarios") or [])


def _write_traits(assessment: Assessment, traits: list[dict[str, Any]]) -> None:
    for t_pos, trait in enumerate(traits):
        trait_row = Trait.objects.create(
            assessment=assessment,
            key=trait["key"],
            position=t_pos,
            label=trait["label"],
            description=trait.get("description", {}),
        )
        TraitBand.objects.bulk_create(
            TraitBand(
                trait=trait_row,
                key=band["key"],
                position=b_pos,
                label=band["label"],
                insight=band.get("insight", {}),
                min_score=band.get("min"),
                max_score=band.get("max"),
            )
            for b_pos, band in enumerate(trait.get("bands") or [])
        )


def _write_steps(assessment: Assessment, steps: list[dict[str, Any]]) -> None:
    for s_pos, step in enumerate(steps):
        step_row = Step.objects.create(
            assessment=assessment,
            key=step["key"],
            position=s_pos,
            title=step["title"],
            section=step.get("section", {}),
            why=step.get("why", {}),
            condition=step.get("condition"),
            next_rules=step.get("next", []),
        )
        for q_pos, question in enumerate(step.get("questions") or []):
            question_row = Question.objects.create(
                step=step_row, position=q_pos, **_question_fields(question)
            )
            Choice.objects.bulk_create(
                Choice(
                    question=question_row,
                    key=choice["key"],
                    position=c_pos,
                    label=choice["label"],
                    description=choice.get("description", {}),
                    image=choice.get("image", ""),
                    points=choice.get("points", {}),
                    insight=choice.get("insight", {}),
                    recall=choice.get("recall", {}),
                    exclusive=choice.get("exclusive") is True,
                )
                for c_pos, choice in enumerate(question.get("choices") or [])
            )


def _write_outcomes(assessment: Assessment, outcomes: list[dict[str, Any]]) -> None:
    Outcome.objects.bulk_create(
        Outcome(
            assessment=assessment,
            key=outcome["key"],
            position=o_pos,
            title=outcome["title"],
            description=outcome.get("description", {}),
            image=outcome.get("image", ""),
            rule=outcome.get("rule"),
            priority=outcome.get("priority", 0),
        )
        for o_pos, outcome in enumerate(outcomes)
    )


def _write_recommendation(assessment: Assessment, rec: dict[str, Any]) -> None:
    fallback = rec.get("fallback") or {}
    RecommendationSettings.objects.update_or_create(
        assessment=assessment,
        defaults={
            "count": rec.get("count", 3),
            "alternatives": rec.get("alternatives", 3),
            "filters": rec.get("filters", []),
            "trait_fit": rec.get("trait_fit", []),
            "preferences": rec.get("preferences", []),
            "outcome_attribute": rec.get("outcome_attribute", ""),
            "outcome_weight": rec.get("outcome_weight", 0),
            "fallback_skus": fallback.get("skus", []),
            "fallback_message": fallback.get("message", {}),
            "catalogue_tags": (rec.get("catalogue") or {}).get("tags", []),
            "catalogue_skus": (rec.get("catalogue") or {}).get("skus", []),
        },
    )


def _write_scenarios(assessment: Assessment, scenarios: list[dict[str, Any]]) -> None:
    Scenario.objects.bulk_create(
        Scenario(
            assessment=assessment,
            position=position,
            name=scenario["name"],
            answers=scenario.get("answers", {}),
            fields=scenario.get("fields", {}),
            expect_outcome=scenario["expect"].get("outcome", ""),
            expect_bands=scenario["expect"].get("bands", {}),
            expect_top_products=scenario["expect"].get("top_products", []),
            top_in_order=scenario["expect"].get("top_in_order", True),
            expect_never_products=scenario["expect"].get("never_products", []),
        )
        for position, scenario in enumerate(scenarios)
    )


# Kind members with fields of their own on a draft question; any other goes in kind_settings.
_MEMBER_FIELDS = ("choices", "min_picks", "max_picks", "scale", "number", "text", "scoring")


def _question_fields(question: dict[str, Any]) -> dict[str, Any]:
    scale = question.get("scale") or {}
    number = question.get("number") or {}
    kind = KINDS.get(question["kind"])
    members = kind.members if kind is not None else ()
    return {
        "kind_settings": {
            m: question[m] for m in members if m in question and m not in _MEMBER_FIELDS
        },
        "key": question["key"],
        "kind": question["kind"],
        "prompt": question["prompt"],
        "help": question.get("help", {}),
        "required": question.get("required", True),
        "condition": question.get("condition"),
        "min_picks": question.get("min_picks"),
        "max_picks": question.get("max_picks"),
        "scale_min": scale.get("min"),
        "scale_max": scale.get("max"),
        "scale_min_label": scale.get("min_label", {}),
        "scale_max_label": scale.get("max_label", {}),
        "number_min": number.get("min"),
        "number_max": number.get("max"),
        "number_unit": number.get("unit", {}),
        "number_integer": bool(number.get("integer", False)),
        "text_max_length": (question.get("text") or {}).get("max_length"),
        "scoring": question.get("scoring", []),
    }


def _product_upsert(brand: Brand, data: dict[str, Any]) -> Product:
    # The schema has already checked the price is a decimal written as text.
    price = Decimal(data["price"])
    product, _created = Product.objects.update_or_create(
        brand=brand,
        sku=data["sku"],
        defaults={
            "name": data["name"],
            "description": data.get("description", {}),
            "url": data["url"],
            "price": price,
            "currency": data.get("currency", "EUR"),
            "image": data["image"],
            "attributes": data.get("attributes", {}),
            "tags": data.get("tags", []),
            "active": data.get("active", True),
            "priority": data.get("priority", 0),
        },
    )
    _variants_replace(product, data.get("variants") or [])
    product_thumbnail_make(product=product)
    return product


def _variants_replace(product: Product, variants: list[dict[str, Any]]) -> None:
    """Make the product's variants the file's: updated by sku, the rest removed (a file holds
    the whole product, as it holds all of its attributes)."""
    product.variants.exclude(sku__in=[v["sku"] for v in variants]).delete()
    for position, variant in enumerate(variants):
        ProductVariant.objects.update_or_create(
            product=product,
            sku=variant["sku"],
            defaults={
                "name": variant["name"],
                "url": variant.get("url", ""),
                "price": Decimal(variant["price"]) if "price" in variant else None,
                "image": variant.get("image", ""),
                "attributes": variant.get("attributes", {}),
                "active": variant.get("active", True),
                "position": position,
            },
        )


def assessment_export(*, assessment: Assessment, version_number: int | None = None) -> str:
    """The assessment (its draft, or a published version) with the catalogue, as a file."""
    if version_number is None:
        definition = definition_from_draft(assessment)
    else:
        definition = assessment.versions.get(number=version_number).definition
    return canonical_json({**definition, "products": catalogue_data(assessment.brand_id)})


@transaction.atomic
def assessment_duplicate(*, assessment: Assessment, new_key: str | None = None) -> Assessment:
    """Copy a draft under a new key in the same brand; the copy starts unpublished."""
    key = new_key or _free_key(assessment)
    definition = {**definition_from_draft(assessment), "key": key}
    copy = Assessment.objects.create(brand=assessment.brand, key=key, title=definition["title"])
    _write_draft(copy, definition)
    return copy


def _free_key(assessment: Assessment) -> str:
    taken = set(Assessment.objects.filter(brand=assessment.brand).values_list("key", flat=True))
    base = f"{assessment.key}-copy"[:58]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
