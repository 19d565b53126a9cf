"""The pages speak the customer's language: from the URL, else the browser's, then pinned."""

from __future__ import annotations

import pytest

from tests.taking.conftest import RUNNER, landing_url, results_url, start, step_url, walk

pytestmark = pytest.mark.django_db


def test_the_landing_page_takes_its_language_from_the_url(client, published):
    html = client.get(landing_url(published, "lang=es")).content.decode()
    assert '<html lang="es">' in html
    assert "Prueba de ajuste" in html  # the assessment's own text
    assert "Empezar" in html and "Sin cuenta y sin cookies" in html  # the interface


def test_without_one_in_the_url_the_browsers_language_is_used(client, published):
    html = client.get(landing_url(published), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content
    assert "Empezar" in html.decode()
    english = client.get(landing_url(published), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Start" in english


def test_the_url_wins_over_the_browser(client, published):
    html = client.get(landing_url(published, "lang=en"), HTTP_ACCEPT_LANGUAGE="es").content
    assert "Start" in html.decode()


def test_a_response_started_in_spanish_stays_in_spanish(client, published):
    response = start(client, published, language="es")
    page = client.get(step_url(response, "use"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page["Content-Language"] == "es"
    assert "Paso 1 de 3" in html and "Continuar" in html
    assert "What is it for? (es)" in html
    walk(client, response, RUNNER)
    results = client.get(results_url(response)).content.decode()
    assert "Tus resultados" in results and "¿Has descubierto algo nuevo" in results
    assert "Tu support need (es) es High (es)" in results  # the engine's reasons, in Spanish


def test_errors_are_worded_in_the_responses_language(client, published):
    response = start(client, published, language="es")
    page = client.post(step_url(response, "use"), {"submission_id": "x"})
    assert "Responde a esta pregunta" in page.content.decode()
