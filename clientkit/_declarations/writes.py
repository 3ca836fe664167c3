"""What a write answers: the resource's representation (the default), nothing the object
keeps (an acknowledgement such as ``{"ok": true}``), or a cue to fetch the resource again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from clientkit._declarations.errors import DeclarationError, DecodeError, repr_excerpt

WriteAnswer = Literal["representation", "none", "refetch"]
WRITE_ANSWERS: tuple[str, ...] = ("representation", "none", "refetch")
#: the operations whose answers merge into the object written
WRITES: tuple[str, ...] = ("create", "update", "patch")


def write_answers_of(value: Any, owner: str) -> dict[str, str]:
    """``value`` (one answer for every write, or operation -> answer) checked, as a mapping."""
    given = dict.fromkeys(WRITES, value) if isinstance(value, str) else value
    if not isinstance(given, Mapping):
        raise DeclarationError(f"{owner}: write_answers must be a str or a mapping, not {value!r}")
    for operation, answer in given.items():
        if operation not in WRITES:
            raise DeclarationError(
                f"{owner}: write_answers names {operation!r}; its keys are {list(WRITES)} "
                "(a delete's answer is never merged; an answer check still reads it)"
            )
        if answer not in WRITE_ANSWERS:
            raise DeclarationError(
                f"{owner}: write_answers[{operation!r}] is {answer!r}, not one of {list(WRITE_ANSWERS)} "
                "(where a representation sits is the envelope's: Envelope(operations=...))"
            )
    return dict(given)


def refuse_foreign(name: str, operation: str, answer: Mapping[str, Any], wires: set[str]) -> None:
    """Raise :class:`DecodeError` for an answer that holds none of the resource's fields:
    merging it would keep its keys as fields the server has, and no declaration said what it is."""
    if not answer or not wires or wires & set(answer):
        return
    raise DecodeError(
        f"the {operation} of {name} was answered with none of its fields, so the object cannot "
        f"take the answer in; declare what the {operation} answers: "
        f"write_answers={{{operation!r}: 'none'}} (keep what was sent), 'refetch' (GET it again), "
        "or where the representation sits (Envelope(operations=...))",
        excerpt=repr_excerpt(answer),
    )


def refuse_lost_identity(name: str, answer: str, assigned: list[str]) -> None:
    """Refuse a create declared to answer ``"none"`` when the server assigns the identity
    (``assigned``: read-only identity fields): the object would be left without it."""
    if answer == "none" and assigned:
        raise DeclarationError(
            f"{name}: write_answers['create'] is 'none', but the server assigns its identity "
            f"{assigned} and a create answered that way would leave the object without it; declare "
            "'refetch' (it follows the answer's Location) or 'representation' (an answer holding the record)"
        )
