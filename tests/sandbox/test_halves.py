"""Every declaration type clientkit ships has its sandbox half, found by type."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import pytest
import requests

from clientkit import Envelope, ErrorShape, Expansion, Resource, Service, TokenAuth
from clientkit._client import auth
from clientkit.errors import AnswerCheck
from clientkit.paging import PageNumber, PageRequest, Paginator, RawPage
from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Sandbox
from clientkit.sandbox.envelopes import response_path, unwrap_request, wrap_response
from clientkit.sandbox.errors import render_error
from clientkit.sandbox.halves import NoServerHalf
from clientkit.sandbox.paging import PageQuery, Served, check_servable, serve_page
from clientkit.sandbox.principals import principal_of
from clientkit.sandbox.registry import HALVES as TABLE


def shipped(base: type) -> list[type]:
    """``base`` and every subclass of it that a clientkit module defines (attrs' slotted
    classes leave their pre-slots originals among the subclasses: those are skipped)."""
    found, todo = [base], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        module = sys.modules.get(cls.__module__)
        if cls.__module__.startswith("clientkit.") and getattr(module, cls.__name__, None) is cls:
            found.append(cls)
    return found


HALVES: list[tuple[type, Callable[..., Any]]] = [
    (cls, half) for base, halves in TABLE.items() for cls in shipped(base) for half in halves
]


def has_own_half(behaviour: Any, cls: type) -> bool:
    """Whether ``cls`` itself (not only a base) has a half registered for ``behaviour``."""
    return cls in behaviour.registry


def test_the_table_covers_every_kind_of_declaration() -> None:
    assert set(TABLE) == {Paginator, auth.Authenticator, ErrorShape, Envelope, Expansion, AnswerCheck}


def test_every_shipped_declaration_type_has_a_server_half() -> None:
    missing = [f"{cls.__qualname__} ({half.__name__})" for cls, half in HALVES if not has_own_half(half, cls)]
    assert not missing, f"no server half registered for {', '.join(missing)}"
    assert len(shipped(Paginator)) == 7 and len(shipped(auth.Authenticator)) == 7


def test_an_object_of_no_declaration_type_is_refused_by_name() -> None:
    with pytest.raises(NoServerHalf, match=r"no server half for object .*serve_page\.register"):
        serve_page(object(), PageQuery(query={}, body={}, url="http://x/"), [])
    with pytest.raises(NoServerHalf, match="principal_of"):
        principal_of(requests.auth.HTTPBasicAuth("a", "b"), {}, {}, Accounts())


@attrs.frozen
class Keyset(Paginator):
    """A style of its own: the client walks ``?after=<last id>``."""

    def next_request(self, page: RawPage) -> PageRequest | None:
        return page.request.set("after", page.items[-1]["id"]) if page.items else None


def declare(style: Paginator) -> tuple[type[Service], type[Resource]]:
    class Paged(Service):
        auth = TokenAuth(scheme="Token")
        pagination = style

    @Paged.resource(one="/rows/{id}", many="/rows")
    class Row(Resource):
        id: int | None = None

    return Paged, Row


def test_a_custom_style_without_a_half_fails_when_the_sandbox_is_built() -> None:
    Paged, _ = declare(Keyset(items="data"))
    with pytest.raises(NoServerHalf, match=r"Keyset .*serve_page\.register"):
        Sandbox(Paged)


def test_a_registered_half_serves_a_custom_style() -> None:
    @attrs.frozen
    class After(Keyset):
        pass

    @serve_page.register(After)  # the class is local: named, not read from the annotation
    def _after(style: After, query: PageQuery, items: Sequence[Any]) -> Served:
        after = int(query.get("after") or 0)
        return Served(items=[i for i in items if i["id"] > after][:10])

    Paged, Row = declare(After(items=None))
    with Sandbox(Paged, data={"Row": [{"id": i} for i in range(1, 26)]}) as url:
        assert [r.id for r in Paged.connect(url, token="sandbox-token").list(Row)] == list(range(1, 26))


def test_subclasses_inherit_their_base_half() -> None:
    @attrs.frozen
    class Numbered(PageNumber):
        pass

    @attrs.frozen
    class Labelled(Paginator):  # still single-page: only adds a field
        label: str = "rows"

    check_servable(Numbered())
    query = PageQuery(query={"page": "2", "page_size": "2"}, body={}, url="http://x/rows")
    assert serve_page(Numbered(), query, [1, 2, 3, 4, 5]).items == [3, 4]
    assert serve_page(Labelled(total="count"), query, [1, 2, 3]).meta == {"count": 3}


def test_a_custom_authenticator_is_anonymous_unless_it_registers_a_half() -> None:
    class Signed(auth.Authenticator):
        pass

    assert principal_of(Signed(), {}, {}, Accounts()) == "anonymous"
    token = TokenAuth(scheme="Token")
    assert principal_of(token, {"Authorization": "Token sandbox-token"}, {}, Accounts()) == "demo"
    assert principal_of(token, {"Authorization": "Bearer sandbox-token"}, {}, Accounts()) is None


def test_error_bodies_and_envelopes() -> None:
    body = render_error(ErrorShape(), 422, "validation failed", field_errors={"name": ["required"]})
    assert body == {"message": "validation failed", "code": 422, "errors": {"name": ["required"]}}
    flat: Mapping[str, Any] = render_error(ErrorShape(fields="$"), 400, "bad", field_errors={"a": ["x"]})
    assert flat == {"a": ["x"], "message": "bad", "code": 400}
    envelope = Envelope(response=(None, "data"), operations={"create": Envelope(request="item.body")})
    assert response_path(envelope, "get") == "data"
    assert wrap_response(envelope, {"id": 1}, "get") == {"data": {"id": 1}}
    assert unwrap_request(envelope, {"item": {"body": {"id": 1}}}, "create") == {"id": 1}
    assert unwrap_request(envelope, {"other": 1}, "create") is None
