"""The Insights page's charts: server-side SVG, each with the table of the numbers it draws.

A `Chart` is drawn once and read three ways: as an SVG picture, as an HTML `<table>` beside
it, and as a CSV download. All three come from the same `Table`, so what a chart shows, what a
screen reader reads and what a spreadsheet gets cannot drift apart.

No Django beyond its HTML escaping: no template, no request, no database. The SVG carries
classes, not colours, so the admin's stylesheet paints it (and dark mode repaints it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape

from .figures import (
    Difference,
    Distribution,
    Estimate,
    Insights,
    ProductFigures,
    StepFigures,
    compare,
)

__all__ = [
    "Chart",
    "Column",
    "ComparisonRow",
    "Table",
    "brief",
    "cell_text",
    "charts_for",
    "comparison",
    "comparison_table",
    "estimate_text",
    "interval_text",
    "seconds_text",
]

# Typography the figures are written with (escaped, so no one mistakes them for x and -).
TIMES = "\u00d7"  # the multiplication sign of "1.7 times"
DASH = "\u2013"  # the en dash of an interval
MINUS = "\u2212"  # the minus sign of "B minus A"

# Question kinds whose answers are numbers on a line: drawn as a histogram, not as bars.
NUMERIC_KINDS = frozenset({"scale", "number"})
LABEL_CHARS = 26  # a bar's label is cut here (the whole label stays in the table)
PRODUCTS_DRAWN = 12  # the most often shown products get a bar; the table lists them all


# -- words for numbers --------------------------------------------------------------------


def seconds_text(seconds: float | None, *, compact: bool = False) -> str:
    """A duration as people say it: "45 s", "3 min 20 s" ("3m 20s" compact), "1 h"; "—" when
    unknown."""
    if seconds is None:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        minutes, rest = divmod(s, 60)
        if compact:
            return f"{minutes}m {rest}s" if rest else f"{minutes} min"
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, rest = divmod(s, 3600)
    return f"{hours} h {rest // 60} min" if rest >= 60 else f"{hours} h"


def _number(value: float, kind: str) -> str:
    if kind == "share":
        return f"{100 * value:.1f}%" if 0 < value < 0.1 else f"{100 * value:.0f}%"
    if kind == "ratio":
        return f"{value:.2f}{TIMES}" if value < 10 else f"{value:.0f}{TIMES}"
    if kind == "nps":
        return f"{value:+.0f}" if round(value) else "0"
    return f"{value:.1f}"


def estimate_text(estimate: Estimate | None) -> str:
    """The figure alone ("42%", "1.73 times", "+23", "4.2"), or "too few answers"."""
    if estimate is None or estimate.value is None:
        return "too few answers"
    return _number(estimate.value, estimate.kind)


def interval_text(estimate: Estimate | None) -> str:
    """ "95% CI 38-46%" (with an en dash) for a figure with an interval, else ""."""
    if estimate is None or estimate.value is None or estimate.low is None:
        return ""
    low, high = _number(estimate.low, estimate.kind), _number(estimate.high or 0, estimate.kind)
    unit = {"share": "%", "ratio": TIMES}.get(estimate.kind, "")
    if unit and low.endswith(unit):
        low = low[: -len(unit)]
    return f"95% CI {low}{DASH}{high}"


def brief(estimate: Estimate | None) -> str:
    """A figure with its interval and base in one line, for tables and titles."""
    if estimate is None:
        return "—"
    if estimate.value is None:
        return f"too few answers (n = {estimate.n:,})"
    interval = interval_text(estimate)
    return f"{estimate_text(estimate)} ({interval}, n = {estimate.n:,})"


# -- tables --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column: `kind` says how to show a cell (text, count, share, seconds, nps, mean,
    ratio, pvalue)."""

    label: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """The numbers behind a chart, as plain values (a share is 0-1, a time is in seconds)."""

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def csv_rows(self) -> list[list[Any]]:
        """The header and the rows as a spreadsheet wants them: raw numbers, blanks for none."""
        header = [_csv_header(column) for column in self.columns]
        body = [
            [_csv_cell(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]
        return [header, *body]

    def display_rows(self) -> list[list[str]]:
        """The rows as the page shows them."""
        return [
            [cell_text(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


def _csv_header(column: Column) -> str:
    return f"{column.label} (0-1)" if column.kind == "share" else column.label


def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4 if kind in ("share", "pvalue") else 2)
    return value


def cell_text(value: Any, kind: str) -> str:
    """One table cell as the page shows it."""
    if value is None or value == "":
        return "—"
    if kind == "count":
        return f"{round(value):,}"
    if kind == "seconds":
        return seconds_text(value)
    if kind == "pvalue":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if kind == "diff":
        return f"{100 * value:+.1f} pts"
    if kind in ("share", "nps", "mean", "ratio"):
        return _number(value, kind)
    if kind == "number" and isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


# -- charts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawn chart: `svg` is markup ready to embed, `table` its numbers, `slug` names its
    CSV download."""

    slug: str
    title: str
    svg: str
    table: Table
    summary: str = ""  # the picture in words, for screen readers (the SVG's <desc>)
    kind: str = "bars"
    note: str = ""  # a short line shown under the title


def _bar_text(estimate: Estimate) -> str:
    """The figure written at a bar's end, short enough to fit there."""
    if estimate.value is None:
        return f"too few (n = {estimate.n:,})"
    return estimate_text(estimate)


def _cut(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open(slug: str, title: str, summary: str, width: int, height: int) -> str:
    ident = f"chart-{escape(slug)}"
    return (
        f'<svg class="ins-chart" id="{ident}" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(summary)}</desc>'
    )


@dataclass(frozen=True, slots=True)
class _Bar:
    label: str
    fraction: float  # 0-1, the bar's length
    text: str  # written at the bar's end
    tone: str = ""  # "" (primary), "alt", "quiet", "warn"
    short: str = ""  # written instead of `text` where there is little room


def _bars_svg(slug: str, title: str, summary: str, bars: Sequence[_Bar]) -> str:
    """Horizontal bars with their labels on the left and their values on the right."""
    width, label_w, row_h, gap = 520, 190, 18, 7
    # The values' column fits the longest value (about 6.3 px a character at the chart's size).
    value_w = max(96, round(6.3 * max((len(bar.text) for bar in bars), default=0)) + 12)
    track = width - label_w - value_w
    height = max(1, len(bars)) * (row_h + gap) + gap
    parts = [_open(slug, title, summary, width, height)]
    if not bars:
        parts.append(
            f'<text class="ins-label" x="{width / 2}" y="{height / 2 + 4}" '
            'text-anchor="middle">No answers yet</text>'
        )
    for index, bar in enumerate(bars):
        y = gap + index * (row_h + gap)
        length = max(0.0, min(1.0, bar.fraction)) * track
        tone = f" ins-bar--{bar.tone}" if bar.tone else ""
        parts.append(
            f'<text class="ins-label" x="{label_w - 8}" y="{y + row_h * 0.7:.1f}" '
            f'text-anchor="end">{escape(_cut(bar.label))}</text>'
            f'<rect class="ins-track" x="{label_w}" y="{y}" width="{track}" height="{row_h}" '
            'rx="3"/>'
            f'<rect class="ins-bar{tone}" x="{label_w}" y="{y}" width="{length:.1f}" '
            f'height="{row_h}" rx="3"/>'
            f'<text class="ins-value" x="{label_w + track + 8}" y="{y + row_h * 0.7:.1f}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _columns_svg(slug: str, title: str, summary: str, bars: Sequence[_Bar]) -> str:
    """A histogram: vertical columns over their bins, the share above each."""
    width, height, top, bottom, side = 520, 170, 22, 30, 8
    plot_h = height - top - bottom
    count = max(1, len(bars))
    # Columns are scaled to the tallest, so the shape shows; the shares are written on top.
    tallest = max((bar.fraction for bar in bars), default=0.0) or 1.0
    slot = (width - 2 * side) / count
    crowded = slot < 70
    column_w = min(64.0, slot * 0.8)
    parts = [_open(slug, title, summary, width, height)]
    parts.append(
        f'<line class="ins-axis" x1="{side}" x2="{width - side}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/>'
    )
    for index, bar in enumerate(bars):
        centre = side + slot * (index + 0.5)
        column_h = max(0.0, min(1.0, bar.fraction / tallest)) * plot_h
        y = top + plot_h - column_h
        tone = f" ins-bar--{bar.tone}" if bar.tone else ""
        parts.append(
            f'<rect class="ins-bar{tone}" x="{centre - column_w / 2:.1f}" y="{y:.1f}" '
            f'width="{column_w:.1f}" height="{column_h:.1f}" rx="2"/>'
            f'<text class="ins-value" x="{centre:.1f}" y="{y - 6:.1f}" '
            f'text-anchor="middle">{escape(bar.short if crowded and bar.short else bar.text)}'
            "</text>"
            + (
                f'<text class="ins-tick" x="{centre:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle">{escape(_cut(bar.label, 9))}</text>'
                # Crowded bins are labelled every other one; the table names them all.
                if not crowded or index % 2 == 0
                else ""
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def _line_svg(
    slug: str, title: str, summary: str, points: Sequence[tuple[str, float | None]], kind: str
) -> str:
    """A small line over time; a period with too few answers leaves a gap in the line."""
    width, height, left, right, top, bottom = 320, 120, 44, 12, 12, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _label, v in points if v is not None]
    parts = [_open(slug, title, summary, width, height)]
    if not values:
        parts.append(
            f'<text class="ins-label" x="{width / 2}" y="{height / 2}" text-anchor="middle">'
            "Too few answers to draw</text></svg>"
        )
        return "".join(parts)
    low, high = min(values), max(values)
    if kind == "share":
        low, high = 0.0, max(high, 0.01)
    elif kind == "nps":
        low, high = min(low, 0.0), max(high, 0.0)
    else:
        low = min(low, 0.0)
    if high == low:
        high = low + 1
    step = plot_w / max(1, len(points) - 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return left + index * step, top + plot_h - (value - low) / (high - low) * plot_h

    parts.append(
        f'<line class="ins-axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/>'
        f'<text class="ins-tick" x="{left - 6}" y="{top + 4}" text-anchor="end">'
        f"{escape(cell_text(high, kind))}</text>"
        f'<text class="ins-tick" x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end">'
        f"{escape(cell_text(low, kind))}</text>"
    )
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for index, (_label, value) in enumerate(points):
        if value is None:
            segment = []
            segments.append(segment)
            continue
        x, y = xy(index, value)
        segment.append(f"{x:.1f},{y:.1f}")
    for run in segments:
        if len(run) > 1:
            parts.append(f'<polyline class="ins-line" points="{" ".join(run)}"/>')
    for index, (_label, value) in enumerate(points):
        if value is not None:
            x, y = xy(index, value)
            parts.append(f'<circle class="ins-dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
    first, last = points[0][0], points[-1][0]
    parts.append(
        f'<text class="ins-tick" x="{left}" y="{height - 6}">{escape(first)}</text>'
        f'<text class="ins-tick" x="{width - right}" y="{height - 6}" text-anchor="end">'
        f"{escape(last)}</text></svg>"
    )
    return "".join(parts)


# -- the page's charts ----------------------------------------------------------------------


def funnel_chart(insights: Insights) -> Chart:
    started = max(1, insights.started)
    bars = [
        _Bar(
            stage.label,
            stage.count / started,
            f"{stage.count:,} · {cell_text(stage.of_started.value, 'share')}"
            + (
                f" ({cell_text(stage.of_path.value, 'share')} of path)"
                if stage.of_path is not None and stage.on_path != insights.started
                else ""
            ),
            "quiet" if stage.key.startswith("step:") else "",
        )
        for stage in insights.funnel
    ]
    table = Table(
        "Funnel: how many customers reached each stage",
        (
            Column("Stage"),
            Column("Customers", "count"),
            Column("Of those who started", "share"),
            Column("Whose path includes it", "count"),
            Column("Of those", "share"),
        ),
        tuple(
            (
                stage.label,
                stage.count,
                stage.of_started.value if stage.count else 0.0,
                stage.on_path if stage.on_path is not None else "",
                stage.of_path.value if stage.of_path is not None and stage.count else "",
            )
            for stage in insights.funnel
        ),
    )
    summary = f"{insights.started:,} started, {insights.completed:,} completed; " + "; ".join(
        f"{stage.label} {stage.count:,}" for stage in insights.funnel
    )
    title = "Funnel"
    return Chart("funnel", title, _bars_svg("funnel", title, summary, bars), table, summary)


def steps_table(steps: Sequence[StepFigures]) -> Table:
    return Table(
        "Steps: where customers stop and how long they spend",
        (
            Column("Step"),
            Column("Reached", "count"),
            Column("Dropped there", "count"),
            Column("Drop-off rate", "share"),
            Column("Median time", "seconds"),
        ),
        tuple(
            (step.label, step.reached, step.dropped, step.drop_off.value, step.median_seconds)
            for step in steps
        ),
    )


def steps_chart(steps: Sequence[StepFigures]) -> Chart:
    bars = [
        _Bar(
            step.label,
            step.drop_off.value or 0.0,
            f"{estimate_text(step.drop_off)} of {step.reached:,}"
            if step.drop_off.value is not None
            else _bar_text(step.drop_off),
            "warn",
        )
        for step in steps
    ]
    title = "Drop-off by step"
    summary = "; ".join(
        f"{step.label}: {step.dropped:,} of {step.reached:,} stopped here" for step in steps
    )
    svg = _bars_svg("steps", title, summary, bars)
    return Chart("steps", title, svg, steps_table(steps), summary)


def distribution_chart(distribution: Distribution, slug: str) -> Chart:
    """A question's answers (bars, or a histogram for numbers), the outcome mix or a band mix."""
    base = max(1, distribution.answered)
    bars = [
        _Bar(
            bar.label,
            bar.count / base,
            f"{bar.count:,} · {cell_text(bar.count / base, 'share')}",
            "alt" if distribution.kind in ("outcome", "band") else "",
            cell_text(bar.count / base, "share"),
        )
        for bar in distribution.bars
    ]
    skipped = distribution.seen - distribution.answered
    summary = f"{distribution.answered:,} answered of {distribution.seen:,} who saw it" + (
        f" ({skipped:,} skipped)" if skipped else ""
    )
    table = Table(
        f"{distribution.label}: {summary}",
        (
            Column("Answer"),
            Column("Key"),
            Column("Customers", "count"),
            Column("Share", "share"),
            Column("95% CI low", "share"),
            Column("95% CI high", "share"),
        ),
        tuple(
            (
                bar.label,
                bar.key,
                bar.count,
                bar.count / base if distribution.answered else None,
                bar.share.low,
                bar.share.high,
            )
            for bar in distribution.bars
        ),
    )
    numeric = distribution.kind in NUMERIC_KINDS
    draw = _columns_svg if numeric else _bars_svg
    svg = draw(slug, distribution.label, summary, bars)
    kind = "histogram" if numeric else "bars"
    return Chart(slug, distribution.label, svg, table, summary, kind=kind, note=summary)


def _paired_svg(
    slug: str,
    title: str,
    summary: str,
    rows: Sequence[tuple[str, _Bar, _Bar]],
    legend: tuple[str, str],
) -> str:
    """Two thin bars per row (e.g. clicked and bought), scaled to the largest, with a legend."""
    width, label_w, value_w, bar_h, row_gap, top = 520, 190, 96, 9, 10, 26
    track = width - label_w - value_w
    row_h = 2 * bar_h + 2
    height = top + max(1, len(rows)) * (row_h + row_gap)
    largest = max((b.fraction for _l, *pair in rows for b in pair), default=0.0) or 1.0
    parts = [_open(slug, title, summary, width, height)]
    parts.append(
        f'<rect class="ins-bar" x="{label_w}" y="6" width="10" height="10" rx="2"/>'
        f'<text class="ins-tick" x="{label_w + 14}" y="15">{escape(legend[0])}</text>'
        f'<rect class="ins-bar ins-bar--alt" x="{label_w + 90}" y="6" width="10" height="10" '
        f'rx="2"/><text class="ins-tick" x="{label_w + 104}" y="15">{escape(legend[1])}</text>'
    )
    for index, (label, first, second) in enumerate(rows):
        y = top + index * (row_h + row_gap)
        parts.append(
            f'<text class="ins-label" x="{label_w - 8}" y="{y + row_h * 0.75:.1f}" '
            f'text-anchor="end">{escape(_cut(label))}</text>'
        )
        for offset, bar in ((0, first), (bar_h + 2, second)):
            length = max(0.0, min(1.0, bar.fraction / largest)) * track
            tone = f" ins-bar--{bar.tone}" if bar.tone else ""
            parts.append(
                f'<rect class="ins-bar{tone}" x="{label_w}" y="{y + offset}" '
                f'width="{length:.1f}" height="{bar_h}" rx="2"/>'
                f'<text class="ins-tick" x="{label_w + length + 4:.1f}" '
                f'y="{y + offset + bar_h - 1}">{escape(bar.text)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def products_chart(products: Sequence[ProductFigures]) -> Chart:
    drawn = sorted(products, key=lambda p: -p.shown)[:PRODUCTS_DRAWN]
    rows = [
        (
            p.name,
            _Bar("clicked", p.clicked.value or 0.0, _bar_text(p.clicked)),
            _Bar("bought", p.purchased.value or 0.0, _bar_text(p.purchased), "alt"),
        )
        for p in drawn
    ]
    title = "Recommended products: clicked and bought, of times shown"
    summary = "; ".join(
        f"{p.name}: shown {p.shown:,}, clicked {estimate_text(p.clicked)}, "
        f"bought {estimate_text(p.purchased)}"
        for p in products
    )
    table = Table(
        "Products recommended: shown, clicked, bought, the rank bought at and the promise gap",
        (
            Column("Product"),
            Column("SKU"),
            Column("Shown", "count"),
            Column("Click rate", "share"),
            Column("Purchase rate", "share"),
            Column("Purchases", "count"),
            Column("Ranks bought"),
            Column("Promise gap", "share"),
            Column("Check-ins", "count"),
        ),
        tuple(
            (
                p.name,
                p.sku,
                p.shown,
                p.clicked.value,
                p.purchased.value,
                p.purchased.hits,
                ", ".join(f"#{rank}: {n}" for rank, n in sorted(p.ranks_bought.items())),
                p.promise_gap.value if p.promise_gap else None,
                p.promise_gap.n if p.promise_gap else None,
            )
            for p in products
        ),
    )
    svg = _paired_svg("products", title, summary, rows, ("clicked", "bought"))
    note = (
        f"The {len(drawn)} shown most often, of {len(products)}; the table lists them all."
        if len(products) > len(drawn)
        else ""
    )
    return Chart("products", title, svg, table, summary, note=note)


def experience_table(insights: Insights) -> Table:
    e = insights.experience
    figures = [
        ("Learned something new", e.learned),
        ("Purchase rate, learned something", e.purchase_if_learned),
        ("Purchase rate, learned nothing", e.purchase_if_not),
        ("Learned vs not: purchase ratio", e.learned_lift),
        ("CSAT (4-5 of 5)", e.csat),
        ("CES (mean of 7)", e.ces),
        ("NPS", e.nps),
        ("Promise gap (found less than promised)", e.promise_gap),
        *((f"Promise gap, outcome {key}", gap) for key, gap in e.gap_by_outcome.items()),
    ]
    return Table(
        "North star and customer experience, each with its 95% interval",
        (
            Column("Figure"),
            Column("Kind"),
            Column("Value", "number"),
            Column("95% CI low", "number"),
            Column("95% CI high", "number"),
            Column("n", "count"),
        ),
        tuple((label, f.kind, f.value, f.low, f.high, f.n) for label, f in figures),
    )


def gap_chart(insights: Insights, outcome_labels: dict[str, str]) -> Chart:
    """The promise gap by outcome and by product: where customers found less than promised."""
    entries = [
        (outcome_labels.get(key, key), "Outcome", gap)
        for key, gap in insights.experience.gap_by_outcome.items()
    ] + [(p.name, "Product", p.promise_gap) for p in insights.products if p.promise_gap]
    bars = [_Bar(label, gap.value or 0.0, _bar_text(gap), "warn") for label, _group, gap in entries]
    title = "Promise gap by outcome and product"
    summary = "; ".join(f"{label}: {brief(gap)}" for label, _group, gap in entries)
    table = Table(
        "Promise gap: the share of check-ins finding less than promised",
        (
            Column("For"),
            Column("Outcome or product"),
            Column("Promise gap", "share"),
            Column("95% CI low", "share"),
            Column("95% CI high", "share"),
            Column("Check-ins", "count"),
        ),
        tuple((group, label, gap.value, gap.low, gap.high, gap.n) for label, group, gap in entries),
    )
    return Chart("promise-gap", title, _bars_svg("promise-gap", title, summary, bars), table)


TREND_SERIES = (
    ("starts", "Starts", "count"),
    ("completion", "Completion rate", "share"),
    ("learned", "Learned rate", "share"),
    ("csat", "CSAT", "share"),
    ("nps", "NPS", "nps"),
)


def trend_charts(insights: Insights) -> list[Chart]:
    unit = "Week of" if insights.trend_unit == "week" else "Day"
    charts = []
    for name, label, kind in TREND_SERIES:
        rows = []
        points: list[tuple[str, float | None]] = []
        for point in insights.trend:
            day = point.period.isoformat()
            if name == "starts":
                value, n = float(point.started), point.started
                rows.append((day, point.started, point.started))
            else:
                figure: Estimate = getattr(point, name)
                value, n = figure.value, figure.n
                rows.append((day, figure.value, n))
            points.append((point.period.strftime("%-d %b"), value))
        title = f"{label} by {insights.trend_unit}"
        known = [v for _p, v in points if v is not None]
        summary = (
            f"{len(points)} {insights.trend_unit}s; latest {cell_text(known[-1], kind)}"
            if known
            else "Too few answers in every period"
        )
        table = Table(
            title,
            (Column(unit), Column(label, kind), Column("n", "count")),
            tuple(rows),
        )
        svg = _line_svg(f"trend-{name}", title, summary, points, kind)
        charts.append(Chart(f"trend-{name}", title, svg, table, summary, kind="line"))
    return charts


def charts_for(insights: Insights, outcome_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Every chart of the page, by section; each chart's slug names its CSV download."""
    questions = [
        distribution_chart(question, f"question-{question.key}") for question in insights.questions
    ]
    traits = [distribution_chart(trait, f"trait-{trait.key}") for trait in insights.traits]
    return {
        "funnel": funnel_chart(insights),
        "steps": steps_chart(insights.steps),
        "questions": questions,
        "outcomes": distribution_chart(insights.outcomes, "outcomes"),
        "traits": traits,
        "products": products_chart(insights.products),
        "gap": gap_chart(insights, outcome_labels or {}),
        "trends": trend_charts(insights),
    }


def all_charts(sections: dict[str, Any]) -> dict[str, Chart]:
    """The charts of `charts_for` by slug, for the CSV downloads."""
    found: dict[str, Chart] = {}
    for value in sections.values():
        for chart in value if isinstance(value, list) else [value]:
            found[chart.slug] = chart
    return found


# -- comparing two versions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One rate for version A and version B, the difference and what the test says."""

    label: str
    a: Estimate
    b: Estimate
    difference: Difference | None  # None for figures that are not shares (no z-test)

    @property
    def verdict(self) -> str:
        if not (self.a.enough and self.b.enough):
            return "not enough data yet"
        if self.difference is None or self.difference.significant is None:
            return "not tested"
        return "significant at 5%" if self.difference.significant else "not significant"

    @property
    def tone(self) -> str:
        """A word for the verdict's colour: "significant", "same" or "unknown"."""
        if self.difference is None or self.difference.significant is None:
            return "unknown"
        return "significant" if self.difference.significant else "same"

    @property
    def diff(self) -> float | None:
        if self.a.value is None or self.b.value is None:
            return None
        return self.b.value - self.a.value

    @property
    def a_text(self) -> str:
        return brief(self.a)

    @property
    def b_text(self) -> str:
        return brief(self.b)

    @property
    def diff_text(self) -> str:
        diff = self.diff
        if diff is None:
            return "—"
        if self.a.kind == "share":
            return f"{100 * diff:+.1f} pts"
        if self.a.kind == "nps":
            return f"{diff:+.0f} points"
        return f"{diff:+.2f}"


def _stage(insights: Insights, key: str) -> Estimate:
    for stage in insights.funnel:
        if stage.key == key:
            return stage.of_started
    return Estimate("share", insights.started)


def comparison(a: Insights, b: Insights) -> list[ComparisonRow]:
    """Version B against version A for each rate of the page; shares get a z-test."""
    pairs = [
        ("Completion rate", _stage(a, "completed"), _stage(b, "completed")),
        ("Results e-mailed", _stage(a, "emailed"), _stage(b, "emailed")),
        ("Clicked a product", _stage(a, "clicked"), _stage(b, "clicked")),
        ("Purchase rate", _stage(a, "purchased"), _stage(b, "purchased")),
        ("Follow-up engaged", _stage(a, "engaged"), _stage(b, "engaged")),
        ("Learned something new", a.experience.learned, b.experience.learned),
        ("CSAT", a.experience.csat, b.experience.csat),
        ("Promise gap", a.experience.promise_gap, b.experience.promise_gap),
        ("NPS", a.experience.nps, b.experience.nps),
        ("CES", a.experience.ces, b.experience.ces),
    ]
    return [
        ComparisonRow(label, x, y, compare(x, y) if x.kind == "share" else None)
        for label, x, y in pairs
    ]


def comparison_table(rows: Sequence[ComparisonRow], a_name: str, b_name: str) -> Table:
    return Table(
        f"{b_name} against {a_name}",
        (
            Column("Figure"),
            Column(a_name, "number"),
            Column(f"{a_name} n", "count"),
            Column(b_name, "number"),
            Column(f"{b_name} n", "count"),
            Column(f"Difference (B {MINUS} A)", "number"),
            Column("p-value", "pvalue"),
            Column("Verdict"),
        ),
        tuple(
            (
                row.label,
                row.a.value,
                row.a.n,
                row.b.value,
                row.b.n,
                row.diff,
                row.difference.p_value if row.difference else None,
                row.verdict,
            )
            for row in rows
        ),
    )
