"""A choice of auth strategies: a service that takes ``token=`` or ``bearer=`` (or a login)
uses the one whose credential keywords ``connect()`` was given; ``store=`` and
``credential_provider=`` only go along with a login's, so they choose nothing."""

from __future__ import annotations

from typing import Any

import requests

from clientkit._client.auth import Authenticator, Keyed, Sender
from clientkit._client.logins import PROVIDER
from clientkit._declarations.errors import DeclarationError, InvalidRequestError

#: keywords that go along with a login's credentials (its store, its credential provider)
_ALONG = frozenset({"store", PROVIDER})


def _choosing(auth: Authenticator) -> tuple[str, ...]:
    """The keywords that choose ``auth`` among alternatives."""
    return tuple(k for k in auth.accepts() if k not in _ALONG)


def _keywords(auth: Authenticator) -> str:
    return " and ".join(f"{k}=" for k in _choosing(auth))


class OneOf(Authenticator):
    """Several ways to authenticate; a session uses the one whose credentials it was given.

    Each alternative is chosen by keywords no other takes; rename one with ``keyword=``
    (two logins: ``PasswordLogin(path="/admin/login", keyword="admin")``).

    Example:
        >>> auth = OneOf(TokenAuth(scheme="Token"), TokenAuth(scheme="Bearer", keyword="bearer"))
    """

    def __init__(self, *alternatives: Authenticator, optional: bool = False) -> None:
        if len(alternatives) < 2 or not all(isinstance(a, Authenticator) for a in alternatives):
            raise DeclarationError("OneOf takes two or more clientkit auth strategies")
        seen: dict[str, Authenticator] = {}
        for alternative in alternatives:
            for keyword in _choosing(alternative):
                if keyword in seen:
                    raise DeclarationError(
                        f"OneOf: {type(seen[keyword]).__name__} and {type(alternative).__name__} both take "
                        f"{keyword}=; rename one (keyword=...)"
                    )
                seen[keyword] = alternative
        self.alternatives = alternatives
        self.optional = optional
        self.chosen: Authenticator | None = None
        self.secret_headers = tuple(dict.fromkeys(h for a in alternatives for h in a.secret_headers))

    def choices(self) -> str:
        """The alternatives' credential keywords, in words."""
        return " or ".join(f"({_keywords(a)})" for a in self.alternatives)

    def accepts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for a in self.alternatives for k in a.accepts()))

    def bind(self, **credentials: Any) -> OneOf:
        unknown = sorted(set(credentials) - set(self.accepts()))
        if unknown:
            raise InvalidRequestError(f"the credentials are one of {self.choices()}, not {unknown}")
        picked = self._picked(credentials)
        copy = OneOf(*self.alternatives, optional=self.optional)
        if picked is not None:
            copy.chosen = picked.bind(**credentials)
            copy.secret_headers = copy.chosen.secret_headers
        elif "store" in credentials:
            raise InvalidRequestError(f"store= goes with a login's credentials: one of {self.choices()}")
        return copy

    def _picked(self, credentials: dict[str, Any]) -> Authenticator | None:
        """The alternative ``credentials`` choose (a lone provider: the one login taking it)."""
        given = set(credentials) - _ALONG
        picked = [a for a in self.alternatives if given & set(_choosing(a))]
        if not given and PROVIDER in credentials:
            picked = [a for a in self.alternatives if PROVIDER in a.accepts()]
            if len(picked) > 1:
                raise InvalidRequestError(
                    f"{PROVIDER}= alone cannot choose among {self.choices()}: give the keyword of one too"
                )
        if len(picked) > 1:
            raise InvalidRequestError(f"give the credentials of one of {self.choices()}, not of several")
        return picked[0] if picked else None

    def holds_credentials(self) -> bool:
        return self.chosen is not None and self.chosen.holds_credentials()

    def parts(self) -> tuple[Authenticator, ...]:
        return (self.chosen,) if self.chosen is not None else self.alternatives

    def check(self) -> None:
        if self.chosen is None:
            raise InvalidRequestError(f"give the credentials of one of {self.choices()}")
        self.chosen.check()

    def prepare(self, sender: Sender) -> None:
        if self.chosen is not None:
            self.chosen.prepare(sender)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return self.chosen(r) if self.chosen is not None else r

    def renew(self, failed: requests.PreparedRequest) -> bool:
        return self.chosen is not None and self.chosen.renew(failed)

    def identity(self, keyed: Keyed) -> str:
        return self.chosen.identity(keyed) if self.chosen is not None else "anonymous"

    def __repr__(self) -> str:
        if self.chosen is not None:
            return f"OneOf({self.chosen!r})"
        return f"OneOf({', '.join(map(repr, self.alternatives))}, optional={self.optional})"
