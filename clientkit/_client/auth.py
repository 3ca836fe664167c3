"""Auth strategies, as ``requests`` auth objects.

A service declares a strategy without credentials (``auth = TokenAuth(scheme="Token")``);
``Service.connect(token=...)`` binds the credentials to a fresh copy. Every
strategy keeps its secrets in :class:`~clientkit.redaction.Secret`, so reprs,
logs and pickles never show them.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit, urlunsplit

import attrs
import requests
from requests.auth import AuthBase, _basic_auth_str

from clientkit._client.logins import (
    PROVIDER,
    CredentialSource,
    answer_says,
    fetch_credentials,
    given_under,
    ordered_placeholders,
    public_answer,
)
from clientkit._client.tokens import MemoryTokenStore, Token, TokenStore, jwt_expiry
from clientkit._declarations.errors import (
    AuthenticationError,
    BadRequestError,
    DeclarationError,
    DecodeError,
    InvalidRequestError,
    PermissionDeniedError,
)
from clientkit._declarations.keypaths import dig, locate
from clientkit._declarations.keywords import checked_keywords
from clientkit._declarations.paths import PLACEHOLDER, PathTemplate, quote_segment
from clientkit._declarations.redaction import Secret, is_sensitive_name, register_secret
from clientkit._declarations.resource import Action
from clientkit._declarations.retry import status_set
from clientkit._declarations.wire import check_header_value


class Sender(Protocol):
    """How a login flow talks to the service: ``(method, path, json body) -> parsed JSON``;
    with ``service_headers``, the request carries the session's headers, and ``headers`` the
    flow's own; ``retry_on`` statuses and answers ``again`` accepts are sent again."""

    def __call__(
        self,
        method: str,
        path: str,
        body: Any,
        service_headers: bool = False,
        *,
        headers: Mapping[str, str] | None = None,
        retry_on: Collection[int] = (),
        again: Callable[[Any], bool] | None = None,
    ) -> Any: ...


class Keyed(Protocol):
    """A keyed one-way hash of credential parts (see ``redaction.fingerprint``)."""

    def __call__(self, *parts: str) -> str: ...


def secret_names(auth: object) -> list[str]:
    """The header and query parameter names that carry the credential of ``auth``."""
    names: list[str] = []
    for part in auth.parts() if isinstance(auth, Authenticator) else (auth,):
        names += [h for h in getattr(part, "secret_headers", ()) or () if h]
        query = getattr(part, "query", None)
        if isinstance(query, str):
            names.append(query)
    return names


def unshared_identity(owner: object) -> str:
    """An identity that no other object, process or run ever has: for credentials that
    clientkit cannot see, so their cached answers are never served to anyone else."""
    nonce: str = vars(owner).setdefault("_ck_identity_nonce", secrets.token_hex(16))
    return f"unshared:{nonce}"


