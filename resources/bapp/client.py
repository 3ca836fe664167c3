"""``BappApiClient``: the official client's surface on a clientkit session: its requests as a
``Surface`` table (each row the official signature and the request it sends), the few special
methods written out."""

from __future__ import annotations

import builtins
import keyword
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

import attrs

from clientkit import Resource, Session
from clientkit.errors import DecodeError, InvalidRequestError, JobFailed
from clientkit.files import Downloaded, requests_files
from clientkit.model import Surface, make_resource
from clientkit.model import quote_segment as q
from clientkit.paging import CountedList as PagedList
from clientkit_services.bapp.service import MANY, ONE, TASK, BappApi

FW = "/tasks/bapp_framework"
#: introspection field types as Python types; any other is ``Any`` (kept as the server sends it)
TYPES = {"string": str, "text": str, "email": str, "url": str, "slug": str, "choice": str, "integer": int}
TYPES |= {"float": float, "decimal": Decimal, "boolean": bool, "date": date, "datetime": datetime}


def _introspected(content_type: str, answer: Any) -> list[dict[str, Any]]:
    """The fields of a ``detail_introspect`` answer, each a mapping with a name; else ``DecodeError``."""
    found = answer.get("fields", []) if isinstance(answer, dict) else answer
    named = isinstance(found, list) and all(
        isinstance(f, dict) and isinstance(f.get("name"), str) for f in found
    )
    if not named or not all(f["name"] for f in found):
        raise DecodeError(
            f"the introspection of {content_type} is not a list of named fields: {found!r:.150}"
        )
    return cast("list[dict[str, Any]]", found)


class TaskFailed(JobFailed, RuntimeError):
    """A failed task: the official ``RuntimeError`` and clientkit's ``JobFailed``."""


def _body(data: Any) -> dict[str, Any]:  # None: no body at all (a bodiless POST), as the official client
    return {} if data is None else {"json": requests_files(data)}


