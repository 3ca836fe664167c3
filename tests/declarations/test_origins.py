"""Environments and other origins: checked when the service class is created, resolved at connect time."""

from __future__ import annotations

import pytest

from clientkit import Service
from clientkit._declarations.origins import placed
from clientkit.errors import DeclarationError, InvalidRequestError
from clientkit.model import Environment, Origin


def test_preset_and_origin_urls_are_checked_at_class_creation() -> None:
    with pytest.raises(DeclarationError, match=r"environments\['staging'\] must be an absolute"):

        class BadPreset(Service):
            environments = {"staging": "staging.example.com"}

    with pytest.raises(DeclarationError, match=r"origins\['files'\] must not have a query"):

        class BadOrigin(Service):
            origins = {"files": Origin("https://files.example.com/?x=1")}


def test_an_environment_names_only_declared_origins() -> None:
    with pytest.raises(DeclarationError, match="names origin 'files', which is not in origins"):

        class Undeclared(Service):
            environments = {"staging": Environment("https://s.example.com", files="https://f.example.com")}


def test_an_environment_keeps_the_declared_origins_it_does_not_replace() -> None:
    origins = {
        "files": Origin("https://files.example.com", credentials=True),
        "cdn": "https://cdn.example.com",
    }
    presets = {"staging": Environment("https://s.example.com", files="https://fs.example.com")}
    base, reached = placed("Api", "https://api.example.com", presets, origins, "staging")
    assert base == "https://s.example.com"
    assert reached == {
        "files": Origin("https://fs.example.com", credentials=True),
        "cdn": Origin("https://cdn.example.com"),
    }
    assert placed("Api", "https://api.example.com", presets, origins, None)[0] == "https://api.example.com"
    with pytest.raises(
        InvalidRequestError, match=r"no environment 'dev'; its environments are \['staging'\]"
    ):
        placed("Api", "", presets, origins, "dev")
