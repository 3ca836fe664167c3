"""The ambient deadline: calls made within a long operation meet its deadline."""

from __future__ import annotations

import time

import pytest

from clientkit._client.ambient import ambient, ambient_deadline, earliest
from clientkit.errors import RequestTimeout
from tests.support.paged import connect
from tests.support.scripted import Reply, ScriptedServer


def test_scopes_nest_to_the_earliest_deadline() -> None:
    assert ambient_deadline() is None and earliest(None, None) is None
    assert earliest(3.0, None) == earliest(None, 3.0) == earliest(3.0, 5.0) == 3.0
    with ambient(10.0):
        assert ambient_deadline() == 10.0
        with ambient(20.0):
            assert ambient_deadline() == 10.0  # an inner scope never extends an outer one
        with ambient(5.0):
            assert ambient_deadline() == 5.0
        with ambient(None):
            assert ambient_deadline() == 10.0
    assert ambient_deadline() is None


def test_a_call_within_a_scope_ends_at_its_deadline(server: ScriptedServer) -> None:
    server.on("GET", "/slow", Reply(json={"ok": True}, delay=3))
    session = connect(server)
    start = time.monotonic()
    with ambient(start + 0.3), pytest.raises(RequestTimeout):
        session.request("GET", "/slow")
    assert time.monotonic() - start < 2.5  # the server would have taken 3 s
    server.set("GET", "/slow", Reply(json={"ok": True}))
    assert session.request("GET", "/slow").json() == {"ok": True}  # outside: no deadline


def test_the_ambient_cancel_is_any_of_the_nested_ones() -> None:
    import threading

    from clientkit._client.ambient import ambient_cancel, either

    outer, inner = threading.Event(), threading.Event()
    assert ambient_cancel() is None and either(None, outer) is outer and either(outer, outer) is outer
    with ambient(None, outer), ambient(None, inner):
        both = ambient_cancel()
        assert both is not None and not both.is_set()
        inner.set()
        assert both.is_set()
    assert ambient_cancel() is None
