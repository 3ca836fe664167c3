"""Hard deadlines for HTTP exchanges: a watchdog that shuts the socket of a request still
in flight when its call's ``total`` deadline passes.

requests' read timeout bounds each wait for bytes, so a server trickling its answer just
fast enough is never cut off. Here one daemon thread (started on the first deadline) keeps
a heap of alarms; a due alarm shuts down the sockets its exchange used, and the blocked
read in the calling thread ends at once. Connecting is bounded by the connect timeout.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from clientkit._declarations.errors import redacted_cause

_MIN_COMPACT = 1024  # pending alarms before those of finished exchanges are swept out


class DeadlineExceeded(Exception):
    """The watchdog cut an exchange off at its deadline (mapped to ``RequestTimeout``)."""


class Alarm:
    """One exchange's deadline and the sockets it has used."""

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.fired = False
        self.done = False
        self.lock = threading.Lock()

    def attach(self, sock: socket.socket) -> None:
        """Watch ``sock`` (shut at once if the deadline has already passed)."""
        with self.lock:
            self.sockets.append(sock)
            if self.fired and not self.done:
                _shut(sock)

    def detach(self, sock: socket.socket) -> bool:
        """Stop watching ``sock``, whose connection goes back to the pool for other
        exchanges; ``False`` when the deadline has already shut it."""
        with self.lock:
            self.sockets = [watched for watched in self.sockets if watched is not sock]
            return not self.fired

    def ring(self) -> None:
        """The deadline passed: shut the exchange's sockets, unless it is over."""
        with self.lock:
            if self.done:
                return
            self.fired = True
            for sock in self.sockets:
                _shut(sock)

    def finish(self) -> None:
        with self.lock:
            self.done = True
            self.sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Watchdog:
    """One thread ringing alarms as they come due (earliest first)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._compact_at = _MIN_COMPACT

    def arm(self, when: float) -> Alarm:
        """An alarm that rings at ``when`` (a ``time.monotonic()`` instant)."""
        alarm = Alarm()
        with self._wake:
            if len(self._heap) >= self._compact_at:
                self._compact()
            heapq.heappush(self._heap, (when, next(self._order), alarm))
            if self._thread is None or not self._thread.is_alive():  # first use, or a forked child
                self._thread = threading.Thread(target=self._run, name="clientkit-deadline", daemon=True)
                self._thread.start()
            if self._heap[0][2] is alarm:  # the new earliest: the thread must wait less
                self._wake.notify()
        return alarm

    def _compact(self) -> None:
        """Drop the alarms of finished exchanges (kept until due otherwise); amortised O(1)."""
        self._heap = [entry for entry in self._heap if not entry[2].done]
        heapq.heapify(self._heap)
        self._compact_at = max(_MIN_COMPACT, 2 * len(self._heap))

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._wake.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _, _, alarm = heapq.heappop(self._heap)
            alarm.ring()


class Hold:
    """Where a streamed exchange leaves its alarm, still armed, for the reader of its body."""

    def __init__(self) -> None:
        self.alarm: Alarm | None = None

    def release(self) -> None:
        """Finish the held alarm (the body is read, or the exchange was abandoned)."""
        alarm, self.alarm = self.alarm, None
        if alarm is not None:
            alarm.finish()


_WATCHDOG = Watchdog()
_local = threading.local()


@contextmanager
def watched(deadline: float | None, *, hold: bool = False) -> Iterator[Alarm | None]:
    """Run an exchange under ``deadline``: connections taken from a watched pool meanwhile
    are shut when it passes, and the exchange's failure becomes :class:`DeadlineExceeded`.

    ``hold``: an exchange that succeeds keeps its alarm armed (its body is still to be
    read, under the same deadline); whoever reads it calls :meth:`Alarm.finish`."""
    if deadline is None:
        yield None
        return
    alarm = _WATCHDOG.arm(deadline)
    outer = getattr(_local, "alarm", None)
    _local.alarm = alarm
    held = False
    try:
        yield alarm
        held = hold
    except Exception as exc:
        if alarm.fired:
            raise DeadlineExceeded from redacted_cause(exc)
        raise
    finally:
        if not held:
            alarm.finish()
        _local.alarm = outer


def _attach(connection: Any) -> Any:
    """Put ``connection``'s socket, if it has one, under the current exchange's alarm."""
    alarm: Alarm | None = getattr(_local, "alarm", None)
    sock = getattr(connection, "sock", None)
    connection.clientkit_alarm = alarm
    if alarm is not None and sock is not None:
        alarm.attach(sock)
    return connection


def _detach(connection: Any) -> None:
    """Take ``connection``'s socket from its alarm as the pool takes the connection back
    (whoever reads a body, the moment urllib3 releases it): an alarm still armed for a
    stream must never shut a connection another request has taken from the pool since.
    A connection the deadline already shut is closed, never reused."""
    alarm: Alarm | None = getattr(connection, "clientkit_alarm", None)
    connection.clientkit_alarm = None
    sock = getattr(connection, "sock", None)
    if alarm is not None and sock is not None and not alarm.detach(sock):
        connection.close()


class _WatchedConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self)


class WatchedHTTPPool(HTTPConnectionPool):
    """A pool whose sockets the current exchange's alarm can shut, whether a connection is
    reused (taken from the pool) or new (once connected), until the pool takes it back."""

    ConnectionCls = _WatchedConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _attach(super()._get_conn(timeout))

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            _detach(conn)
        super()._put_conn(conn)


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class WatchedHTTPSPool(WatchedHTTPPool, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}
