"""Running a draft's or a file's scenario tests against the brand's catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.engine import Problem, compile_definition
from assessments.engine import Product as EngineProduct
from assessments.engine import Variant as EngineVariant
from assessments.engine.scenarios import ScenarioResult, scenario_problems, scenarios_run
from assessments.engine.text import localized

from .definitions import catalogue_data, product_to_data, products_with_variants


@dataclass(frozen=True)
class DraftCheck:
    """What Validate found: the definition's problems and, when it has none, each scenario run."""

    problems: list[Problem]
    scenarios: list[ScenarioResult] = field(default_factory=list)
    # False when definition problems kept the scenarios from running at all.
    scenarios_ran: bool = False
    # Worth a look, but publishing goes ahead (`Problem.warning`); only for a sound draft.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        """Everything that stops Publish: definition problems, then failing scenarios."""
        return self.problems + scenario_problems(self.scenarios)

    @property
    def failing(self) -> int:
        return sum(1 for r in self.scenarios if not r.passed)


def engine_product(row: Mapping[str, Any]) -> EngineProduct:
    """A product in file form (FORMAT.md) as the engine ranks it: its active variants only."""
    attributes = row.get("attributes")
    priority = row.get("priority", 0)
    tags = row.get("tags")
    return EngineProduct(
        row["sku"],
        attributes if isinstance(attributes, dict) else {},
        priority if isinstance(priority, int) and not isinstance(priority, bool) else 0,
        frozenset(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else frozenset(),
        tuple(
            EngineVariant(
                v["sku"], v["attributes"] if isinstance(v.get("attributes"), dict) else {}
            )
            for v in row.get("variants") or ()
            if isinstance(v, Mapping) and isinstance(v.get("sku"), str) and v.get("active", True)
        ),
    )


def _catalogue(
    rows: Iterable[Mapping[str, Any]], language: str
) -> tuple[list[EngineProduct], dict[str, str]]:
    """Active products as the engine sees them, and their names for the author's messages."""
    products, names = [], {}
    for row in rows:
        if not row.get("active", True):
            continue
        products.append(engine_product(row))
        names[row["sku"]] = localized(row.get("name"), language) or row["sku"]
    return products, names


def definition_scenarios_run(
    *, definition: dict[str, Any], catalogue: Iterable[Mapping[str, Any]]
) -> list[ScenarioResult]:
    """Run a valid definition's scenarios against catalogue rows (product data, FORMAT.md)."""
    scenarios = definition.get("scenarios") or []
    if not scenarios:
        return []
    assessment = compile_definition(definition)
    products, names = _catalogue(catalogue, assessment.default_language)
    return scenarios_run(assessment, scenarios, products, product_names=names)


def catalogue_after_import(
    brand_id: int, file_products: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The brand's catalogue as it will be once a file's products are upserted by sku."""
    by_sku = {p["sku"]: p for p in catalogue_data(brand_id)}
    by_sku.update({p["sku"]: p for p in file_products})
    return list(by_sku.values())


def active_catalogue(brand_id: int) -> list[dict[str, Any]]:
    """The brand's active products in file form, with their variants, as scenarios rank them."""
    return [product_to_data(p) for p in products_with_variants(brand_id).filter(active=True)]
