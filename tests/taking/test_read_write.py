"""The customer's response is read and written by statements written once (taking/selectors.py,
taking/services.py): what they give must be exactly what the ORM gives."""

from __future__ import annotations

import pytest

from assessments.models import Response
from assessments.taking.selectors import response_for_taking
from assessments.taking.services import response_write_if_unchanged
from tests.taking.conftest import start, submit

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_read_gives_the_same_response_and_brand_as_the_orm(client, published):
    response = start(client, published, language="en")
    submit(client, response, "use", {"use": "run"})
    orm = Response.objects.select_related("brand", "version").get(pk=response.pk)

    read = response_for_taking(response.token)

    assert _fields(read) == _fields(orm)
    assert read.answers == {"use": "run"} and isinstance(read.updated_at, type(orm.updated_at))
    assert read.updated_at.tzinfo is not None
    assert read.version_hash == orm.version.content_hash
    assert _fields(read.brand) == _fields(orm.brand)
    assert read._state.adding is False and read._state.db == "default"


def test_without_the_brand_it_is_read_on_first_use_and_an_unknown_token_is_none(
    client, published, django_assert_num_queries
):
    response = start(client, published)
    with django_assert_num_queries(1):
        read = response_for_taking(response.token, with_brand=False)
    with django_assert_num_queries(1):
        assert read.brand.slug == published.brand.slug
    assert response_for_taking("no-such-token") is None


def test_a_write_lands_only_on_the_revision_it_was_read_at(client, published):
    response = start(client, published)
    read = response_for_taking(response.token, with_brand=False)
    changes = {"answers": {"use": "walk", "note": 'Ñandú "quoted"'}, "revision": read.revision + 1}

    assert response_write_if_unchanged(read, changes) is True
    stored = Response.objects.get(pk=response.pk)
    assert stored.answers == {"use": "walk", "note": 'Ñandú "quoted"'}
    assert stored.revision == read.revision + 1

    # `read` is now behind: a second write from it changes nothing.
    assert response_write_if_unchanged(read, {"answers": {"use": "run"}}) is False
    assert Response.objects.get(pk=response.pk).answers["use"] == "walk"
