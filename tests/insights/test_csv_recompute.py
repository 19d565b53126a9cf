"""The issue's test: the page's figures, recomputed from the CSV export alone, are the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.followups.purchases import purchase_refund
from assessments.followups.services import CheckInAnswers, checkin_record
from assessments.insights.build import insights_build
from assessments.insights.export import export_rows
from assessments.insights.figures import Filters, seconds_bucket
from assessments.insights.histogram import bin_key
from assessments.insights.selectors import assessment_meta, insights_for
from assessments.models import FollowUp, ProductReference, Response
from tests.followups.conftest import buy
from tests.taking.conftest import RUNNER, WALKER, start, submit

TODAY = timezone.now().astimezone(dt.UTC).date()


def _aged(response: Response, days: int) -> None:
    """Move a response's start `days` back (completion moves with it)."""
    shift = dt.timedelta(days=days)
    row = Response.objects.get(pk=response.pk)
    Response.objects.filter(pk=response.pk).update(
        created_at=row.created_at - shift,
        completed_at=row.completed_at - shift if row.completed_at else None,
    )


def _slow(client, response, step_key, data, seconds: float):
    Response.objects.filter(pk=response.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=seconds)
    )
    submit(client, response, step_key, data)


@pytest.fixture
def traffic(client, published, plan):
    """A mixed day of customers, driven through the real pages and services."""
    made = []
    for index in range(6):
        query = "utm_source=news&utm_campaign=spring" if index % 2 else ""
        response = start(client, published) if not query else None
        if response is None:
            page = client.post(f"/a/acme/fit-check/?{query}&channel=kiosk", {})
            token = page["Location"].split("/r/")[1].split("/")[0]
            response = Response.objects.get(token=token)
        steps = RUNNER if index < 4 else WALKER
        for step_key, data in steps:
            _slow(client, response, step_key, data, 20 + 7 * index)
        response.refresh_from_db()
        made.append(response)
    dropped = start(client, published)
    _slow(client, dropped, "use", {"use": "run"}, 65)
    never = start(client, published)
    made += [dropped, never]

    learned = ["yes", "a_little", "no", "yes", "no", ""]
    for response, answer in zip(made, learned, strict=False):
        if answer:
            client.post(f"/r/{response.token}/learned/", {"learned": answer})
    client.post(f"/r/{made[0].token}/email/", {"email": "a@example.com", "consent": "on"})
    for response in made[:3]:
        ref = ProductReference.objects.filter(response=response).order_by("pk").first()
        client.get(f"/go/{ref.ref}/")

    answers = [
        CheckInAnswers(csat=5, ces=2, nps=10, delivered="yes"),
        CheckInAnswers(csat=3, ces=5, nps=6, delivered="partly"),
    ]
    for number, (response, answer) in enumerate(zip(made[:2], answers, strict=True)):
        purchase, _created = buy(response, order_id=f"P-{number}")
        followup = FollowUp.objects.get(purchase=purchase, step__kind="checkin")
        checkin_record(followup=followup, answers=answer)
    buy(made[3], order_id="P-3", sku="breeze")
    buy(made[4], order_id="P-4")
    purchase_refund(brand=published.brand, order_id="P-4")

    _aged(made[1], 3)
    _aged(made[2], 90)  # far enough back that the trend is weekly
    return made


