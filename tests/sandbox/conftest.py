"""The shop's sandbox, seeded with 45 products and one store item, served for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clientkit.sandbox.app import Sandbox
from tests.support.sandboxed import Shop, products


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(Shop, data={"Product": products(45), "Item": [{"store": "s1", "sku": "a", "qty": 1}]})
    box.start()
    try:
        yield box
    finally:
        box.stop()