class BappApiClient(Surface):
    """``bapp_api_client.BappApiClient``; ``tenant`` and ``app`` may change at any time, and
    ``client.session`` is the clientkit session (typed resources, ``run_job``, ``download``).
    ``cache=`` (beyond the official options) is ``connect``'s: ETag revalidation."""

    def __init__(self, bearer: str | None = None, token: str | None = None, host: str = "https://panel.bapp.ro/api",
                 tenant: Any = None, app: str | None = "account", user_agent: str | None = None,
                 timeout: Any = 30, max_retries: int = 3, *, cache: Any = None) -> None:  # fmt: skip
        if max_retries < 0:  # B18
            raise InvalidRequestError(f"max_retries must be 0 or more, not {max_retries}")
        self.host, self.user_agent = host.rstrip("/"), user_agent
        credential: dict[str, Any] = {"bearer": bearer} if bearer else {"token": token} if token else {}
        retries = attrs.evolve(BappApi.retry, retries=max_retries)
        headers = {"User-Agent": user_agent} if user_agent else None
        options = {"tenant": tenant, "app": app, "timeout": timeout, "retries": retries, "cache": cache}
        self.session: Session = BappApi.connect(self.host, headers=headers, **options, **credential)

    tenant = property(lambda s: s.session.context["tenant"], lambda s, v: s.session.set_context(tenant=v))
    app = property(lambda s: s.session.context["app"], lambda s, v: s.session.set_context(app=v))

    # the official requests, in the contract's order; files among a dict's values go as multipart
    roles = {"content_type": "ct", "data": "json", "app_slug": "header:x-app-slug"}
    me = Surface.request("GET", f"{FW}.me", "", headers={"x-app-slug": ""})
    get_app = Surface.request("GET", f"{FW}.getapp", "app_slug")
    list_introspect = Surface.request("GET", f"{FW}.listintrospect", "content_type")  # ?ct=
    detail_introspect = Surface.request("GET", f"{FW}.detailintrospect", "content_type, pk=None")
    get = Surface.request("GET", ONE, "content_type, id")
    create = Surface.request("POST", MANY, "content_type, data=None", body=requests_files)
    update = Surface.request("PUT", ONE, "content_type, id, data=None", body=requests_files)
    patch = Surface.request("PATCH", ONE, "content_type, id, data=None", body=requests_files)
    delete = Surface.request("DELETE", ONE, "content_type, id")
    list_tasks = Surface.request("GET", "/tasks", "")
    detail_task = Surface.request("OPTIONS", "/tasks/{code}", "code")

    def _request(
        self, method: str, path: str, params: Any = None, json: Any = None, headers: Any = None
    ) -> Any:  # the official client's own helper, for drop-in use
        resp = self.session.request(method, path, params=params, headers=headers, **_body(json))
        return self.session.json_of(resp)

    def run_task(self, code: str, payload: Any = None) -> Any:
        return self._request("GET" if payload is None else "POST", f"/tasks/{q(code)}", json=payload)

    def list(self, content_type: str, **filters: Any) -> PagedList[Any]:  # one page; page=N picks it
        pager = self.session.paginate(f"/content-type/{q(content_type)}/", BappApi.pagination, params=filters)
        return pager.first_page().counted()

    def model(self, content_type: str) -> type[Resource]:
        """A resource class of the server's fields; wire names that clean up to the same Python
        name (``a-b``, ``a_b``) are all kept, the later ones under ``a_b_``, ``a_b__``..."""
        fields: dict[str, Any] = {"id": ("id", int | str | None, {"read_only": True})}
        for f in _introspected(content_type, self.detail_introspect(content_type)):
            name = re.sub(r"\W|^(?=\d)", "_", f["name"]) + ("_" if keyword.iskeyword(f["name"]) else "")
            name = "f" + name if name.startswith("_") else name  # no private or dunder attributes
            while name in fields and fields[name][2].get("wire", "id") != f["name"]:
                name += "_"
            flags = {k: bool(f.get(k)) for k in ("read_only", "required")}
            fields[name] = (name, TYPES.get(str(f.get("type")), Any) | None, {**flags, "wire": f["name"]})
        name = "".join(p.title() for p in re.split(r"\W|_", content_type))
        return make_resource(name, fields.values(), one=ONE, many=MANY, path_params={"ct": content_type})

    def get_document_views(self, record: dict[str, Any]) -> builtins.list[dict[str, Any]]:
        def view(kind: str, e: dict[str, Any]) -> dict[str, Any]:
            public = kind == "public_view"
            own = {k: e.get(k) if public else None for k in ("variations", "default_variation")}
            return {"label": e.get("label", ""), "token": e.get("view_token", ""), "type": kind, **own}

        return [view(kind, e) for kind in ("public_view", "view_token") for e in record.get(kind) or []]

    def get_document_url(self, record: Any, output: str = "html", label: Any = None, variation: Any = None,
                         download: bool = False) -> str | None:  # fmt: skip
        if output not in ("html", "pdf", "jpg", "context"):  # B9
            raise InvalidRequestError(f"output is html, pdf, jpg or context, not {output!r}")
        views = self.get_document_views(record)
        if label is not None and views and not [v for v in views if v["label"] == label]:  # B8
            raise LookupError(f"no document view labelled {label!r} (labels: {[v['label'] for v in views]})")
        view = next((v for v in views if label is None or v["label"] == label), {"token": None})
        if not view["token"]:
            return None
        if view["type"] == "view_token":  # legacy
            action = {"pdf": "pdf.download" if download else "pdf.view", "context": "pdf.context"}
            path, query = f"/documents/{action.get(output, 'pdf.preview')}", {"token": view["token"]}
        else:
            path, chosen = f"/render/{q(view['token'])}", variation or view["default_variation"]
            query = {"output": output, "variation": chosen, "download": download and "true"}
        return f"{self.host}{path}?{urlencode({k: v for k, v in query.items() if v})}"

    # Document and file URLs carry their own token and may be on other hosts: they are fetched
    # with nothing of the session (no credential, tenant or app headers, cookies; B7).
    def get_document_content(self, record: Any, output: str = "html", label: Any = None,
                             variation: Any = None, download: bool = False) -> bytes | None:  # fmt: skip
        url = self.get_document_url(record, output, label, variation, download)
        return None if url is None else self.session.request("GET", url, credentials=False).content

    def download_document(self, record: Any, dest: Any, output: str = "html", label: Any = None,
                          variation: Any = None, download: bool = False, chunk_size: int = 8192,
                          ) -> bool:  # fmt: skip
        if (url := self.get_document_url(record, output, label, variation, download)) is not None:
            self.download_file(url, dest, chunk_size)  # B6: whole or not at all
        return url is not None

    def download_file(self, url: str, dest: Any, chunk_size: int = 8192) -> Downloaded:
        """Beyond the official client: a file URL a task's result or a record gives (any host)."""
        return self.session.download(url, to=dest, chunk_size=chunk_size, credentials=False)

    def run_task_async(
        self, code: str, payload: Any = None, poll_interval: float = 1, timeout: Any = 300
    ) -> Any:
        job = attrs.evolve(TASK, method="GET" if payload is None else "POST", interval=poll_interval)
        try:
            return self.session.run_job(job, code=code, deadline=timeout, **_body(payload)).result
        except JobFailed as exc:
            raise TaskFailed(f"Task {code} failed: {exc.status.message or ''}", status=exc.status) from exc
