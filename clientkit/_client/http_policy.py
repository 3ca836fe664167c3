"""The ``requests`` session under a transport: cookies and credentials kept to the
service's origin, pools the deadline watchdog can shut, the environment read once."""

from __future__ import annotations

import os
import ssl
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from clientkit._client.deadline import WATCHED_POOLS
from clientkit._client.decisions import Origin, origin_of
from clientkit._declarations.errors import InvalidRequestError
from clientkit._declarations.redaction import is_sensitive_name


class _OffOrigin(requests.auth.AuthBase):
    """Applied to requests off the service's origin, after requests adds its cookie jar's
    cookies: removes them (the jar matches by domain, not port) and any credential header."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        for name in [n for n in r.headers if is_sensitive_name(n)]:
            del r.headers[name]
        return r


OFF_ORIGIN = _OffOrigin()


class _NoJar(requests.auth.AuthBase):
    """Applied to a call made without the session's credential (``auth=False``, a login):
    removes the cookies requests added from the jar, which may hold a login's session."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers.pop("Cookie", None)
        return r


NO_JAR = _NoJar()


class WithoutJar(requests.auth.AuthBase):
    """``auth`` for a declared origin other than the service's: its credential, none of the
    jar's cookies (the jar matches by host, not port, and a parent domain's cookies match)."""

    def __init__(self, auth: Any) -> None:
        self.auth = auth

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers.pop("Cookie", None)
        sent: requests.PreparedRequest = r if self.auth is None else self.auth(r)
        return sent


class _OwnOriginCookies(DefaultCookiePolicy):
    """Cookies are only taken from, and given to, the service's own origin (scheme, host, port)."""

    def __init__(self, origin: Origin) -> None:
        super().__init__()
        self.origin = origin

    def _own(self, request: Any) -> bool:
        try:
            return origin_of(request.get_full_url()) == self.origin
        except InvalidRequestError:
            return False

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return self._own(request) and super().set_ok(cookie, request)

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return self._own(request) and super().return_ok(cookie, request)


class _Adapter(HTTPAdapter):
    """Pooled connections the deadline watchdog can shut (:mod:`clientkit._client.deadline`);
    TLS by ``ssl_context`` as given, when there is one (its CAs and verify mode untouched)."""

    ssl_context: ssl.SSLContext | None = None

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        host, pool = super().build_connection_pool_key_attributes(request, verify, cert)
        if self.ssl_context is None:
            return host, pool
        kept: dict[str, Any] = {k: v for k, v in pool.items() if k not in ("ca_certs", "ca_cert_dir")}
        return host, {**kept, "ssl_context": self.ssl_context, "cert_reqs": self.ssl_context.verify_mode}

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]  # untyped stub
        if self.ssl_context is not None and url.lower().startswith("https"):
            conn.ca_certs = conn.ca_cert_dir = None  # requests' bundle would be loaded into it
            conn.cert_reqs = self.ssl_context.verify_mode

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if type(manager) is urllib3.ProxyManager:
            manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager


def configure(
    http: requests.Session,
    base: str,
    origin: Origin,
    pool_size: int,
    verify: bool | str | ssl.SSLContext | None,
) -> None:
    """Adjust ``http`` in place: ``trust_env`` off (``.netrc`` never consulted, so a
    configured credential always wins), proxies and CA bundle resolved once, own-origin
    cookies, pooled adapters."""
    if type(getattr(http.cookies, "_policy", None)) is DefaultCookiePolicy:
        http.cookies.set_policy(_OwnOriginCookies(origin))
    http.trust_env = False
    http.proxies.update(requests.utils.get_environ_proxies(base))
    env_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    context = verify if isinstance(verify, ssl.SSLContext) else None
    if isinstance(verify, ssl.SSLContext) or verify is None:
        http.verify = True if context is not None else (env_bundle or True)
    else:
        http.verify = verify
    adapter = _Adapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    adapter.ssl_context = context
    http.mount("http://", adapter)
    http.mount("https://", adapter)
