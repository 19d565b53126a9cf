"""The Insights pages staff see in the admin: one assessment's figures, and a brand overview.

Read-only: every view is a GET that parses the filter form, reads the figures through the
insights selectors and renders them (or writes them as CSV). Scoped by brand membership like
the rest of the admin: analysts read, another brand's assessment is a 404.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assessments.brands.tenancy import is_superuser, readable_brand_ids
from assessments.engine.text import localized
from assessments.insights import charts
from assessments.insights.export import cell_safe, export_csv, export_filename
from assessments.insights.figures import MIN_N, Estimate, Filters, Insights
from assessments.insights.options import insights_filter_options
from assessments.insights.selectors import brand_overview, insights_for
from assessments.models import Assessment, Brand

from .insights_forms import InsightsFilterForm

TEMPLATES = "admin/assessments/insights"


# -- where the figures come from -------------------------------------------------------------


def _figures(assessment: Assessment, filters: Filters) -> Insights:
    """The page's figures under `filters` (the one seam tests replace with made-up figures)."""
    return insights_for(assessment, filters, min_n=MIN_N)


def _export_lines(assessment: Assessment, filters: Filters) -> Iterable[str]:
    """The filtered responses as CSV lines, header first, read lazily."""
    return export_csv(assessment, filters)


# -- scoping --------------------------------------------------------------------------------


