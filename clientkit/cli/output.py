"""What a command prints: records as a rich table, JSON, JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from rich.console import Console
from rich.table import Table

from clientkit.errors import InvalidRequestError

FORMATS = ("table", "json", "jsonl", "csv")
_CELL = 60
#: the width of output that is not a terminal (a pipe, a file): wide enough that nothing wraps
UNWRAPPED = 100_000


def cell(value: Any) -> str:
    """One value as text: scalars as they are, nested values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key of ``rows``, in the order first seen."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def table(rows: Sequence[Mapping[str, Any]], title: str | None = None, *, fit: bool = True) -> Table:
    """Rows as a table; long cells are cut (JSON and CSV keep them whole). A table that
    ``fit``s a terminal folds cells wider than a column may be; else no cell is wrapped."""
    out = Table(title=title)
    names = columns_of(rows)
    for name in names:
        if fit:
            out.add_column(name, overflow="fold", max_width=_CELL)
        else:
            out.add_column(name, no_wrap=True)
    for row in rows:
        out.add_row(*(_clip(cell(row.get(n))) for n in names))
    return out


def record_table(record: Mapping[str, Any]) -> Table:
    """One record as a two-column table of fields and values."""
    out = Table(show_header=True)
    out.add_column("field", style="bold")
    out.add_column("value", overflow="fold")
    for key, value in record.items():
        out.add_row(key, cell(value))
    return out


def _clip(text: str) -> str:
    return text if len(text) <= _CELL * 3 else text[: _CELL * 3 - 1] + "…"


class Sink(Protocol):
    """Where a :class:`Writer` writes: anything with ``write(text)``."""

    def write(self, text: str, /) -> object: ...


class Writer:
    """Streams records to ``out`` one at a time as JSON (an array), JSON lines or CSV."""

    def __init__(self, out: Sink, fmt: str, columns: list[str] | None = None) -> None:
        self.out, self.fmt, self.count = out, fmt, 0
        self._csv: csv.DictWriter[str] | None = None
        self._columns = columns

    def write(self, record: Mapping[str, Any]) -> None:
        if self.fmt == "csv":
            self._write_csv(record)
        elif self.fmt == "jsonl":
            self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        else:
            self.out.write("[\n" if self.count == 0 else ",\n")
            self.out.write("  " + json.dumps(record, ensure_ascii=False, default=str))
        self.count += 1

    def _write_csv(self, record: Mapping[str, Any]) -> None:
        if self._csv is None:
            names = columns_of([dict.fromkeys(self._columns or ()), record])
            self._csv = csv.DictWriter(self.out, names, lineterminator="\n")
            self._csv.writeheader()
        unknown = [k for k in record if k not in self._csv.fieldnames]
        if unknown:
            raise InvalidRequestError(
                f"record {self.count + 1} has fields {unknown} that the CSV's columns lack; use JSON lines"
            )
        self._csv.writerow({k: cell(v) for k, v in record.items()})

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("[]\n" if self.count == 0 else "\n]\n")


def print_records(console: Console, rows: Sequence[Mapping[str, Any]], fmt: str, title: str) -> None:
    """A listing in ``fmt``: a table, or the records written out whole."""
    if fmt == "table":
        console.print(table(rows, title=title, fit=console.is_terminal) if rows else f"no {title}")
        return
    writer = Writer(console.file, fmt, columns_of(rows) if fmt == "csv" else None)
    for row in rows:
        writer.write(row)
    writer.close()


def print_value(console: Console, value: Any, fmt: str) -> None:
    """One answer (a record, a list of records or any JSON) in ``fmt``."""
    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        print_records(console, value, fmt, "records")
    elif fmt == "table" and isinstance(value, Mapping):
        console.print(record_table(value))
    elif fmt == "csv" and isinstance(value, Mapping):
        print_records(console, [value], fmt, "records")
    elif fmt == "table" and value is None:
        console.print("done (no content)")
    else:
        console.file.write(json.dumps(value, indent=None if fmt == "jsonl" else 2, default=str) + "\n")
