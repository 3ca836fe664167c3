"""Sending failures classified: the kind the retry decision needs and the typed error raised."""

from __future__ import annotations

import pytest
import requests

from clientkit._client.deadline import DeadlineExceeded
from clientkit._client.failures import classify
from clientkit.errors import ConnectError, InvalidRequestError, RequestTimeout

URL = "https://api.test/things?token=tok-failures-1"


@pytest.mark.parametrize(
    ("exc", "kind", "error"),
    [
        (DeadlineExceeded(), "timeout", RequestTimeout),
        (requests.exceptions.ConnectTimeout("slow"), "connect", RequestTimeout),
        (requests.exceptions.ReadTimeout("slow"), "timeout", RequestTimeout),
        (requests.exceptions.SSLError("tls"), None, ConnectError),
        (requests.exceptions.ConnectionError("reset"), "read", ConnectError),
        (requests.exceptions.ChunkedEncodingError("cut"), "read", ConnectError),
        (requests.exceptions.InvalidURL("bad"), None, InvalidRequestError),
    ],
)
def test_each_failure_has_its_kind_and_typed_error(exc: Exception, kind: str | None, error: type) -> None:
    found, raised = classify(exc, "GET", URL, "5 s in total")
    assert found == kind and isinstance(raised, error)
    assert "tok-failures-1" not in str(raised)


def test_a_missed_deadline_names_the_budget() -> None:
    _, raised = classify(DeadlineExceeded(), "POST", URL, "2 s in total")
    assert "longer than 2 s in total" in str(raised)
