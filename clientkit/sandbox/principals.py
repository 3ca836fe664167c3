"""Who a request is, as a service of each auth strategy decides: the sandbox's half of
``Authenticator``, and the answers of a declared login's login and refresh routes.

:func:`principal_of` names the account a request's credential belongs to (``None``:
answer 401). The base strategy accepts every request as ``"anonymous"``, so a custom
strategy is served without one; ``@principal_of.register`` gives it its own check.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from typing import Any

from clientkit._client.alternatives import OneOf
from clientkit._client.auth import (
    ApiKeyAuth,
    Authenticator,
    BasicAuth,
    PasswordLogin,
    PathToken,
    TokenAuth,
    secret_names,
)
from clientkit._declarations.keypaths import set_path
from clientkit._declarations.paths import PLACEHOLDER
from clientkit.sandbox.accounts import Accounts
from clientkit.sandbox.halves import NoServerHalf


@functools.singledispatch
def principal_of(
    auth: object,
    headers: Mapping[str, str],  # noqa: ARG001 - the fallback only refuses
    query: Mapping[str, str],  # noqa: ARG001
    accounts: Accounts,  # noqa: ARG001
) -> str | None:
    """Who a request with ``headers`` and ``query`` is, as a service using ``auth`` decides."""
    raise NoServerHalf(auth, principal_of)


@principal_of.register
def _anyone(
    _auth: Authenticator, _headers: Mapping[str, str], _query: Mapping[str, str], _accounts: Accounts
) -> str | None:
    return "anonymous"


@principal_of.register
def _one_of(
    auth: OneOf, headers: Mapping[str, str], query: Mapping[str, str], accounts: Accounts
) -> str | None:
    found = (principal_of(a, headers, query, accounts) for a in auth.alternatives)
    return next((who for who in found if who is not None), None)


def _token_principal(value: str, scheme: str | None, accounts: Accounts) -> str | None:
    """Who a ``<scheme> <token>`` header value stands for, in the sandbox's accounts."""
    if scheme:
        given, _, value = value.partition(" ")
        if given.lower() != scheme.lower():
            return None
    return accounts.principal_for_token(value)


@principal_of.register
def _token(
    auth: TokenAuth, headers: Mapping[str, str], _query: Mapping[str, str], accounts: Accounts
) -> str | None:
    return _token_principal(headers.get(auth.header, ""), auth.scheme, accounts)


@principal_of.register
def _api_key(
    auth: ApiKeyAuth, headers: Mapping[str, str], query: Mapping[str, str], accounts: Accounts
) -> str | None:
    value = headers.get(auth.header) if auth.header else query.get(auth.query or "")
    return accounts.principal_for_token(value)


@principal_of.register
def _basic(
    _auth: BasicAuth, headers: Mapping[str, str], _query: Mapping[str, str], accounts: Accounts
) -> str | None:
    scheme, _, encoded = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except ValueError:
        return None
    return accounts.check_login({"username": user, "password": password})


@principal_of.register
def _login_token(
    auth: PasswordLogin, headers: Mapping[str, str], _query: Mapping[str, str], accounts: Accounts
) -> str | None:
    return _token_principal(headers.get(auth.header, ""), auth.scheme, accounts)


@principal_of.register
def _path_token(
    auth: PathToken, _headers: Mapping[str, str], query: Mapping[str, str], accounts: Accounts
) -> str | None:
    return accounts.principal_for_token(query.get(auth.placeholder))


def path_credentials(auth: object, values: dict[str, Any]) -> dict[str, str]:
    """The credentials a request carries in its path (a :class:`PathToken`'s segment), taken
    out of the route's ``values``: the sandbox hands them to :func:`principal_of` among the
    query values, over any query parameter of the same name."""
    parts = auth.parts() if isinstance(auth, Authenticator) else ()
    names = [part.placeholder for part in parts if isinstance(part, PathToken)]
    return {name: str(values.pop(name)) for name in names if name in values}


#: what an anonymous caller of a service with ``optional`` auth may do
ANONYMOUS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def caller_of(
    auth: Authenticator, method: str, headers: Mapping[str, str], query: Mapping[str, str], accounts: Accounts
) -> str | None:
    """Who a request is; with ``optional`` auth, a read that carries no credential at all is
    ``"anonymous"`` (its writes need credentials, as on most services with public reads)."""
    if auth.optional and method.upper() in ANONYMOUS_METHODS and not _carries(auth, headers, query):
        return "anonymous"
    return principal_of(auth, headers, query, accounts)


def _carries(auth: Authenticator, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    """Whether a request carries any of the places the credential of ``auth`` rides in."""
    return any(name in headers or name in query for name in secret_names(auth))


def login_answer(auth: PasswordLogin, body: Any, accounts: Accounts, *, refresh: bool = False) -> Any:
    """The answer to a login (or refresh) request, or ``None`` for bad credentials."""
    template = auth.refresh_body if refresh else auth.body
    given: dict[str, Any] = {}
    for wire, value in (template or {}).items():
        if isinstance(value, str) and PLACEHOLDER.fullmatch(value) and isinstance(body, Mapping):
            given[value[1:-1]] = body.get(wire)
    principal = accounts.use_refresh(given.get("refresh_token")) if refresh else accounts.check_login(given)
    if principal is None:
        return None
    issued = accounts.issue(principal)
    answer: dict[str, Any] = {}
    for path, key in (
        (auth.token if isinstance(auth.token, str) else auth.token[0], "access_token"),
        (auth.refresh_token, "refresh_token"),
        (auth.expires_in, "expires_in"),
        (auth.expires_at, "expires_at"),
    ):
        if path:
            set_path(answer, path, issued[key])
    return answer


__all__ = ["caller_of", "login_answer", "path_credentials", "principal_of"]
