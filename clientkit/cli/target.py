"""Where an export writes: standard output; a regular file (or a missing one) written whole
or not at all, through a temporary file beside it moved into place on success; anything
else (a device, a FIFO, ``/dev/fd/N``, ``/dev/stdout``) opened and written as it is."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from clientkit.errors import InvalidRequestError

_SPECIAL = ("/dev/", "/proc/")  # never a folder for temporary files: opened as they are
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was written: raised (like Ctrl-C's
    ``KeyboardInterrupt``) so that a half-written file is removed before the command ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Output:
    """A file's text stream whose failed writes are :class:`InvalidRequestError` naming it."""

    def __init__(self, stream: TextIO, to: str) -> None:
        self._stream, self._to = stream, to

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise cannot(self._to, exc) from None


def cannot(to: str, why: OSError | str) -> InvalidRequestError:
    """The one-line error of a target that cannot be written."""
    reason = why if isinstance(why, str) else (why.strerror or str(why))
    return InvalidRequestError(f"cannot write {to}: {reason}")


@contextmanager
def opened(to: str) -> Iterator[TextIO | Output]:
    """What ``--to`` names, open for writing (``-``: standard output). The target is checked
    first, so a folder is refused before anything is fetched; SIGTERM and SIGHUP end the
    block like Ctrl-C, so a temporary file never outlives it."""
    if to == "-":
        yield sys.stdout
        return
    existing = _checked(to)
    with _terminable():
        if os.path.abspath(to).startswith(_SPECIAL) or (
            existing is not None and not stat.S_ISREG(existing.st_mode)
        ):
            with _as_it_is(to) as out:
                yield out
        else:
            with _replacing(to, existing) as out:
                yield out


def _checked(to: str) -> os.stat_result | None:
    """What ``to`` is now (``None``: nothing yet); a folder is refused."""
    if to.endswith(("/", os.sep)):
        raise cannot(to, "a folder (a file's name does not end in /)")
    try:
        existing = os.stat(to)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise cannot(to, exc) from None
    if stat.S_ISDIR(existing.st_mode):
        raise cannot(to, "it is a folder")
    return existing


@contextmanager
def _as_it_is(to: str) -> Iterator[Output]:
    with _failing(to):
        stream = open(to, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by _closed)
    with _closed(stream, to) as out:
        yield out


@contextmanager
def _replacing(to: str, existing: os.stat_result | None) -> Iterator[Output]:
    """A temporary file beside the real file (a symlink is followed, and stays), moved
    over it when the block ends well, removed when it fails."""
    real = Path(os.path.realpath(to))
    with _failing(to):
        fd, temporary = _beside(real)
    try:
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
        if existing is not None:
            with _failing(to):
                _keep(temporary, existing)
        with _closed(stream, to) as out:
            yield out
        with _failing(to):
            os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextmanager
def _closed(stream: TextIO, to: str) -> Iterator[Output]:
    """``stream``, closed after the block; failing to flush it is failing to write ``to``."""
    try:
        yield Output(stream, to)
    except BaseException:
        with contextlib.suppress(OSError):
            stream.close()
        raise
    with _failing(to):
        stream.close()


@contextmanager
def _failing(to: str) -> Iterator[None]:
    """An ``OSError`` of the block as the one-line error naming ``to``."""
    try:
        yield
    except OSError as exc:
        raise cannot(to, exc) from None


def _beside(real: Path) -> tuple[int, Path]:
    """A new file beside ``real``, made with the permissions a new file gets (the umask's)."""
    for _ in range(100):
        temporary = real.with_name(f".{real.name}.{secrets.token_hex(4)}.part")
        with contextlib.suppress(FileExistsError):
            return os.open(temporary, _FLAGS, 0o666), temporary
    raise FileExistsError(f"no free temporary name beside {real}")


def _keep(temporary: Path, existing: os.stat_result) -> None:
    """The owner (as far as this user may give it) and the mode of the file replaced."""
    if hasattr(os, "chown"):
        for uid in (existing.st_uid, -1):
            with contextlib.suppress(OSError):
                os.chown(temporary, uid, existing.st_gid)
                break
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))


@contextmanager
def _terminable() -> Iterator[None]:
    """SIGTERM and SIGHUP (those not ignored) raise :class:`Terminated` in the block;
    the previous handlers are restored after it. Only the main thread handles signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _: FrameType | None) -> None:
        raise Terminated(signum)

    previous: dict[int, Any] = {}  # what signal.signal() returned: a handler, or None
    try:
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, stop)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
