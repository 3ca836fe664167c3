"""The one table from declaration types to their server halves, and the check a sandbox
runs when it is built: every declaration a service uses has its half, or ``NoServerHalf``
names the missing one before the first request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from clientkit._client.auth import Authenticator
from clientkit._declarations.checks import AnswerCheck
from clientkit._declarations.envelope import Envelope
from clientkit._declarations.errors import ErrorShape
from clientkit._declarations.expansion import Expansion
from clientkit._declarations.identity import spec_of
from clientkit._declarations.paging import Paginator
from clientkit._declarations.resource import Resource
from clientkit._declarations.service import Service
from clientkit.sandbox.checks import report_failure
from clientkit.sandbox.envelopes import response_path, unwrap_request, wrap_response
from clientkit.sandbox.errors import render_error
from clientkit.sandbox.halves import NoServerHalf
from clientkit.sandbox.levels import read_level
from clientkit.sandbox.paging import check_servable, serve_page
from clientkit.sandbox.principals import principal_of

#: declaration base type -> the behaviours every declaration of that type needs
HALVES: dict[type, tuple[Callable[..., Any], ...]] = {
    Paginator: (serve_page,),
    Authenticator: (principal_of,),
    ErrorShape: (render_error,),
    Envelope: (response_path, wrap_response, unwrap_request),
    Expansion: (read_level,),
    AnswerCheck: (report_failure,),
}


def has_half(behaviour: Any, cls: type) -> bool:
    """Whether ``behaviour`` dispatches ``cls`` to a half of its own or of a base (not to
    the fallback that refuses)."""
    return behaviour.dispatch(cls) is not behaviour.dispatch(object)


def check(service: type[Service], resources: Iterable[type[Resource]]) -> None:
    """Raise :class:`NoServerHalf` for the first declaration ``service`` uses that the
    sandbox cannot serve."""
    used: list[object] = [service.envelope, service.errors, service.pagination, service.expansion]
    used += [service.auth, service.answer_check]
    for cls in resources:
        spec = spec_of(cls)
        used += [spec.envelope, spec.pagination, spec.expansion, spec.answer_check]
    for declaration in used:
        for base, behaviours in HALVES.items():
            if isinstance(declaration, base):
                for behaviour in behaviours:
                    if not has_half(behaviour, type(declaration)):
                        raise NoServerHalf(declaration, behaviour)
        if isinstance(declaration, Paginator):
            check_servable(declaration)  # a custom walk needs a half of its own
