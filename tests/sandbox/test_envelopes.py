"""The sandbox's half of Envelope is the mirror image of the client's: what one wraps the other unwraps."""

from __future__ import annotations

import pytest

from clientkit import Envelope
from clientkit.sandbox.envelopes import response_path, unwrap_request, wrap_response
from clientkit.sandbox.halves import NoServerHalf

ENVELOPES = [
    Envelope(),
    Envelope(response="data"),
    Envelope(response=("result.item", None)),
    Envelope(response="data", operations={"create": Envelope(response="data", request="data.attributes")}),
]


@pytest.mark.parametrize("envelope", ENVELOPES)
@pytest.mark.parametrize("operation", ["get", "create"])
def test_what_the_sandbox_sends_the_client_reads(envelope: Envelope, operation: str) -> None:
    payload = {"id": 1, "name": "x"}
    assert envelope.unwrap(wrap_response(envelope, payload, operation), operation) == payload


@pytest.mark.parametrize("envelope", ENVELOPES)
@pytest.mark.parametrize("operation", ["update", "create"])
def test_what_the_client_sends_the_sandbox_reads(envelope: Envelope, operation: str) -> None:
    payload = {"name": "x"}
    assert unwrap_request(envelope, envelope.wrap(payload, operation), operation) == payload


def test_the_first_named_location_is_where_the_sandbox_answers() -> None:
    assert response_path(Envelope(response=(None, "data", "item")), "get") == "data"
    assert response_path(Envelope(), "get") is None
    assert unwrap_request(Envelope(request="data"), {"other": 1}, "create") is None


def test_an_object_that_is_no_envelope_has_no_half() -> None:
    with pytest.raises(NoServerHalf):
        wrap_response("data", {}, "get")
