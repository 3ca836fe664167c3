"""Starting a declared :class:`Job` and polling it until it is done, within its
:class:`~clientkit._client.bounds.Bounds` (its own deadline or the ambient one of the work
it is part of, whichever is earlier, and a cancel that ends a sleep at once): the server's
poll hint honoured within limits, polls never answered from the cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import requests

from clientkit._client.bounds import Bounds
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
from clientkit._declarations.progress import Cancel, OnProgress, Progress, check_cancel
from clientkit._declarations.wire import pairs_of

if TYPE_CHECKING:
    from clientkit._client.session import Session


@attrs.define
class JobCall:
    """One call's view of a job: its session, path values, options and bounds."""

    session: Session
    job: Job
    path: dict[str, Any]
    options: RequestOptions | None
    bounds: Bounds
    progress: OnProgress | None = None

    @classmethod
    def of(
        cls,
        session: Session,
        job: Job,
        given: Mapping[str, Any],
        deadline: float | None = None,
        cancel: Cancel | None = None,
        progress: OnProgress | None = None,
    ) -> JobCall:
        """The call's path values (the rest of ``given`` are call options) under ``deadline``
        (seconds from now; the ambient deadline of the work the call is part of, if earlier)."""
        if not isinstance(job, Job):
            raise InvalidRequestError(f"expected a Job declaration, not {type(job).__name__}")
        options, path = split_options({k: v for k, v in given.items() if k not in job.names})
        path.update({k: v for k, v in given.items() if k in job.names})
        unknown = set(path) - job.names
        if unknown:
            raise InvalidRequestError(
                f"{job.name}: unexpected arguments {sorted(unknown)} (its paths take {sorted(job.names)})"
            )
        bounds = Bounds.of(deadline, cancel, what=job.name, unit="polls")
        return cls(session, job, path, options, bounds, progress)

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
        due = self.bounds.due
        return session._send(method, template.expand(values), options=options, deadline=due, **kwargs)

    def start(self, body: Mapping[str, Any], params: Any) -> tuple[JobStatus, float | None]:
        """Start the job with ``body`` (the keywords of a JSON or multipart payload): its
        started (or, ``immediate``, finished) status and the server's hint."""
        job = self.job
        if job.start is None:
            raise InvalidRequestError(f"{job.name} declares no start path; wait for a started id instead")
        query = pairs_of(params or {}, "query parameters")
        try:
            resp = self.send(job.method, job.start, params=query, **body)
        except RequestTimeout as exc:
            if self.bounds.cut_off(exc):
                late = f"{job.name} did not start before the deadline"
                if not self.bounds.seconds:
                    late += " of the work it is part of"
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
            if self.bounds.cut_off(exc):
                raise JobTimeout(self._late(job_id, last), status=last) from redacted_cause(exc)
            raise
        return job.read(self.session.json_of(resp), job_id, polls), job.hint_of(resp.headers)

    def wait(self, job_id: Any, delay: float = 0.0) -> JobStatus:
        """Poll until the job is done (its last status), failed (:class:`JobFailed`), the
        deadline passes (:class:`JobTimeout`) or the cancel is set (``Cancelled``)."""
        job, last, polls, interval = self.job, None, 0, self.job.interval
        while True:
            self.bounds.sleep(delay)
            check_cancel(self.bounds.cancel, f"waiting for {job.name} {job_id}")
            if self.bounds.expired():
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
            delay = job.delay(interval, hint)
            interval = job.next_interval(interval)

    def _late(self, job_id: Any, last: JobStatus | None) -> str:
        name = f"{self.job.name} {job_id}"
        deadline = "the deadline" if self.bounds.seconds else "the deadline of the work it is part of"
        if last is None:
            return f"{name} was not polled before {deadline}"
        if last.raw is None:
            return f"{name} was not yet visible after {last.polls} polls, at {deadline}"
        return f"{name} was still running after {last.polls} polls, at {deadline}"


def run(call: JobCall, body: Mapping[str, Any], params: Any = None) -> JobStatus:
    """Start the job and wait for it (the first poll after the interval, or the start's hint)."""
    started, hint = call.start(body, params)
    if started.done:
        return started
    return call.wait(started.id, call.job.delay(call.job.interval, hint))
