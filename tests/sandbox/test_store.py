"""The sandbox's state: kept in a SQLite file, seeded from JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clientkit.sandbox.app import Sandbox
from tests.support.sandboxed import Product, Shop, products


def test_state_persists_in_a_sqlite_file(tmp_path: Path) -> None:
    store = tmp_path / "sandbox.sqlite"
    with Sandbox(Shop, store=store) as url:
        Shop.connect(url, token="sandbox-token").create(Product(name="Kept"))
    with Sandbox(Shop, store=store) as url:
        assert [p.name for p in Shop.connect(url, token="sandbox-token").list(Product)] == ["Kept"]


def test_seed_from_a_json_file(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Product": products(3)}))
    with Sandbox(Shop, data=seed) as url:
        assert Shop.connect(url, token="sandbox-token").list(Product).total == 3
    with pytest.raises(KeyError, match="no resource named"):
        Sandbox(Shop, data={"Nope": []})
