"""The taking services: start, submit and go back, straight from Python."""

from __future__ import annotations

import pytest

from assessments.authoring.definitions import definition_from_draft
from assessments.models import Response
from assessments.taking.services import (
    SUBMISSIONS_KEPT,
    StepCleaned,
    answer_submit,
    response_definition,
    response_go_back,
    response_start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(published) -> Response:
    return response_start(version=published.live_version, brand=published.brand, language="en")


def test_start_gives_an_unguessable_token_and_the_first_step(response):
    other = response_start(version=response.version, brand=response.brand, language="en")
    assert len(response.token) == 43 and response.token != other.token
    assert response.current_step == "use"
    assert response.status == Response.Status.IN_PROGRESS


def test_start_falls_back_to_the_default_language_for_one_not_offered(published):
    started = response_start(version=published.live_version, brand=published.brand, language="fr")
    assert started.language == "en"


def test_start_needs_exactly_one_of_a_version_or_a_preview(published):
    with pytest.raises(ValueError):
        response_start(brand=published.brand, language="en")
    with pytest.raises(ValueError):
        response_start(
            version=published.live_version,
            preview_definition=definition_from_draft(published),
            brand=published.brand,
            language="en",
        )


def test_responses_on_one_version_share_one_compiled_assessment(response, published):
    again = Response.objects.get(pk=response.pk)
    preview = response_start(
        preview_definition=definition_from_draft(published), brand=published.brand, language="en"
    )
    assert response_definition(again) is response_definition(response)
    # The draft is unchanged since publishing, so the preview's content is the version's.
    assert response_definition(preview) is response_definition(response)


def test_an_invalid_submission_stores_nothing_and_says_why(response):
    submitted = answer_submit(
        response=response, step_key="use", raw={"use": "sprint"}, submission_id="a"
    )
    response.refresh_from_db()
    assert submitted.status == "invalid"
    assert submitted.errors["use"].code == "unknown_choice"
    assert response.answers == {} and response.submissions == []


def test_a_valid_submission_moves_on_and_the_last_one_completes(response):
    first = answer_submit(response=response, step_key="use", raw={"use": "walk"}, submission_id="a")
    assert (first.status, first.next_step, first.completed) == ("accepted", "knees", False)
    last = answer_submit(
        response=response, step_key="knees", raw={"knees": "yes"}, submission_id="b"
    )
    response.refresh_from_db()
    assert last.completed
    assert response.status == Response.Status.COMPLETED and response.current_step == ""


def test_a_duplicate_returns_the_stored_outcome(response):
    answer_submit(response=response, step_key="use", raw={"use": "run"}, submission_id="same")
    again = answer_submit(
        response=response, step_key="use", raw={"use": "walk"}, submission_id="same"
    )
    assert (again.status, again.next_step, again.duplicate) == ("accepted", "distance", True)
    assert Response.objects.get(pk=response.pk).answers == {"use": "run"}


def test_only_the_last_few_submission_ids_are_kept(response):
    for n in range(SUBMISSIONS_KEPT + 3):
        response_go_back(response=response, to_step="use")
        answer_submit(response=response, step_key="use", raw={"use": "run"}, submission_id=f"s{n}")
    response.refresh_from_db()
    assert len(response.submissions) == SUBMISSIONS_KEPT
    assert response.submissions[-1]["id"] == f"s{SUBMISSIONS_KEPT + 2}"


def test_clearing_an_optional_answer_removes_it(brand):
    from assessments.authoring.services import assessment_import
    from tests.factories import definition, products

    data = definition(products=products("acme"))
    data["steps"][1]["questions"][0]["required"] = False
    assessment = assessment_import(brand=brand, source=data, publish=True)
    started = response_start(version=assessment.live_version, brand=brand, language="en")
    answer_submit(response=started, step_key="use", raw={"use": "run"}, submission_id="1")
    answer_submit(response=started, step_key="distance", raw={"km": "12"}, submission_id="2")
    response_go_back(response=started, to_step="distance")
    answer_submit(response=started, step_key="distance", raw={"km": ""}, submission_id="3")
    assert Response.objects.get(pk=started.pk).answers == {"use": "run"}


def test_go_back_only_moves_to_an_earlier_step_on_the_path(response):
    answer_submit(response=response, step_key="use", raw={"use": "walk"}, submission_id="a")
    assert not response_go_back(response=response, to_step="distance").moved  # skipped
    assert not response_go_back(response=response, to_step="knees").moved  # where we are
    assert response_go_back(response=response, to_step="use").moved
    assert Response.objects.get(pk=response.pk).current_step == "use"


def test_going_back_from_the_results_reopens_the_response(response):
    for step_key, raw in (("use", {"use": "walk"}), ("knees", {"knees": "no"})):
        answer_submit(response=response, step_key=step_key, raw=raw, submission_id=step_key)
    assert response_go_back(response=response, to_step="knees").moved
    response.refresh_from_db()
    assert response.status == Response.Status.IN_PROGRESS
    assert response.completed_at is None
    assert response.answers == {"use": "walk", "knees": "no"}


def test_a_submission_read_before_another_tab_moved_on_does_not_overwrite_it(response):
    # Two tabs read the response on the first step; the first submits and moves on.
    other_tab = Response.objects.get(pk=response.pk)
    answer_submit(response=response, step_key="use", raw={"use": "run"}, submission_id="tab-1")
    late = answer_submit(
        response=other_tab, step_key="use", raw={"use": "walk"}, submission_id="tab-2"
    )
    stored = Response.objects.get(pk=response.pk)
    assert late.status == "stale"
    assert stored.answers == {"use": "run"} and stored.current_step == "distance"
    # The late tab now knows where the customer is, without reloading.
    assert late.place.step == "distance"


def test_a_submission_read_before_going_back_is_decided_on_the_step_gone_back_to(response):
    answer_submit(response=response, step_key="use", raw={"use": "run"}, submission_id="1")
    answer_submit(response=response, step_key="distance", raw={"km": "30"}, submission_id="2")
    read_earlier = Response.objects.get(pk=response.pk)
    # In another tab the customer goes back to the first step and changes it to walking.
    assert response_go_back(response=response, to_step="use").moved
    answer_submit(response=response, step_key="use", raw={"use": "walk"}, submission_id="3")
    # The page read earlier still shows the step running led to; walking skips it.
    late = answer_submit(
        response=read_earlier, step_key="knees", raw={"knees": "yes"}, submission_id="4"
    )
    stored = Response.objects.get(pk=response.pk)
    assert late.status == "accepted"
    assert stored.answers == {"use": "walk", "km": 30, "knees": "yes"}
    assert stored.status == Response.Status.COMPLETED


def test_a_step_submitted_from_a_page_read_before_going_back_is_not_stored(response):
    answer_submit(response=response, step_key="use", raw={"use": "run"}, submission_id="1")
    read_earlier = Response.objects.get(pk=response.pk)
    assert response_go_back(response=response, to_step="use").moved
    late = answer_submit(
        response=read_earlier, step_key="distance", raw={"km": "30"}, submission_id="2"
    )
    stored = Response.objects.get(pk=response.pk)
    assert late.status == "stale"
    assert stored.current_step == "use" and stored.answers == {"use": "run"}


def test_a_submission_says_where_the_customer_now_is_and_leaves_the_callers_row_alone(response):
    submitted = answer_submit(
        response=response, step_key="use", raw={"use": "run"}, submission_id="a"
    )
    assert (submitted.place.step, submitted.place.revision) == ("distance", 1)
    assert submitted.place.walk.path == ("use", "distance", "knees")
    assert dict(submitted.place.answers) == {"use": "run"}
    # The row as the caller read it is what it was; the database has moved on.
    assert (response.current_step, response.revision, response.answers) == ("use", 0, {})
    assert Response.objects.get(pk=response.pk).current_step == "distance"


def test_the_last_submission_places_the_customer_at_their_results(response):
    answer_submit(response=response, step_key="use", raw={"use": "walk"}, submission_id="a")
    last = answer_submit(
        response=response, step_key="knees", raw={"knees": "no"}, submission_id="b"
    )
    assert last.completed and last.place.finished and last.place.step is None


def test_an_invalid_submission_shows_the_step_again_counting_what_was_just_sent(brand):
    from assessments.authoring.services import assessment_import
    from tests.factories import definition, products

    data = definition(products=products("acme"))
    # A second question on the first step, that only runners are asked, left unanswered.
    data["steps"][0]["questions"].append(
        {
            "key": "surface",
            "kind": "single",
            "prompt": {"en": "Where?", "es": "¿Dónde?"},
            "condition": {"answer": "use", "equals": "run"},
            "choices": [{"key": "road", "label": {"en": "Road", "es": "Asfalto"}}],
        }
    )
    assessment = assessment_import(brand=brand, source=data, publish=True)
    started = response_start(version=assessment.live_version, brand=brand, language="en")
    submitted = answer_submit(
        response=started, step_key="use", raw={"use": ["run"]}, submission_id="a"
    )
    assert submitted.status == "invalid" and set(submitted.errors) == {"surface"}
    assert submitted.place.step == "use" and submitted.place.revision == 0
    assert [q.key for q in submitted.place.walk.questions("use")] == ["use", "surface"]
    assert Response.objects.get(pk=started.pk).answers == {}


def test_going_back_says_where_the_customer_now_is(response):
    answer_submit(response=response, step_key="use", raw={"use": "walk"}, submission_id="a")
    went = response_go_back(response=response, to_step="use")
    assert (went.moved, went.place.step, went.place.revision) == (True, "use", 2)
    stayed = response_go_back(response=response, to_step="knees")
    assert (stayed.moved, stayed.place.step) == (False, "use")


def test_a_step_cleaned_against_the_same_revision_is_not_cleaned_again(response):
    assessment = response_definition(response)
    # What the step's form cleaned (here: walking) is stored as it is, raw is not re-read.
    cleaned = StepCleaned(response.revision, {"use": "walk"}, {})
    submitted = answer_submit(
        response=response,
        assessment=assessment,
        step_key="use",
        raw={"use": "run"},
        submission_id="a",
        cleaned=cleaned,
    )
    assert submitted.next_step == "knees"
    assert Response.objects.get(pk=response.pk).answers == {"use": "walk"}


def test_a_step_cleaned_against_an_older_revision_is_cleaned_again(response):
    read_earlier = Response.objects.get(pk=response.pk)
    answer_submit(response=response, step_key="use", raw={"use": "walk"}, submission_id="a")
    assert response_go_back(response=response, to_step="use").moved
    stale_cleaning = StepCleaned(read_earlier.revision, {"use": "run"}, {})
    submitted = answer_submit(
        response=read_earlier,
        step_key="use",
        raw={"use": "walk"},
        submission_id="b",
        cleaned=stale_cleaning,
    )
    assert submitted.status == "accepted" and submitted.next_step == "knees"
    assert Response.objects.get(pk=response.pk).answers == {"use": "walk"}
