"""Admin for brand staff: authoring, catalogue and brands, all scoped to the user's brands."""

from . import site  # noqa: F401, I001  (first: titles the admin for the product)
from . import api, authoring, brands, followups, privacy, scenarios, store  # noqa: F401  (registers the admin classes)
