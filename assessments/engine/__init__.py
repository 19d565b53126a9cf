"""The assessment engine: pure Python, no Django, deterministic.

It validates and compiles a definition (FORMAT.md), walks the flow, cleans answers, scores
traits, picks the outcome, and ranks products with reasons.
"""

from __future__ import annotations

from .answers import (
    AnswerError,
    AnswerRequired,
    NotAnswerable,
    NotANumber,
    NotAWholeNumber,
    OutOfRange,
    TooFewPicks,
    TooLong,
    TooManyPicks,
    UnknownChoice,
    UnknownQuestion,
)
from .assessment import Assessment, Result, Walk
from .compile import compile_cached, compile_definition
from .insights import Insight
from .model import (
    Band,
    Choice,
    Contribution,
    HiddenField,
    Outcome,
    Progress,
    Question,
    ScoringRule,
    Section,
    Step,
    Trait,
    TraitScore,
)
from .problems import DefinitionInvalid, Problem
from .ranking import Product, RankedProduct, Recommendation
from .reasons import Reason
from .recall import answer_phrase, fill_answers
from .structure import schema
from .validate import validate_definition

__all__ = [
    "AnswerError",
    "AnswerRequired",
    "Assessment",
    "Band",
    "Choice",
    "Contribution",
    "DefinitionInvalid",
    "HiddenField",
    "Insight",
    "NotANumber",
    "NotAWholeNumber",
    "NotAnswerable",
    "OutOfRange",
    "Outcome",
    "Problem",
    "Product",
    "Progress",
    "Question",
    "RankedProduct",
    "Reason",
    "Recommendation",
    "Result",
    "ScoringRule",
    "Section",
    "Step",
    "TooFewPicks",
    "TooLong",
    "TooManyPicks",
    "Trait",
    "TraitScore",
    "UnknownChoice",
    "UnknownQuestion",
    "Walk",
    "answer_phrase",
    "compile_cached",
    "compile_definition",
    "fill_answers",
    "schema",
    "validate_definition",
]
