"""The page's charts: accessible SVG, escaped labels, and tables that match what is drawn."""

from __future__ import annotations

import re
from dataclasses import replace

from assessments.insights import charts
from assessments.insights.figures import Bar, Distribution, Estimate, share
from tests.insights.made_up import made_up_insights


def test_every_chart_is_an_image_named_by_its_own_title():
    sections = charts.charts_for(made_up_insights())
    for slug, chart in charts.all_charts(sections).items():
        assert chart.svg.startswith('<svg class="ins-chart"'), slug
        assert 'role="img"' in chart.svg
        labelled = re.search(r'aria-labelledby="([^"]+)"', chart.svg).group(1).split()
        for ident in labelled:
            assert f'id="{ident}"' in chart.svg, (slug, ident)
        assert f'<title id="chart-{slug}-title">{chart.title}</title>' in chart.svg


def test_an_authors_label_is_escaped_in_the_picture_and_kept_whole_in_the_table():
    label = '<script>alert("x")</script> & more'
    question = Distribution("q", label, "single", 40, 40, (Bar("a", label, 40, share(40, 40)),))
    chart = charts.distribution_chart(question, "question-q")
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert chart.table.rows[0][0] == label


def test_numbers_are_drawn_as_a_histogram_and_choices_as_bars():
    sections = charts.charts_for(made_up_insights())
    kinds = {chart.slug: chart.kind for chart in sections["questions"]}
    assert kinds == {"question-surface": "bars", "question-distance": "histogram"}


def test_a_figure_under_the_threshold_reads_too_few_answers():
    few = Estimate("share", 12)
    assert charts.estimate_text(few) == "too few answers"
    assert charts.interval_text(few) == ""
    assert charts.brief(few) == "too few answers (n = 12)"
    assert charts.brief(share(30, 60)) == "50% (95% CI 38\u201362%, n = 60)"


def test_the_funnel_table_holds_one_row_per_stage_with_its_share():
    insights = made_up_insights()
    table = charts.funnel_chart(insights).table
    assert [row[0] for row in table.rows] == [stage.label for stage in insights.funnel]
    assert table.csv_rows()[2] == ["Step: Surface", 380, 0.95, 400, 0.95]
    assert table.display_rows()[2] == ["Step: Knees", "320", "80%", "340", "94%"]


def test_a_branch_step_reads_as_a_share_of_those_whose_path_includes_it():
    svg = charts.funnel_chart(made_up_insights()).svg
    assert "320 · 80% (94% of path)" in svg
    assert "380 · 95%<" in svg  # everyone's path has Surface: no second figure


def test_the_comparison_says_significant_only_when_the_test_does():
    a = made_up_insights(started=400)
    b = replace(
        made_up_insights(started=400),
        experience=replace(a.experience, learned=share(240, 250)),
    )
    rows = {row.label: row for row in charts.comparison(a, b)}
    assert rows["Learned something new"].verdict == "significant at 5%"
    assert rows["Completion rate"].verdict == "not significant"
    assert rows["NPS"].verdict == "not tested"
    few = made_up_insights(scale=0.05)
    versus_few = {row.label: row for row in charts.comparison(a, few)}
    assert versus_few["CSAT"].verdict == "not enough data yet"
    assert versus_few["CSAT"].diff_text == "\u2014"


def test_durations_read_as_people_say_them():
    assert [charts.seconds_text(s) for s in (None, 45, 200, 3600, 3725)] == [
        "\u2014",
        "45 s",
        "3 min 20 s",
        "1 h",
        "1 h 2 min",
    ]
