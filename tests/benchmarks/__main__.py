"""Side-by-side benchmarks; prints each measurement and its ratio against the target.

Run: ``python -m tests.benchmarks [--quick]``. Every pair is measured in alternating
rounds in one process against one nginx, so machine noise hits both sides alike;
the figure reported is the median of the rounds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from clientkit import Envelope, Resource, Service, field
from clientkit._declarations.options import CacheConfig
from clientkit._declarations.paging import NextUrl
from tests.benchmarks.bulk import bench_bulk
from tests.benchmarks.nginx import nginx
from tests.benchmarks.transfers import bench_download, bench_upload


class Static(Service):
    envelope = Envelope(response="data")
    pagination = NextUrl(items="data")


@Static.resource(one="/records/{id}.json", many="/pages/p1.json")
class Record(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    email: str | None = None
    active: bool | None = None
    score: float | None = None
    tags: list[str] = field(factory=list)
    created: dt.datetime | None = None
    owner_id: int | None = None


@Static.resource(many="/big/p1.json")
class BigRecord(Record):
    pass


def rounds(pairs: dict[str, Callable[[], Any]], n_rounds: int, per_round: int) -> dict[str, float]:
    """Median seconds per call of each function, alternating between them every round."""
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for fn in pairs.values():  # warm up connections, caches and generated code
        for _ in range(max(3, per_round // 10)):
            fn()
    for _ in range(n_rounds):
        for name, fn in pairs.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            samples[name].append((time.perf_counter() - start) / per_round)
    return {name: statistics.median(values) for name, values in samples.items()}


def line(label: str, value: str, target: str, ok: bool) -> None:
    print(f"  {label:<58} {value:>12}   target {target:<8} {'ok' if ok else 'MISSED'}")


def bench_get(url: str, n_rounds: int, per_round: int) -> None:
    raw = requests.Session()
    api = Static.connect(url)
    target = url + "/records/1.json"
    times = rounds(
        {
            "requests": lambda: raw.get(target).json(),
            "clientkit": lambda: api.get(Record, 1),
        },
        n_rounds,
        per_round,
    )
    ratio = times["clientkit"] / times["requests"]
    print("get of one record")
    print(f"  requests.Session().get(url).json()   {times['requests'] * 1e6:8.1f} us")
    print(f"  session.get(Record, 1) (typed)       {times['clientkit'] * 1e6:8.1f} us")
    line("ratio clientkit / requests", f"{ratio:.2f}", "<= 1.0", ratio <= 1.0)


def bench_list(url: str, n_rounds: int) -> None:
    raw = requests.Session()
    api = Static.connect(url)

    def plain() -> int:
        count, nxt = 0, "/pages/p1.json"
        while nxt:
            body = raw.get(url + nxt).json()
            for _item in body["data"]:
                count += 1
            nxt = body["next"]
        return count

    def typed() -> int:
        count = 0
        for _item in api.list(Record):
            count += 1
        return count

    assert plain() == typed() == 100_000
    times = rounds({"requests": plain, "clientkit": typed}, n_rounds, 1)
    raw_rate = 100_000 / times["requests"]
    ck_rate = 100_000 / times["clientkit"]
    print("listing 100,000 records in pages of 1,000")
    print(f"  resp.json() into dicts               {raw_rate:10,.0f} records/s")
    print(f"  session.list(Record) (typed)         {ck_rate:10,.0f} records/s")
    line("throughput ratio clientkit / requests", f"{ck_rate / raw_rate:.2f}", ">= 1.0", ck_rate >= raw_rate)


def bench_cache(url: str, n_rounds: int, per_round: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ck-bench-cache-"))
    plain = Static.connect(url)
    fresh_memory = Static.connect(url, cache=CacheConfig(backend="memory", expire_after=3600))
    fresh_sqlite = Static.connect(url, cache=CacheConfig(location=folder / "fresh.sqlite", expire_after=3600))
    revalidate = Static.connect(url, cache=CacheConfig(location=folder / "reval.sqlite", expire_after=0))
    times = rounds(
        {
            "plain": lambda: plain.get(Record, 1),
            "fresh_memory": lambda: fresh_memory.get(Record, 1),
            "fresh_sqlite": lambda: fresh_sqlite.get(Record, 1),
            "revalidate": lambda: revalidate.get(Record, 1),
        },
        n_rounds,
        per_round,
    )
    assert revalidate.cache_stats.revalidations > 0 and fresh_memory.cache_stats.hits > 0
    print("cache")
    print(f"  network get (no cache)               {times['plain'] * 1e6:8.1f} us")
    print(f"  fresh hit, memory backend            {times['fresh_memory'] * 1e6:8.1f} us")
    print(f"  fresh hit, SQLite backend            {times['fresh_sqlite'] * 1e6:8.1f} us")
    print(f"  304 revalidation, SQLite backend     {times['revalidate'] * 1e6:8.1f} us")
    r1 = times["fresh_memory"] / times["plain"]
    r2 = times["fresh_sqlite"] / times["plain"]
    r3 = times["revalidate"] / times["plain"]
    line("fresh hit (memory) / network get", f"{r1:.2f}", "<= 0.3", r1 <= 0.3)
    line("fresh hit (SQLite) / network get", f"{r2:.2f}", "<= 0.3", r2 <= 0.3)
    line("304 revalidation (SQLite) / plain get", f"{r3:.2f}", "<= 1.2", r3 <= 1.2)


def bench_memory(url: str, pages: int, decoder: str) -> None:
    import clientkit._declarations.wire

    saved = clientkit._declarations.wire._orjson
    if decoder == "json":
        clientkit._declarations.wire._orjson = None
    try:
        _walk(url, pages, decoder)
    finally:
        clientkit._declarations.wire._orjson = saved


def _walk(url: str, pages: int, decoder: str) -> None:
    api = Static.connect(url)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    first = api.list(BigRecord).first_page()
    one_page = tracemalloc.get_traced_memory()[0] - base
    del first
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    count = 0
    for _item in api.list(BigRecord):
        count += 1
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert count == pages * 1000
    print(f"iterating {count:,} records ({decoder} decoder)")
    print(f"  one page held in memory              {one_page / 1e6:8.2f} MB")
    print(f"  peak growth over the whole walk      {peak / 1e6:8.2f} MB")
    line("peak growth / one page", f"{peak / one_page:.2f}", "<= 2.0", peak <= 2 * one_page)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and a smaller memory walk")
    opts = parser.parse_args()
    big = 100 if opts.quick else 1000
    n_rounds, per_round = (5, 100) if opts.quick else (15, 300)
    print(f"clientkit benchmarks  python {sys.version.split()[0]}  requests {requests.__version__}")
    blob = (256 if opts.quick else 1024) << 20
    with nginx(pages=100, big_pages=big, blob=blob) as url:
        bench_get(url, n_rounds, per_round)
        bench_list(url, 3 if opts.quick else 7)
        bench_cache(url, n_rounds, per_round)
        bench_memory(url, big, "orjson")
        bench_memory(url, big, "json")
        bench_download(url, blob, 3 if opts.quick else 5, line)
        bench_upload(url, (64 if opts.quick else 256) << 20, line)
    bench_bulk(1 if opts.quick else 3, line)


if __name__ == "__main__":
    main()
