"""A response's counts: branch-aware steps, drop-off, answers, purchases and check-ins."""

from __future__ import annotations

from assessments.followups.purchases import purchase_refund
from assessments.followups.services import CheckInAnswers, checkin_record, engagement_record
from assessments.insights.facts import facts_for
from assessments.insights.figures import Filters
from assessments.insights.selectors import insights_for
from assessments.models import Engagement, FollowUp, Response
from assessments.privacy.services import responses_anonymise
from assessments.taking.services import response_start
from tests.factories import definition
from tests.followups.conftest import buy
from tests.insights.conftest import counts_of, taken
from tests.taking.conftest import RUNNER, WALKER, back_url, start


def _metric(counts, metric: str) -> dict:
    return {(k, v): n for (m, k, v), n in counts.items() if m == metric}


def test_a_step_off_the_customers_path_is_never_reached(client, published):
    walker = counts_of(taken(client, published, WALKER))
    assert _metric(walker, "reached") == {("use", ""): 1, ("knees", ""): 1}
    assert ("seen", "km", "") not in walker
    assert walker["completed", "", ""] == 1 and not _metric(walker, "dropped")


def test_a_branch_step_counts_only_customers_whose_path_includes_it(client, published):
    walker = counts_of(taken(client, published, WALKER))
    assert _metric(walker, "on_path") == {("use", ""): 1, ("knees", ""): 1}
    # A runner who stopped on the first page already has the running step on their path.
    runner = counts_of(taken(client, published, RUNNER[:1]))
    assert _metric(runner, "on_path") == {("use", ""): 1, ("distance", ""): 1, ("knees", ""): 1}
    assert _metric(runner, "reached") == {("use", ""): 1, ("distance", ""): 1}


def test_changing_an_answer_to_another_branch_leaves_the_old_steps_unreached(client, published):
    response = taken(client, published, RUNNER)
    client.post(back_url(response), {"to_step": "use"})
    taken_again = [("use", {"use": "walk"}), ("knees", {"knees": "no"})]
    for step_key, data in taken_again:
        client.post(f"/r/{response.token}/s/{step_key}/", {"submission_id": step_key, **data})
    counts = counts_of(response)
    assert ("reached", "distance", "") not in counts
    assert ("answer", "km", "30") not in counts  # the stored km answer is off the path


def test_a_customer_who_stops_is_dropped_at_the_last_step_they_reached(client, published):
    counts = counts_of(taken(client, published, RUNNER[:2]))
    assert _metric(counts, "reached") == {("use", ""): 1, ("distance", ""): 1, ("knees", ""): 1}
    assert _metric(counts, "dropped") == {("knees", ""): 1}
    assert ("completed", "", "") not in counts
    # They saw the knees question on the page but never answered it.
    assert counts["seen", "knees", ""] == 1 and ("answered", "knees", "") not in counts


def test_a_customer_who_never_answered_is_dropped_at_the_first_step(client, published):
    counts = counts_of(start(client, published))
    assert _metric(counts, "dropped") == {("use", ""): 1}
    assert counts["started", "", ""] == 1


def test_numbers_count_in_bins_from_the_questions_own_bounds(client, published):
    counts = counts_of(taken(client, published, RUNNER))  # 40 km of 0-300: the 30-60 bin
    assert _metric(counts, "answer")[("km", "30")] == 1
    insights = insights_for(published, Filters(), min_n=1)
    km = next(q for q in insights.questions if q.key == "km")
    assert [bar.label for bar in km.bars][:2] == ["0\u201330", "30\u201360"]
    assert [bar.count for bar in km.bars][:2] == [0, 1]


def test_outcome_bands_and_products_shown_come_from_the_frozen_result(client, published):
    counts = counts_of(taken(client, published, RUNNER))
    assert counts["outcome", "supported", ""] == 1
    assert counts["band", "support", "high"] == 1
    assert counts["shown", "steady", ""] == 1 and counts["shown", "trail", ""] == 1
    assert ("shown", "breeze", "") not in counts  # a light shoe suits nothing a runner said


def test_previews_are_never_counted(client, published):
    response_start(
        preview_definition=definition(), brand=published.brand, language="en"
    )  # a staff preview
    taken(client, published, RUNNER)
    assert Response.objects.count() == 2
    assert len(list(facts_for(Response.objects.all()))) == 1