def _readable(request: HttpRequest) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related("brand").order_by("brand__name", "key")
    if is_superuser(request):
        return assessments
    return assessments.filter(brand_id__in=readable_brand_ids(request.user))


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    """The assessment if the user may read its brand; a 404 otherwise, never a hint it exists."""
    found = _readable(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _label(text: Any) -> str:
    return localized(text, get_language() or "")


# -- what the page shows ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Headline:
    """A figure read at a glance: big, with its base and interval in small type beneath."""

    label: str
    value: str
    detail: str
    enough: bool = True
    help: str = ""
    interval: str = ""


def _headline(label: str, estimate: Estimate, help: str = "") -> Headline:
    return Headline(
        label,
        charts.estimate_text(estimate),
        f"n = {estimate.n:,}",
        estimate.enough,
        help,
        charts.interval_text(estimate),
    )


def _stage_share(insights: Insights, key: str) -> Estimate:
    for stage in insights.funnel:
        if stage.key == key:
            return stage.of_started
    return Estimate("share", insights.started)


def headlines(insights: Insights) -> list[Headline]:
    e = insights.experience
    return [
        Headline(_("Started"), f"{insights.started:,}", _("customers")),
        _headline(_("Completed"), _stage_share(insights, "completed")),
        Headline(
            _("Median time to complete"),
            charts.seconds_text(insights.median_complete_seconds, compact=True),
            _("of those who completed"),
            insights.median_complete_seconds is not None,
        ),
        _headline(_("Learned something new"), e.learned, _("the north star")),
        _headline(_("Purchased"), _stage_share(insights, "purchased")),
        _headline(_("CSAT"), e.csat, _("share rating 4 to 5 of 5")),
        _headline(_("CES"), e.ces, _("mean effort, 1 to 7")),
        _headline(_("NPS"), e.nps, _("% promoters minus % detractors")),
        _headline(_("Promise gap"), e.promise_gap, _("found less than promised")),
    ]


def north_star(insights: Insights) -> str:
    """The brand's own "customers who learned something bought N times as often" sentence."""
    e = insights.experience
    lift = e.learned_lift
    if lift.value is None:
        return _(
            "Too few answers yet to compare how often customers who learned something buy "
            "with those who did not (n = %(n)s; each group needs at least %(min)s)."
        ) % {"n": f"{lift.n:,}", "min": MIN_N}
    low, high = f"{lift.low:.1f}", f"{lift.high:.1f}"
    if lift.value >= 1:
        said = _("Customers who learned something bought %(x)s as often as those who did not")
    else:
        said = _("Customers who learned something bought only %(x)s as often as those who did not")
    return (
        said % {"x": f"{lift.value:.1f}{charts.TIMES}"}
        + f" (95% CI {low}{charts.DASH}{high}), n = {lift.n:,}: "
        + _("%(a)s of %(an)s against %(b)s of %(bn)s.")
        % {
            "a": charts.estimate_text(e.purchase_if_learned),
            "an": f"{e.purchase_if_learned.n:,}",
            "b": charts.estimate_text(e.purchase_if_not),
            "bn": f"{e.purchase_if_not.n:,}",
        }
    )


def _experience_rows(insights: Insights) -> list[Headline]:
    e = insights.experience
    return [
        _headline(_("Purchase rate, learned something"), e.purchase_if_learned),
        _headline(_("Purchase rate, learned nothing"), e.purchase_if_not),
        _headline(_("Learned vs not: purchase ratio"), e.learned_lift),
    ]


def _svg(chart: charts.Chart) -> charts.Chart:
    # The chart module escapes every text it draws; the markup itself is trusted here.
    return replace(chart, svg=mark_safe(chart.svg))


def _safe_sections(sections: dict[str, Any]) -> dict[str, Any]:
    return {
        name: [_svg(c) for c in value] if isinstance(value, list) else _svg(value)
        for name, value in sections.items()
    }


@dataclass(frozen=True, slots=True)
class Parsed:
    """The request's filter form and what it decided."""

    form: InsightsFilterForm
    filters: Filters
    outcome_labels: dict[str, str]


def _parse(request: HttpRequest, assessment: Assessment) -> Parsed:
    options = insights_filter_options(assessment, language=get_language() or "")
    form = InsightsFilterForm(request.GET or None, options=options)
    if form.is_bound:
        form.is_valid()  # errors are shown on the page; the valid filters still apply
    return Parsed(form, form.filters(), dict(options.outcomes))


def _comparison(
    assessment: Assessment, parsed: Parsed
) -> tuple[list[charts.ComparisonRow], charts.Table] | None:
    picked = parsed.form.versions_compared()
    if picked is None:
        return None
    a, b = picked
    first = _figures(assessment, replace(parsed.filters, version=a))
    second = _figures(assessment, replace(parsed.filters, version=b))
    rows = charts.comparison(first, second)
    return rows, charts.comparison_table(rows, f"v{a}", f"v{b}")


# -- views ----------------------------------------------------------------------------------


def insights_page(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    parsed = _parse(request, assessment)
    insights = _figures(assessment, parsed.filters)
    sections = charts.charts_for(insights, parsed.outcome_labels)
    compared = _comparison(assessment, parsed)
    title = _("Insights: %(title)s") % {"title": _label(assessment.title) or assessment.key}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Assessment._meta,
        "title": title,
        "assessment": assessment,
        "assessment_title": _label(assessment.title) or assessment.key,
        "form": parsed.form,
        "filter_query": parsed.form.filter_query(),
        "insights": insights,
        "headlines": headlines(insights),
        "north_star": north_star(insights),
        "median_complete": charts.seconds_text(insights.median_complete_seconds),
        "experience_rows": _experience_rows(insights),
        "experience_table": charts.experience_table(insights),
        "sections": _safe_sections(sections),
        "steps_rows": charts.steps_table(insights.steps).display_rows(),
        "comparison": compared[0] if compared else None,
        "comparison_table": compared[1] if compared else None,
        "versions_compared": parsed.form.versions_compared(),
        "min_n": MIN_N,
    }
    return TemplateResponse(request, f"{TEMPLATES}/page.html", context)


class _Echo:
    """A file-like object whose write hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    # Labels, answers and campaign names come from authors and customers: a spreadsheet must
    # not run one as a formula.
    return cell_safe(value) if isinstance(value, str) else value


def _csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def _filename(assessment: Assessment, what: str) -> str:
    return f"{slugify(assessment.brand.slug)}-{slugify(assessment.key)}-{slugify(what)}.csv"


def _csv_response(rows: Iterable[Iterable[Any]], filename: str) -> HttpResponse:
    response = HttpResponse("".join(_csv_lines(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def insights_chart_csv(model_admin: Any, request: HttpRequest, pk: int, chart: str) -> HttpResponse:
    """One chart's data table as CSV, under the same filters as the page it was linked from."""
    assessment = _assessment(request, pk)
    parsed = _parse(request, assessment)
    if chart == "compare":
        compared = _comparison(assessment, parsed)
        if compared is None:
            raise Http404
        return _csv_response(compared[1].csv_rows(), _filename(assessment, "compare"))
    insights = _figures(assessment, parsed.filters)
    if chart == "experience":
        table = charts.experience_table(insights)
    else:
        found = charts.all_charts(charts.charts_for(insights, parsed.outcome_labels)).get(chart)
        if found is None:
            raise Http404
        table = found.table
    return _csv_response(table.csv_rows(), _filename(assessment, chart))


def insights_export(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    """Every filtered response as one CSV row, streamed: the rows are never all in memory."""
    assessment = _assessment(request, pk)
    parsed = _parse(request, assessment)
    response = StreamingHttpResponse(
        _export_lines(assessment, parsed.filters), content_type="text/csv; charset=utf-8"
    )
    filename = export_filename(assessment, parsed.filters)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def insights_overview(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """Every readable assessment with its started count, completion, learned rate and NPS."""
    if is_superuser(request):
        brands = Brand.objects.order_by("name")
    else:
        brands = Brand.objects.filter(pk__in=readable_brand_ids(request.user)).order_by("name")
    overview = {brand.name: brand_overview(brand, min_n=MIN_N) for brand in brands}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Assessment._meta,
        "title": _("Insights overview"),
        "brands": {
            name: [(row, *(charts.estimate_text(e) for e in row_rates(row))) for row in rows]
            for name, rows in overview.items()
        },
        "min_n": MIN_N,
    }
    return TemplateResponse(request, f"{TEMPLATES}/overview.html", context)


def row_rates(row: Any) -> tuple[Estimate, Estimate, Estimate]:
    return row.completion, row.learned, row.nps


def insights_urls(model_admin: Any) -> list[URLPattern]:
    """The Insights URLs, added to the assessment admin's own."""

    def bound(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return view(model_admin, request, *args, **kwargs)

        handler.__name__ = view.__name__
        return model_admin.admin_site.admin_view(require_GET(handler))

    return [
        path("insights/", bound(insights_overview), name="assessments_insights_overview"),
        path("<int:pk>/insights/", bound(insights_page), name="assessments_assessment_insights"),
        path(
            "<int:pk>/insights/responses.csv",
            bound(insights_export),
            name="assessments_assessment_insights_export",
        ),
        path(
            "<int:pk>/insights/<slug:chart>.csv",
            bound(insights_chart_csv),
            name="assessments_assessment_insights_csv",
        ),
    ]


def insights_link(assessment: Assessment) -> str:
    return reverse("admin:assessments_assessment_insights", args=[assessment.pk])
