"""Identity: what names one object of a resource."""

from __future__ import annotations

from clientkit.model import identity_of
from tests.support.declared import Collection


def test_collection_identity_is_composite_and_placeholders_are_fields() -> None:
    spec = Collection.__ck_spec__
    assert spec is not None
    assert spec.identity == ("app", "slug")
    assert identity_of(Collection(app="shop", slug="orders")) == ("shop", "orders")
