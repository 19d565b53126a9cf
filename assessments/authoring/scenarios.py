"""Running a draft's or a file's scenario tests against the brand's catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.engine import Problem, compile_definition
from assessments.engine import Product as EngineProduct
from assessments.engine.scenarios import ScenarioResult, scenario_problems, scenarios_run
from assessments.engine.text import localized
from assessments.models import Product

from .definitions import catalogue_data


@dataclass(frozen=True)
class DraftCheck:
    """What Validate found: the definition's problems and, when it has none, each scenario run."""

    problems: list[Problem]
    scenarios: list[ScenarioResult] = field(default_factory=list)
    # False when definition problems kept the scenarios from running at all.
    scenarios_ran: bool = False

    @property
    def blocking(self) -> list[Problem]:
        """Everything that stops Publish: definition problems, then failing scenarios."""
        return self.problems + scenario_problems(self.scenarios)

    @property
    def failing(self) -> int:
        return sum(1 for r in self.scenarios if not r.passed)


def _catalogue(
    rows: Iterable[Mapping[str, Any]], language: str
) -> tuple[list[EngineProduct], dict[str, str]]:
    """Active products as the engine sees them, and their names for the author's messages."""
    products, names = [], {}
    for row in rows:
        if not row.get("active", True):
            continue
        attributes = row.get("attributes")
        priority = row.get("priority", 0)
        products.append(
            EngineProduct(
                row["sku"],
                attributes if isinstance(attributes, dict) else {},
                priority if isinstance(priority, int) and not isinstance(priority, bool) else 0,
            )
        )
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
    """The brand's active products, as much of them as scenarios need."""
    rows = Product.objects.filter(brand_id=brand_id, active=True).values_list(
        "sku", "attributes", "name", "priority"
    )
    return [
        {"sku": sku, "attributes": attrs, "name": name, "priority": priority}
        for sku, attrs, name, priority in rows
    ]
