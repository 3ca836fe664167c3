"""Starting a declared :class:`Job` and polling it until it is done: one deadline for the
start and every poll, sleeps cut to the time left, the server's poll hint honoured, polls
never answered from the cache, cancellation at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import requests

from clientkit._client.transport import UNSET
from clientkit._declarations.errors import (
    InvalidRequestError,
    JobFailed,
    JobTimeout,
    RequestTimeout,
    redacted_cause,
)
from clientkit._declarations.jobs import Job, JobStatus
from clientkit._declarations.options import RequestOptions, split_options
from clientkit._declarations.paths import PathTemplate
from clientkit._declarations.progress import Cancel, OnProgress, Progress, check_cancel, deadline_after
from clientkit._declarations.wire import pairs_of

if TYPE_CHECKING:
    from clientkit._client.session import Session

#: the shortest wait while a cancel without ``wait()`` is watched
_TICK = 0.05


@attrs.define
class JobCall:
    """One call's view of a job: its session, path values, options and deadline."""

    session: Session
    job: Job
    path: dict[str, Any]
    options: RequestOptions | None
    end: float | None
    cancel: Cancel | None = None
    progress: OnProgress | None = None

    @classmethod
    def of(
        cls,
        session: Session,
        job: Job,
        given: Mapping[str, Any],
        deadline: float | None = None,
        **rest: Any,
    ) -> JobCall:
        """The call's path values (the rest of ``given`` are call options) under ``deadline``."""
        if not isinstance(job, Job):
            raise InvalidRequestError(f"expected a Job declaration, not {type(job).__name__}")
        options, path = split_options({k: v for k, v in given.items() if k not in job.names})
        path.update({k: v for k, v in given.items() if k in job.names})
        unknown = set(path) - job.names
        if unknown:
            raise InvalidRequestError(
                f"{job.name}: unexpected arguments {sorted(unknown)} (its paths take {sorted(job.names)})"
            )
        end = deadline_after(deadline, time.monotonic())
        return cls(session, job, path, options, end, **rest)

    def left(self) -> float | None:
        """Seconds until the deadline (``None``: none)."""
        return None if self.end is None else self.end - time.monotonic()

    def send(
        self, method: str, template: PathTemplate, job_id: Any = None, **kwargs: Any
    ) -> requests.Response:
        """One request of the job, within its deadline; a poll (a GET) never from the cache."""
        session = self.session
        values = {**session.context, **self.path}
        if job_id is not None and self.job.id_in == "path":
            values[self.job.id_name] = job_id
        options = session._resolve(self.options)
        if method == "GET":
            options = attrs.evolve(options, cache="bypass")
        return session._send(method, template.expand(values), options=options, deadline=self.end, **kwargs)

    def start(self, json: Any, params: Any) -> tuple[JobStatus, float | None]:
        """Start the job: its started (or, ``immediate``, finished) status and the server's hint."""
        job = self.job
        if job.start is None:
            raise InvalidRequestError(f"{job.name} declares no start path; wait for a started id instead")
        query = pairs_of(params or {}, "query parameters")
        try:
            resp = self.send(job.method, job.start, params=query, json=json)
        except RequestTimeout as exc:
            if self._past_deadline():
                late = f"{job.name} did not start before the deadline"
                raise JobTimeout(late, status=None) from redacted_cause(exc)
            raise
        return job.started(self.session.json_of(resp)), job.hint_of(resp.headers)

    def poll(self, job_id: Any, polls: int, last: JobStatus | None) -> tuple[JobStatus, float | None]:
        """Ask once how the job is; its status and the server's hint for the next poll."""
        job = self.job
        query = [(job.id_name, job_id)] if job.id_in == "query" else []
        try:
            resp = self.send("GET", job.status, job_id, params=query)
        except RequestTimeout as exc:
            if self._past_deadline():
                raise JobTimeout(self._late(job_id, last), status=last) from redacted_cause(exc)
            raise
        return job.read(self.session.json_of(resp), job_id, polls), job.hint_of(resp.headers)

    def wait(self, job_id: Any, delay: float = 0.0) -> JobStatus:
        """Poll until the job is done (its last status), failed (:class:`JobFailed`), the
        deadline passes (:class:`JobTimeout`) or the cancel is set (``Cancelled``)."""
        job, last, polls, interval = self.job, None, 0, self.job.interval
        while True:
            self._sleep(delay)
            check_cancel(self.cancel, f"waiting for {job.name} {job_id}")
            if self._past_deadline():
                raise JobTimeout(self._late(job_id, last), status=last)
            polls += 1
            last, hint = self.poll(job_id, polls, last)
            if self.progress is not None:
                self.progress(Progress(polls, None, detail=last))
            if last.failed:
                reason = last.message if last.message not in (None, "") else "no message"
                raise JobFailed(f"{job.name} {job_id} failed: {reason}", status=last)
            if last.done:
                return last
            delay = interval if hint is None else hint
            interval = job.next_interval(interval)

    def _past_deadline(self) -> bool:
        left = self.left()
        return left is not None and left <= 0

    def _late(self, job_id: Any, last: JobStatus | None) -> str:
        if last is None:
            return f"{self.job.name} {job_id} was not polled before the deadline"
        if last.raw is None:
            return f"{self.job.name} {job_id} was not yet visible after {last.polls} polls, at the deadline"
        return f"{self.job.name} {job_id} was still running after {last.polls} polls, at the deadline"

    def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``, never past the deadline; a set cancel ends the wait at once."""
        left = self.left()
        if left is not None:
            seconds = min(seconds, left)
        if seconds <= 0:
            return
        seconds = min(seconds, threading.TIMEOUT_MAX)
        cancel = self.cancel
        if cancel is None:
            time.sleep(seconds)
            return
        wait = getattr(cancel, "wait", None)
        if callable(wait):
            wait(seconds)
            return
        until = time.monotonic() + seconds
        while not cancel.is_set() and (now := time.monotonic()) < until:
            time.sleep(min(_TICK, until - now))


def run(call: JobCall, json: Any = UNSET, params: Any = None) -> JobStatus:
    """Start the job and wait for it (the first poll after the interval, or the start's hint)."""
    started, hint = call.start(json, params)
    if started.done:
        return started
    return call.wait(started.id, call.job.interval if hint is None else hint)
