"""The sandbox's half of Envelope is the mirror image of the client's: what one wraps the other unwraps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from clientkit import Envelope, Resource, Service, field
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.envelopes import response_path, unwrap_request, wrap_response
from clientkit.sandbox.halves import NoServerHalf

ENVELOPES = [
    Envelope(),
    Envelope(response="data"),
    Envelope(response=("result.item", None)),
    Envelope(response="data", operations={"create": Envelope(response="data", request="data.attributes")}),
    Envelope(response="rows.0", request="rows.0"),
    Envelope(response=("result.0.item", None), request="batch.1"),
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


def test_an_index_step_wraps_the_payload_in_an_array() -> None:
    assert wrap_response(Envelope(response="rows.0"), {"id": 1}, "get") == {"rows": [{"id": 1}]}
    assert unwrap_request(Envelope(request="rows.0"), {"rows": []}, "create") is None


class Rows(Service):
    envelope = Envelope(response="rows.0", request="rows.0", operations={"list": Envelope(response="rows")})


@Rows.resource(one="/notes/{id}", many="/notes")
class Note(Resource):
    id: int | None = field(read_only=True)
    text: str | None = None


@pytest.fixture
def rows() -> Iterator[Sandbox]:
    box = Sandbox(Rows, data={"Note": [{"id": 1, "text": "one"}, {"id": 2, "text": "two"}]})
    box.start()
    try:
        yield box
    finally:
        box.stop()


def test_a_service_whose_payload_is_the_first_row_over_http(rows: Sandbox) -> None:
    raw = requests.get(rows.url + "/notes/1", timeout=5).json()
    assert raw == {"rows": [{"id": 1, "text": "one"}]}
    with Rows.connect(rows.url) as api:
        note = api.get(Note, 2)
        assert note.text == "two"
        assert [n.text for n in api.list(Note)] == ["one", "two"]
        made = api.create(Note(text="three"))
        assert made.id == 3 and rows.journal.last.json == {"rows": [{"text": "three"}]}
        made.text = "3"
        api.save(made)
        assert rows.journal.last.json == {"rows": [{"text": "3"}]} and made.text == "3"
        assert api.get(Note, 3).text == "3"
