"""Request bodies: files rewound between attempts, one-shot iterators never sent twice."""

from __future__ import annotations

import io
import os
import time
from typing import Any

import pytest

from clientkit._client.body import raw_body, within
from clientkit.errors import InvalidRequestError, ServerError
from tests.support.retried import Api, policy
from tests.support.scripted import Reply, ScriptedServer


def test_file_bodies_are_rewound_between_attempts(server: ScriptedServer) -> None:
    import io

    server.on("POST", "/upload", Reply(503), Reply(json={"ok": True}))
    stream = io.BytesIO(b"0123456789")
    Api.connect(server.url, retries=policy([])).request(
        "POST", "/upload", files={"file": ("a.bin", stream)}, idempotent=True
    )
    assert [b"0123456789" in r.body for r in server.received] == [True, True]


def test_generator_bodies_are_not_retried(server: ScriptedServer) -> None:
    server.on("POST", "/upload", Reply(503), Reply(json={"ok": True}))

    def chunks() -> Any:
        yield b"part-1"
        yield b"part-2"

    with pytest.raises(ServerError):
        Api.connect(server.url, retries=policy([])).request("POST", "/upload", data=chunks(), idempotent=True)
    assert len(server.received) == 1


def test_raw_bodies_requests_cannot_send_are_refused_before_sending() -> None:
    assert raw_body("é") == "é" and raw_body({"a": 1}) == {"a": 1} and raw_body(None) is None
    with pytest.raises(InvalidRequestError, match="must be Latin-1"):
        raw_body("€")
    with pytest.raises(InvalidRequestError, match="cannot be a int"):
        raw_body(5)
    closed = io.BytesIO(b"x")
    closed.close()
    with pytest.raises(InvalidRequestError, match="closed file"):
        raw_body(closed)


def test_a_limit_is_cut_to_the_time_left() -> None:
    assert within(5.0, None) == 5.0 and within(None, None) is None
    left = within(5.0, time.monotonic() + 0.5)
    assert left is not None and 0.001 <= left <= 0.5
    assert within(None, time.monotonic() - 1) == 0.001  # past the deadline: never below a millisecond


def test_a_multipart_body_is_rewound_unless_it_streams_from_a_pipe() -> None:
    from clientkit._client.body import Rewinder
    from clientkit._client.multipart import body_for
    from clientkit._declarations.files import File

    body = body_for({"f": File(b"0123456789")})
    assert body is not None
    rewinder = Rewinder(body)
    first = body.read()
    rewinder.rewind()
    assert rewinder.replayable and body.read() == first
    read_end, write_end = os.pipe()
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        piped = body_for({"f": pipe})
        assert piped is not None and not hasattr(piped, "__len__")
        assert not Rewinder(piped).replayable
