"""``Clappform``: the official client's surface, on a clientkit session.

The resource operations go through the generic session; what is left here is what is
truly Clappform's own: collection items, dataframes, app export/import and transfers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from clientkit import OffsetLimit, PasswordLogin, RetryPolicy, Session, Timeout, bulk
from clientkit.errors import InvalidRequestError
from clientkit.model import PathTemplate, identity_of, spec_of
from resources.clappform.exceptions import DataframeWriteError, ItemError, PaginationKeyError
from resources.clappform.models import (
    Actionflow,
    ApiResponse,
    App,
    Auth,
    Collection,
    Query,
    Questionnaire,
    ResourceType,
    User,
    Version,
)
from resources.clappform.service import ClappformApi

if TYPE_CHECKING:
    import pandas as pd

ITEM = PathTemplate("/item/{app}/{slug}/{id}")
ITEMS = PathTemplate("/item/{app}/{slug}")
READ_PAGES = OffsetLimit(
    offset="next_page",
    limit="limit",
    limit_where="body",
    items="data",
    total="total",
    method="POST",
)
_AGGREGATE = {
    "app": str,
    "collection": str,
    "type": str,
    "limit": int,
    "sorting": dict,
    "search": dict,
    "item_id": (str, type(None)),
    "deep_dive": dict,
}


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("the dataframe methods need pandas: pip install 'clientkit[clappform]'") from exc
    return pandas


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
        return self._answer("POST", "/auth/verify")

    def current_user(self, extended: bool = False) -> User:
        if not isinstance(extended, bool):
            raise TypeError(f"extended must be a bool, not {type(extended).__name__}")
        body = self._json("GET", "/user/me", params={"extended": extended})
        user = self.session.converter.load(body["data"], User, int(extended))
        user.extended = extended
        return user

    # -- resources ----------------------------------------------------------------------------

    def get(self, resource: ResourceType, item: dict[str, Any] | None = None) -> Any:
        if item is not None:
            return self._item_get(self._collection(resource), self._item(item))
        spec = spec_of(resource)
        level = getattr(resource, "extended", None)
        if spec.singleton:
            return self.session.get(type(resource))
        ident = [getattr(resource, name) for name in spec.identity]
        if all(v is None for v in ident):
            found = list(self.session.list(type(resource), level=level))
            for obj in found:
                _keep_level(obj, resource)
            return found
        if any(v is None for v in ident):
            raise TypeError(f"{spec.name} needs all of {list(spec.identity)} (or none, to list them)")
        obj = self.session.get(type(resource), identity_of(resource), level=level)
        return _keep_level(obj, resource)

    def create(self, resource: ResourceType, item: dict[str, Any] | None = None) -> Any:
        if item is not None:
            if not isinstance(item, dict):
                raise TypeError(f"item must be a dict, not {type(item).__name__}")
            col = self._collection(resource)
            return self._json("POST", ITEMS.expand({"app": col.app, "slug": col.slug}), json={"data": item})[
                "data"
            ]
        return _keep_level(self.session.create(attrs.evolve(resource)), resource)

    def update(self, resource: ResourceType, item: dict[str, Any] | None = None) -> Any:
        if item is not None:
            col = self._collection(resource)
            ident = self._item(item)
            rest = {k: v for k, v in item.items() if k != "_id"}
            path = ITEM.expand({"app": col.app, "slug": col.slug, "id": ident})
            return {**self._json("PUT", path, json={"data": rest})["data"], "_id": ident}
        level = getattr(resource, "extended", None)
        updated = self.session.update(attrs.evolve(resource), only_set=True, level=level)
        return _keep_level(updated, resource)

    def delete(
        self, resource: ResourceType, item: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> ApiResponse:
        if item is not None:
            col = self._collection(resource)
            if isinstance(item, dict):
                oids = [self._item(item)]
            elif isinstance(item, list):
                oids = [self._item(i) for i in item]
            else:
                raise TypeError(
                    f"item keyword argument is not of type dict or list, but {type(item).__name__}"
                )
            return self._answer(
                "DELETE", ITEMS.expand({"app": col.app, "slug": col.slug}), json={"oids": oids}
            )
        spec = spec_of(resource)
        level = spec.expansion.normalize(getattr(resource, "extended", None)) if spec.expansion else None
        params = spec.expansion.params(level, "delete") if spec.expansion else []
        path = spec.template("delete").expand(
            {n: getattr(resource, n) for n in spec.template("delete").names}
        )
        return self._answer("DELETE", path, params=params)

    # -- dataframes ------------------------------------------------------------------------------

    def read_dataframe(
        self, query: Query | Collection, limit: int = 100, max_workers: int | None = None
    ) -> Generator[list[dict[str, Any]], None, None]:
        """Every record of a query or collection, in chunks of ``limit``, read concurrently."""
        if isinstance(query, Query):
            body: dict[str, Any] = {"limit": limit, "query": query.slug}
        elif isinstance(query, Collection):
            body = {"limit": limit, "app": query.app, "collection": query.slug}
        else:
            raise TypeError(f"query must be a Query or a Collection, not {type(query).__name__}")
        return self._read(body, limit, max_workers)

    def aggregate_dataframe(
        self, options: dict[str, Any], max_workers: int | None = None
    ) -> Generator[list[dict[str, Any]], None, None]:
        """An aggregation's results in chunks; invalid options raise before anything is sent."""
        if not isinstance(options, dict):
            raise TypeError(f"options must be a dict, not {type(options).__name__}")
        problems = [f"{k}: required" for k in _AGGREGATE if k not in options]
        problems += [
            f"{k}: must be {_names(t)}"
            for k, t in _AGGREGATE.items()
            if k in options and not isinstance(options[k], t)
        ]
        limit = options.get("limit")
        if isinstance(limit, int) and not 10 <= limit <= 500:
            problems.append("limit: must be between 10 and 500")
        if problems:
            raise InvalidRequestError("invalid aggregate_dataframe options: " + "; ".join(problems))
        return self._read(dict(options), limit, max_workers)  # type: ignore[arg-type]

    def _read(
        self, body: dict[str, Any], limit: int, max_workers: int | None
    ) -> Generator[list[dict[str, Any]], None, None]:
        pager = self.session.paginate(
            "/dataframe/read_data",
            READ_PAGES,
            method="POST",
            params={"extended": True},
            json=body,
            page_size=limit,
        )
        for page in pager.concurrent_pages(workers=max_workers or self.workers):
            if page.number == 0 and (not isinstance(page.body, Mapping) or "total" not in page.body):
                raise PaginationKeyError(missing_key="total", data=page.body)
            if page.items:
                yield list(page.items)

    def write_dataframe(
        self,
        df: pd.DataFrame,
        collection: Collection,
        size: int = 100,
        max_workers: int | None = None,
        progress: Callable[[int, int], Any] | None = None,
    ) -> list[ApiResponse]:
        """Append a DataFrame's rows in chunks of ``size``, concurrently; the frame is not changed.

        ``progress(rows_done, rows_total)`` is called after each chunk. If chunks fail, the
        others are still written and :class:`DataframeWriteError` names the rows that were not.
        """
        _pandas()  # fails early, with install advice, when pandas is missing
        import numpy

        if not isinstance(collection, Collection):
            raise TypeError(f"collection must be a Collection, not {type(collection).__name__}")
        path = collection.dataframe_path()
        total = len(df)
        done = 0

        def send(start: int) -> ApiResponse:
            chunk = df.iloc[start : start + size].replace([numpy.inf, -numpy.inf], None)
            data = chunk.to_json(orient="records", force_ascii=False).encode("utf-8")
            return self._answer("POST", path, data=data, headers={"Content-Type": "application/json"})

        def report(step: bulk.Progress) -> None:
            nonlocal done
            done += min(size, total - step.detail.item)
            if progress is not None:
                progress(done, total)

        results: list[ApiResponse] = []
        failed: list[tuple[range, BaseException]] = []
        for outcome in bulk.run(
            send, range(0, total, size), workers=max_workers or self.workers, progress=report
        ):
            if outcome.error is None:
                assert outcome.result is not None
                results.append(outcome.result)
            else:
                failed.append((range(outcome.item, min(outcome.item + size, total)), outcome.error))
        if failed:
            rows = ", ".join(f"{r.start}-{r.stop - 1}" for r, _ in failed)
            raise DataframeWriteError(
                f"rows {rows} were not written: {failed[0][1]}", failed=failed, results=results
            )
        return results

    def empty_dataframe(self, collection: Collection) -> ApiResponse:
        if not isinstance(collection, Collection):
            raise TypeError(f"collection must be a Collection, not {type(collection).__name__}")
        return self._answer("DELETE", collection.dataframe_path())

    # -- apps -----------------------------------------------------------------------------------

    def export_app(self, app: App | str) -> dict[str, Any]:
        """An app (an ``App`` or its id) with everything it references: collections,
        questionnaires, action flows, import entries (of this app only) and the platform
        versions, each fetched once."""
        app = App(id=app) if isinstance(app, str) else app
        if not isinstance(app, App):
            raise TypeError(f"app must be an App or its id, not {type(app).__name__}")
        full = self.session.get(App, app.id, level=True)
        actions = [
            a
            for group in full.groups or []
            if isinstance(group, dict)
            for page in group.get("pages", [])
            for row in page.get("rows", [])
            for module in row.get("modules", [])
            for a in module.get("selection", {}).get("actions", [])
        ]
        flow_ids = _unique(
            a["actionflowId"]["id"]
            for a in actions
            if a.get("type") == "actionflow" and (a.get("actionflowId") or {}).get("id") is not None
        )
        form_ids = _unique(
            a["template"]["id"]
            for a in actions
            if a.get("type") == "questionnaire" and (a.get("template") or {}).get("id") is not None
        )
        flows = [self.session.get(Actionflow, i) for i in flow_ids]
        forms = [self.session.get(Questionnaire, i, level=False) for i in form_ids]
        collections = [c for c in full.collections or [] if isinstance(c, dict)]
        slugs = {c.get("slug") for c in collections}
        imports = self._json("GET", "/import", params={"extended": True})["data"]
        version = self.session.get(Version)
        dump = self.session.converter.dump
        return {
            "apps": [dump(full)],
            "collections": collections,
            "form_templates": [dump(f) for f in forms],
            "action_flows": [dump(f) for f in flows],
            "import_entry": [
                e for e in imports if e.get("collection") in slugs and e.get("app") in (None, full.id)
            ],
            "config": {
                "timestamp": int(time.time()),
                "created_by": self.username,
                "enviroment": urlsplit(self._base_url).hostname,
                "api_version": version.api,
                "web_application_version": version.web_application,
                "web_server_version": version.web_server,
                "deployable": True,
            },
        }

    def import_app(self, app: dict[str, Any], data_export: bool = False) -> ApiResponse:
        """Import an ``export_app()`` result (the caller's dict is left as it was)."""
        if not isinstance(app, dict) or not isinstance(app.get("config"), dict):
            raise InvalidRequestError("app must be an export_app() result, with its config")
        if not isinstance(data_export, bool):
            raise TypeError(f"data_export must be a bool, not {type(data_export).__name__}")
        if not app["config"].get("deployable"):
            raise InvalidRequestError("app is not deployable")
        body = {k: v for k, v in app.items() if k != "config"}
        body["delete_mongo_data"] = data_export
        return self._answer("POST", "/transfer/app", json=body)

    def transfer_collections(
        self, src: dict[str, Any], dest: Clappform, max_workers: int | None = None
    ) -> Generator[ApiResponse, None, None]:
        """Copy every record of an export's collections to another Clappform, chunk by chunk."""
        if not isinstance(dest, Clappform):
            raise TypeError("dest must be a Clappform client")
        if not isinstance(src, dict) or not isinstance(src.get("collections"), list):
            raise TypeError("Could not get collections from src")
        for raw in src["collections"]:
            col = Collection(app=raw.get("app"), slug=raw.get("slug"))
            for chunk in self.read_dataframe(col, max_workers=max_workers):
                yield dest._answer("POST", col.dataframe_path(), json=chunk)

    # -- plumbing ---------------------------------------------------------------------------------

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.session.json_of(self.session.request(method, path, **kwargs))

    def _answer(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        body = self._json(method, path, **kwargs) or {}
        return ApiResponse(**{"code": None, "message": None, "response_id": None, **body})

    @staticmethod
    def _collection(resource: Any) -> Collection:
        if not isinstance(resource, Collection) or resource.app is None or resource.slug is None:
            raise TypeError("items belong to a Collection with app and slug set")
        return resource

    @staticmethod
    def _item(item: Any) -> str:
        if not isinstance(item, dict):
            raise TypeError(f"item must be a dict, not {type(item).__name__}")
        if "_id" not in item:
            raise ItemError("could not find '_id' in item")
        if not isinstance(item["_id"], str):
            raise TypeError(f"'_id' must be a str, not {type(item['_id']).__name__}")
        return str(item["_id"])

    def _item_get(self, col: Collection, ident: str) -> dict[str, Any]:
        data = self._json("GET", ITEM.expand({"app": col.app, "slug": col.slug, "id": ident}))["data"]
        return {**data, "_id": ident}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Clappform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Clappform({self._base_url!r}, username={self.username!r})"


def _keep_level(obj: Any, like: Any) -> Any:
    """Fetched objects keep the ``extended`` setting of the one asked with."""
    if hasattr(like, "extended"):
        obj.extended = like.extended
    return obj


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _names(t: type | tuple[type, ...]) -> str:
    return " or ".join(x.__name__ for x in (t if isinstance(t, tuple) else (t,)))
