"""The assessment engine: pure Python, no Django, deterministic.

It validates and compiles a definition (FORMAT.md), walks the flow, cleans answers, scores
traits, picks the outcome, and ranks products with reasons. Each question kind is one class in
one registry (`kinds`): `register` adds a kind.
"""

from __future__ import annotations

from .answers import (
    AnswerError,
    AnswerRequired,
    ExclusiveCombined,
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
from .kinds import KINDS, QuestionKind, register, unregister
from .model import (
    Band,
    Choice,
    Contribution,
    HiddenField,
    Option,
    Outcome,
    Phrase,
    Progress,
    Question,
    ScoringRule,
    Section,
    Step,
    Trait,
    TraitScore,
    Widget,
)
from .problems import DefinitionInvalid, Problem
from .ranking import Product, RankedProduct, Recommendation, Variant
from .reasons import Edge, Reason
from .recall import answer_phrase, answer_phrases, fill_answers
from .structure import schema
from .validate import definition_warnings, in_catalogue, validate_definition

__all__ = [
    "KINDS",
    "AnswerError",
    "AnswerRequired",
    "Assessment",
    "Band",
    "Choice",
    "Contribution",
    "DefinitionInvalid",
    "Edge",
    "ExclusiveCombined",
    "HiddenField",
    "Insight",
    "NotANumber",
    "NotAWholeNumber",
    "NotAnswerable",
    "Option",
    "OutOfRange",
    "Outcome",
    "Phrase",
    "Problem",
    "Product",
    "Progress",
    "Question",
    "QuestionKind",
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
    "Variant",
    "Walk",
    "Widget",
    "answer_phrase",
    "answer_phrases",
    "compile_cached",
    "compile_definition",
    "definition_warnings",
    "fill_answers",
    "in_catalogue",
    "register",
    "schema",
    "unregister",
    "validate_definition",
]
