"""Results are frozen at completion; the customer keeps, shares, edits and rates them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from assessments.followups.selectors import attribution_lookup
from assessments.models import Consent, Product, ProductReference, Response
from assessments.taking.results import RESULT_FORMAT, FrozenOutcome, FrozenResult
from assessments.taking.selectors import abandoned_responses
from assessments.taking.services import EMAILS_PER_RESPONSE, RESULTS_EMAIL_CONSENT_VERSION
from tests.taking.conftest import (
    RUNNER,
    WALKER,
    back_url,
    landing_url,
    results_url,
    start,
    submit,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(client, published) -> Response:
    response = start(client, published)
    walk(client, response, RUNNER)
    return response


def test_finishing_freezes_the_profile_outcome_and_ranked_products(finished):
    result = finished.result
    assert result["outcome"]["key"] == "supported"
    assert [t["band"] for t in result["traits"]] == ["high"]
    assert [p["sku"] for p in result["recommended"]] == ["steady"]
    # The other support shoe is the alternative; the light one suits nothing a runner said.
    assert [p["sku"] for p in result["alternatives"]] == ["trail"]
    assert result["recommended"][0]["reasons"][0].startswith("Your support need is High")


def test_the_results_page_shows_the_frozen_copy_even_after_the_catalogue_changes(client, finished):
    Product.objects.filter(sku="steady").update(attributes={"support": ["low"]})
    Product.objects.filter(sku="breeze").update(attributes={"support": ["high"]})
    html = client.get(results_url(finished)).content.decode()
    assert html.index("Steady") < html.index("Trail")
    assert "Breeze" not in html


def test_editing_answers_and_finishing_again_recomputes_the_result(client, finished):
    client.post(back_url(finished), {"to_step": "use"})
    walk(client, finished, WALKER)
    assert finished.result["outcome"]["key"] == "neutral"
    assert [p["sku"] for p in finished.result["recommended"]] == ["breeze"]
    html = client.get(results_url(finished)).content.decode()
    assert "Go neutral." in html and "Go for support." not in html


def test_product_links_carry_a_reference_the_store_can_send_back(client, finished):
    html = client.get(results_url(finished)).content.decode()
    reference = ProductReference.objects.get(response=finished, sku="steady")
    # The link goes through /go/<ref>/, which counts the click and sends the customer on.
    assert f'href="/go/{reference.ref}/"' in html
    followed = client.get(f"/go/{reference.ref}/")
    assert followed.status_code == 302
    assert followed["Location"] == f"https://acme.example/steady?ref={reference.ref}"
    found = attribution_lookup(reference.ref)
    assert found is not None and found[0].pk == finished.pk and found[1] == "steady"
    assert attribution_lookup("not-a-reference") is None
    assert attribution_lookup("x" * 500) is None


def test_a_reference_already_given_out_survives_a_recomputed_result(client, finished):
    before = ProductReference.objects.get(response=finished, sku="steady").ref
    client.post(back_url(finished), {"to_step": "knees"})
    walk(client, finished, [("knees", {"knees": "yes"})])
    assert ProductReference.objects.get(response=finished, sku="steady").ref == before
    assert ProductReference.objects.filter(response=finished).count() == 2


def test_a_product_url_with_its_own_query_keeps_it_and_gains_the_reference(client, finished):
    Product.objects.filter(sku="steady").update(url="https://acme.example/p?id=7&ref=old")
    reference = ProductReference.objects.get(response=finished, sku="steady").ref
    location = client.get(f"/go/{reference}/")["Location"]
    assert location.startswith("https://acme.example/p?")
    params = parse_qs(location.split("?", 1)[1])
    assert params == {"id": ["7"], "ref": [reference]}


def test_the_share_link_shows_profile_and_products_but_nothing_personal(client, finished):
    finished.refresh_from_db()
    page = client.get(f"/s/{finished.share_token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Supported" in html and "Steady" in html
    assert finished.token not in html
    assert "?ref=" not in html  # a friend's purchase is not this customer's
    assert "you run" not in html and "Your support need" not in html  # no quoted answers
    assert finished.share_token != finished.token


def test_an_unknown_share_token_is_a_404(client, finished):
    assert client.get(f"/s/{'x' * 43}/").status_code == 404
    assert client.get(f"/s/{finished.token}/").status_code == 404


def test_the_north_star_answer_is_stored_with_the_response(client, finished):
    page = client.post(f"/r/{finished.token}/learned/", {"learned": "a_little"})
    assert page.status_code == 303
    finished.refresh_from_db()
    assert finished.learned == "a_little" and finished.learned_at is not None
    assert "Thank you" in client.get(results_url(finished)).content.decode()


def test_a_made_up_north_star_answer_is_ignored(client, finished):
    assert client.post(f"/r/{finished.token}/learned/", {"learned": "maybe"}).status_code == 303
    finished.refresh_from_db()
    assert finished.learned == ""


def test_e_mailing_the_results_needs_consent_and_stores_its_wording_version(
    client, finished, mailoutbox
):
    url = f"/r/{finished.token}/email/"
    refused = client.post(url, {"email": "ana@example.com"})
    assert refused.status_code == 200
    assert "tick the box" in refused.content.decode()
    assert not mailoutbox

    sent = client.post(url, {"email": "ana@example.com", "consent": "yes"})
    assert sent.status_code == 303
    finished.refresh_from_db()
    assert finished.email_consent_version == RESULTS_EMAIL_CONSENT_VERSION
    assert finished.email_consent_at is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ana@example.com"]
    assert results_url(finished) in mailoutbox[0].body
    assert "We sent your results" in client.get(sent["Location"]).content.decode()


def test_asking_for_ones_results_is_not_consent_to_follow_ups(client, finished, mailoutbox):
    client.post(f"/r/{finished.token}/email/", {"email": "ana@example.com", "consent": "yes"})
    assert not Consent.objects.exists()
    assert "ana@example.com" not in str(Response.objects.filter(pk=finished.pk).values().get())


def test_a_bad_address_is_explained_next_to_the_field(client, finished, mailoutbox):
    page = client.post(f"/r/{finished.token}/email/", {"email": "nope", "consent": "yes"})
    assert 'aria-invalid="true"' in page.content.decode()
    assert not mailoutbox


def test_a_response_link_cannot_be_used_to_send_mail_in_bulk(client, finished, mailoutbox):
    for n in range(EMAILS_PER_RESPONSE + 3):
        client.post(f"/r/{finished.token}/email/", {"email": f"a{n}@example.com", "consent": "yes"})
    assert len(mailoutbox) == EMAILS_PER_RESPONSE


def test_a_link_to_continue_is_e_mailed_and_the_address_not_kept(client, published, mailoutbox):
    response = start(client, published)
    submit(client, response, "use", {"use": "run"})
    page = client.post(
        f"/r/{response.token}/email-link/", {"email": "ana@example.com", "consent": "yes"}
    )
    assert page.status_code == 303 and "sent=1" in page["Location"]
    assert f"/r/{response.token}/" in mailoutbox[0].body
    assert "ana@example.com" not in str(Response.objects.filter(pk=response.pk).values().get())
    assert "We sent you the link" in client.get(page["Location"]).content.decode()
    # The link resumes where the customer left off.
    assert client.get(f"/r/{response.token}/")["Location"].endswith("/s/distance/")


def test_a_bad_address_for_the_link_says_so(client, published, mailoutbox):
    response = start(client, published)
    page = client.post(f"/r/{response.token}/email-link/", {"email": "@@", "consent": "yes"})
    assert page.status_code == 200 and "e-mail address" in page.content.decode()
    assert not mailoutbox


def test_an_abandoned_response_keeps_its_answers_and_last_step(client, published):
    response = start(client, published)
    submit(client, response, "use", {"use": "run"})
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now() - timedelta(days=2))
    idle = abandoned_responses(idle_for=timedelta(days=1)).get()
    assert (idle.current_step, idle.answers) == ("distance", {"use": "run"})


def test_attribution_and_channel_come_from_the_start_link(client, published):
    query = "utm_source=news&utm_campaign=spring&partner=shop1&ref=abc&channel=kiosk&x=1"
    response = start_with_query(client, published, query)
    assert response.attribution == {
        "utm_source": "news",
        "utm_campaign": "spring",
        "partner": "shop1",
        "ref": "abc",
    }
    assert response.channel == Response.Channel.KIOSK


def test_a_start_inside_a_frame_is_counted_as_embedded(client, published):
    page = client.post(landing_url(published), HTTP_SEC_FETCH_DEST="iframe")
    token = page["Location"].split("/r/")[1].split("/")[0]
    assert Response.objects.get(token=token).channel == Response.Channel.EMBEDDED


def test_a_start_without_any_of_it_is_direct(client, published):
    response = start(client, published)
    assert (response.channel, response.attribution) == (Response.Channel.DIRECT, {})


def start_with_query(client, published, query: str) -> Response:
    page = client.post(landing_url(published, query))
    token = page["Location"].split("/r/")[1].split("/")[0]
    return Response.objects.get(token=token)


def test_the_frozen_result_reads_back_as_the_typed_result_it_was_written_from(finished):
    result = FrozenResult.from_json(finished.result)
    assert result is not None and result.format == RESULT_FORMAT
    assert result.outcome is not None and result.outcome.key == "supported"
    assert [(t.key, t.band, t.band_label) for t in result.traits] == [("support", "high", "High")]
    assert result.skus == ["steady", "trail"] and result.ranks == {"steady": 1}
    assert result.recommended[0].ref == result.refs["steady"] != ""
    assert result.as_json() == finished.result
    assert FrozenResult.from_json(result.as_json()) == result


def test_a_result_an_older_row_stored_is_read_with_what_it_has():
    old = {
        "language": "es",
        "outcome": {"key": "supported", "title": "Con apoyo"},
        "traits": [{"key": "support", "label": "Apoyo", "score": "2"}, "junk"],
        "recommended": [{"sku": "steady", "rank": 1}, {"sku": "old", "rank": "2"}],
    }
    result = FrozenResult.from_json(old)
    assert result is not None
    assert result.language == "es" and result.outcome == FrozenOutcome("supported", "Con apoyo", "")
    assert [(t.key, t.score, t.band_label) for t in result.traits] == [("support", 0.0, "")]
    assert result.ranks == {"steady": 1} and result.skus == ["steady", "old"]
    assert (result.alternatives, result.insights, dict(result.refs)) == ((), (), {})
    assert FrozenResult.from_json(None) is None and FrozenResult.from_json([1]) is None


def test_a_response_finished_before_results_were_frozen_is_shown_one_without_writing(
    client, finished
):
    Response.objects.filter(pk=finished.pk).update(result=None, share_token=None)
    ProductReference.objects.all().delete()
    before = Response.objects.values().get(pk=finished.pk)
    page = client.get(results_url(finished))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Supported" in html and "Steady" in html and "Your support need is High" in html
    assert "?ref=" not in html and "Share link" not in html
    assert Response.objects.values().get(pk=finished.pk) == before
    assert not ProductReference.objects.exists()


def test_the_purchase_ranks_are_the_frozen_ones_not_todays(finished):
    from assessments.followups.purchases import response_facts

    finished.refresh_from_db()
    Product.objects.filter(sku="steady").update(attributes={"support": ["low"]})
    Product.objects.filter(sku="breeze").update(attributes={"support": ["high"]})
    assert response_facts(finished).ranks == {"steady": 1}