def test_anonymised_responses_still_count(client, published):
    response = taken(client, published, RUNNER)
    responses_anonymise(response_ids=[response.pk])
    response.refresh_from_db()
    assert response.anonymised_at is not None
    counts = counts_of(response)
    assert counts["completed", "", ""] == 1 and counts["answer", "use", "run"] == 1


def test_purchases_count_when_attributed_and_not_refunded(client, published, plan):
    kept = taken(client, published, RUNNER)
    refunded = taken(client, published, RUNNER)
    buy(kept, order_id="K-1")
    buy(refunded, order_id="R-1")
    purchase_refund(brand=published.brand, order_id="R-1")
    kept_counts, refunded_counts = counts_of(kept), counts_of(refunded)
    assert kept_counts["purchased", "", ""] == 1
    assert kept_counts["product_purchased", "steady", ""] == 1
    assert kept_counts["rank_bought", "steady", "1"] == 1  # bought the top recommendation
    assert ("purchased", "", "") not in refunded_counts
    assert not _metric(refunded_counts, "rank_bought")


def test_purchase_by_learned_gives_the_brands_own_lift(client, published, plan):
    learned = [taken(client, published, RUNNER) for _ in range(3)]
    not_learned = [taken(client, published, RUNNER) for _ in range(2)]
    for response in learned:
        client.post(f"/r/{response.token}/learned/", {"learned": "yes"})
    for response in not_learned:
        client.post(f"/r/{response.token}/learned/", {"learned": "no"})
    buy(learned[0], order_id="L-1")
    buy(learned[1], order_id="L-2")
    buy(not_learned[0], order_id="N-1")
    experience = insights_for(published, Filters(), min_n=1).experience
    assert experience.learned.hits == 3 and experience.learned.n == 5
    assert (experience.purchase_if_learned.hits, experience.purchase_if_learned.n) == (2, 3)
    assert (experience.purchase_if_not.hits, experience.purchase_if_not.n) == (1, 2)
    assert experience.learned_lift.value == (2 / 3) / (1 / 2)


def _checkin(response, order_id: str, **answers) -> None:
    purchase, _created = buy(response, order_id=order_id)
    followup = FollowUp.objects.get(purchase=purchase, step__kind="checkin")
    checkin_record(followup=followup, answers=CheckInAnswers(**answers))


def test_check_ins_give_csat_ces_nps_and_the_promise_gap(client, published, plan):
    responses = [taken(client, published, RUNNER) for _ in range(4)]
    _checkin(responses[0], "C-0", csat=5, ces=2, nps=10, delivered="yes")
    _checkin(responses[1], "C-1", csat=4, ces=3, nps=9, delivered="partly")
    _checkin(responses[2], "C-2", csat=2, ces=6, nps=3, delivered="no")
    buy(responses[3], order_id="C-3")  # bought, never answered a check-in
    insights = insights_for(published, Filters(), min_n=1)
    experience = insights.experience
    assert (experience.csat.hits, experience.csat.n) == (2, 3)
    assert experience.ces.value == (2 + 3 + 6) / 3
    # NPS is over those who answered: the customer who skipped the check-in is not in it.
    assert experience.nps.n == 3 and experience.nps.value == 100 * (2 / 3 - 1 / 3)
    assert (experience.promise_gap.hits, experience.promise_gap.n) == (2, 3)
    assert experience.gap_by_outcome["supported"].hits == 2
    steady = next(p for p in insights.products if p.sku == "steady")
    assert steady.promise_gap is not None and steady.promise_gap.n == 3
    engaged = next(s for s in insights.funnel if s.key == "engaged")
    purchased = next(s for s in insights.funnel if s.key == "purchased")
    assert (engaged.count, purchased.count) == (3, 4)


def test_opening_a_tip_engages_but_unsubscribing_does_not(client, published, plan):
    opened = taken(client, published, RUNNER)
    purchase, _created = buy(opened, order_id="T-1")
    tip = FollowUp.objects.get(purchase=purchase, step__kind="tip")
    engagement_record(followup=tip, kind=Engagement.Kind.TIP_OPENED)
    left = taken(client, published, RUNNER)
    purchase, _created = buy(left, order_id="T-2")
    tip = FollowUp.objects.get(purchase=purchase, step__kind="tip")
    engagement_record(followup=tip, kind=Engagement.Kind.UNSUBSCRIBED)
    assert counts_of(opened)["engaged", "", ""] == 1
    assert ("engaged", "", "") not in counts_of(left)
