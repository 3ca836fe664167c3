"""A throwaway nginx serving static JSON files (with ETags and 304s) on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.processes import free_port

CONF = """
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log crit;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/json;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    etag on;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{ }}
        location /upload {{ client_max_body_size 0; return 204; }}
    }}
}}
"""


def record(i: int) -> dict[str, object]:
    return {
        "id": i,
        "name": f"record {i}",
        "email": f"user{i}@example.com",
        "active": i % 3 != 0,
        "score": i * 0.5,
        "tags": ["a", "b"] if i % 2 else ["c"],
        "created": "2024-05-01T12:00:00Z",
        "owner_id": i % 97,
    }


def write_pages(www: Path, name: str, pages: int, size: int) -> None:
    folder = www / name
    folder.mkdir(parents=True, exist_ok=True)
    for p in range(1, pages + 1):
        items = [record((p - 1) * size + k + 1) for k in range(size)]
        nxt = f"/{name}/p{p + 1}.json" if p < pages else None
        (folder / f"p{p}.json").write_text(json.dumps({"data": items, "next": nxt}))


@contextmanager
def nginx(
    pages: int = 100, big_pages: int = 0, size: int = 1000, blob: int = 0
) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("nginx is needed for the benchmarks: apt-get install nginx-light")
    root = Path(tempfile.mkdtemp(prefix="ck-bench-"))
    root.chmod(0o755)  # nginx workers may run as another user
    (root / "tmp").mkdir()
    www = root / "www"
    (www / "records").mkdir(parents=True)
    (www / "records" / "1.json").write_text(json.dumps({"data": record(1)}))
    write_pages(www, "pages", pages, size)
    if big_pages:
        write_pages(www, "big", big_pages, size)
    if blob:
        with (www / "blob.bin").open("wb") as f:
            f.truncate(blob)  # sparse: nginx sends zeros without the disk holding them
    port = free_port()
    (root / "nginx.conf").write_text(CONF.format(root=root, port=port))
    proc = subprocess.Popen(
        [binary, "-p", str(root), "-c", str(root / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url + "/records/1.json", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)
