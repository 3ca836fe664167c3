"""Write answers as declared (``write_answers``): the sandbox's half. A write declared to
answer ``"none"`` or ``"refetch"`` is acknowledged without its representation (a create's
acknowledgement says where the new resource is, in ``Location``)."""

from __future__ import annotations

from typing import Any

from clientkit._declarations.resource import ResourceSpec
from clientkit._declarations.service import Service
from clientkit._declarations.writes import WRITES

#: what the sandbox answers to a write that answers no representation
ACKNOWLEDGED: dict[str, Any] = {"ok": True}


def acknowledges(spec: ResourceSpec, service: type[Service], operation: str) -> bool:
    """Whether the ``operation`` write of ``spec`` is answered by an acknowledgement only."""
    return operation in WRITES and spec.write_answer_in(service, operation) != "representation"