class Authenticator(AuthBase):
    """Base of clientkit's strategies: a requests auth with a few extra hooks."""

    #: credential keyword arguments ``bind()`` accepts.
    credential_names: ClassVar[tuple[str, ...]] = ()
    #: header names this strategy fills (kept out of logs and cache keys).
    secret_headers: tuple[str, ...] = ()
    #: whether a session may be opened without credentials (it then sends none).
    optional: bool = False

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r

    def bind(self, **credentials: Any) -> Authenticator:
        """A copy carrying ``credentials`` (``token=``, ``username=``/``password=``...)."""
        unknown = set(credentials) - set(self.accepts())
        if unknown:
            raise InvalidRequestError(
                f"{type(self).__name__} takes credentials {list(self.accepts())}, not {sorted(unknown)}"
            )
        keyword = getattr(self, "keyword", None)  # a renamed keyword (``bearer=``) fills its field
        fields = {keyword: self.credential_names[0]} if keyword else {}
        return attrs.evolve(self, **{fields.get(k, k): v for k, v in credentials.items()})  # type: ignore[misc]

    def accepts(self) -> tuple[str, ...]:
        """The credential keyword arguments :meth:`bind` takes."""
        return self.credential_names

    def holds_credentials(self) -> bool:
        """Whether this copy was given any credential."""
        return True

    def parts(self) -> tuple[Authenticator, ...]:
        """The strategies that may send the credential (several for a choice not yet made)."""
        return (self,)

    def path_placeholders(self) -> tuple[str, ...]:
        """Placeholders that declared paths may hold for this strategy to fill (``{token}``)."""
        return ()

    def anonymous(self) -> bool:
        """Whether this copy sends no credential: declared ``optional`` and given none."""
        return self.optional and not self.holds_credentials()

    def prepare(self, sender: Sender) -> None:
        """Give the strategy a way to call the service (login flows need one)."""

    def renew(self, failed: requests.PreparedRequest) -> bool:
        """After a 401 to ``failed``: get fresh credentials; True if a retry may help."""
        return False

    def identity(self, keyed: Keyed) -> str:
        """A stable, non-secret id of the whole credential, for cache isolation.

        Strategies hash every part of their credential with ``keyed``. A subclass that
        sends something (overrides ``__call__``) without saying who it is gets an
        identity of its own, so its answers are never shared.
        """
        if type(self).__call__ is Authenticator.__call__:
            return "anonymous"
        return unshared_identity(self)

    def check(self) -> None:
        """Raise when required credentials are missing."""

    def check_base_url(self, base_url: str) -> None:
        """Raise when the credential cannot ride on requests to ``base_url``."""

    def unfilled(self, url: str, mark: str) -> str:
        """``url`` with a credential it carries in its path replaced by ``mark`` (cache keys
        and stored URLs never hold it)."""
        return url


def _credential_value(value: Any) -> str | int | float:
    """The wire form of a credential: text, or a number kept as one; anything else is refused."""
    if isinstance(value, Secret):
        return value.reveal_as_given()
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            raise InvalidRequestError("a credential given as bytes must be UTF-8") from None
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise InvalidRequestError(f"a credential must be text or a number, not {type(value).__name__}")


def _check_sendable(header: str, value: str) -> None:
    """Refuse a credential its header cannot carry (outside Latin-1, a line break), at connect()."""
    try:
        check_header_value(header, value)
    except InvalidRequestError:
        raise InvalidRequestError(
            f"the credential for header {header!r} cannot be sent: HTTP headers carry Latin-1 "
            "text without line breaks"
        ) from None


def _with_scheme(scheme: str | None, value: str) -> str:
    return f"{scheme} {value}" if scheme else value


