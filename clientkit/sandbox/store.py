"""Where a sandbox keeps its records: in memory, or in a SQLite file that outlives it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs


def digest_of(body: Any) -> str:
    """A digest of a body's content (key order aside): a change to it is a change to the record."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@attrs.define
class Record:
    """A stored resource: its wire body, a version bumped on every change, when, and the
    digest of the body as that version stored it."""

    body: dict[str, Any]
    version: int = 1
    modified: float = attrs.field(factory=time.time)
    digest: str = attrs.field(default=attrs.Factory(lambda self: digest_of(self.body), takes_self=True))


class MemoryStore:
    """Tables of records, each ordered by insertion; thread-safe."""

    def __init__(self) -> None:
        self._tables: dict[str, OrderedDict[str, Record]] = {}
        self._counters: dict[str, int] = {}
        self._lock = threading.RLock()

    def records(self, table: str) -> list[Record]:
        with self._lock:
            return [self._noticed(table, key, r) for key, r in list(self._tables.get(table, {}).items())]

    def get(self, table: str, key: str) -> Record | None:
        with self._lock:
            rows = self._tables.get(table)
            found = rows.get(key) if rows is not None else None
            return self._noticed(table, key, found) if found is not None else None

    def _noticed(self, table: str, key: str, record: Record) -> Record:
        """``record``, or its next version when its body was changed in place (a custom route
        editing what ``Sandbox.records()`` gave it): a new ETag and Last-Modified, persisted."""
        if digest_of(record.body) == record.digest:
            return record
        fresh = Record(body=record.body, version=record.version + 1, modified=time.time())
        self._tables[table][key] = fresh
        self._persist(table, key, fresh)
        return fresh

    def put(self, table: str, key: str, body: dict[str, Any]) -> Record:
        with self._lock:
            rows = self._tables.setdefault(table, OrderedDict())
            old = rows.get(key)
            record = Record(body=body, version=(old.version + 1) if old else 1, modified=time.time())
            rows[key] = record
            self._persist(table, key, record)
            return record

    def delete(self, table: str, key: str) -> bool:
        with self._lock:
            rows = self._tables.get(table)
            found = rows is not None and rows.pop(key, None) is not None
            if found:
                self._forget(table, key)
            return found

    def next_id(self, table: str) -> int:
        with self._lock:
            rows: Mapping[str, Record] = self._tables.get(table, {})
            highest = max((int(k) for k in rows if k.isdigit()), default=0)
            value = max(self._counters.get(table, 0), highest) + 1
            self._counters[table] = value
            return value

    def modified(self, table: str) -> float:
        """When ``table`` last changed (in-place changes count once ``records`` or ``get`` saw them)."""
        with self._lock:
            return max((r.modified for r in self._tables.get(table, {}).values()), default=0.0)

    def tables(self) -> list[str]:
        with self._lock:
            return list(self._tables)

    def _persist(self, table: str, key: str, record: Record) -> None:
        """Hook for persistent stores."""

    def _forget(self, table: str, key: str) -> None:
        """Hook for persistent stores."""

    def close(self) -> None:
        """Release resources (nothing to do in memory)."""


class SqliteStore(MemoryStore):
    """A memory store written through to a SQLite file, reloaded when reopened."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT, "
            "key TEXT, body TEXT, version INTEGER, modified REAL, UNIQUE(tbl, key))"
        )
        for tbl, key, body, version, modified in self._db.execute(
            "SELECT tbl, key, body, version, modified FROM records ORDER BY seq"
        ):
            self._tables.setdefault(tbl, OrderedDict())[key] = Record(json.loads(body), version, modified)

    def _persist(self, table: str, key: str, record: Record) -> None:
        self._db.execute(
            "INSERT INTO records (tbl, key, body, version, modified) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(tbl, key) DO UPDATE SET body=excluded.body, version=excluded.version, "
            "modified=excluded.modified",
            (table, key, json.dumps(record.body), record.version, record.modified),
        )

    def _forget(self, table: str, key: str) -> None:
        self._db.execute("DELETE FROM records WHERE tbl=? AND key=?", (table, key))

    def close(self) -> None:
        with self._lock:
            self._db.close()
