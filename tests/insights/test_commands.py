"""`manage.py insights` prints the page's figures; bad names and dates get a clear refusal."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from assessments.insights.figures import Filters
from assessments.insights.selectors import insights_for
from assessments.management.commands.insights import jsonable
from tests.insights.conftest import taken
from tests.taking.conftest import RUNNER, WALKER


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def test_insights_json_is_the_pages_figures(client, published):
    taken(client, published, RUNNER)
    taken(client, published, WALKER)
    printed = json.loads(_run("acme/fit-check", "--json", "--min-n", "1"))
    expected = jsonable(insights_for(published, Filters(), min_n=1))
    assert printed == json.loads(json.dumps(expected))
    assert printed["started"] == 2 and printed["completed"] == 2
    assert printed["trend"][0]["period"] == dt.datetime.now(dt.UTC).date().isoformat()
    stages = {stage["key"]: stage["count"] for stage in printed["funnel"]}
    assert stages["step:distance"] == 1


def test_insights_filters_apply_to_every_figure(client, published):
    taken(client, published, RUNNER)
    taken(client, published, WALKER)
    printed = json.loads(_run("acme/fit-check", "--json", "--outcome", "neutral"))
    assert printed["started"] == 1 and printed["filters"]["outcome"] == "neutral"
    assert printed["experience"]["nps"]["value"] is None  # too few answers, not a number


def test_insights_as_text_names_each_figure(client, published):
    taken(client, published, RUNNER)
    text = _run("acme/fit-check")
    assert "Started 1, completed 1" in text
    assert "too few answers (n=0)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["acme"], "BRAND/KEY"),
        (["acme/nope"], "No assessment"),
        (["acme/fit-check", "--since", "yesterday"], "YYYY-MM-DD"),
        (["acme/fit-check", "--since", "2025-02-01", "--until", "2025-01-01"], "after"),
    ],
)
def test_the_commands_refuse_what_they_cannot_read(published, args, message):
    for command in ("insights", "export_responses"):
        with pytest.raises(CommandError, match=message):
            call_command(command, *args, stdout=io.StringIO())
