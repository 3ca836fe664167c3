"""Identity: what names one object of a resource."""

from __future__ import annotations

import pytest

from clientkit import Resource
from clientkit.errors import DeclarationError
from clientkit.model import identity_of, spec_of
from tests.support.declared import App, Collection


def test_collection_identity_is_composite_and_placeholders_are_fields() -> None:
    spec = Collection.__ck_spec__
    assert spec is not None
    assert spec.identity == ("app", "slug")
    assert identity_of(Collection(app="shop", slug="orders")) == ("shop", "orders")


def test_an_undeclared_class_is_named_in_the_error() -> None:
    class Loose(Resource):
        id: int | None = None

    with pytest.raises(DeclarationError, match=r"Loose has no paths.*Service\.resource"):
        spec_of(Loose)
    assert spec_of(Collection(app="a", slug="b")) is spec_of(Collection)
    assert identity_of(App(id="x")) == "x"
