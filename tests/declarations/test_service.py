"""The service declaration: checked when the class is created, so a typo or a bad value fails at once."""

from __future__ import annotations

import pytest

from clientkit import Envelope, Service
from clientkit.errors import DeclarationError


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
