"""Collecting every text a secret could leak into, and searching it.

A ``Places`` maps a label ("log record 12 (urllib3.connectionpool)", "pickle of
ConnectError", "cache file x.sqlite") to the text or bytes found there; ``findings``
searches all of it for each secret in every spelling a leak could take.
"""

from __future__ import annotations

import base64
import logging
import os
import pickle
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

Places = dict[str, str | bytes]


def spellings(secret: str) -> set[str]:
    """The forms a leaked secret may take: raw, percent-encoded and base64."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    forms.add(base64.b64encode(secret.encode()).decode().rstrip("="))
    return forms


def findings(places: Places, secrets: Iterable[str]) -> list[str]:
    """``"<secret form> in <place>"`` for every secret found anywhere."""
    found = []
    for secret in secrets:
        for form in spellings(secret):
            needle = form.encode()
            for label, content in places.items():
                hay = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
                if needle in hay:
                    found.append(f"{form!r} in {label}")
    return found


def chain(err: BaseException) -> Iterator[BaseException]:
    """``err`` and every exception it is chained to (causes and contexts)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


_TESTS = f"{os.sep}tests{os.sep}"  # a test's own frames hold the secrets it sends; never read them


def exception_places(err: BaseException, label: str) -> Places:
    """str, repr, args, attributes and pickle of ``err`` and its chain, and its formatted traceback
    (also the local variables of its frames outside the tests, as ``pytest -l`` and error
    trackers show them: a test's own frames hold the secrets it sends)."""
    places: Places = {f"{label} traceback": "".join(traceback.format_exception(err))}
    frames = [f for f, _ in traceback.walk_tb(err.__traceback__) if _TESTS not in f.f_code.co_filename]
    places[f"{label} frame locals"] = "\n".join(f"{f.f_code.co_filename} {f.f_locals!r}" for f in frames)
    for i, exc in enumerate(chain(err)):
        name = f"{label} chain[{i}] {type(exc).__name__}"
        attributes = {k: v for k, v in vars(exc).items() if k not in ("response", "request")}
        places[f"{name} str"] = str(exc)
        places[f"{name} repr"] = repr(exc)
        places[f"{name} args"] = repr(exc.args)
        places[f"{name} attributes"] = repr(attributes)
        try:
            places[f"{name} pickle"] = pickle.dumps(exc)
        except Exception as problem:  # an unpicklable third-party exception leaks nothing by pickling
            places[f"{name} pickle"] = f"unpicklable: {type(problem).__name__}"
    return places


def log_places(records: Iterable[logging.LogRecord], label: str = "log") -> Places:
    """Each record's message and everything a formatter would add (traceback, stack)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return {
        f"{label} record {i} ({record.name})": f"{record.getMessage()}\n{formatter.format(record)}"
        for i, record in enumerate(records)
    }


def file_places(root: Path, label: str = "file") -> Places:
    """All bytes of every file under ``root``."""
    return {f"{label} {p.relative_to(root)}": p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def repr_places(objects: dict[str, Any]) -> Places:
    return {f"repr of {name}": repr(obj) for name, obj in objects.items()} | {
        f"str of {name}": str(obj) for name, obj in objects.items()
    }
