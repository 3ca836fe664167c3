"""Clappform's resources: typed clientkit resources that are also the official types.

``App``, ``Collection``, ``Query``, ``Actionflow``, ``Questionnaire``, ``User`` and
``Version`` work with the clientkit session (get, list, save, delete) and with the
``Clappform`` client exactly as the official ``clappform.dataclasses`` do: keyword
construction, an ``extended`` setting, and the path helpers.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Annotated, Any

from clientkit import Action, Envelope, Expansion, Resource, field
from clientkit.model import ResourcePath, check_arguments, path_of
from clientkit.tokens import jwt_expiry
from clientkit_services.clappform.service import ClappformApi

BOOL_LEVELS = Expansion("extended", style="bool", default=False, on={"get", "list", "update", "delete"})
Level = Annotated[int, range(0, 4)]
INT_LEVELS = Expansion(
    "extended", style="int", max_level=3, default=0, on={"get", "list", "update", "delete"}
)


def whole(*operations: str) -> Envelope:
    """Payloads under ``data``, but these operations' answers read whole (an ``ApiResponse``)."""
    return Envelope(response="data", operations=dict.fromkeys(operations, Envelope()))


def _id_of(name: str, value: Any) -> Any:
    """An ``App`` (or ``Collection``) given where its id (or slug) is expected."""
    if isinstance(value, App):
        return value.id
    if isinstance(value, Collection):
        return value.slug
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, an App or a Collection, not {type(value).__name__}")
    return value


class ResourceType(Resource):
    """What every Clappform resource offers besides its fields: the official path helpers."""

    one_path = ResourcePath("get", level="extended")
    all_path = ResourcePath("list", level="extended")
    create_path = ResourcePath("create")
    one_or_all_path = ResourcePath("get", level="extended", fallback="list")

    @staticmethod
    @check_arguments
    def bool_to_lower(boolean: bool) -> str:
        return "true" if boolean else "false"


PARTIAL_PUT: dict[str, Any] = {"save": "PATCH", "patch_method": "PUT"}  # the API merges a PUT


@ClappformApi.resource(
    one="/app/{id}",
    many="/apps",
    create="/app",
    expansion=BOOL_LEVELS,
    actions={"transfer": Action("POST", "/transfer/app")},  # imports an export_app() result
    envelope=whole("transfer"),
    **PARTIAL_PUT,
)
class App(ResourceType):
    collections: int | list[dict[str, Any]] | None = field(level=1)
    default_page: str | None = None
    description: str | None = None
    groups: int | list[dict[str, Any]] | None = field(level=1)
    id: str | None = field(check=True)
    name: str | None = None
    settings: dict[str, Any] | None = None
    extended: bool = field(default=False, local=True)


DATAFRAME = "/dataframe/{app}/{slug}"


@ClappformApi.resource(
    one="/collection/{app}/{slug}",
    many="/collections",
    create="/collection/{app}",
    expansion=INT_LEVELS,
    actions={"append": Action("POST", DATAFRAME), "empty": Action("DELETE", DATAFRAME)},
    envelope=whole("append", "empty"),
    **PARTIAL_PUT,
)
class Collection(ResourceType):
    app: str | None = field(identity=True, check=_id_of)
    slug: str | None = field(identity=True, check=True)
    database: str | None = None
    name: str | None = None
    description: str | None = field(level=1)
    is_encrypted: bool | None = field(level=1)
    is_locked: bool | None = field(level=1)
    is_logged: bool | None = field(level=1)
    queries: list[Any] | None = field(level=2)
    sources: list[Any] | None = field(level=1)
    id: int | None = field(level=1)
    extended: Level = field(default=0, local=True, check=True)

    @staticmethod
    @check_arguments
    def check_extended(extended: Level) -> None:
        """Refuse a level the API does not have (0 to 3)."""

    dataframe_path = ResourcePath("append")

    @check_arguments
    def one_item_path(self, item: str) -> str:
        return path_of(self, "get", of=Item, id=item)

    def create_item_path(self) -> str:
        return path_of(self, "create", of=Item)


@ClappformApi.resource(
    one="/item/{app}/{slug}/{id}",
    create="/item/{app}/{slug}",
    parents=("app", "slug"),
    actions={"remove": Action("DELETE", "/item/{app}/{slug}")},
    envelope=Envelope(response="data", request="data", operations={"remove": Envelope()}),
)
class Item(ResourceType):
    """A record of a collection: its fields are the extra fields (``clientkit.extra``)."""

    id: str | None = field(wire="_id", read_only=True, check=True)


