"""Fault injection: reproducible misbehaviour, per route or for every request.

Each :class:`Fault` names a kind, which requests it applies to (a path pattern and
method), and how often: the next ``times`` matching requests, a seeded ``rate``, or
always. A request meets at most one fault that changes its answer and one ``latency``
fault, each the first in declaration order that applies: several matching faults answer
one request each, in the order they were added. Kinds:

- ``latency``: wait ``delay`` seconds, then answer normally;
- ``status``: answer ``status`` (5xx, 429...) in the service's error shape, with an
  optional ``Retry-After``;
- ``drop``: close the connection without answering;
- ``drop_mid``: send the headers and half of the body, then close;
- ``truncate``: send a complete response whose JSON is cut short;
- ``html``: answer an HTML error page (``status``, 502 by default) instead of JSON;
- ``reset``: send the headers and half of the body, then reset the connection (an RST,
  not the orderly close of ``drop_mid``);
- ``trickle``: send the body ``chunk`` bytes every ``delay`` seconds;
- ``redirect``: answer 302 to ``location`` (another host, typically).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import random
import socket
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Literal

import attrs

Kind = Literal["latency", "status", "drop", "drop_mid", "reset", "truncate", "html", "trickle", "redirect"]
_KINDS = ("latency", "status", "drop", "drop_mid", "reset", "truncate", "html", "trickle", "redirect")
BODY_KINDS = ("drop_mid", "reset", "trickle")  # faults during a body, file answers' included


def _check_kind(_: object, __: object, value: str) -> None:
    if value not in _KINDS:
        raise ValueError(f"unknown fault kind {value!r}; one of {', '.join(_KINDS)}")


@attrs.frozen
class Fault:
    """One kind of misbehaviour and the requests it applies to.

    Example:
        >>> Fault("status", status=503, times=2, route="/apps*")     # the next two requests
        >>> Fault("latency", delay=0.05, rate=0.1)                  # 10% of all requests
        >>> Fault("status", status=429, retry_after="2", times=1)
    """

    kind: Kind = attrs.field(validator=_check_kind)
    route: str | None = None
    method: str | None = None
    times: int | None = None
    rate: float | None = None
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0
    chunk: int = 16
    location: str = "http://example.invalid/"

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.route is None or fnmatch.fnmatchcase(path, self.route)


class FaultPlan:
    """The active faults of a sandbox, drawn from a seeded random generator."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._faults: list[list[object]] = []  # [fault, remaining]
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append([fault, fault.times])
        return fault

    def inject(self, kind: Kind, **options: object) -> Fault:
        """Shorthand for ``add(Fault(kind, ...))``."""
        return self.add(Fault(kind, **options))  # type: ignore[arg-type]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def draw(self, method: str, path: str) -> list[Fault]:
        """The faults this request meets: the first fault in declaration order that applies and
        changes the answer, and the first latency fault; only theirs are consumed (a count, a
        draw of the generator), so the next matching faults answer the next requests."""
        chosen: dict[bool, Fault] = {}
        with self._lock:
            for slot in self._faults:
                fault, remaining = slot
                assert isinstance(fault, Fault)
                waits = fault.kind == "latency"
                if waits in chosen or not fault.matches(method, path):
                    continue
                if remaining is not None:
                    assert isinstance(remaining, int)
                    if remaining <= 0:
                        continue
                    slot[1] = remaining - 1
                elif fault.rate is not None and self._rng.random() >= fault.rate:
                    continue
                chosen[waits] = fault
        return list(chosen.values())


def broken_body(
    fault: Fault, chunks: Iterable[bytes], length: int, sock: socket.socket | None
) -> Iterator[bytes]:
    """A body of ``length`` bytes as a body fault sends it: trickled, or cut off half way
    by an orderly close (``drop_mid``) or a reset (``reset``) of ``sock``."""
    if fault.kind == "trickle":
        for chunk in chunks:
            for start in range(0, len(chunk), max(1, fault.chunk)):
                time.sleep(fault.delay)
                yield chunk[start : start + max(1, fault.chunk)]
        return
    left = length // 2
    for chunk in chunks:
        if left <= 0:
            break
        piece = chunk[:left]
        left -= len(piece)
        yield piece
    if sock is not None:
        (reset if fault.kind == "reset" else close)(sock)


def close(sock: socket.socket) -> None:
    """End the connection in order (a FIN): the client reads a short body."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def reset(sock: socket.socket) -> None:
    """Reset the connection (an RST): its descriptor is replaced by a dead socket's, so the
    server's own handling of it ends quietly."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        spare, peer = socket.socketpair()
        peer.close()
        os.dup2(spare.fileno(), sock.fileno())  # closes the connection's descriptor: the RST
        spare.close()
