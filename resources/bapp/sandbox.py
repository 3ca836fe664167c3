"""The BAPP sandbox: the generic emulator in BAPP's dialect (Django REST Framework pages,
201/204, 400 validation errors) under ``/api``, plus BAPP's own routes: the framework tasks
(``me``, ``getapp``, introspection), tasks that run for a while and are polled in
``bapp_framework.taskdata``, and rendered documents. The demo data is in ``demo.json``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from clientkit.sandbox import Accounts, Reply, Sandbox, SandboxRequest
from clientkit_services.bapp.service import BappApi

DEMO = Path(__file__).with_name("demo.json")
DEMO_TOKEN = "sandbox-token"
#: the media type of each document output (``context`` is the data the document is made of)
OUTPUTS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "jpg": "image/jpeg",
           "context": "application/json"}  # fmt: skip
LEGACY = {"pdf.view": ("pdf", False), "pdf.download": ("pdf", True), "pdf.preview": ("html", False),
          "pdf.context": ("context", False)}  # fmt: skip
TASKDATA = "/content-type/bapp_framework.taskdata/"


class BappSandbox(Sandbox):
    """BAPP under ``/api`` (clients use ``host=f"{url}/api"``); its state is the generic
    sandbox's. Long-running tasks take ``task_duration`` seconds and are invisible to polls
    for their first ``task_hidden`` seconds, as BAPP's task queue is. A finished task's file
    is under ``files_url`` (default: this sandbox's ``/api/media``), which may be another
    host, as BAPP's media storage may be."""

    def __init__(
        self,
        data: Any = None,
        *,
        accounts: Accounts | None = None,
        task_duration: float = 0.3,
        task_hidden: float = 0.05,
        files_url: str | None = None,
        **options: Any,
    ) -> None:
        demo = json.loads(DEMO.read_text("utf-8"))
        seed = demo["records"] if data is None else data
        if isinstance(seed, str | Path):
            seed = json.loads(Path(seed).read_text("utf-8"))
        self.demo = demo
        self.task_duration, self.task_hidden, self.files_url = task_duration, task_hidden, files_url
        self._running: dict[str, dict[str, Any]] = {}
        self._tasks_lock = threading.Lock()
        for key, value in {"create_status": 201, "delete_status": 204, "validation_status": 400}.items():
            options.setdefault(key, value)
        super().__init__(BappApi, data=seed, accounts=accounts, prefix="/api", page_size=10, **options)
        self._install()

    def _install(self) -> None:
        route = self.route
        route("/tasks")(lambda _: sorted(self.demo["tasks"]))
        route("/tasks/bapp_framework.me")(self._me)
        route("/tasks/bapp_framework.getapp")(self._app)
        route("/tasks/bapp_framework.listintrospect")(lambda req: self._introspect(req, "list"))
        route("/tasks/bapp_framework.detailintrospect")(lambda req: self._introspect(req, "detail"))
        route("/tasks/{code}", methods=["GET", "POST"])(self._run_task)
        route("/tasks/{code}", methods=["OPTIONS"])(self._describe)
        route(TASKDATA)(self._taskdata)
        route("/render/{token}", public=True)(self._render)
        route("/documents/{action}", public=True)(self._legacy)
        route("/media/exports/{name}", public=True)(
            lambda _: Reply(200, b"country,code\nRomania,RO\n", content_type="text/csv", raw=True)
        )

    def matching(self, cls: Any, spec: Any, req: SandboxRequest) -> list[dict[str, Any]]:
        """The records a list selects, narrowed by DRF's ``search`` over their text values."""
        found = super().matching(cls, spec, req)
        term = req.query.get("search", "").lower()
        return [r for r in found if term in " ".join(map(str, r.values())).lower()] if term else found

    # -- the framework tasks ----------------------------------------------------------------------

    def _me(self, req: SandboxRequest) -> Any:
        return {**self.demo["me"], "username": req.principal}

    def _app(self, req: SandboxRequest) -> Reply:
        slug = req.request.headers.get("x-app-slug")
        if slug not in self.demo["apps"]:
            return req.error(404, "Not found.")
        return Reply(200, self.demo["apps"][slug])

    def _introspect(self, req: SandboxRequest, kind: str) -> Reply:
        ct = req.query.get("ct", "")
        found = self.demo["introspect"].get(ct)
        if found is None:
            return req.error(404, "Not found.")
        if kind == "list":
            return Reply(200, {"ct": ct, **found["list"]})
        pk = req.query.get("pk")
        return Reply(
            200, {"ct": ct, **({"pk": int(pk) if pk.isdigit() else pk} if pk else {}), **found["detail"]}
        )

    def _describe(self, req: SandboxRequest) -> Reply:
        code = req.params["code"]
        if code not in self.demo["tasks"]:
            return req.error(404, "Not found.")
        return Reply(200, self.demo["tasks"][code])

    # -- tasks that run for a while ---------------------------------------------------------------

    def _run_task(self, req: SandboxRequest) -> Reply:
        code = req.params["code"]
        task = self.demo["tasks"].get(code)
        if task is None:
            return req.error(404, "Not found.")
        if req.form is not None:  # a multipart body (its files are stored by the sandbox)
            payload = {p.name: p.value if p.file is None else p.file.filename for p in req.form}
        else:
            payload = req.json if isinstance(req.json, dict) else {}
        if not task.get("long"):
            return Reply(200, {"status": "ok", "result": {"rows": 12, "received": sorted(payload)}})
        fmt = payload.get("format", "csv")
        task_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
        with self._tasks_lock:
            self._running[task_id] = {"code": code, "began": time.monotonic(), "format": fmt}
        return Reply(202, {"id": task_id, "status": "queued"})

    def _taskdata(self, req: SandboxRequest) -> Reply:
        task_id = req.query.get("id")
        with self._tasks_lock:
            task = self._running.get(task_id or "")
        elapsed = time.monotonic() - task["began"] if task else 0.0
        if task is None or elapsed < self.task_hidden:
            return Reply(200, {"count": 0, "next": None, "previous": None, "results": []})
        finished = elapsed >= self.task_duration
        failed = finished and task["format"] not in ("csv", "xlsx")
        files = self.files_url or f"{req.request.host_url}api/media"
        done_file = f"{files}/exports/report-42.{task['format']}"
        ok = finished and not failed
        status = {
            "id": task_id,
            "action": task["code"],
            "finished": finished,
            "failed": failed,
            "message": "Invalid format" if failed else "Done" if finished else "Processing",
            "progress": 100 if ok else min(99, int(100 * elapsed / self.task_duration)),
            "file": done_file if ok else None,
        }
        return Reply(200, {"count": 1, "next": None, "previous": None, "results": [status]})

    # -- documents --------------------------------------------------------------------------------

    def _serve_document(self, req: SandboxRequest, token: str, output: str, download: bool) -> Reply:
        views = self.demo["documents"]
        if token not in views or output not in OUTPUTS:
            return req.error(404, "Not found.")
        name = views[token]
        variation = req.query.get("variation", "")
        body = {
            "html": f"<html><body><h1>{name}</h1><p>{variation}</p></body></html>".encode(),
            "pdf": f"%PDF-1.4\n% {name} {variation}\n%%EOF\n".encode(),
            "jpg": b"\xff\xd8\xff\xe0" + name.encode(),
            "context": json.dumps({"document": name, "variation": variation}).encode(),
        }[output]
        kind = "attachment" if download else "inline"
        extension = {"context": "json"}.get(output, output)
        headers = {"Content-Disposition": f'{kind}; filename="{name}.{extension}"'}
        return Reply(200, body, headers=headers, content_type=OUTPUTS[output], raw=True)

    def _render(self, req: SandboxRequest) -> Reply:
        download = req.query.get("download") == "true"
        return self._serve_document(req, req.params["token"], req.query.get("output", "html"), download)

    def _legacy(self, req: SandboxRequest) -> Reply:
        action = LEGACY.get(req.params["action"])
        if action is None:
            return req.error(404, "Not found.")
        return self._serve_document(req, req.query.get("token", ""), *action)


def bapp_sandbox(**options: Any) -> BappSandbox:
    """A BAPP sandbox with the demo data; ``data=`` replaces it (a dict or JSON file)."""
    return BappSandbox(**options)
