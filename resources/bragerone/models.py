"""BragerOne's answers as typed resources (attribute names are the wire keys, as in the
official models), its permissions, and the official ``Token`` and ``TokenStore``."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, replace
from dataclasses import field as data_field
from typing import Any, Protocol, TypeVar, runtime_checkable

from clientkit import Action, Envelope, Resource, field
from clientkit.errors import DecodeError
from clientkit.model import fields_of
from clientkit_services.bragerone.service import BragerOne

MANY = Envelope(response=("data", "objects", None))  # {"data": [...]}, {"objects": [...]} or [...]
CMD = {"command": Action("POST", "/module/command"), "raw": Action("POST", "/module/command/raw")}
PRIMES = {
    "connect": Action("POST", "/modules/connect"),
    "parameters": Action("POST", "/modules/parameters"),
    "activity_quantity": Action("POST", "/modules/activity/quantity"),
    "activity": Action("POST", "/modules/activity"),
    "alarms_quantity": Action("POST", "/modules/alarms/quantity"),
    "alarms": Action("POST", "/modules/alarms"),
    "alarms_history": Action("POST", "/modules/alarms/history"),
}


@BragerOne.resource(one="/system/version", singleton=True, envelope=Envelope(response="version"))
class SystemVersion(Resource):
    version: str | None = None
    devMode: bool | None = None


@BragerOne.resource(
    one="/user",
    singleton=True,
    envelope=Envelope(response=("user", None)),
    actions={"permissions": Action("GET", "/user/permissions", status=200),
             "revoke": Action("POST", "/auth/revoke")},
)  # fmt: skip
class User(Resource):
    id: int | None = None
    name: str | None = None
    email: str | None = None
    language: str | None = None
    allow_email_type_informations: bool | None = None
    allow_email_type_alarms: bool | None = None
    allow_email_type_marketing: bool | None = None
    allow_email_type_warnings: bool | None = None
    activated_at: dt.datetime | None = None
    show_rate_us_modal: bool | None = None


@BragerOne.resource(
    many="/objects",
    envelope=MANY,
    actions={"details": Action("GET", "/objects/{id}", status=200),
             "permissions": Action("GET", "/objects/{id}/permissions", status=200)},
)  # fmt: skip
class BragerObject(Resource):
    id: int | None = None
    name: str | None = None
    addressCountry: str | None = None
    addressCity: str | None = None
    addressPostCode: str | None = None
    addressStreet: str | None = None
    addressHouseNumber: str | None = None


@dataclass
class ObjectDetails:
    """``GET /objects/{id}``: the object and its operational state (``"SUCCESS"``)."""

    object: BragerObject
    status: str


@BragerOne.resource(many="/modules", envelope=Envelope(response=("data", None)), actions={**CMD, **PRIMES})
class Module(Resource):
    id: int | None = None
    devid: str | None = None
    name: str | None = None
    moduleTitle: str | None = None
    gateway: dict[str, Any] | None = None
    deviceMenu: int | None = None
    deviceLanguageVariant: int | None = None
    devices: list[Any] = field(factory=list)
    services: list[Any] = field(factory=list)
    permissions: list[str] = field(factory=list)
    acceptedAt: int | None = None
    connectedAt: int | None = None
    moduleAlarms: int | None = None
    parameterSchemas: list[dict[str, Any]] = field(factory=list)
    moduleAddress: str | None = None
    moduleInterface: str | None = None
    moduleVersion: str | None = None
    moduleServices: list[Any] = field(factory=list)
    isAcceptedAt: dt.datetime | None = None
    isConnectedAt: dt.datetime | None = None

    @property
    def online(self) -> bool:
        return bool(self.connectedAt)


@BragerOne.resource(one="/modules/{code}/card", singleton=True, parents=("code",))
class ModuleCard(Resource):
    id: int | None = None
    moduleId: int | None = None
    clientFullName: str | None = None
    clientPhoneNumber: str | None = None
    clientAddressStreetAndNumber: str | None = None
    clientAddressPostalCode: str | None = None
    clientAddressCity: str | None = None
    createdAt: dt.datetime | None = None
    updatedAt: dt.datetime | None = None


@BragerOne.resource(
    one="/manufacturers/{manuf_code}/devices/{dev_code}/menu/{fw}",
    singleton=True,
    parents=("manuf_code", "dev_code", "fw"),
)
class DevicesMenu(Resource):
    priority: int | None = None
    extends: Any = None
    standalone: bool | None = None
    deviceMenu: list[Any] | None = None


R = TypeVar("R", bound=Resource)

#: What each official model requires (contract §4.8: its fields without a default); a list
#: field the server leaves out of a ``Module`` reads as empty, as clientkit loads it.
REQUIRED: dict[type[Resource], frozenset[str]] = {
    SystemVersion: frozenset({"version", "devMode"}),
    User: frozenset(f.name for f in fields_of(User)),
    BragerObject: frozenset({"id", "name", "addressCountry"}),
    Module: frozenset({"id", "devid", "name", "moduleTitle", "deviceMenu", "deviceLanguageVariant",
                       "acceptedAt", "moduleAlarms", "isAcceptedAt"}),
    ModuleCard: frozenset(f.name for f in fields_of(ModuleCard)),
    DevicesMenu: frozenset({"deviceMenu"}),  # the official client reads the routes, nothing else
}  # fmt: skip


def complete(obj: R, where: str) -> R:
    """``obj`` when its answer held all its official model requires; otherwise
    :class:`DecodeError` naming what it lacks (``{}`` is no card, never an empty one)."""
    cls = type(obj)
    required = REQUIRED.get(cls, frozenset())
    missing = [f.name for f in fields_of(cls) if f.name in required and getattr(obj, f.name) is None]
    if missing:
        raise DecodeError(f"{where} answer lacks {missing}, which a {cls.__name__} requires")
    return obj


class Permission(str):
    """A permission name (``DISPLAY_MENU_DHW``); equal to its name, with ``.name``."""

    @classmethod
    def of(cls, item: Any) -> Permission:
        if isinstance(item, str):
            return cls(item)
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            return cls(item["name"])
        raise DecodeError(f"Cannot convert {type(item)} to Permission")

    @property
    def name(self) -> str:
        return str(self)


def permissions(body: Any) -> list[Permission]:
    """``{"permissions": [...]}`` or a bare list, each a name or ``{"name": ...}``."""
    items = body.get("permissions", []) if isinstance(body, dict) else body
    if not isinstance(items, list):  # not an empty answer: a malformed one
        raise DecodeError(f"expected a list of permissions, got {type(items).__name__}: {items!r:.100}")
    return [Permission.of(i) for i in items]


def _utc(value: Any) -> dt.datetime | None:
    """``expiresAt``: ISO text (naive means UTC, B11) or Unix time (milliseconds above 2e10)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000 if value > 2e10 else value, dt.timezone.utc)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    try:
        return _utc(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))) if value else None
    except ValueError:
        return None


