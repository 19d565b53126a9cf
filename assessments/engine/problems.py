"""Problems found in an assessment definition, written for the author who will fix them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition: where (a JSON path), what, and a stable code.

    A warning (`definition_warnings`) is worth the author's look but does not stop publishing.
    """

    path: str
    message: str
    code: str
    warning: bool = False


def with_article(word: str) -> str:
    """ "an info", "an image", "a scale": the article an author's message puts before a word."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


class DefinitionInvalid(Exception):
    """Raised by `compile_definition` when a definition has problems; `.problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        first = self.problems[0].message if self.problems else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in definition: {first}")


def json_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """`("steps", 2, "key")` -> `$.steps[2].key`."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.replace("_", "a").replace("-", "a").isalnum():
            out.append(f".{part}")
        else:
            out.append(f"[{part!r}]")
    return "".join(out)
