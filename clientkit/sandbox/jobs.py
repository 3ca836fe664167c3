"""The server half of a declared :class:`Job`: jobs that run for a while from their start
request, then finish or fail, answered in the declaration's own shape (its id key path,
state values or flags, message, progress and result, its narrowing and poll hint)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from clientkit._declarations.jobs import Flag, Job
from clientkit._declarations.keypaths import set_path

if TYPE_CHECKING:
    from clientkit.sandbox.app import Sandbox, SandboxRequest

#: what a job route answers: status, JSON body, headers
Answer = tuple[int, Any, dict[str, str]]
Route = tuple[str, str, Callable[["SandboxRequest"], Answer]]


def _not_negative(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not value >= 0:
        raise ValueError(f"serve_job: {attribute.name} must not be negative, not {value!r}")


@attrs.define
class ServedJob:
    """The jobs a sandbox runs for one :class:`Job` declaration.

    Each job runs ``duration`` seconds from its start request, then finishes with ``result``
    (at the declared ``result`` key path, or merged into the status when that is the result)
    or, when ``fail`` is a message, fails with it. ``hint`` (seconds) is sent in the declared
    hint header; ``hidden_for`` seconds after the start the status is not yet visible (the
    declared ``narrow`` path absent: ``{"results": []}``); ``synchronous`` answers the start
    with ``result`` itself, without an id; ``running`` is the state value while it runs.
    A declared progress counts from 0 to 99 while the job runs and stays there when it
    fails; only a job that succeeded reports 100.
    """

    sandbox: Sandbox
    job: Job
    duration: float = attrs.field(default=0.5, validator=_not_negative)
    fail: str | None = None
    result: Any = None
    hint: float | None = attrs.field(default=None, validator=_not_negative)
    hidden_for: float = attrs.field(default=0.0, validator=_not_negative)
    synchronous: bool = False
    running: Any = "running"
    started: dict[str, float] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def __attrs_post_init__(self) -> None:
        if self.hint is not None and self.job.hint is None and self.job.hint_ms is None:
            raise ValueError("serve_job: hint needs a declared hint header (Job.hint or Job.hint_ms)")
        if self.hidden_for and not self.job.narrow:
            raise ValueError("serve_job: hidden_for needs a Job that narrows its status (Job.narrow)")

    def begin(self) -> str:
        """Start a job now, as a start request would; its id."""
        with self._lock:
            job_id = self.sandbox.new_id()
            self.started[job_id] = time.monotonic()
        return job_id

    def routes(self) -> list[Route]:
        """The start route (when declared) and the status route: template, method, answer."""
        found: list[Route] = [(self.job.status.template, "GET", self._status)]
        if self.job.start is not None:
            found.insert(0, (self.job.start.template, self.job.method, self._start))
        return found

    def _hint(self) -> dict[str, str]:
        job = self.job
        if self.hint is None:
            return {}
        if job.hint_ms is not None:
            return {job.hint_ms: str(round(self.hint * 1000))}
        assert job.hint is not None
        return {job.hint: f"{self.hint:g}"}

    def _start(self, req: SandboxRequest) -> Answer:
        if self.synchronous:
            return 200, self.result, {}
        body: dict[str, Any] = {}
        set_path(body, self.job.id_at, self.begin())
        return 202, body, self._hint()

    def _status(self, req: SandboxRequest) -> Answer:
        job = self.job
        job_id = req.params.get(job.id_name) if job.id_in == "path" else req.query.get(job.id_name)
        with self._lock:
            began = self.started.get(str(job_id))
        if began is None:
            error = req.error(404, f"no {job.name} {job_id}")
            return error.status, error.body, error.headers
        elapsed = time.monotonic() - began
        finished = elapsed >= self.duration
        headers = {} if finished else self._hint()
        if elapsed < self.hidden_for:
            return 200, _invisible(job.narrow or ""), headers
        status = self.status_of(str(job_id), elapsed)
        return 200, _wrap(status, job.narrow) if job.narrow else status, headers

    def status_of(self, job_id: str, elapsed: float) -> dict[str, Any]:
        """The status object of job ``job_id``, ``elapsed`` seconds after its start."""
        job = self.job
        finished = elapsed >= self.duration
        failed = finished and self.fail is not None
        status: dict[str, Any] = {}
        set_path(status, job.check_id or "id", job_id)
        if job.state is not None:
            set_path(status, job.state, self._state(finished, failed))
        if isinstance(job.done, Flag):
            set_path(status, job.done.path, finished and (not failed or isinstance(job.failed, Flag)))
        if isinstance(job.failed, Flag):
            set_path(status, job.failed.path, failed)
        if job.message is not None:
            set_path(status, job.message, self.fail if failed else None)
        succeeded = finished and not failed
        if job.progress is not None:
            share = 1.0 if not self.duration else min(1.0, elapsed / self.duration)
            set_path(status, job.progress, 100 if succeeded else min(99, int(100 * share)))
        if job.result is not None:
            set_path(status, job.result, self.result if succeeded else None)
        elif succeeded and isinstance(self.result, dict):
            status.update(self.result)
        return status

    def _state(self, finished: bool, failed: bool) -> Any:
        job = self.job
        if failed:
            return job.failed[0] if isinstance(job.failed, tuple) else "failed"
        if finished:
            return job.done[0] if isinstance(job.done, tuple) else "done"
        return self.running


def _wrap(value: Any, path: str) -> Any:
    """``value`` placed at ``path`` (integer steps make lists: ``results.0`` -> ``{"results": [v]}``)."""
    for step in reversed(path.split(".")):
        value = [None] * int(step) + [value] if step.isdigit() else {step: value}
    return value


def _invisible(path: str) -> Any:
    """An answer without ``path``: its last container empty (``{"results": []}``)."""
    *outer, last = path.split(".")
    empty: Any = [] if last.isdigit() else {}
    return _wrap(empty, ".".join(outer)) if outer else empty
