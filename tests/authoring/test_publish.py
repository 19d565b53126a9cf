"""Publishing freezes an immutable version; editing the draft never changes it."""

from __future__ import annotations

import pytest

from assessments.authoring.definitions import canonical_json, content_hash
from assessments.authoring.services import (
    DefinitionRejected,
    assessment_import,
    assessment_publish,
    version_make_live,
)
from assessments.models import AssessmentVersion, ImmutableVersionError, Step
from tests.factories import BrandFactory, UserFactory, definition, products

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    brand = BrandFactory(slug="acme")
    return assessment_import(brand=brand, source=definition(products=products("acme")))


def test_publish_freezes_the_draft_as_version_one_and_makes_it_live(draft):
    author = UserFactory()
    result = assessment_publish(assessment=draft, user=author)
    draft.refresh_from_db()
    assert result.created
    assert result.version.number == 1
    assert result.version.published_by == author
    assert draft.live_version == result.version
    assert result.version.content_hash == content_hash(result.version.definition)
    assert [s["key"] for s in result.version.definition["steps"]] == ["use", "distance", "knees"]


def test_editing_the_draft_leaves_the_published_version_untouched(draft):
    version = assessment_publish(assessment=draft, user=None).version
    before = canonical_json(version.definition)
    step = draft.steps.get(key="distance")
    step.title = {"en": "Weekly distance", "es": "Distancia semanal"}
    step.save()
    draft.steps.get(key="knees").delete()

    version.refresh_from_db()
    assert canonical_json(version.definition) == before
    assert "Weekly distance" not in before


def test_publishing_again_after_a_change_makes_version_two_live(draft):
    first = assessment_publish(assessment=draft, user=None).version
    Step.objects.filter(assessment=draft, key="distance").update(
        title={"en": "Mileage", "es": "Kilometraje"}
    )
    second = assessment_publish(assessment=draft, user=None).version
    draft.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert draft.live_version == second
    assert second.definition["steps"][1]["title"]["en"] == "Mileage"
    assert first.definition["steps"][1]["title"]["en"] == "Distance"


def test_publishing_an_unchanged_draft_does_not_create_a_copy(draft):
    first = assessment_publish(assessment=draft, user=None)
    again = assessment_publish(assessment=draft, user=None)
    assert not again.created
    assert again.version == first.version
    assert draft.versions.count() == 1


def test_making_an_older_version_live_is_the_rollback(draft):
    first = assessment_publish(assessment=draft, user=None).version
    Step.objects.filter(assessment=draft, key="use").update(title={"en": "Purpose", "es": "Uso"})
    assessment_publish(assessment=draft, user=None)
    version_make_live(version=first)
    draft.refresh_from_db()
    assert draft.live_version == first
    assert draft.versions.count() == 2


def test_a_published_version_refuses_to_be_changed_or_deleted(draft):
    version = assessment_publish(assessment=draft, user=None).version
    version.definition = {"tampered": True}
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    assert AssessmentVersion.objects.get(pk=version.pk).definition["key"] == "fit-check"


def test_a_broken_draft_is_not_published_and_every_problem_is_listed(draft):
    knees = draft.steps.get(key="knees")
    knees.condition = {"answer": "nowhere", "equals": "x"}
    knees.save()
    question = knees.questions.get()
    question.prompt = {"en": "Do your knees drift in?"}  # the Spanish text is missing
    question.save()

    with pytest.raises(DefinitionRejected) as rejected:
        assessment_publish(assessment=draft, user=None)

    messages = " ".join(p.message for p in rejected.value.problems)
    paths = [p.path for p in rejected.value.problems]
    assert "nowhere" in messages
    assert any(path.startswith("$.steps[2].questions[0].prompt") for path in paths)
    assert draft.versions.count() == 0
    draft.refresh_from_db()
    assert draft.live_version is None
