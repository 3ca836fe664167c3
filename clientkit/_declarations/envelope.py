"""Where the payload sits in a body, in each direction and per operation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from clientkit._declarations.errors import DeclarationError, DecodeError, repr_excerpt
from clientkit._declarations.keypaths import ABSENT, Locator, locate, put_path
from clientkit._declarations.keywords import checked_keywords


def _check_ops(_: Any, __: Any, value: Mapping[str, Any]) -> None:
    for op, env in value.items():
        if not isinstance(env, Envelope):
            raise DeclarationError(f"Envelope(operations=...)[{op!r}] must be an Envelope")


@checked_keywords
@attrs.frozen
class Envelope:
    """Where a payload sits inside request and response bodies.

    Attributes:
        response: the dotted key path of the payload in responses; a sequence
            lists alternatives tried in order, where ``None`` is the whole body.
        request: the key path request payloads are wrapped under (``None``: bare).
        operations: per-operation overrides (``"get"``, ``"list"``, ``"create"``,
            ``"update"``, ``"patch"``, ``"delete"`` or an action name).

    Example:
        >>> Envelope(response="data")                      # {"data": {...}} answers, bare requests
        >>> Envelope(response=("user", None))              # {"user": {...}} or the bare object
        >>> Envelope(response="data", operations={"create": Envelope(response="data", request="data")})
    """

    response: Locator = None
    request: str | None = None
    operations: Mapping[str, Envelope] = attrs.field(factory=dict, validator=_check_ops)

    def for_op(self, operation: str) -> Envelope:
        """The envelope that applies to ``operation``."""
        return self.operations.get(operation, self)

    def unwrap(self, body: Any, operation: str) -> Any:
        """The payload of a response ``body`` for ``operation``."""
        locator = self.for_op(operation).response
        found = locate(body, locator)
        if found is not ABSENT:
            return found
        missing = (
            f"no {locator!r} key where the payload should be"
            if isinstance(locator, str)
            else f"none of the keys {list(locator or ())!r}"
        )
        raise DecodeError(f"the {operation} response has {missing}", excerpt=repr_excerpt(body))

    def wrap(self, payload: Any, operation: str) -> Any:
        """The request body that carries ``payload`` for ``operation``."""
        return put_path(payload, self.for_op(operation).request)
