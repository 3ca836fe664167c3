"""The sandbox's state: kept in a SQLite file, seeded from JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clientkit.errors import InvalidRequestError
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.store import MemoryStore, Record, SqliteStore, digest_of
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
    with pytest.raises(InvalidRequestError, match=r"seed data: no resource named 'Nope' in Shop \(known: \["):
        Sandbox(Shop, data={"Nope": []})


def test_a_record_changed_in_place_is_a_new_version_and_is_persisted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    first = store.put("Product", "1", {"id": 1, "name": "Lamp"})
    assert store.get("Product", "1") is first  # unchanged: the same version
    first.body["name"] = "Desk"  # what a custom route editing Sandbox.records() does
    changed = store.get("Product", "1")
    assert changed is not None and changed.version == 2 and changed.digest != first.digest
    assert [r.version for r in store.records("Product")] == [2]
    store.close()
    reopened = SqliteStore(tmp_path / "s.sqlite")
    assert reopened.get("Product", "1") == changed
    reopened.close()


def test_digests_tell_content_apart_whatever_the_key_order() -> None:
    assert digest_of({"a": 1, "b": [1, 2]}) == digest_of({"b": [1, 2], "a": 1})
    assert digest_of({"a": 1}) != digest_of({"a": 1.5}) != digest_of({"a": "1"})
    store = MemoryStore()
    assert store.put("T", "1", {"a": 1}).digest == Record({"a": 1}).digest
