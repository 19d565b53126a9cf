"""Questions and fixed wording are rendered once and reused, yet each customer sees their own
language, and an edited template shows at once in development."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.test import override_settings
from django.utils.autoreload import file_changed

from assessments.templatetags.taking import _question_html
from tests.taking.conftest import start, step_url

pytestmark = pytest.mark.django_db

# The step "use" asks a single-choice question, shown by the choices template.
QUESTION = Path("assessments/taking/kinds/choices.html")


@pytest.fixture
def forget_edited_questions():
    """The edited template is test-only: other tests must not get questions rendered from it."""
    yield
    _question_html.cache_clear()


def test_an_edited_question_template_shows_on_the_next_page_without_a_restart(
    client, published, tmp_path, forget_edited_questions
):
    original = (settings.BASE_DIR / "templates" / QUESTION).read_text()
    edited = tmp_path / QUESTION
    edited.parent.mkdir(parents=True)
    edited.write_text(original.replace("question__prompt", "question__prompt first-edit"))
    file_changed.send(sender=None, file_path=edited)  # what runserver's reloader sends
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        response = start(client, published)
        assert "first-edit" in client.get(step_url(response, "use")).content.decode()

        edited.write_text(original.replace("question__prompt", "question__prompt second-edit"))
        file_changed.send(sender=None, file_path=edited)
        html = client.get(step_url(response, "use")).content.decode()
        assert "second-edit" in html and "first-edit" not in html


@pytest.mark.parametrize("first", ["en", "es"])
def test_the_same_step_in_two_languages_shows_each_customer_their_own(client, published, first):
    words = {
        "en": ["What is it for?", "Continue", "Send me the link", "Yes, e-mail me this link"],
        "es": ["What is it for? (es)", "Continuar", "Envíame el enlace", "Progreso"],
    }
    second = "es" if first == "en" else "en"
    pages = {}
    for language in (first, second, first):
        response = start(client, published, language=language)
        pages[language] = client.get(step_url(response, "use")).content.decode()
        assert all(word in pages[language] for word in words[language])
    assert "Continuar" not in pages["en"] and "Send me the link" not in pages["es"]


@pytest.mark.parametrize(
    "inside",
    ["{{ response.token }}", "{% translate greeting %}", '{% translate "Hi" as hi %}{{ hi }}'],
)
def test_wording_that_could_differ_between_customers_is_refused_when_the_template_loads(inside):
    source = f"{{% load i18n taking %}}{{% wording %}}<p>{inside}</p>{{% endwording %}}"
    with pytest.raises(TemplateSyntaxError, match="wording"):
        engines["django"].from_string(source)


# -- the look of the customer pages ---------------------------------------------------------


def test_a_step_count_that_shrinks_says_the_answers_skipped_steps(client, published):
    from tests.taking.conftest import submit

    response = start(client, published)
    first = client.get(step_url(response, "use")).content.decode()
    assert "Step 1 of 3" in first and "skipped" not in first
    submit(client, response, "use", {"use": "walk"})  # walkers skip the distance step
    page = client.get(step_url(response, "knees")).content.decode()
    assert "Step 2 of 2" in page
    assert "your answers skipped 1 step" in page


def test_a_step_count_that_stays_says_nothing_more(client, published):
    from tests.taking.conftest import submit

    response = start(client, published)
    submit(client, response, "use", {"use": "run"})
    page = client.get(step_url(response, "distance")).content.decode()
    assert "Step 2 of 3" in page and "skipped" not in page and "added" not in page


def test_the_skipped_steps_are_said_in_spanish_too(client, published):
    from tests.taking.conftest import submit

    response = start(client, published, language="es")
    submit(client, response, "use", {"use": "walk"})
    page = client.get(step_url(response, "knees")).content.decode()
    assert "tus respuestas se saltaron 1 paso" in page


def _results(client, published) -> str:
    from tests.taking.conftest import RUNNER, results_url, walk

    response = start(client, published)
    walk(client, response, RUNNER)
    return client.get(results_url(response)).content.decode()


def test_results_lead_with_the_outcome_and_the_top_pick_before_the_details(client, published):
    page = _results(client, published)
    order = [
        page.index('id="outcome-title"'),
        page.index("Top pick"),
        page.index("What we learned about you"),
    ]
    assert order == sorted(order)
    # The top pick has a clear button to the product, through the click-counting link.
    top = page[page.index("product--top") :]
    assert re.search(r'<a class="button button--primary product__link" href="/go/[^"]+"', top)
    assert "View Steady" in top


def test_what_the_answers_mean_and_the_alternatives_fold_away_without_javascript(client, brand):
    from assessments.authoring.services import assessment_import
    from tests.factories import definition, products, t

    data = definition(key="folded", products=products("acme"))
    data["steps"][0]["questions"][0]["choices"][0]["insight"] = t("Runners land harder.")
    page = _results(client, assessment_import(brand=brand, source=data, publish=True))
    insights = page[page.index('<details class="more insights">') :]
    assert insights.index("What your answers mean") < insights.index("Runners land harder.")
    assert insights.index("Runners land harder.") < insights.index("</details>")
    alternatives = page[page.index('<details class="more products products--alternatives">') :]
    assert alternatives.index("Also worth a look") < alternatives.index("Trail")
    assert " open" not in page[page.index('<details class="more') :].split(">")[0]


def test_the_share_link_is_there_to_copy_and_its_buttons_wait_for_javascript(client, published):
    page = _results(client, published)
    share = page[page.index("data-share>") :]
    assert 'id="share-link"' in share and "/s/" in share.split('id="share-link"')[1][:200]
    # Without JavaScript the buttons could do nothing, so they start hidden.
    assert re.search(r'<div class="share__buttons" hidden>\s*<button[^>]*data-share-copy', share)


def test_the_landing_page_leads_with_a_picture_and_says_how_long_it_takes(client, brand):
    from assessments.authoring.services import assessment_import
    from tests.factories import definition, products, stored_image
    from tests.taking.conftest import landing_url

    data = definition(products=products("acme"), estimated_minutes=4)
    data["outcomes"][0]["image"] = stored_image("test/hero.png")
    assessment = assessment_import(brand=brand, source=data, publish=True)
    page = client.get(landing_url(assessment)).content.decode()
    assert re.search(r'<figure class="landing__hero"><img src="/media/test/hero[^"]*\.png"', page)
    assert 'fetchpriority="high"' in page  # the first thing painted is not held back
    assert "About 4 minutes" in page
    assert page.index("About 4 minutes") < page.index('class="landing__start"')
