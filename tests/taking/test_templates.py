"""Questions and fixed wording are rendered once and reused, yet each customer sees their own
language, and an edited template shows at once in development."""

from __future__ import annotations

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
