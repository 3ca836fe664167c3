"""Transfers: a 1 GB download and a 256 MB upload, memory and throughput.

The download is timed side by side with the loop a careful ``requests`` user writes
(``iter_content`` into a file); memory is the peak of Python allocations (tracemalloc)
during one transfer, measured apart from the timing since tracing slows it down.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from clientkit import Resource, Service, field
from clientkit.files import File

MB = 1 << 20
CHUNK = 1 << 20


class Blobs(Service):
    pass


@Blobs.resource(create="/upload")
class Upload(Resource):
    name: str | None = None
    file: File | str | None = field(default=None)


def _requests_download(url: str, to: Path) -> None:
    with requests.get(url, stream=True, timeout=60) as resp, to.open("wb") as out:
        resp.raise_for_status()
        for chunk in resp.iter_content(CHUNK):
            out.write(chunk)


def _peak(fn: Callable[[], Any]) -> float:
    """Peak growth of traced Python memory while ``fn`` runs, in bytes."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def _scratch() -> Path:
    """A folder in memory when the machine has one (``/dev/shm``): the disk's writeback of
    gigabytes written a moment earlier would otherwise decide which side looks faster."""
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="ck-bench-dl-", dir=shm if shm.is_dir() else None))


def bench_download(url: str, size: int, n_rounds: int, line: Callable[..., None]) -> None:
    folder = _scratch()
    api = Blobs.connect(url)
    target = folder / "clientkit.bin"
    plain = folder / "requests.bin"
    pairs: dict[str, Callable[[], Any]] = {
        "requests": lambda: _requests_download(url + "/blob.bin", plain),
        "clientkit": lambda: api.download("/blob.bin", to=target),
    }
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for _ in range(n_rounds):
        for name, fn in pairs.items():
            for path in (target, plain):
                path.unlink(missing_ok=True)  # each side writes a new file
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    times = {name: statistics.median(values) for name, values in samples.items()}
    target.unlink()
    peak = _peak(pairs["clientkit"])
    _requests_download(url + "/blob.bin", plain)
    assert target.stat().st_size == plain.stat().st_size == size
    ratio = times["requests"] / times["clientkit"]
    print(f"downloading {size / MB:,.0f} MB to a file")
    print(f"  requests iter_content loop           {size / MB / times['requests']:8.0f} MB/s")
    print(f"  session.download(path, to=...)       {size / MB / times['clientkit']:8.0f} MB/s")
    line("throughput ratio clientkit / requests", f"{ratio:.2f}", ">= 0.9", ratio >= 0.9)
    line("peak memory growth during the download", f"{peak / MB:.1f} MB", "< 64 MB", peak < 64 * MB)
    for path in (target, plain):
        path.unlink()
    folder.rmdir()


def bench_upload(url: str, size: int, line: Callable[..., None]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ck-bench-up-"))
    source = folder / "upload.bin"
    with source.open("wb") as f:
        f.truncate(size)
    api = Blobs.connect(url)
    start = time.perf_counter()
    api.create(Upload(name="big", file=File(source)))
    elapsed = time.perf_counter() - start
    peak = _peak(lambda: api.create(Upload(name="big", file=File(source))))
    print(f"uploading {size / MB:,.0f} MB as multipart/form-data")
    print(f"  session.create(Upload(file=File(path)))  {size / MB / elapsed:5.0f} MB/s")
    line("peak memory growth during the upload", f"{peak / MB:.1f} MB", "< 64 MB", peak < 64 * MB)
    source.unlink()