def counts_from_csv(rows: list[dict[str, str]], definition) -> tuple[Counter, dict]:
    """The page's counts, from the export's columns alone (the metric vocabulary of facts)."""
    total: Counter = Counter()
    by_day: dict = defaultdict(Counter)

    def split(value: str) -> list[str]:
        return value.split("|") if value else []

    for row in rows:
        counts: Counter = Counter()
        created = dt.datetime.fromisoformat(row["created"])
        counts["started", "", ""] += 1
        reached = split(row["steps_reached"])
        seconds = dict(part.split("=") for part in split(row["step_seconds"]))
        for step_key in reached:
            counts["reached", step_key, ""] += 1
            if step_key in seconds:
                counts["step_seconds", step_key, str(seconds_bucket(float(seconds[step_key])))] += 1
        completed = row["status"] == "completed"
        if reached and not completed:
            counts["dropped", reached[-1], ""] += 1
        for key in split(row["questions_seen"]):
            counts["seen", key, ""] += 1
            value = row[f"q:{key}"]
            if not value:
                continue
            counts["answered", key, ""] += 1
            question = definition.question(key)
            if question.has_choices:
                for pick in split(value):
                    counts["answer", key, pick] += 1
            elif question.kind in ("scale", "number"):
                counts["answer", key, bin_key(question, float(value))] += 1
        if completed:
            counts["completed", "", ""] += 1
            spent = dt.datetime.fromisoformat(row["completed"]) - created
            counts["complete_seconds", "", str(seconds_bucket(spent.total_seconds()))] += 1
        for flag, column in (("emailed", "emailed"), ("purchased", "purchased")):
            if row[column]:
                counts[flag, "", ""] += 1
        if row["engaged"]:
            counts["engaged", "", ""] += 1
        if row["clicked_skus"]:
            counts["clicked", "", ""] += 1
        for sku in split(row["clicked_skus"]):
            counts["product_clicked", sku, ""] += 1
        outcome = row["outcome"]
        if outcome:
            counts["outcome", outcome, ""] += 1
        for column, value in row.items():
            if column.startswith("band:") and value:
                counts["band", column[5:], value] += 1
        for sku in split(row["products_shown"]):
            counts["shown", sku, ""] += 1
        bought = [item.split(":") for item in split(row["purchased_skus"])]
        for sku in {sku for sku, _rank in bought}:
            counts["product_purchased", sku, ""] += 1
        for sku, rank in bought:
            if rank:
                counts["rank_bought", sku, rank] += 1
        if row["learned"]:
            counts["learned", "", row["learned"]] += 1
            if row["purchased"]:
                counts["purchased_by_learned", "", row["learned"]] += 1
        checkins = zip(
            *(split(row[f"checkin_{n}"]) for n in ("csat", "ces", "nps", "delivered", "sku")),
            strict=True,
        )
        for csat, ces, nps, delivered, sku in checkins:
            counts["csat", "", csat] += 1
            counts["ces", "", ces] += 1
            if nps:
                counts["nps", "", nps] += 1
            counts["delivered", "", delivered] += 1
            counts["gap_product", sku, delivered] += 1
            if outcome:
                counts["gap_outcome", outcome, delivered] += 1
        total.update(counts)
        day = by_day[created.date()]
        for key, n in counts.items():
            if key[0] in ("started", "completed", "learned", "csat", "nps"):
                day[key] += n
    return total, dict(by_day)


def _rows(published, filters: Filters) -> list[dict[str, str]]:
    rows = list(export_rows(published, filters))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(channel="kiosk"),
        Filters(utm_source="news"),
        Filters(since=TODAY - dt.timedelta(days=5)),
        Filters(until=TODAY - dt.timedelta(days=1)),
        Filters(outcome="supported", version=1),
    ],
    ids=["all", "kiosk", "utm", "since", "until", "outcome"],
)
def test_the_figures_recomputed_from_the_csv_are_the_pages(published, traffic, filters):
    page = insights_for(published, filters, min_n=1)
    meta = assessment_meta(published, filters)
    rows = _rows(published, filters)
    counts, by_day = counts_from_csv(rows, meta.definition)
    assert insights_build(meta, counts, by_day, filters, min_n=1) == page
    assert page.started == len(rows)


def test_the_numbers_are_the_ones_the_customers_made(published, traffic):
    page = insights_for(published, Filters(), min_n=1)
    stages = {stage.key: stage.count for stage in page.funnel}
    assert stages == {
        "started": 8,
        "step:use": 8,
        "step:distance": 5,  # four runners and the one who dropped there; walkers skip it
        "step:knees": 6,
        "completed": 6,
        "emailed": 1,
        "clicked": 3,
        "purchased": 3,  # the refunded one is not
        "engaged": 2,
    }
    dropped = {step.key: step.dropped for step in page.steps}
    assert dropped == {"use": 1, "distance": 1, "knees": 0}
    assert page.trend_unit == "week"
    assert page.experience.nps.n == 2 and page.experience.nps.value == 0.0
    assert page.experience.learned.n == 5 and page.experience.learned.hits == 3


def test_export_responses_writes_the_same_rows_as_the_page_download(published, traffic, tmp_path):
    target = tmp_path / "out.csv"
    call_command("export_responses", "acme/fit-check", "--output", str(target))
    with target.open(newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert written == list(export_rows(published, Filters()))
    assert len(written) == 1 + 8

    out = io.StringIO()
    since = (TODAY - dt.timedelta(days=5)).isoformat()
    call_command("export_responses", "acme/fit-check", "--since", since, stdout=out)
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 1 + 7
