"""``Clappform``: the official client's surface, on a clientkit session.

Every call is a declared operation of :mod:`clientkit_services.clappform.models`; what is left here
is the official calling convention (items beside their collection, the ``extended``
setting kept on each object), the dataframe reads and the app export.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Generator, Mapping
from typing import Annotated, Any, TypedDict, TypeVar, cast
from urllib.parse import urlsplit

import attrs

from clientkit import OffsetLimit, PasswordLogin, RetryPolicy, Session, Timeout, bulk, extra
from clientkit.errors import InvalidRequestError
from clientkit.model import check_arguments, identity_of, spec_of
from clientkit_services.clappform.exceptions import ItemError, PaginationKeyError
from clientkit_services.clappform.models import (
    Actionflow,
    ApiResponse,
    App,
    Auth,
    Collection,
    ImportEntry,
    Item,
    Me,
    Query,
    Questionnaire,
    ResourceType,
    User,
    Version,
)
from clientkit_services.clappform.service import ClappformApi

T = TypeVar("T")
DataFrame = Any  # a pandas DataFrame: pandas ships no type stubs, and pandas-stubs is no dependency
READ_PAGES = OffsetLimit(
    offset="next_page", limit="limit", limit_where="body", items="data", total="total", method="POST"
)


class AggregateOptions(TypedDict):
    """The options of ``aggregate_dataframe``, checked before anything is sent."""

    app: str
    collection: str
    type: str
    limit: Annotated[int, range(10, 501)]
    sorting: dict[str, Any]
    search: dict[str, Any]
    item_id: str | None
    deep_dive: dict[str, Any]


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError("the dataframe methods need pandas: pip install 'clientkit[clappform]'") from exc


class Clappform:
    """The Clappform API, as the official ``clappform.Clappform`` offers it.

    ``tries`` and ``backoff_factor`` shape the retry policy; ``workers`` bounds every
    concurrent operation (and each method's ``max_workers`` bounds that call). The
    session underneath (``client.session``) offers the same resources ORM-style.

    Example:
        >>> c = Clappform("https://app.clappform.com", "j.doe@clappform.com", "S3cr3tP4ssw0rd!")
        >>> app = c.get(App(id="uspresidents", extended=True))
        >>> for chunk in c.read_dataframe(Collection(app="uspresidents", slug="presidents")):
        ...     print(len(chunk))
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        workers: int | None = None,
        tries: int = 4,
        backoff_factor: int = 1,
    ) -> None:
        if tries < 1:
            raise InvalidRequestError("tries must be at least 1")
        self._base_url = f"{base_url.rstrip('/')}/api"
        self.username = username
        self.workers = workers or min(32, (os.cpu_count() or 1) + 4)
        self.tries = tries
        self.backoff_factor = backoff_factor
        self.session: Session = ClappformApi.connect(
            self._base_url,
            username=username,
            password=password,
            pool_size=self.workers,
            retries=RetryPolicy(retries=tries - 1, backoff=float(backoff_factor)),
            timeout=Timeout(connect=10, read=10),
        )

    # -- auth ---------------------------------------------------------------------------------

    @property
    def _login(self) -> PasswordLogin:
        auth = self.session.transport.auth
        assert isinstance(auth, PasswordLogin)
        return auth

    def auth(self) -> None:
        """Log in now (calls log in by themselves when needed)."""
        self._login.login()

    @property
    def _auth(self) -> Auth | None:
        token = self._login._current
        if token is None:
            return None
        refresh = token.refresh_token.reveal() if token.refresh_token else ""
        return Auth(token.access_token.reveal(), int(token.expires_at or 0), refresh)

    def verify_auth(self) -> ApiResponse:
        return _answer(self.session.json_of(self.session.request("POST", "/auth/verify")))

    @check_arguments
    def current_user(self, extended: bool = False) -> User:
        return _keep_level(self.session.get(Me, level=extended), Me(extended=extended))

    # -- resources and collection items ---------------------------------------------------------

    @check_arguments
    def get(self, resource: ResourceType, item: dict[str, Any] | None = None) -> Any:
        if item is not None:
            oid = _oid(item)
            return {**extra(self.session.get(Item, oid, **_placed(resource))), "_id": oid}
        spec = spec_of(resource)
        if spec.singleton:
            return self.session.get(type(resource))
        level = getattr(resource, "extended", None)
        ident = [getattr(resource, name) for name in spec.identity]
        if all(v is None for v in ident):
            return [_keep_level(obj, resource) for obj in self.session.list(type(resource), level=level)]
        if any(v is None for v in ident):
            raise TypeError(f"{spec.name} needs all of {list(spec.identity)} (or none, to list them)")
        return _keep_level(self.session.get(type(resource), identity_of(resource), level=level), resource)

    @check_arguments
    def create(self, resource: ResourceType, item: dict[str, Any] | None = None) -> Any:
        if item is not None:
            made = self.session.create(_item(item), **_placed(resource))
            return {"_id": made.id, **extra(made)}
        return _keep_level(self.session.create(attrs.evolve(cast(Any, resource))), resource)

    @check_arguments
    def update(self, resource: ResourceType, item: dict[str, Any] | None = None) -> Any:
        if item is not None:
            oid = _oid(item)
            sent = _item({k: v for k, v in item.items() if k != "_id"}, oid)
            return {**extra(self.session.update(sent, only_set=True, **_placed(resource))), "_id": oid}
        level = getattr(resource, "extended", None)
        updated = self.session.update(attrs.evolve(cast(Any, resource)), only_set=True, level=level)
        return _keep_level(updated, resource)

    def delete(
        self, resource: ResourceType, item: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> ApiResponse:
        if item is not None:
            if not isinstance(cast(object, item), dict | list):  # the official wording
                kind = type(item).__name__
                raise TypeError(f"item keyword argument is not of type dict or list, but {kind}")
            oids = [_oid(i) for i in (item if isinstance(item, list) else [item])]
            return _answer(self.session.action(Item, "remove", json={"oids": oids}, **_placed(resource)))
        self.session.delete(resource, level=getattr(resource, "extended", None))
        assert self.session.last_response is not None
        return _answer(self.session.json_of(self.session.last_response))

    # -- dataframes ------------------------------------------------------------------------------

    @check_arguments
    def read_dataframe(
        self, query: Query | Collection, limit: int = 100, max_workers: int | None = None
    ) -> Generator[list[dict[str, Any]], None, None]:
        """Every record of a query or collection, in chunks of ``limit``, read concurrently."""
        if isinstance(query, Query):
            body: dict[str, Any] = {"limit": limit, "query": query.slug}
        else:
            body = {"limit": limit, "app": query.app, "collection": query.slug}
        return self._read(body, limit, max_workers)

    @check_arguments
    def aggregate_dataframe(
        self, options: AggregateOptions, max_workers: int | None = None
    ) -> Generator[list[dict[str, Any]], None, None]:
        """An aggregation's results in chunks; invalid options raise before anything is sent."""
        return self._read(dict(options), options["limit"], max_workers)

    def _read(
        self, body: dict[str, Any], limit: int, max_workers: int | None
    ) -> Generator[list[dict[str, Any]], None, None]:
        pager = self.session.paginate(
            "/dataframe/read_data", READ_PAGES, params={"extended": True}, json=body, page_size=limit
        )
        for page in pager.concurrent_pages(workers=max_workers or self.workers):
            if page.number == 0 and (not isinstance(page.body, Mapping) or "total" not in page.body):
                raise PaginationKeyError(missing_key="total", data=page.body)  # no message, as official
            if page.items:
                yield list(page.items)

    @check_arguments
    def write_dataframe(
        self,
        df: DataFrame,
        collection: Collection,
        size: int = 100,
        max_workers: int | None = None,
        progress: Callable[[int, int], Any] | None = None,
    ) -> list[ApiResponse]:
        """Append a DataFrame's rows in chunks of ``size``, concurrently; the frame is not changed.

        ``progress(rows_done, rows_total)`` is called after each chunk. If chunks fail, the
        others are still written and :class:`clientkit.bulk.Incomplete` names the rows that
        were not (``failed``: their outcomes, each ``item`` the row positions).
        """
        _pandas()  # fails early, with install advice, when pandas is missing
        import numpy

        total, json_type = len(df), {"Content-Type": "application/json"}

        def send(rows: list[int]) -> ApiResponse:  # pandas' own JSON, as the official client sends
            chunk = df.iloc[rows].replace([numpy.inf, -numpy.inf], None)
            data = chunk.to_json(orient="records", force_ascii=False).encode("utf-8")
            return _answer(self.session.action(collection, "append", data=data, headers=json_type))

        outcomes = bulk.run(
            send,
            bulk.chunks(range(total), size),
            workers=max_workers or self.workers,
            progress=None if progress is None else lambda p: progress(p.detail.item[-1] + 1, total),
        )
        return bulk.completed(outcomes, name=lambda o: f"rows {o.item[0]}-{o.item[-1]}")

    @check_arguments
    def empty_dataframe(self, collection: Collection) -> ApiResponse:
        return _answer(self.session.action(collection, "empty"))

    # -- apps -----------------------------------------------------------------------------------

    @check_arguments(descriptions={"app": "an App or its id"})
    def export_app(self, app: App | str) -> dict[str, Any]:
        """An app (an ``App`` or its id) with everything it references: collections,
        questionnaires, action flows, import entries (of this app only) and the platform
        versions, each fetched once."""
        app = App(id=app) if isinstance(app, str) else app
        full = self.session.get(App, app.id, level=True)
        actions = [
            a
            for group in _listed(full.groups)
            for page in group.get("pages", [])
            for row in page.get("rows", [])
            for module in row.get("modules", [])
            for a in module.get("selection", {}).get("actions", [])
        ]
        dump = self.session.converter.dump
        flow_ids = _referenced(actions, "actionflow", "actionflowId")
        flows = [dump(self.session.get(Actionflow, i)) for i in flow_ids]  # first, as the official client
        forms = _referenced(actions, "questionnaire", "template")
        collections = _listed(full.collections)
        slugs = {c.get("slug") for c in collections}
        return {
            "apps": [dump(full)],
            "collections": collections,
            "form_templates": [dump(self.session.get(Questionnaire, i, level=False)) for i in forms],
            "action_flows": flows,
            "import_entry": [
                dump(e)
                for e in self.session.list(ImportEntry, level=True)
                if e.collection in slugs and e.app in (None, full.id)
            ],
            "config": self._config(),
        }

    def _config(self) -> dict[str, Any]:
        version = self.session.get(Version)
        return {
            "timestamp": int(time.time()),
            "created_by": self.username,
            "enviroment": urlsplit(self._base_url).hostname,
            "api_version": version.api,
            "web_application_version": version.web_application,
            "web_server_version": version.web_server,
            "deployable": True,
        }

    @check_arguments
    def import_app(self, app: dict[str, Any], data_export: bool = False) -> ApiResponse:
        """Import an ``export_app()`` result (the caller's dict is left as it was)."""
        if not isinstance(app.get("config"), dict):
            raise InvalidRequestError("app must be an export_app() result, with its config")
        if not app["config"].get("deployable"):
            raise InvalidRequestError("app is not deployable")
        body = {k: v for k, v in app.items() if k != "config"}
        return _answer(self.session.action(App, "transfer", json={**body, "delete_mongo_data": data_export}))

    def transfer_collections(
        self, src: dict[str, Any], dest: Clappform, max_workers: int | None = None
    ) -> Generator[ApiResponse, None, None]:
        """Copy every record of an export's collections to another Clappform, chunk by chunk
        (a generator: its checks, with the official messages, run when it starts)."""
        if not isinstance(dest, Clappform):
            raise TypeError("dest must be a Clappform client")
        if not isinstance(src, dict) or not isinstance(src.get("collections"), list):
            raise TypeError("Could not get collections from src")
        for raw in src["collections"]:
            col = Collection(app=raw.get("app"), slug=raw.get("slug"))
            for chunk in self.read_dataframe(col, max_workers=max_workers):
                yield _answer(dest.session.action(col, "append", json=chunk))

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Clappform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Clappform({self._base_url!r}, username={self.username!r})"


def _answer(body: Any) -> ApiResponse:
    """An answer that carries no resource, as the official ``ApiResponse``."""
    return ApiResponse(**{"code": None, "message": None, "response_id": None, **(body or {})})


def _keep_level(obj: T, like: Any) -> T:
    """Fetched objects keep the ``extended`` setting of the one asked with."""
    if hasattr(like, "extended"):
        cast(Any, obj).extended = like.extended
    return obj


def _placed(resource: Any) -> dict[str, Any]:
    """The path of a collection's items: its ``app`` and ``slug``."""
    if not isinstance(resource, Collection) or resource.app is None or resource.slug is None:
        raise TypeError("items belong to a Collection with app and slug set")
    return {"app": resource.app, "slug": resource.slug}


def _item(fields: dict[str, Any], oid: str | None = None) -> Item:
    """An item to send: its fields are the extra fields (a copy of the caller's dict)."""
    made = Item(id=oid)
    extra(made).update(fields)
    return made


def _oid(item: Any) -> str:
    if not isinstance(item, dict):
        raise TypeError(f"item must be a dict, not {type(item).__name__}")
    if "_id" not in item:
        raise ItemError("could not find '_id' in item")
    if not isinstance(item["_id"], str):
        raise TypeError(f"'_id' must be a str, not {type(item['_id']).__name__}")
    return str(item["_id"])


def _referenced(actions: list[dict[str, Any]], kind: str, key: str) -> list[Any]:
    """The ids of the ``kind`` resources the app's actions name, each once."""
    found = (a[key]["id"] for a in actions if a.get("type") == kind and (a.get(key) or {}).get("id"))
    return list(dict.fromkeys(found))


def _listed(value: int | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The objects of a field that holds a count below the extended level."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
