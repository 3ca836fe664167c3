"""A sandbox subclass cannot redefine the base's internals (its private methods and the
private attributes its code keeps), and the public hooks stay overridable."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import requests

from clientkit.errors import DeclarationError
from clientkit.sandbox.app import Reply, Sandbox, SandboxRequest
from clientkit.sandbox.overrides import internals
from tests.support.sandboxed import Product, Shop, shop


def test_a_private_method_named_like_an_internal_is_refused_at_class_creation() -> None:
    with pytest.raises(DeclarationError, match=r"Clashing\._route redefines Sandbox\._route, an internal"):

        class Clashing(Sandbox):
            def _route(self, request: Any, raw_path: str) -> Any:  # would silently answer everything
                return Reply(200, {})


def test_assigning_an_internal_attribute_is_refused_too() -> None:
    with pytest.raises(DeclarationError, match=r"Keeping\.__init__ assigns _routes, an internal"):

        class Keeping(Sandbox):
            def __init__(self, **options: Any) -> None:
                super().__init__(Shop, **options)
                self._routes: dict[str, Any] = {}  # the base's route table, replaced


def test_a_subclass_of_a_subclass_is_checked_as_well() -> None:
    class Service(Sandbox):
        def _own(self) -> None: ...

    with pytest.raises(DeclarationError, match=r"Deeper\._list redefines Sandbox\._list"):

        class Deeper(Service):
            _list = None


def test_own_private_names_and_public_hooks_are_fine() -> None:
    class Tagged(Sandbox):
        def __init__(self) -> None:
            super().__init__(Shop, data={"Product": [{"id": 1, "name": "Lamp"}, {"id": 2, "name": "Desk"}]})
            self._served = 0
            self.route("/ping", public=True)(self._ping)

        def _ping(self, req: SandboxRequest) -> Any:
            self._served += 1
            return {"served": self._served}

        def finish(self, reply: Reply, req: SandboxRequest | None) -> Reply:
            reply.headers["X-Tagged"] = "1"
            return reply

        def matching(self, cls: Any, spec: Any, req: SandboxRequest) -> list[dict[str, Any]]:
            return [r for r in super().matching(cls, spec, req) if r["name"] != "Desk"]

    box = Tagged()
    with box as url:
        answer = requests.get(url + "/ping", timeout=5)
        assert answer.json() == {"served": 1} and answer.headers["X-Tagged"] == "1"
        assert [p.name for p in shop(box).list(Product)] == ["Lamp"]


def test_the_internals_are_the_private_methods_and_attributes() -> None:
    names = internals(Sandbox)
    assert {"_route", "_list", "_early_fault", "_routes", "_map", "_server", "_ids"} <= names
    assert not {"finish", "error", "matching", "render", "route", "journal"} & names


class RoutingMixin:
    def _route(self, request: Any, raw_path: str) -> Any:  # would shadow Sandbox._route
        return None


def logged(function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return wrapper


def unwrapped(function: Any) -> Any:
    def wrapper(*args: Any) -> Any:  # no functools.wraps: the function sits in the closure
        return function(*args)

    return wrapper


def test_a_mixin_ahead_of_the_sandbox_is_checked() -> None:
    with pytest.raises(DeclarationError, match=r"RoutingMixin\._route redefines Sandbox\._route"):

        class Mine(RoutingMixin, Sandbox):
            pass


def test_a_decorated_method_is_checked_through_its_decorator() -> None:
    for decorator in (logged, unwrapped):
        with pytest.raises(DeclarationError, match=r"\.setup assigns _routes, an internal"):

            class Mine(Sandbox):
                @decorator
                def setup(self) -> None:
                    self._routes: list[Any] = []

    class Setting:  # a mixin behind the sandbox may still not assign its internals
        def reset(self) -> None:
            self._map = None

    with pytest.raises(DeclarationError, match=r"Setting\.reset assigns _map"):

        class Behind(Sandbox, Setting):
            pass
