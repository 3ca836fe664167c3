"""``BragerOneApiClient``: the official client's surface, synchronous, on a clientkit session.

The login, renewal, token check, retries, errors and both origins are the declarations of
``service.py``; what is BragerOne's own here is the official argument handling, the
``modules/connect`` body candidates, the command routing and ``get_bytes``' cache.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from clientkit import PasswordLogin, Session
from clientkit.errors import DecodeError, InvalidRequestError
from clientkit.tokens import Token as KitToken
from clientkit_services.bragerone.cache import HttpCache, Store
from clientkit_services.bragerone.exceptions import ApiError
from clientkit_services.bragerone.models import (
    BragerObject,
    DevicesMenu,
    Module,
    ModuleCard,
    ObjectDetails,
    Permission,
    SystemVersion,
    Token,
    TokenStore,
    User,
    complete,
    permissions,
)
from clientkit_services.bragerone.service import API_BASE, ONE_BASE, BragerOne, ServerConfig

CredProvider = Callable[[], tuple[str, str]]
NO_CREDENTIALS = {"message": "No credentials for (re)login"}
CONNECT_HEADERS = {"Content-Type": "application/json;charset=UTF-8", "X-Requested-With": "XMLHttpRequest"}
COMMAND_OK = (200, 201, 202, 204)


def _io_base(api_base: str) -> str:
    """The Socket.IO host: ``api_base`` without a trailing version segment (B17)."""
    parts = urlsplit(api_base)
    path = re.sub(r"/v\d+/?$", "", parts.path)
    return f"{parts.scheme}://{parts.netloc}{path}"


class BragerOneApiClient:
    """The BragerOne API as the official ``BragerOneApiClient`` offers it, synchronously;
    ``session`` is the clientkit session underneath (typed resources, lazy lists, retries).

    Example:
        >>> client = BragerOneApiClient()
        >>> client.ensure_auth("jan@example.com", "secret")
        >>> client.get_objects()
    """

    def __init__(
        self,
        *,
        server: ServerConfig | None = None,
        api_base: str = API_BASE,
        one_base: str = ONE_BASE,
        io_base: str | None = None,
        token_store: TokenStore | None = None,
        enable_http_trace: bool = False,
        redact_secrets: bool = True,
        creds_provider: CredProvider | None = None,
        validate_on_start: bool = True,
        refresh_leeway: int = 90,
        timeout: float = 8.0,
        concurrency: int = 4,
        verify: bool | str | ssl.SSLContext = True,
        **connect: Any,
    ) -> None:
        if server is not None:
            api_base, one_base, io_base = server.api_base, server.one_base, server.io_base
        self._api_base, self._one_base = api_base.rstrip("/"), one_base.rstrip("/")  # B18
        self._io_base = (io_base or _io_base(self._api_base)).rstrip("/")
        self.container = server.container if server is not None else "BragerOne"
        self.enable_http_trace = enable_http_trace  # the trace is clientkit's, on clientkit.http
        self.redact_secrets = redact_secrets  # False is refused in effect: secrets stay redacted (B23)
        self._creds_provider = creds_provider
        self._given: tuple[str | None, str | None] = (None, None)
        self._missing = False
        self._store = Store(token_store)
        self._limit = threading.BoundedSemaphore(concurrency)  # every request (B7)
        self._shape: tuple[str, bool] | None = None
        self.cache = HttpCache()
        if not isinstance(verify, bool | str | ssl.SSLContext):
            raise InvalidRequestError("verify= takes True, False, a CA bundle path or an ssl.SSLContext")
        self.session: Session = BragerOne.connect(
            self._api_base, origins={"one": self._one_base}, one_base=self._one_base, store=self._store,
            credential_provider=self._credentials, timeout=(timeout, timeout), verify=verify,
            trace=enable_http_trace, **connect,
        )  # fmt: skip
        auth = self._auth
        auth.leeway = float(refresh_leeway)
        if not validate_on_start:
            auth.check_token = None

    # -- places and auth ---------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return self._api_base

    @property
    def one_base(self) -> str:
        return self._one_base

    @property
    def io_base(self) -> str:
        return self._io_base

    @property
    def _auth(self) -> PasswordLogin:
        auth = self.session.transport.auth
        assert isinstance(auth, PasswordLogin)
        return auth

    def _credentials(self) -> dict[str, str]:
        email, password = self._given
        if not (email and password) and self._creds_provider is not None:
            email, password = self._creds_provider()
        if not (email and password):
            self._missing = True
            raise LookupError("no credentials")
        return {"email": email, "password": password}

    def _call(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One operation, its pages read, under the request limit (B7); missing credentials as
        the official error."""
        with self._limit:
            self._missing = False
            try:
                return operation(*args, **kwargs)
            except InvalidRequestError as exc:
                if self._missing:
                    raise ApiError(401, dict(NO_CREDENTIALS), {}) from exc
                raise
            except DecodeError as exc:
                if exc.url == self._auth.path:  # the login answered no token (B10)
                    raise ApiError(500, {"message": "No accessToken in login payload"}, {}) from exc
                raise

    def _token(self, token: KitToken) -> Token:
        return self._store.current or Store.official(token)

    def ensure_auth(self, email: str | None = None, password: str | None = None) -> Token:
        """A valid token: the stored one (checked once), or a new login; explicit credentials
        for another account than the last log in anew (B22)."""
        if email and password:
            if self._given[0] is not None and self._given != (email, password):
                self._auth.invalidate()
            self._given = (email, password)
        return self._token(self._call(self._auth.current_token))

    def invalidate_and_reauth(self, email: str | None = None, password: str | None = None) -> Token:
        """Forget the token (and the stored one), then log in."""
        if email and password:
            self._given = (email, password)
        self._auth.invalidate()
        return self._token(self._call(self._auth.login))

    @property
    def access_token(self) -> str:
        token = self._store.current
        if token is None or not token.access_token:
            raise RuntimeError("ApiClient has no access token; call ensure_auth() first")
        return token.access_token

    def set_token_store(self, store: TokenStore | None) -> None:
        self._store.inner = store

    def revoke(self) -> None:
        """Log out on the server (when there is a token, B14), then forget the token."""
        try:
            if self._store.current is not None:
                self._call(self.session.action, User, "revoke")
        except ApiError as exc:
            if exc.status not in (401, 403, 404):
                raise
        finally:
            self._auth.invalidate()

    def close(self) -> None:
        self.session.close()

    # -- reads -------------------------------------------------------------------------------------

    def get_system_version(self) -> SystemVersion:
        params = {"container": self.container, "platform": 0}
        version: SystemVersion = self._call(self.session.get, SystemVersion, params=params, auth=False)
        return complete(version, "the GET /system/version")

    def get_user(self) -> User:
        user: User = self._call(self.session.get, User)
        return complete(user, "the GET /user")

    def get_user_permissions(self) -> list[Permission]:
        return permissions(self._call(self.session.action, User, "permissions"))

    def get_objects(self) -> list[BragerObject]:
        rows = self._call(lambda: list(self.session.list(BragerObject)))
        return [complete(row, "a row of the GET /objects") for row in rows]

    def get_object(self, object_id: int) -> ObjectDetails:
        body = self._call(self.session.action, BragerObject, "details", id=object_id)
        if not isinstance(body, dict) or not isinstance(body.get("object"), dict):
            raise ApiError(500, {"message": "Unexpected object payload"}, {})
        where = f"the GET /objects/{object_id}"
        status = body.get("status")
        if not isinstance(status, str):  # the object's state, never the text "None"
            raise DecodeError(f"{where} answer lacks ['status'] (text), which an ObjectDetails requires")
        return ObjectDetails(complete(BragerOne.converter.load(body["object"], BragerObject), where), status)

    def get_object_permissions(self, object_id: int) -> list[Permission]:
        return permissions(self._call(self.session.action, BragerObject, "permissions", id=object_id))

    def get_modules(self, object_id: int, *, page: int = 1, limit: int = 999) -> list[Module]:
        params = {"page": page, "limit": limit, "group_id": object_id}
        rows = self._call(lambda: list(self.session.list(Module, params=params)))
        return [complete(row, "a row of the GET /modules") for row in rows]

    def get_module_card(self, code: str) -> ModuleCard:
        card: ModuleCard = self._call(self.session.get, ModuleCard, code=code)
        return complete(card, f"the GET /modules/{code}/card")

    def get_devices_menu(
        self, manuf_code: int | str, dev_code: int | str, fw: str = "0.0.0"
    ) -> dict[str, Any]:
        where = {"manuf_code": manuf_code, "dev_code": dev_code, "fw": fw}
        menu = complete(self._call(self.session.get, DevicesMenu, **where), "the GET devices menu")
        return BragerOne.converter.dump(menu)

    # -- writes and snapshots ----------------------------------------------------------------------

    def _post(self, name: str, body: Any, ok: tuple[int, ...], return_data: bool, **options: Any) -> Any:
        data = self._call(self.session.action, Module, name, json=body, **options)
        answered = self.session.last_response
        status = answered.status_code if answered is not None else 0
        return (status, data) if return_data else status in ok

    def modules_connect(
        self, wsid_ns: str, modules: list[str], group_id: int | None = None, engine_sid: str | None = None
    ) -> bool:
        """Bind a Socket.IO session to ``modules``, trying the body shapes the service knows;
        a shape refused with a 4xx moves on to the next one (B3)."""
        if not modules:
            return True
        for body in self._connect_bodies(wsid_ns, sorted(set(modules)), group_id, engine_sid):
            try:
                status, _ = self._post("connect", body, (200, 204), True, headers=CONNECT_HEADERS)
            except ApiError as exc:
                if not 400 <= exc.status < 500 or exc.status == 401:
                    raise
                continue
            if status in (200, 204):
                self._shape = ("wsid" if "wsid" in body else "sid", "group_id" in body)
                return True
        return False

    def _connect_bodies(
        self, ns: str, modules: list[str], group_id: int | None, engine: str | None
    ) -> list[dict[str, Any]]:
        sids = [s for s in (ns, engine if engine != ns else None) if s]
        group = None if group_id is None else str(group_id)
        bodies: list[dict[str, Any]] = []
        if self._shape is not None:
            key, with_group = self._shape
            for sid in sids:
                extra = {"group_id": group} if with_group and group is not None else {}
                bodies.append({key: sid, "modules": modules, **extra})
        for sid in sids:
            bodies += [{"wsid": sid, "modules": modules}, {"sid": sid, "modules": modules}]
            if group is not None:
                bodies.append({"wsid": sid, "group_id": group, "modules": modules})
        unique: dict[str, dict[str, Any]] = {}
        for body in bodies:
            unique.setdefault(repr(sorted(body.items())), body)
        return list(unique.values())

    def modules_parameters_prime(self, modules: list[str], *, return_data: bool = False) -> Any:
        return self._post("parameters", {"modules": modules}, (200, 204), return_data)

    def modules_activity_quantity_prime(self, modules: list[str], *, return_data: bool = False) -> Any:
        return self._post("activity_quantity", {"modules": modules}, (200, 204), return_data)

    def modules_alarms_quantity(self, modules: list[str], *, return_data: bool = False) -> Any:
        return self._post("alarms_quantity", {"modules": modules}, (200, 204), return_data)

    def modules_activity(
        self, modules: list[str], *, page: int = 1, limit: int = 20, return_data: bool = False
    ) -> Any:
        return self._post(
            "activity", {"modules": modules, "page": page, "limit": limit}, (200, 204), return_data
        )

    def modules_alarms(
        self, modules: list[str], *, page: int = 1, limit: int = 20, return_data: bool = False
    ) -> Any:
        return self._post(
            "alarms", {"modules": modules, "page": page, "limit": limit}, (200, 204), return_data
        )

    def modules_alarms_history(
        self, modules: list[str], *, page: int = 1, limit: int = 20, return_data: bool = False
    ) -> Any:
        body = {"modules": modules, "page": page, "limit": limit}
        return self._post("alarms_history", body, (200, 204), return_data)

    def module_command(
        self,
        *,
        devid: str,
        pool: str,
        parameter: str,
        value: Any,
        parameter_name: str | None = None,
        unit: int | None = None,
        extra_payload: Mapping[str, Any] | None = None,
        return_data: bool = False,
    ) -> Any:
        body: dict[str, Any] = {"devid": devid, "pool": pool, "parameter": parameter, "value": value}
        if parameter_name is not None:
            body["parameterName"] = parameter_name
        if unit is not None:
            body["unit"] = unit
        return self._post("command", {**body, **(extra_payload or {})}, COMMAND_OK, return_data)

    def module_command_raw(
        self,
        *,
        devid: str,
        command: str,
        value: Any | None = None,
        extra_payload: Mapping[str, Any] | None = None,
        return_data: bool = False,
    ) -> Any:
        body: dict[str, Any] = {"devid": devid, "command": command}
        if value is not None:
            body["value"] = value
        return self._post("raw", {**body, **(extra_payload or {})}, COMMAND_OK, return_data)

    def module_command_auto(
        self,
        *,
        devid: str,
        value: Any | None = None,
        command: str | None = None,
        pool: str | None = None,
        parameter: str | None = None,
        parameter_name: str | None = None,
        unit: int | None = None,
        extra_payload: Mapping[str, Any] | None = None,
        return_data: bool = False,
    ) -> Any:
        """``command`` goes to ``/module/command/raw``, ``pool`` and ``parameter`` to
        ``/module/command``; both, or neither complete, is a ``ValueError``."""
        if command is not None and (pool is not None or parameter is not None):
            raise ValueError("Ambiguous command payload: provide either command or pool/parameter, not both")
        if command is not None:
            return self.module_command_raw(
                devid=devid,
                command=command,
                value=value,
                extra_payload=extra_payload,
                return_data=return_data,
            )
        if pool is None or parameter is None:
            raise ValueError("Missing command route data: provide command or both pool and parameter")
        return self.module_command(
            devid=devid, pool=pool, parameter=parameter, value=value, parameter_name=parameter_name,
            unit=unit, extra_payload=extra_payload, return_data=return_data,
        )  # fmt: skip

    # -- the web app and other files ---------------------------------------------------------------

    def fetch_text_one(self, path: str) -> tuple[int, str]:
        """``GET {one_base}/{path}`` as text (UTF-8 unless the answer names a charset)."""
        # session.request: any file of the web app, by the path the caller names
        answer = self._call(self.session.request, "GET", "/" + path.lstrip("/"), origin="one")
        if answer.encoding is None or "charset" not in answer.headers.get("Content-Type", ""):
            answer.encoding = "utf-8"
        return answer.status_code, answer.text

    def fetch_json_one(self, path: str) -> tuple[int, dict[str, Any] | list[Any] | None]:
        """``fetch_text_one`` parsed as JSON (B5: a JSON answer is parsed, not dropped)."""
        status, text = self.fetch_text_one(path)
        try:
            return status, json.loads(text)
        except (ValueError, TypeError):
            return status, None

    def get_bytes(self, url: str) -> bytes:
        """A file of the web app or the API by absolute URL, revalidated with its ``ETag`` or
        ``Last-Modified``; sent without credentials, retried on 429 and 5xx."""
        headers = {"Accept": "*/*", **self.cache.headers_for(url)}
        # another host gets nothing of the session (credentials=False); the declared origins their headers
        own = {"auth": False} if self.session.transport.follows(url) else {"credentials": False}
        # session.request: any absolute URL, revalidated with this cache
        answer = self._call(self.session.request, "GET", url, headers=headers, cache="bypass", **own)
        if answer.status_code == 304:
            kept = self.cache.get_body(url)
            if kept is not None:
                self.cache.update(url, answer.headers, kept)  # the new validators (B24)
                return kept
            answer = self._call(self.session.request, "GET", url, headers={"Accept": "*/*"}, **own)
        self.cache.update(url, answer.headers, answer.content)
        return answer.content  # type: ignore[no-any-return]
