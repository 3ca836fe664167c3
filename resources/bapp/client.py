"""``BappApiClient``: the official client's surface on a clientkit session."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import attrs

from clientkit import Resource, Session
from clientkit.errors import InvalidRequestError, JobFailed
from clientkit.files import File
from clientkit.model import make_resource
from clientkit.model import quote_segment as q
from clientkit.paging import CountedList as PagedList
from resources.bapp.service import TASK, BappApi

_FW = "/tasks/bapp_framework"
_BARE = {"x-tenant-id": None, "x-app-slug": None}  # document fetches carry neither
#: introspection field types as Python types; any other is ``Any`` (kept as the server sends it)
TYPES = {"string": str, "text": str, "email": str, "url": str, "slug": str, "choice": str, "integer": int,
         "float": float, "decimal": Decimal, "boolean": bool, "date": date, "datetime": datetime}  # fmt: skip


class TaskFailed(JobFailed, RuntimeError):
    """A failed task: the official ``RuntimeError`` and clientkit's ``JobFailed``."""


def _file(key: str, v: Any) -> Any:
    """A stream, bytes or ``(filename, bytes or stream[, type])`` as a ``File`` (B15)."""
    if isinstance(v, tuple) and len(v) in (2, 3) and isinstance(v[0], str) and _file("", v[1]) is not v[1]:
        return File(v[1], filename=v[0], content_type=v[2] if len(v) == 3 else None)
    if isinstance(v, bytes | bytearray):
        return File(bytes(v), filename=key or None)
    return File(v) if isinstance(v, io.IOBase) or callable(getattr(v, "read", None)) else v


def _body(data: Any) -> dict[str, Any]:  # no body for None; a dict holding files goes as multipart
    if data is None:
        return {}
    return {"json": {k: _file(k, v) for k, v in data.items()} if isinstance(data, dict) else data}


def _ct(content_type: str, id: Any = None) -> str:
    return f"/content-type/{q(content_type)}/" + ("" if id is None else f"{q(id)}/")


