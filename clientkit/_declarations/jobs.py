"""Long-running jobs, declared: how a job is started, how its status is asked for, which
statuses mean done or failed, where its message, progress and result are. Pure: reading an
answer into a :class:`JobStatus` is done here; the client sends the requests."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from clientkit._declarations.errors import DeclarationError, DecodeError, repr_excerpt
from clientkit._declarations.keypaths import dig
from clientkit._declarations.keywords import checked_keywords
from clientkit._declarations.paths import PathTemplate
from clientkit._declarations.retry import parse_retry_after
from clientkit._declarations.wire import is_token

#: the longest pause between polls that grow by ``backoff``, unless ``max_interval`` says
MAX_INTERVAL = 30.0
#: the shortest pause a server's hint can ask for, unless ``min_interval`` says
MIN_INTERVAL = 0.1

_IDENTIFIER = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@checked_keywords
@attrs.frozen
class Flag:
    """A state told by a JSON boolean at key path ``path`` (``Flag("finished")``): set by
    ``true`` only; ``false``, ``null`` or no value leave it unset, and any other value (the
    text ``"false"``, a number) is a :class:`DecodeError` naming the path, not a guess."""

    path: str = attrs.field()

    @path.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        _key_path("Flag", value)


Outcome = tuple[Any, ...] | Flag


@checked_keywords
@attrs.frozen
class JobStatus:
    """One status of a job: the raw ``state`` value (``None`` without one), whether it is
    ``done`` or ``failed``, its ``message``, ``progress`` and ``result``, the (narrowed)
    answer as ``raw`` (``None`` while the job is not yet visible) and the polls made so far."""

    id: Any
    state: Any = None
    done: bool = False
    failed: bool = False
    message: Any = None
    progress: Any = None
    result: Any = None
    raw: Any = None
    polls: int = 0


def _key_path(what: str, value: Any) -> None:
    if not isinstance(value, str) or not value or value.startswith(".") or value.endswith("."):
        raise DeclarationError(f"{what} takes a dotted key path such as 'data.status', not {value!r}")


def _optional_path(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _key_path(f"Job.{attribute.name}", value)


def _template(value: Any) -> PathTemplate:
    return value if isinstance(value, PathTemplate) else PathTemplate(value)


def _optional_template(value: Any) -> PathTemplate | None:
    return None if value is None else _template(value)


def _outcome(value: Any) -> Outcome:
    """``Flag``, one state value, or several (a list or tuple of them)."""
    if isinstance(value, Flag):
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        values = tuple(value)
        if all(isinstance(v, str | int | float) for v in values):
            return values
    raise DeclarationError(f"a job outcome is a Flag or state values (text or numbers), not {value!r}")


def _seconds(what: str, value: Any, *, minimum: float = 0.0) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not value > minimum:
        raise DeclarationError(f"Job.{what} must be a finite number above {minimum:g}, not {value!r}")


def _header(what: str, value: Any) -> None:
    if value is not None and not is_token(value):
        raise DeclarationError(f"Job.{what} must be a header name, not {value!r}")


@checked_keywords
@attrs.frozen
class Job:
    """A long-running job of a service, declared once (a module-level constant) and run with
    ``session.run_job(job, ...)``.

    ``start`` (with ``method``) is the path that starts it, ``status`` the path that tells
    how it is; the job's id is read at key path ``id_at`` of the start answer and sent as the
    ``{id_name}`` placeholder of ``status`` (``id_in="path"``) or as the query parameter
    ``id_name`` (``id_in="query"``). ``narrow`` is a key path into the status answer
    (``"results.0"``); while it is absent the job is not yet visible and polling goes on.
    ``done`` and ``failed`` are state values at key path ``state`` or a :class:`Flag`
    (``failed`` is checked first). ``message``, ``progress`` and ``result`` are key paths
    into the (narrowed) status; ``result=None`` means the whole status. Polls come every
    ``interval`` seconds, times ``backoff`` after each, up to ``max_interval`` (default:
    :data:`MAX_INTERVAL`, or ``interval`` when longer); a server's hint in header ``hint``
    (seconds, or an HTTP date) or ``hint_ms`` (milliseconds) wins, but never below
    ``min_interval`` (default :data:`MIN_INTERVAL`, or ``interval`` when shorter).
    ``immediate``: a start answer without an id is the finished result itself (a task that
    ran synchronously); otherwise it is a ``DecodeError``. ``check_id``: the key path of the
    job's id in its status, checked against the id polled; required when a list answer is
    narrowed and the id is a query parameter, as a server that ignores an unknown filter
    (Django REST Framework does) would otherwise pass another job's status for this one.

    Example:
        >>> EXPORT = Job(start="/reports/{report}/export", status="/exports/{id}/status",
        ...              id_at="temporaryFileId", state="status", done=("Completed",),
        ...              failed=("Failed",), message="errorMessage")
    """

    status: PathTemplate = attrs.field(converter=_template)
    done: Outcome = attrs.field(converter=_outcome)
    failed: Outcome | None = attrs.field(default=None, converter=attrs.converters.optional(_outcome))
    start: PathTemplate | None = attrs.field(default=None, converter=_optional_template)
    method: str = "POST"
    id_at: str = attrs.field(default="id", validator=_optional_path)
    id_name: str = "id"
    id_in: Literal["path", "query"] = "path"
    narrow: str | None = attrs.field(default=None, validator=_optional_path)
    state: str | None = attrs.field(default=None, validator=_optional_path)
    message: str | None = attrs.field(default=None, validator=_optional_path)
    progress: str | None = attrs.field(default=None, validator=_optional_path)
    result: str | None = attrs.field(default=None, validator=_optional_path)
    check_id: str | None = attrs.field(default=None, validator=_optional_path)
    interval: float = 1.0
    backoff: float = 1.0
    max_interval: float | None = None
    min_interval: float | None = None
    hint: str | None = "Retry-After"
    hint_ms: str | None = None
    immediate: bool = False
    name: str = "job"

    def __attrs_post_init__(self) -> None:
        self._check_id_place()
        self._check_outcomes()
        _seconds("interval", self.interval)
        _seconds("backoff", self.backoff, minimum=1.0 - 1e-12)
        if self.max_interval is not None:
            _seconds("max_interval", self.max_interval)
            if self.max_interval < self.interval:
                raise DeclarationError("Job.max_interval must not be below Job.interval")
        if self.min_interval is not None:
            _seconds("min_interval", self.min_interval)
        _header("hint", self.hint)
        _header("hint_ms", self.hint_ms)
        if (
            not isinstance(self.method, str)
            or not is_token(self.method)
            or self.method != self.method.upper()
        ):
            raise DeclarationError(f"Job.method must be an upper-case HTTP method, not {self.method!r}")
        if self.immediate and self.start is None:
            raise DeclarationError("an immediate Job needs a start path: only a start can answer at once")

    def _check_id_place(self) -> None:
        if not isinstance(self.id_name, str) or not self.id_name or set(self.id_name) - _IDENTIFIER:
            raise DeclarationError(f"Job.id_name must be a name such as 'id', not {self.id_name!r}")
        in_path = self.id_name in self.status.names
        if self.id_in == "path" and not in_path:
            raise DeclarationError(
                f"the status path {self.status.template} has no {{{self.id_name}}} for the job's id "
                "(or declare id_in='query')"
            )
        if self.id_in == "query" and in_path:
            raise DeclarationError(f"id_in='query', yet the status path holds {{{self.id_name}}}")
        if self.id_in == "query" and self.narrow is not None and self.check_id is None:
            raise DeclarationError(
                f"Job {self.name!r} narrows its status to {self.narrow!r} and sends the id as "
                f"?{self.id_name}=...: declare check_id (the key path of the id in the status), "
                "or a server that ignores the filter would make another job's status pass for this one"
            )
        if self.id_in not in ("path", "query"):
            raise DeclarationError(f"Job.id_in is 'path' or 'query', not {self.id_in!r}")
        if self.start is not None and self.id_name in self.start.names:
            raise DeclarationError(
                f"the start path cannot hold the job's id {{{self.id_name}}}: none exists yet"
            )

    def _check_outcomes(self) -> None:
        for what, outcome in (("done", self.done), ("failed", self.failed)):
            if isinstance(outcome, tuple):
                if not outcome:
                    raise DeclarationError(f"Job.{what} names no state value")
                if self.state is None:
                    raise DeclarationError(
                        f"Job.{what} lists state values; declare where they are (state=...)"
                    )
        if (
            isinstance(self.done, tuple)
            and isinstance(self.failed, tuple)
            and set(self.done) & set(self.failed)
        ):
            raise DeclarationError(
                f"{sorted(map(str, set(self.done) & set(self.failed)))} cannot mean both done and failed"
            )

    @property
    def names(self) -> frozenset[str]:
        """The placeholders a call fills (from its keywords or the context), the id's aside."""
        names = set(self.status.names) | set(self.start.names if self.start else ())
        return frozenset(names - {self.id_name})

    def started(self, answer: Any) -> JobStatus:
        """The status a start ``answer`` gives: the job's id, or (``immediate``) the finished
        result when it has none. A missing or unusable id is a :class:`DecodeError`."""
        job_id = dig(answer, self.id_at) if isinstance(answer, Mapping) else None
        if job_id is None:
            if self.immediate:
                return JobStatus(id=None, done=True, result=answer, raw=answer)
            raise DecodeError(
                f"the start answer of {self.name} has no id at {self.id_at!r}", excerpt=repr_excerpt(answer)
            )
        if isinstance(job_id, bool) or not isinstance(job_id, str | int) or job_id == "":
            raise DecodeError(
                f"the id of {self.name} at {self.id_at!r} is not a string or an integer",
                excerpt=repr_excerpt(job_id),
            )
        return JobStatus(id=job_id, raw=answer)

    def read(self, answer: Any, job_id: Any, polls: int) -> JobStatus:
        """The status a poll's ``answer`` tells; ``raw=None`` while the job is not yet visible."""
        raw = dig(answer, self.narrow) if self.narrow else answer
        if raw is None and self.narrow:
            return JobStatus(id=job_id, polls=polls)
        if not isinstance(raw, Mapping):
            raise DecodeError(
                f"the status of {self.name} {job_id} is not an object", excerpt=repr_excerpt(raw)
            )
        if self.check_id is not None and str(dig(raw, self.check_id)) != str(job_id):
            raise DecodeError(
                f"the status polled for {self.name} {job_id} is about another job",
                excerpt=repr_excerpt(dig(raw, self.check_id)),
            )
        state = dig(raw, self.state) if self.state else None
        failed = self.failed is not None and _holds(self.failed, raw, state, self.name)
        return JobStatus(
            id=job_id,
            state=state,
            done=not failed and _holds(self.done, raw, state, self.name),
            failed=failed,
            message=dig(raw, self.message) if self.message else None,
            progress=dig(raw, self.progress) if self.progress else None,
            result=dig(raw, self.result) if self.result else raw,
            raw=raw,
            polls=polls,
        )

    def hint_of(self, headers: Mapping[str, str]) -> float | None:
        """The seconds the server asks to wait before the next poll (``None``: no hint)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        if self.hint_ms is not None and self.hint_ms.lower() in lowered:
            value = lowered[self.hint_ms.lower()].strip()
            if value.isdigit() and len(value) <= 12:
                return int(value) / 1000
        if self.hint is not None and self.hint.lower() in lowered:
            return parse_retry_after({"Retry-After": lowered[self.hint.lower()]})
        return None

    def next_interval(self, interval: float) -> float:
        """The interval after ``interval``: grown by ``backoff``, capped by ``max_interval``
        (default :data:`MAX_INTERVAL`, or ``interval`` when longer)."""
        if self.backoff == 1:
            return interval
        cap = self.max_interval if self.max_interval is not None else max(MAX_INTERVAL, self.interval)
        return min(interval * self.backoff, cap)

    def delay(self, interval: float, hint: float | None) -> float:
        """The pause before the next poll: the server's ``hint`` when it gave one, never
        below ``min_interval`` (default :data:`MIN_INTERVAL`, or ``interval`` when shorter:
        a ``Retry-After: 0`` must not make polling a busy loop), else ``interval``."""
        if hint is None:
            return interval
        floor = self.min_interval if self.min_interval is not None else min(MIN_INTERVAL, self.interval)
        return max(hint, floor)


def _holds(outcome: Outcome, raw: Any, state: Any, name: str) -> bool:
    if isinstance(outcome, Flag):
        value = dig(raw, outcome.path)
        if value is None or isinstance(value, bool):
            return value is True
        raise DecodeError(
            f"the flag at {outcome.path!r} in the status of {name} is not true or false",
            excerpt=repr_excerpt(value),
        )
    return state is not None and state in outcome