@ClappformApi.resource(
    one="/query/{slug}",
    many="/queries",
    create="/query",
    identity="slug",
    actions={"source": Action("GET", "/source_query/{slug}")},
    **PARTIAL_PUT,
)
class Query(ResourceType):
    app: str | None = field(check=_id_of)
    collection: str | None = field(check=_id_of)
    data_source: str | None = None
    export: bool | None = None
    id: int | None = None
    name: str | None = None
    query: list[Any] | None = None
    slug: str | None = field(check=True)
    source_query: str | None = None
    modules: list[Any] | None = None
    primary: bool | None = None
    settings: dict[str, Any] | None = None

    source_path = ResourcePath("source")


@ClappformApi.resource(one="/actionflow/{id}", many="/actionflows", create="/actionflow", **PARTIAL_PUT)
class Actionflow(ResourceType):
    id: int | None = None
    name: str | None = None
    slug: str | None = None
    category: str | None = None
    fast: bool | None = None
    multiple: bool | None = None
    settings: dict[str, Any] | None = None
    start_keys: list[Any] | None = None
    extra_information: list[Any] | None = None
    cronjobs: list[Any] | None = None
    tasks: list[Any] | None = None


@ClappformApi.resource(
    one="/questionnaire/{id}",
    many="/questionnaires",
    create="/questionnaire",
    expansion=BOOL_LEVELS,
    **PARTIAL_PUT,
)
class Questionnaire(ResourceType):
    name: str | None = field(send_null=True)
    id: int | None = field(read_only=True)
    created_at: int | None = field(read_only=True)
    active: bool | None = field(read_only=True)
    created_by: dict[str, Any] | None = field(read_only=True)
    latest_version: dict[str, Any] | None = field(read_only=True)
    versions: list[Any] | None = field(read_only=True)
    settings: dict[str, Any] | None = field(send_null=True, repr=False)
    extended: bool = field(default=False, local=True)


@ClappformApi.resource(
    one="/user/{email}", many="/users", create="/user", expansion=BOOL_LEVELS, **PARTIAL_PUT
)
class User(ResourceType):
    email: str | None = field(identity=True, create_only=True, check=True)
    extra_information: dict[str, Any] | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_active: bool | None = None
    id: int | None = None
    phone: str | None = None
    messages: dict[str, Any] | None = field(level=1)
    last_online: int | None = field(level=1)
    permissions: list[str] | None = field(level=1)
    roles: list[dict[str, Any]] | None = field(level=1)
    password: str | None = field(write_only=True, secret=True)
    extended: bool = field(default=False, local=True)


@ClappformApi.resource(one="/user/me", singleton=True, expansion=BOOL_LEVELS, name="Me")
class Me(User):
    """The logged-in user."""


@ClappformApi.resource(many="/import", expansion=BOOL_LEVELS)
class ImportEntry(ResourceType):
    """An import entry: which collection of which app an import fills."""

    id: int | None = None
    app: str | None = None
    collection: str | None = None
    settings: dict[str, Any] | None = None


@ClappformApi.resource(one="/version", singleton=True)
class Version(ResourceType):
    api: str | None = None
    web_application: str | None = None
    web_server: str | None = None


@dataclasses.dataclass(init=False)
class ApiResponse:
    """An answer that carries no resource: ``code``, ``message``, ``response_id`` and any
    other key of the body as an attribute (``.data``, ``.total``)."""

    code: int
    message: str
    response_id: str

    def __init__(self, code: int, message: str, response_id: str, **kwargs: Any) -> None:
        self.code = code
        self.message = message
        self.response_id = response_id
        for key, value in kwargs.items():
            setattr(self, key, value)


@dataclasses.dataclass(init=False, repr=False)
class Auth:
    """A login answer; ``is_token_valid()`` says whether it lives more than 60 s more."""

    access_token: str
    refresh_expiration: int
    refresh_token: str

    def __init__(self, access_token: str, refresh_expiration: int, refresh_token: str) -> None:
        self.access_token = access_token
        self.refresh_expiration = refresh_expiration
        self.refresh_token = refresh_token
        self._expires = jwt_expiry(access_token)

    def is_token_valid(self) -> bool:
        return self._expires is not None and self._expires > int(time.time()) + 60

    def __repr__(self) -> str:
        return f"Auth(access_token=***, refresh_expiration={self.refresh_expiration}, refresh_token=***)"
