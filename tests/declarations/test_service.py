"""The service declaration: checked when the class is created, so a typo or a bad value fails at once."""

from __future__ import annotations

import inspect

import pytest

from clientkit import Action, Envelope, Resource, Service
from clientkit.errors import DeclarationError
from clientkit.model import resource


class TestDeclarationErrors:
    def test_service_typo_is_caught(self) -> None:
        with pytest.raises(DeclarationError, match="did you mean 'envelope'"):

            class Bad(Service):
                envelop = Envelope(response="data")

    def test_service_wrong_type(self) -> None:
        with pytest.raises(DeclarationError, match="must be Envelope"):

            class Bad(Service):
                envelope = "data"  # type: ignore[assignment]

    def test_service_bad_base_url(self) -> None:
        with pytest.raises(DeclarationError, match="absolute http"):

            class Bad(Service):
                base_url = "ftp://example.com"

    def test_header_template_needs_context(self) -> None:
        with pytest.raises(DeclarationError, match="not in context"):

            class Bad(Service):
                headers = {"x-tenant": "{tenant}"}

    def test_header_with_newline(self) -> None:
        with pytest.raises(DeclarationError, match="line break"):

            class Bad(Service):
                headers = {"x-a": "a\r\nb"}


class TestEnvironmentsAndOrigins:
    def test_context_and_credentials_cannot_take_connect_arguments(self) -> None:
        with pytest.raises(DeclarationError, match=r"\['environment'\] are connect\(\)'s own arguments"):

            class Clash(Service):
                context = {"environment": None}

    def test_an_action_names_a_declared_origin(self) -> None:
        class Api(Service):
            base_url = "https://api.example.com"
            origins = {"files": "https://files.example.com"}

        with pytest.raises(DeclarationError, match="undeclared origin 'blobs'"):

            @Api.resource(one="/things/{id}", actions={"raw": Action("GET", "/raw/{id}", origin="blobs")})
            class Thing(Resource):
                id: int | None = None


class TestResourceOptions:
    def test_service_resource_takes_the_options_of_resource(self) -> None:
        """``Shop.resource`` shows ``resource``'s options (checkers see the same signature)."""

        class Shop(Service):
            pass

        shown = inspect.signature(Shop.resource).parameters
        declared = list(inspect.signature(resource).parameters)[1:]  # the first is the service
        assert list(shown) == declared and {"one", "context_body"} <= set(shown)

        @Shop.resource(one="/things/{id}", context_body={"owner": lambda ctx: ctx.get("user")})
        class Thing(Resource):
            id: int | None = None

        assert Shop.resources["Thing"] is Thing
