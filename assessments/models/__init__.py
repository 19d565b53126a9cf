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
from .catalogue import Product, ProductVariant
from .followups import (
    BrandFollowUpSettings,
    CheckIn,
    Consent,
    ContactPreference,
    Engagement,
    FollowUp,
    FollowUpPlan,
    FollowUpPlanStep,
    Purchase,
    PurchaseItem,
    StoreDelivery,
)
from .insights import InsightsBucket, InsightsCount, InsightsCoverage
from .integrations import ApiKey, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .privacy import AuditEntry, AuditEntryImmutable
from .scenarios import Scenario
from .store import HandoffClaim, Kiosk, KioskVisit, StoreCode
from .taking import KeptPhoto, ProductReference, Response
from .versions import AssessmentVersion, ImmutableVersionError

__all__ = [
    "ApiKey",
    "Assessment",
    "AssessmentVersion",
    "AuditEntry",
    "AuditEntryImmutable",
    "Brand",
    "BrandFollowUpSettings",
    "BrandMembership",
    "CheckIn",
    "Choice",
    "Consent",
    "ContactPreference",
    "Engagement",
    "FollowUp",
    "FollowUpPlan",
    "FollowUpPlanStep",
    "HandoffClaim",
    "ImmutableVersionError",
    "InsightsBucket",
    "InsightsCount",
    "InsightsCoverage",
    "KeptPhoto",
    "Kiosk",
    "KioskVisit",
    "Outcome",
    "Product",
    "ProductReference",
    "ProductVariant",
    "Purchase",
    "PurchaseItem",
    "Question",
    "RecommendationSettings",
    "Response",
    "Scenario",
    "Step",
    "StoreCode",
    "StoreDelivery",
    "Trait",
    "TraitBand",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