def _secret(value: Any) -> Secret | None:
    """A credential given by a user as a :class:`Secret`; ``None`` and ``""`` stay absent."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Secret) else Secret(_credential_value(value))


@checked_keywords
@attrs.define(repr=False)
class TokenAuth(Authenticator):
    """A static token in a header: ``Authorization: Bearer <token>`` or ``Token <token>``."""

    credential_names: ClassVar[tuple[str, ...]] = ("token",)
    token: Secret | None = attrs.field(default=None, converter=_secret)
    scheme: str | None = "Bearer"
    header: str = "Authorization"
    keyword: str = attrs.field(default="token", kw_only=True)
    optional: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        self.secret_headers = (self.header,)

    def accepts(self) -> tuple[str, ...]:
        return (self.keyword,)

    def holds_credentials(self) -> bool:
        return self.token is not None

    def check(self) -> None:
        if self.token is None:
            raise InvalidRequestError(f"{type(self).__name__} needs a token ({self.keyword}=...)")
        _check_sendable(self.header, self.token.reveal())

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.token is not None:
            r.headers[self.header] = _with_scheme(self.scheme, self.token.reveal())
        return r

    def identity(self, keyed: Keyed) -> str:
        if self.token is None:
            return "anonymous"
        return keyed("token", self.header, self.scheme or "", self.token.reveal())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(scheme={self.scheme!r}, header={self.header!r}, token=***)"


@checked_keywords
@attrs.define(repr=False)
class ApiKeyAuth(Authenticator):
    """An API key in a header (``X-API-Key: <key>``) or a query parameter (``?api_key=<key>``)."""

    credential_names: ClassVar[tuple[str, ...]] = ("key",)
    key: Secret | None = attrs.field(default=None, converter=_secret)
    header: str | None = None
    query: str | None = None
    keyword: str = attrs.field(default="key", kw_only=True)
    optional: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.header is not None and self.query is not None:
            raise DeclarationError("ApiKeyAuth takes one of header= or query=, not both")
        if self.header is None and self.query is None:
            self.header = "X-API-Key"
        self.secret_headers = (self.header,) if self.header else ()

    def accepts(self) -> tuple[str, ...]:
        return (self.keyword,)

    def holds_credentials(self) -> bool:
        return self.key is not None

    def check(self) -> None:
        if self.key is None:
            raise InvalidRequestError(f"ApiKeyAuth needs a key ({self.keyword}=...)")
        if self.header:
            _check_sendable(self.header, self.key.reveal())

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.key is None:
            return r
        if self.header:
            r.headers[self.header] = self.key.reveal()
        elif self.query:
            r.prepare_url(r.url, {self.query: self.key.reveal()})
        return r

    def identity(self, keyed: Keyed) -> str:
        if self.key is None:
            return "anonymous"
        return keyed("key", self.header or "", self.query or "", self.key.reveal())

    def __repr__(self) -> str:
        where = f"header={self.header!r}" if self.header else f"query={self.query!r}"
        return f"ApiKeyAuth({where}, key=***)"


@checked_keywords
@attrs.define(repr=False)
class PathToken(Authenticator):
    """A token carried as a path segment (``/bot<token>/getMe``): the base URL holds the
    ``{placeholder}`` (or, with ``in_paths=True``, the declared paths do: ``/case/{token}/``),
    filled when each request is sent; the URL built holds no token."""

    credential_names: ClassVar[tuple[str, ...]] = ("token",)
    token: Secret | None = attrs.field(default=None, converter=_secret)
    placeholder: str = attrs.field(default="token", kw_only=True)
    in_paths: bool = attrs.field(default=False, kw_only=True)

    def accepts(self) -> tuple[str, ...]:
        return (self.placeholder,)

    def bind(self, **credentials: Any) -> PathToken:
        unknown = set(credentials) - {self.placeholder}
        if unknown:
            raise InvalidRequestError(
                f"PathToken takes credentials [{self.placeholder!r}], not {sorted(unknown)}"
            )
        return attrs.evolve(self, token=credentials.get(self.placeholder))

    def holds_credentials(self) -> bool:
        return self.token is not None

    def check(self) -> None:
        if self.token is None:
            raise InvalidRequestError(f"PathToken needs a token ({self.placeholder}=...)")
        self._segment()

    def path_placeholders(self) -> tuple[str, ...]:
        return (self.placeholder,) if self.in_paths else ()

    def check_base_url(self, base_url: str) -> None:
        if not self.in_paths and f"{{{self.placeholder}}}" not in urlsplit(base_url).path:
            raise InvalidRequestError(
                f"PathToken carries the token in the base URL's path: it must hold {{{self.placeholder}}}"
            )

    def _segment(self) -> str:
        assert self.token is not None
        return quote_segment(self.token.reveal(), name="the path token")

    def _marks(self) -> tuple[str, ...]:
        name = self.placeholder
        return (f"%7B{name}%7D", f"%7b{name}%7d", f"{{{name}}}")

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.token is not None and r.url:
            parts = urlsplit(r.url)
            path = parts.path
            for mark in self._marks():
                path = path.replace(mark, self._segment())
            r.url = urlunsplit(parts._replace(path=path))
        return r

    def unfilled(self, url: str, mark: str) -> str:
        if self.token is None:
            return url
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=parts.path.replace(self._segment(), mark)))

    def identity(self, keyed: Keyed) -> str:
        if self.token is None:
            return "anonymous"
        return keyed("path", self.placeholder, self.token.reveal())

    def __repr__(self) -> str:
        where = ", in_paths=True" if self.in_paths else ""
        return f"PathToken(placeholder={self.placeholder!r}{where}, token=***)"


def path_marks(auth: object) -> dict[str, str]:
    """The placeholders ``auth`` fills in declared paths, each mapped to its own mark."""
    names = auth.path_placeholders() if isinstance(auth, Authenticator) else ()
    return {name: f"{{{name}}}" for name in names}


@checked_keywords
@attrs.define(repr=False)
class BasicAuth(Authenticator):
    """HTTP basic auth."""

    credential_names: ClassVar[tuple[str, ...]] = ("username", "password")
    username: str | None = None
    password: Secret | None = attrs.field(default=None, converter=_secret)
    secret_headers: tuple[str, ...] = ("Authorization",)
    optional: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.username is not None and self.password is not None:
            try:
                encoded = _basic_auth_str(self.username, self.password.reveal()).partition(" ")[2]
            except UnicodeEncodeError:
                return
            register_secret(encoded, owner=self)  # the base64 of "user:password" reveals the password

    def holds_credentials(self) -> bool:
        return self.username is not None or self.password is not None

    def check(self) -> None:
        if self.username is None or self.password is None:
            raise InvalidRequestError("BasicAuth needs username= and password=")
        try:
            _basic_auth_str(self.username, self.password.reveal())
        except UnicodeEncodeError:
            raise InvalidRequestError(
                "BasicAuth sends its username and password as Latin-1; they hold a character outside it"
            ) from None

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.username is not None and self.password is not None:
            r.headers["Authorization"] = _basic_auth_str(self.username, self.password.reveal())
        return r

    def identity(self, keyed: Keyed) -> str:
        if self.username is None and self.password is None:
            return "anonymous"
        password = self.password.reveal() if self.password is not None else ""
        return keyed("basic", self.username or "", password)

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=***)"


def _render(template: Any, values: Mapping[str, Any]) -> Any:
    """Fill ``"{name}"`` placeholders in a JSON template from ``values``."""
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            return values[template[1:-1]]
        return template.format_map(values) if "{" in template else template
    if isinstance(template, Mapping):
        return {k: _render(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_render(v, values) for v in template]
    return template


def _placeholders(template: Any) -> set[str]:
    """The ``{name}`` placeholders anywhere in a JSON template."""
    if isinstance(template, str):
        return set(PLACEHOLDER.findall(template))
    if isinstance(template, Mapping):
        template = list(template.values())
    return set().union(*map(_placeholders, template)) if isinstance(template, list) else set()


def _paths(value: str | Collection[str]) -> str | tuple[str, ...]:
    """``token=``: one key path, or alternatives tried in order (``("accessToken", "token")``)."""
    if isinstance(value, str):
        return value
    paths = tuple(value)
    if not paths or not all(isinstance(p, str) and p for p in paths):
        raise DeclarationError(f"PasswordLogin token= takes a key path or a tuple of them, not {value!r}")
    return paths


@checked_keywords
@attrs.define(repr=False)
class PasswordLogin(Authenticator):
    """Log in with a username and password; send the returned token; renew it in time.

    The declaration names the login request and where the answer keeps the token and
    its lifetime. Expiry comes from ``expires_in`` (seconds), ``expires_at`` (ISO
    text or Unix time) or, failing both, the JWT's ``exp``. The token is renewed
    ``leeway`` seconds before it expires, by the refresh request when one is declared
    and a refresh token was issued, otherwise by logging in again. Concurrent
    callers share one renewal: eight threads meeting an expired token send one
    request. After a 401 the token is renewed once and the request retried once.

    ``connect()`` takes the body's placeholders (``username=``, ``password=``), or with
    ``keyword=`` all of them under that one name (``admin=("root", "pw")``), which tells
    the logins of a :class:`OneOf` apart.
    """

    path: str = "/auth/login"
    method: str = "POST"
    body: Mapping[str, Any] = attrs.field(
        factory=lambda: {"username": "{username}", "password": "{password}"}
    )
    token: str | tuple[str, ...] = attrs.field(default="access_token", converter=_paths)
    refresh_token: str | None = "refresh_token"
    expires_in: str | None = "expires_in"
    expires_at: str | None = None
    refresh_path: str | None = None
    refresh_body: Mapping[str, Any] = attrs.field(factory=lambda: {"refresh_token": "{refresh_token}"})
    scheme: str | None = "Bearer"
    header: str = "Authorization"
    leeway: float = 60.0
    credentials: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    store: TokenStore = attrs.field(factory=MemoryTokenStore)
    clock: Callable[[], float] = attrs.field(default=time.time, repr=False)
    optional: bool = attrs.field(default=False, kw_only=True)
    service_headers: bool = attrs.field(default=False, kw_only=True)
    check_token: str | Action | None = attrs.field(default=None, kw_only=True)
    retry_login_on: frozenset[int] = attrs.field(default=frozenset(), kw_only=True, converter=status_set)
    retry_login_when: Mapping[str, Collection[Any]] = attrs.field(factory=dict, kw_only=True)
    keyword: str | None = attrs.field(default=None, kw_only=True)
    _source: CredentialSource | None = attrs.field(default=None, init=False, repr=False)
    _sender: Sender | None = attrs.field(default=None, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)
    _current: Token | None = attrs.field(default=None, init=False, repr=False)
    _loaded: bool = attrs.field(default=False, init=False, repr=False)
    logins: int = attrs.field(default=0, init=False)
    refreshes: int = attrs.field(default=0, init=False)

    def __attrs_post_init__(self) -> None:
        self.secret_headers = (self.header,)
        PathTemplate(self.path)
        if self.refresh_path is not None:
            PathTemplate(self.refresh_path)
        if self.check_token is not None:
            PathTemplate(self.check_token if isinstance(self.check_token, str) else self.check_token.path)
        answer_says(self.retry_login_when)  # a DeclarationError for a malformed one
        keyword = self.keyword
        if keyword is not None and (not keyword.isidentifier() or keyword in ("store", PROVIDER)):
            raise DeclarationError(f"PasswordLogin keyword= must be a name of its own, not {self.keyword!r}")

    def accepts(self) -> tuple[str, ...]:
        if self.keyword is not None:
            return (self.keyword, "store")
        return (*sorted(_placeholders(self.body)), "store", PROVIDER)

    def bind(self, **credentials: Any) -> PasswordLogin:
        store = credentials.pop("store", None)
        if self.keyword is not None:
            credentials = given_under(self.keyword, credentials, ordered_placeholders(self.body))
        source = credentials.pop(PROVIDER, None)
        if source is not None and not callable(source):
            raise InvalidRequestError(f"{PROVIDER}= takes a function giving the login's credentials")
        needed = _placeholders(self.body)
        unknown = set(credentials) - needed
        if unknown:
            also = f"(and store=, {PROVIDER}=)"
            raise InvalidRequestError(f"the login takes {sorted(needed)} {also}, not {sorted(unknown)}")
        merged = {**self.credentials, **credentials}
        wrapped = {k: _wrapped(k, v) for k, v in merged.items()}
        if store is None:
            # a declared persistent store holds the declared principal's token: it is kept only
            # while the principal stays the declared one (a callback may log in anyone else);
            # a memory store is never shared
            declared = _public(self.credentials)
            same = source is None and bool(declared) and _public(merged) == declared
            store = (
                self.store if same and not isinstance(self.store, MemoryTokenStore) else MemoryTokenStore()
            )
        bound = attrs.evolve(self, credentials=wrapped, store=store)
        bound._source = source
        return bound

    def holds_credentials(self) -> bool:
        return bool(self.credentials) or self._source is not None

    def check(self) -> None:
        if self._source is not None:
            return  # the callback gives the rest, at each login
        missing = sorted(_placeholders(self.body) - set(self.credentials))
        if missing:
            where = f" ({self.keyword}=...)" if self.keyword else ""
            raise InvalidRequestError(f"the login needs {', '.join(missing)}{where}")

    def prepare(self, sender: Sender) -> None:
        self._sender = sender

    def current_token(self) -> Token:
        """A valid token, logging in or refreshing first if needed (thread-safe)."""
        token = self._current
        if token is not None and not token.expiring(self.leeway, self.clock()):
            return token
        with self._lock:
            token = self._current
            if token is None and not self._loaded:
                self._loaded = True
                token = self._checked(self.store.load())
                self._current = token
            if token is None or token.expiring(self.leeway, self.clock()):
                token = self._obtain(token)
            return token

    def renew(self, failed: requests.PreparedRequest) -> bool:
        if self.anonymous():
            return False
        used = failed.headers.get(self.header)
        with self._lock:
            current = self._current
            if current is None or used == self._header_value(current):
                self._obtain(current)  # else another thread renewed it already
        return True

    def login(self) -> Token:
        """Log in now, whatever the state of the current token."""
        with self._lock:
            return self._obtain(None)

    def invalidate(self) -> None:
        """Forget the token (and clear the store)."""
        with self._lock:
            self._current = None
            self.store.clear()

    def _obtain(self, previous: Token | None) -> Token:
        token: Token | None = None
        if previous is not None and previous.refresh_token and self.refresh_path:
            values = {"refresh_token": previous.refresh_token.reveal()}
            with contextlib.suppress(AuthenticationError, BadRequestError, PermissionDeniedError):
                token = self._request(self.refresh_path, self.refresh_body, values)
                self.refreshes += 1
        if token is None:
            token = self._log_in()
            self.logins += 1
        self._current = token
        self.store.save(token)
        return token

    def _log_in(self) -> Token:
        """The login request, with the credentials held or, from a callback, fetched for it
        (their :class:`Secret` live until the login is done)."""
        self.check()
        source, names = self._source, ordered_placeholders(self.body)
        fetched = {} if source is None else fetch_credentials(source, names)
        values = {**self._credential_values(), **_revealed(fetched)}
        missing = sorted(_placeholders(self.body) - set(values))
        if missing:
            raise InvalidRequestError(f"the login needs {', '.join(missing)}, not given by the {PROVIDER}")
        return self._request(self.path, self.body, values)

    def _checked(self, stored: Token | None) -> Token | None:
        """A stored token, once the declared ``check_token`` request accepts it; ``None`` (and
        the store cleared) when the service answers it 401."""
        check = self.token_check()
        if stored is None or check is None or stored.expiring(self.leeway, self.clock()):
            return stored
        try:
            self._send(check.method, check.path, None, headers={self.header: self._header_value(stored)})
        except AuthenticationError:
            self.store.clear()
            return None
        return stored

    def token_check(self) -> Action | None:
        """The declared request that checks a stored token (``GET`` for a bare path)."""
        check = self.check_token
        return Action("GET", check) if isinstance(check, str) else check

    def _credential_values(self) -> dict[str, Any]:
        return _revealed(self.credentials)

    def _request(self, path: str, template: Mapping[str, Any], values: Mapping[str, Any]) -> Token:
        answer = self._send(
            self.method,
            path,
            _render(template, values),
            retry_on=self.retry_login_on,
            again=answer_says(self.retry_login_when),
        )
        return self._parse(answer, path)

    def _send(self, method: str, path: str, body: Any, **extra: Any) -> Any:
        if self._sender is None:
            raise DeclarationError("PasswordLogin is not attached to a session")
        return self._sender(method, path, body, self.service_headers, **extra)

    def _parse(self, answer: Any, path: str) -> Token:
        access = locate(answer, self.token)
        if not isinstance(access, str) or not access:
            where = " or ".join(map(repr, self._token_paths()))
            raise DecodeError(f"the login answer has no token at {where}", method=self.method, url=path)
        refresh = dig(answer, self.refresh_token) if self.refresh_token else None
        expires: float | None = None
        if self.expires_in and isinstance(dig(answer, self.expires_in), int | float):
            expires = self.clock() + float(dig(answer, self.expires_in))
        elif self.expires_at and dig(answer, self.expires_at) is not None:
            from clientkit._declarations.convert import parse_datetime

            with contextlib.suppress(ValueError):
                expires = parse_datetime(dig(answer, self.expires_at)).timestamp()
        if expires is None:
            expires = jwt_expiry(access)
        return Token(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) else None,
            expires_at=expires,
            token_type=self.scheme or "",
            answer=public_answer(answer, [*self._token_paths(), self.refresh_token or ""]),
        )

    def _token_paths(self) -> tuple[str, ...]:
        return (self.token,) if isinstance(self.token, str) else self.token

    def _header_value(self, token: Token) -> str:
        return _with_scheme(self.scheme, token.access_token.reveal())

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if not self.anonymous():
            r.headers[self.header] = self._header_value(self.current_token())
        return r

    def secret_fields(self) -> set[str]:
        """The login and refresh body keys that carry a secret credential (``password``, ``pin``)."""
        return {
            wire
            for template in (self.body, self.refresh_body)
            for wire, value in (template or {}).items()
            if isinstance(value, str) and PLACEHOLDER.fullmatch(value) and is_sensitive_name(value[1:-1])
        }

    def identity(self, keyed: Keyed) -> str:
        """Every login credential (password included) and the login path; never the token,
        so the identity stays the same across renewals."""
        if self.anonymous():
            return "anonymous"
        if self._source is not None:
            return unshared_identity(self)  # the callback's credentials are known only at a login
        values = self._credential_values()
        return keyed("login", self.path, *(f"{k}={values[k]!r}" for k in sorted(values)))

    def __repr__(self) -> str:
        who = {k: ("***" if _is_secret(k, v) else v) for k, v in self.credentials.items()}
        source = ", credentials from a callback" if self._source is not None else ""
        return f"PasswordLogin(path={self.path!r}, credentials={who!r}{source}, store={self.store!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        state = {a.name: getattr(self, a.name) for a in attrs.fields(type(self)) if a.init}
        state["credentials"] = _public(self.credentials)
        state["store"] = MemoryTokenStore()
        return (_rebuild_login, (state,))


def _revealed(credentials: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.reveal_as_given() if isinstance(v, Secret) else v for k, v in credentials.items()}


def _rebuild_login(state: dict[str, Any]) -> PasswordLogin:
    return PasswordLogin(**state)


def _wrapped(name: str, value: Any) -> Any:
    """A login credential as kept: a secret-named one (a number too) as :class:`Secret`;
    any other (the principal, ``remember=True``, a list of scopes) as given."""
    if value is None or isinstance(value, Secret) or not is_sensitive_name(name):
        return value
    return Secret(_credential_value(value))


def _is_secret(name: str, value: Any) -> bool:
    return isinstance(value, Secret) or is_sensitive_name(name)


def _public(credentials: Mapping[str, Any]) -> dict[str, Any]:
    """The credentials that are not secret (the principal's name and options)."""
    return {k: v for k, v in credentials.items() if not _is_secret(k, v)}
