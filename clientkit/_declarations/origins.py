"""Where a service lives: its named environments (presets chosen at connect time) and
the other origins its calls may reach (a files host), each told whether it receives the
credentials and the service's headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from clientkit._declarations.errors import DeclarationError, InvalidRequestError
from clientkit._declarations.keywords import checked_keywords


@checked_keywords
@attrs.frozen
class Origin:
    """Another origin the service's calls may reach: ``Origin("https://files.example.com")``.

    ``credentials``: whether it receives the auth's credential and the service's and
    caller's headers (default ``False``: only the User-Agent, no cookies).
    """

    url: str
    credentials: bool = False


@attrs.frozen(init=False)
class Environment:
    """A named preset's base URL and its own URLs for declared origins:
    ``Environment("https://staging.example.com", files="https://files-staging.example.com")``."""

    base_url: str
    origins: Mapping[str, str]

    def __init__(self, base_url: str, /, **origins: str) -> None:
        self.__attrs_init__(base_url, origins)


def check_url(url: Any, where: str) -> None:
    """``url`` is an absolute http(s) URL without query or fragment, or a ``DeclarationError``."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeclarationError(f"{where} must be an absolute http(s) URL, not {url!r}")
    if parts.query or parts.fragment:
        raise DeclarationError(f"{where} must not have a query or fragment")


def check_places(owner: str, environments: Mapping[str, Any], origins: Mapping[str, Any]) -> None:
    """The declared environments and origins, checked when the service class is created."""
    for name, origin in origins.items():
        if not isinstance(origin, str | Origin):
            raise DeclarationError(f"{owner}.origins[{name!r}] must be a URL or an Origin")
        check_url(origin if isinstance(origin, str) else origin.url, f"{owner}.origins[{name!r}]")
    for name, env in environments.items():
        where = f"{owner}.environments[{name!r}]"
        if not isinstance(env, str | Environment):
            raise DeclarationError(f"{where} must be a URL or an Environment")
        check_url(env if isinstance(env, str) else env.base_url, where)
        for other, url in (env.origins if isinstance(env, Environment) else {}).items():
            if other not in origins:
                raise DeclarationError(f"{where} names origin {other!r}, which is not in origins")
            check_url(url, f"{where}.{other}")


def placed(
    owner: str,
    base_url: str,
    environments: Mapping[str, str | Environment],
    origins: Mapping[str, str | Origin],
    environment: str | None,
) -> tuple[str, dict[str, Origin]]:
    """The base URL and other origins of ``environment`` (``None``: the declared defaults)."""
    if environment is None:
        env = Environment(base_url)
    elif environment in environments:
        chosen = environments[environment]
        env = chosen if isinstance(chosen, Environment) else Environment(chosen)
    else:
        raise InvalidRequestError(
            f"{owner} has no environment {environment!r}; its environments are {sorted(environments)}"
        )
    reached = {name: o if isinstance(o, Origin) else Origin(o) for name, o in origins.items()}
    for name, url in env.origins.items():
        reached[name] = attrs.evolve(reached[name], url=url)
    return env.base_url, reached


def moved(owner: str, reached: Mapping[str, Origin], urls: Mapping[str, str]) -> dict[str, Origin]:
    """``reached`` with the URLs given to ``connect(origins=...)``; only declared names move."""
    out = dict(reached)
    for name, url in urls.items():
        if name not in out:
            raise InvalidRequestError(f"{owner} declares no origin {name!r}; its origins are {sorted(out)}")
        try:
            check_url(url, f"connect(origins={{{name!r}: ...}})")
        except DeclarationError as exc:
            raise InvalidRequestError(str(exc)) from None
        out[name] = attrs.evolve(out[name], url=url.rstrip("/"))
    return out
