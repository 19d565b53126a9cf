from .authoring import (
    Assessment,
    Choice,
    Outcome,
    Question,
    RecommendationSettings,
    Step,
    Trait,
    TraitBand,
)
from .brands import Brand, BrandMembership
from .catalogue import Product
from .taking import Response
from .versions import AssessmentVersion, ImmutableVersionError

__all__ = [
    "Assessment",
    "AssessmentVersion",
    "Brand",
    "BrandMembership",
    "Choice",
    "ImmutableVersionError",
    "Outcome",
    "Product",
    "Question",
    "RecommendationSettings",
    "Response",
    "Step",
    "Trait",
    "TraitBand",
]