_SECRETS = ("access_token", "refresh_token")


@dataclass
class Token:
    """The official token: what a login gave, kept by a :class:`TokenStore`."""

    access_token: str | None
    refresh_token: str | None = None
    token_type: str = "bearer"
    expires_at: dt.datetime | None = None
    user_id: int | None = None
    objects: list[dict[str, Any]] = data_field(default_factory=list)

    def __post_init__(self) -> None:
        self.expires_at = _utc(self.expires_at)

    @classmethod
    def from_login_payload(cls, payload: dict[str, Any]) -> Token:
        user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
        return cls(
            access_token=payload.get("accessToken") or payload.get("token") or "",
            refresh_token=payload.get("refreshToken"),
            token_type=payload.get("type") or "bearer",
            expires_at=payload.get("expiresAt"),
            user_id=(user or {}).get("id") or None,
            objects=payload.get("objects") or [],
        )

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={'***' if k in _SECRETS and v else repr(v)}" for k, v in vars(self).items())
        return f"Token({shown})"

    def __getstate__(self) -> dict[str, Any]:
        """A pickle (or copy) never carries the tokens: a store saves them as it chooses."""
        return {k: None if k in _SECRETS else v for k, v in vars(self).items()}

    def __copy__(self) -> Token:
        return replace(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Token:
        return replace(self, objects=copy.deepcopy(self.objects, memo))

    def is_expired(self, *, leeway: int = 60) -> bool:
        if self.expires_at is None:
            return False
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=leeway) >= self.expires_at


@runtime_checkable
class TokenStore(Protocol):
    """Where the official client keeps a token between runs."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def clear(self) -> None: ...