class BappApiClient:
    """``bapp_api_client.BappApiClient``; ``tenant`` and ``app`` may change at any time, and
    ``client.session`` is the clientkit session (typed resources, ``run_job``, ``download``)."""

    def __init__(self, bearer: str | None = None, token: str | None = None, host: str = "https://panel.bapp.ro/api",
                 tenant: Any = None, app: str | None = "account", user_agent: str | None = None,
                 timeout: Any = 30, max_retries: int = 3) -> None:  # fmt: skip
        if max_retries < 0:  # B18
            raise InvalidRequestError(f"max_retries must be 0 or more, not {max_retries}")
        self.host, self.user_agent = host.rstrip("/"), user_agent
        credential = {"bearer": bearer} if bearer else {"token": token} if token else {}
        retries = attrs.evolve(BappApi.retry, retries=max_retries)
        headers = {"User-Agent": user_agent} if user_agent else None
        self.session: Session = BappApi.connect(self.host, tenant=tenant, app=app, timeout=timeout,
                                                retries=retries, headers=headers, **credential)  # fmt: skip

    tenant = property(lambda s: s.session.context["tenant"], lambda s, v: s.session.set_context(tenant=v))
    app = property(lambda s: s.session.context["app"], lambda s, v: s.session.set_context(app=v))

    def _request(self, method: str, path: str, params: Any = None, json: Any = None, headers: Any = None,
                 ) -> Any:  # fmt: skip
        # the official surface sends and answers raw JSON, for any content type or task
        resp = self.session.request(method, path, params=params, headers=headers, **_body(json))
        return self.session.json_of(resp)

    # the request table: each request of the official client, in the contract's order
    def me(self) -> Any: return self._request("GET", f"{_FW}.me", headers={"x-app-slug": ""})
    def get_app(self, app_slug: str | None) -> Any:
        return self._request("GET", f"{_FW}.getapp", headers={"x-app-slug": app_slug})
    def list_introspect(self, content_type: str) -> Any:
        return self._request("GET", f"{_FW}.listintrospect", {"ct": content_type})
    def detail_introspect(self, content_type: str, pk: Any = None) -> Any:
        return self._request("GET", f"{_FW}.detailintrospect", {"ct": content_type, "pk": pk})  # None: unsent
    def get(self, content_type: str, id: Any) -> Any: return self._request("GET", _ct(content_type, id))
    def create(self, content_type: str, data: Any = None) -> Any:
        return self._request("POST", _ct(content_type), json=data)
    def update(self, content_type: str, id: Any, data: Any = None) -> Any:
        return self._request("PUT", _ct(content_type, id), json=data)
    def patch(self, content_type: str, id: Any, data: Any = None) -> Any:
        return self._request("PATCH", _ct(content_type, id), json=data)
    def delete(self, content_type: str, id: Any) -> Any: return self._request("DELETE", _ct(content_type, id))
    def list_tasks(self) -> Any: return self._request("GET", "/tasks")
    def detail_task(self, code: str) -> Any: return self._request("OPTIONS", f"/tasks/{q(code)}")
    def run_task(self, code: str, payload: Any = None) -> Any:
        return self._request("GET" if payload is None else "POST", f"/tasks/{q(code)}", json=payload)

    def model(self, content_type: str) -> type[Resource]:
        fields: dict[str, Any] = {"id": ("id", int | str | None, {"read_only": True})}
        for f in self.detail_introspect(content_type).get("fields", []):
            name = re.sub(r"\W|^(?=\d)", "_", f["name"])
            flags = {k: bool(f.get(k)) for k in ("read_only", "required")}
            fields[name] = (name, TYPES.get(f.get("type"), Any) | None, {**flags, "wire": f["name"]})
        name = "".join(p.title() for p in re.split(r"\W|_", content_type))
        paths = {"one": "/content-type/{ct}/{id}/", "many": "/content-type/{ct}/"}
        return make_resource(name, fields.values(), **paths, path_params={"ct": content_type})

    def list(self, content_type: str, **filters: Any) -> PagedList[Any]:  # one page; page=N picks it
        pager = self.session.paginate(_ct(content_type), BappApi.pagination, params=filters)
        return pager.first_page().counted()

    def get_document_views(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        own = ("variations", "default_variation")
        return [{"label": e.get("label", ""), "token": e.get("view_token", ""), "type": kind}
                | {k: e.get(k) if kind == "public_view" else None for k in own}
                for kind in ("public_view", "view_token") for e in record.get(kind) or []]  # fmt: skip

    def _document(self, record: Any, output: str, label: Any, variation: Any, download: Any) -> Any:
        if output not in ("html", "pdf", "jpg", "context"):
            raise InvalidRequestError(f"output is html, pdf, jpg or context, not {output!r}")
        views = self.get_document_views(record)
        if label is not None and views and not [v for v in views if v["label"] == label]:
            raise LookupError(f"no document view labelled {label!r} (labels: {[v['label'] for v in views]})")
        view = next((v for v in views if label is None or v["label"] == label), {"token": None})
        if not view["token"]:
            return None
        if view["type"] == "view_token":
            action = {"pdf": "pdf.download" if download else "pdf.view", "context": "pdf.context"}
            return f"/documents/{action.get(output, 'pdf.preview')}", {"token": view["token"]}
        variation = variation or view["default_variation"]
        query = {"output": output, "variation": variation, "download": download and "true"}
        return f"/render/{q(view['token'])}", {k: v for k, v in query.items() if v}

    def get_document_url(self, record: Any, output: str = "html", label: Any = None, variation: Any = None,
                         download: bool = False) -> str | None:  # fmt: skip
        found = self._document(record, output, label, variation, download)
        return None if found is None else f"{self.host}{found[0]}?{urlencode(found[1])}"

    def get_document_content(self, record: Any, output: str = "html", label: Any = None,
                             variation: Any = None, download: bool = False) -> bytes | None:  # fmt: skip
        found = self._document(record, output, label, variation, download)
        if found is None:
            return None
        return self.session.request("GET", found[0], params=found[1], headers=_BARE).content  # bytes

    def download_document(self, record: Any, dest: Any, output: str = "html", label: Any = None,
                          variation: Any = None, download: bool = False, chunk_size: int = 8192,
                          ) -> bool:  # fmt: skip
        if (found := self._document(record, output, label, variation, download)) is not None:  # B6: atomic
            self.session.download(found[0], to=dest, params=found[1], headers=_BARE, chunk_size=chunk_size)
        return found is not None

    def run_task_async(self, code: str, payload: Any = None, poll_interval: float = 1, timeout: Any = 300,
                       ) -> Any:  # fmt: skip
        job = attrs.evolve(TASK, method="GET" if payload is None else "POST", interval=poll_interval)
        try:
            return self.session.run_job(job, code=code, deadline=timeout, **_body(payload)).result
        except JobFailed as exc:
            raise TaskFailed(f"Task {code} failed: {exc.status.message or ''}", status=exc.status) from exc
