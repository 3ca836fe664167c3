"""The conventions long operations share: deadlines, cancel events, progress values."""

from __future__ import annotations

import threading

import pytest

from clientkit._declarations.progress import Progress, check_cancel, deadline_after
from clientkit.errors import Cancelled, InvalidRequestError


def test_a_deadline_is_seconds_after_now() -> None:
    assert deadline_after(None, 100.0) is None
    assert deadline_after(2, 100.0) == 102.0
    assert deadline_after(0.5, 100.0) == 100.5


@pytest.mark.parametrize("bad", [0, -1, True, "3", float("nan")])
def test_a_deadline_must_be_positive_seconds(bad: object) -> None:
    with pytest.raises(InvalidRequestError, match="positive number of seconds"):
        deadline_after(bad, 0.0)  # type: ignore[arg-type]


def test_a_set_event_cancels() -> None:
    event = threading.Event()
    check_cancel(None, "nothing")
    check_cancel(event, "the download")
    event.set()
    with pytest.raises(Cancelled, match="the download was cancelled"):
        check_cancel(event, "the download")


def test_progress_fraction_only_with_a_total() -> None:
    assert Progress(5, 10).fraction == 0.5
    assert Progress(5).fraction is None
    assert Progress(0, 0).fraction is None
