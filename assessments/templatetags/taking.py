"""Template helpers for customer pages: localised author texts, a step's questions, and fixed
wording rendered once per language."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django import template
from django.dispatch import receiver
from django.template.base import Parser, TextNode, Token
from django.template.context import Context
from django.template.loader import render_to_string
from django.templatetags.i18n import TranslateNode
from django.utils import translation
from django.utils.autoreload import file_changed

from assessments.engine import text
from assessments.taking.display import image, landing_hero

if TYPE_CHECKING:
    from assessments.taking.display import QuestionField

register = template.Library()

# Distinct questions kept rendered per worker: every question of many live assessments, in
# each language, blank and with a few answers picked; about 2 KB each.
QUESTIONS_KEPT = 4096


@register.filter
def localized(value: Any, language: str) -> str:
    """`{{ step.title|localized:language }}` (see `engine.text.localized`)."""
    return text.localized(value, language)


@functools.lru_cache(maxsize=QUESTIONS_KEPT)
def _question_html(field: QuestionField, language: str) -> str:
    return render_to_string(field.template, {"field": field})


@register.simple_tag
def question(field: QuestionField) -> str:
    """`{% question field %}`: one question of a step, as HTML, by its kind's template.

    Rendering the questions is most of a step page's cost, and their HTML is a function of the
    field (texts, choices, what is picked, the error) and the language. So it is rendered once
    per worker and reused by every customer who sees the same question the same way; a field
    carrying something only this customer wrote is rendered afresh and never kept.
    """
    language = translation.get_language()
    if field.personal:
        return render_to_string(field.template, {"field": field})
    return _question_html(field, language)


@receiver(file_changed, dispatch_uid="taking_forget_rendered_questions")
def _forget_rendered_questions(sender: Any, file_path: Any, **kwargs: Any) -> None:
    # runserver picks up an edited template without restarting; the questions must too.
    if str(file_path).endswith(".html"):
        _question_html.cache_clear()


class WordingNode(template.Node):
    """Fixed wording: rendered once per language, then reused (see `wording`)."""

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: dict[str, str] = {}

    def render(self, context: Context) -> str:
        language = translation.get_language()
        html = self.rendered.get(language)
        if html is None:
            html = self.rendered[language] = self.nodelist.render(context)
        return html


def _fixed(node: template.Node) -> bool:
    """Text, or `{% translate "a literal" %}`: output that depends on the language alone."""
    if isinstance(node, TextNode):
        return True
    if not isinstance(node, TranslateNode) or node.asvar or node.message_context:
        return False
    expression = node.filter_expression
    return not expression.filters and expression.var.lookups is None


@register.tag
def wording(parser: Parser, token: Token) -> WordingNode:
    """`{% wording %}…{% endwording %}`: markup and `{% translate "…" %}` that are the same for
    every customer in a language, rendered once per language per worker.

    A `{% translate %}` tag is one of the dearest nodes of a page, and a step page repeats the
    same few labels (the e-mail link's form, the buttons) for everyone. Anything else inside,
    a variable above all, is refused when the template loads: it could differ between
    customers, and one customer's value must never be shown to another.
    """
    nodelist = parser.parse(("endwording",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                '{% wording %} may hold only text and {% translate "…" %}; '
                f"line {node.token.lineno} has {node.token.contents!r}."
            )
    return WordingNode(nodelist)


@register.filter
def picture(name: Any) -> Any:
    """`{% with logo=brand.logo.name|picture %}`: a stored image's URL and pixel size, or None."""
    return image(name if isinstance(name, str) else "")


@register.filter
def hero(definition: Any) -> Any:
    """`{% with hero=version.definition|hero %}`: the picture a landing page leads with."""
    return landing_hero(definition) if isinstance(definition, dict) else None
