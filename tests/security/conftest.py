"""The small published test assessment, as the taking tests use it."""

from tests.taking.conftest import brand, published  # noqa: F401  (fixtures)
