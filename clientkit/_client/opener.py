"""Opening a session to a declared service: credentials bound to a copy of the declared
auth, the cache wired with the credential's identity, the transport and its defaults."""

from __future__ import annotations

import os
import secrets
import ssl
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from clientkit._client.auth import Authenticator, Keyed, secret_names
from clientkit._client.cache import cached_http
from clientkit._client.session import Session
from clientkit._client.transport import Transport
from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.options import CacheConfig, RequestOptions, Timeout, options_of
from clientkit._declarations.origins import moved, placed
from clientkit._declarations.retry import RetryPolicy
from clientkit._declarations.service import Service, opens_sessions
from clientkit._version import __version__


@opens_sessions
def open_session(
    cls: type[Service],
    base_url: str | None = None,
    *,
    environment: str | None = None,
    auth: AuthBase | None = None,
    timeout: Timeout | float | tuple[float | None, float | None] | None = None,
    retries: RetryPolicy | int | None = None,
    headers: Mapping[str, str | None] | None = None,
    cache: CacheConfig | bool | str | os.PathLike[str] | None = None,
    http: requests.Session | None = None,
    pool_size: int = 10,
    verify: bool | str | ssl.SSLContext | None = None,
    origins: Mapping[str, str] | None = None,
    trace: bool = True,
    **kwargs: Any,
) -> Session:
    """What ``Service.connect`` does (see there)."""
    if environment is not None and base_url is not None:
        raise InvalidRequestError("pass either environment= or base_url=, not both")
    declared, reached = placed(cls.__name__, cls.base_url, cls.environments, cls.origins, environment)
    reached = moved(cls.__name__, reached, origins or {})
    url = base_url or declared
    if not url:
        raise InvalidRequestError(f"{cls.__name__} has no base_url; pass connect(base_url=...)")
    context = dict(cls.context)
    credentials: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in cls.context:
            context[key] = value
        else:
            credentials[key] = value
    authenticator = _authenticator(cls, auth, credentials)
    if isinstance(authenticator, Authenticator) and not authenticator.anonymous():
        for part in authenticator.parts():  # a chosen alternative's own
            part.check_base_url(url)
    transport = Transport(
        base_url=url,
        origins=reached,
        auth=authenticator,
        codec=cls.json,
        query=cls.query,
        errors=cls.errors,
        options=_defaults(cls, timeout, retries, headers),
        idempotency_header=cls.idempotency_header,
        http=_cached(cls, cache, http, authenticator),
        pool_size=pool_size,
        verify=verify,
        trace=trace,
    )
    session = Session(cls, transport, context=context)
    transport.session_headers = lambda: session._resolve(None).headers
    return session


def _authenticator(cls: type[Service], auth: AuthBase | None, credentials: dict[str, Any]) -> AuthBase | None:
    """``auth`` as given, or the declared auth (an ``Authenticator`` bound to ``credentials``)."""
    if auth is None and isinstance(cls.auth, Authenticator):
        authenticator = cls.auth.bind(**credentials)  # a fresh copy per session
        if not authenticator.anonymous():
            authenticator.check()
        return authenticator
    if credentials:
        if auth is not None:
            where = "auth= was given"
        elif cls.auth is not None:
            where = f"{cls.__name__}'s auth takes no credentials"
        else:
            where = f"{cls.__name__} declares no auth"
        raise InvalidRequestError(
            f"unexpected arguments {sorted(credentials)}: {where}; context names are {sorted(cls.context)}"
        )
    return auth if auth is not None else cls.auth


def _cached(
    cls: type[Service],
    cache: CacheConfig | bool | str | os.PathLike[str] | None,
    http: requests.Session | None,
    auth: AuthBase | None,
) -> requests.Session | None:
    """The ``requests`` session to send with: ``http``, or one over the configured cache."""
    config = CacheConfig.of(cache) if cache is not None else cls.cache
    if cache not in (None, False) and http is not None:
        raise InvalidRequestError("pass either cache= or http=, not both (wrap your session yourself)")
    if config is None or http is not None:
        return http
    return cached_http(
        config,
        name=cls.__name__.lower(),
        identity=_identity_of(auth),
        secret_names=secret_names(auth),
        unfill=_unfill_of(auth),
        idempotency_header=cls.idempotency_header,
    )


def _unfill_of(auth: AuthBase | None) -> Callable[[str, str], str] | None:
    """How the cache takes a credential out of a URL's path (a chosen alternative's too)."""
    if not isinstance(auth, Authenticator):
        return None
    parts = auth.parts()
    return parts[0].unfilled if len(parts) == 1 else None


def _defaults(
    cls: type[Service],
    timeout: Timeout | float | tuple[float | None, float | None] | None,
    retries: RetryPolicy | int | None,
    headers: Mapping[str, str | None] | None,
) -> RequestOptions:
    """The service's request defaults, with ``connect``'s overrides merged over them by the
    same rule as every other layer (a timeout without a total keeps the declared one)."""
    ua = cls.user_agent or f"clientkit/{__version__} python-requests/{requests.__version__}"
    declared = RequestOptions(
        headers={"User-Agent": ua, "Accept": "application/json"},
        timeout=cls.timeout,
        retry=cls.retry,
        max_body=cls.max_body,
    )
    given = {"timeout": timeout, "retries": retries, "headers": headers}
    return declared.merge(options_of(given, caller="connect"))


def _identity_of(auth: AuthBase | None) -> Callable[[Keyed], str]:
    """How the cache names the credential of ``auth`` (see ``Authenticator.identity``)."""
    if auth is None:
        return lambda _: "anonymous"
    if isinstance(auth, Authenticator):
        return auth.identity
    if isinstance(auth, HTTPBasicAuth | HTTPDigestAuth):
        kind = type(auth).__qualname__
        return lambda keyed: keyed("requests", kind, str(auth.username), str(auth.password))
    unshared = f"unshared:{secrets.token_hex(16)}"  # credentials clientkit cannot see: never shared
    return lambda _: unshared
