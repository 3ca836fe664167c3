"""Bulk fetch throughput: records fetched one request each from a server that waits 20 ms
before every answer, by ``bulk.run`` with 16 workers against 1 worker.

The server runs in its own process (``python -m tests.benchmarks.bulk --serve PORT``): an
asyncio HTTP/1.1 server with keep-alive that answers ``GET /records/{id}`` with the record
20 ms after the request arrived, whatever the number of requests in flight, and spends
about 0.1 ms of its own per request, so the latency is the server's only limit. (The
sandbox, with its ``latency`` fault, spends a few milliseconds of Python per request: on
this 2-core machine it, not the client, is what 16 workers wait for.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from clientkit import Resource, Service, Session, bulk, field
from tests.benchmarks.nginx import record
from tests.support.processes import free_port, running

RECORDS = 2_000
ONE_WORKER_RECORDS = 200  # one worker fetches a tenth of them: its rate is the same, in a tenth of the time
WORKERS = 16
LATENCY = 0.02


class Latent(Service):
    pass


@Latent.resource(one="/records/{id}")
class Item(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None
    email: str | None = None
    active: bool | None = None
    score: float | None = None
    tags: list[str] = field(factory=list)
    created: str | None = None
    owner_id: int | None = None


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer the requests of one connection, each ``LATENCY`` seconds after it arrived."""
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            target = head.split(b" ", 2)[1].decode()
            await asyncio.sleep(LATENCY)
            try:
                status, body = "200 OK", json.dumps(record(int(target.rsplit("/", 1)[1]))).encode()
            except ValueError:
                status, body = "404 Not Found", b'{"error": "not found"}'
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve(port: int) -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


@contextmanager
def latent_server() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([sys.executable, "-m", "tests.benchmarks.bulk", "--serve", str(port)], url + "/records/1"):
        yield url


def fetch(api: Session, count: int, workers: int) -> float:
    """Records per second fetching ``count`` records with ``workers`` threads."""
    start = time.perf_counter()
    outcomes = bulk.run(lambda i: api.get(Item, i), range(1, count + 1), workers=workers)
    fetched = sum(1 for outcome in outcomes if outcome.unwrap().id is not None)
    elapsed = time.perf_counter() - start
    assert fetched == count
    return count / elapsed


def bench_bulk(n_rounds: int, line: Callable[[str, str, str, bool], None]) -> None:
    with latent_server() as url:
        api = Latent.connect(url, pool_size=WORKERS)
        fetch(api, 2 * WORKERS, WORKERS)  # open the connections
        one: list[float] = []
        many: list[float] = []
        for _ in range(n_rounds):
            one.append(fetch(api, ONE_WORKER_RECORDS, 1))
            many.append(fetch(api, RECORDS, WORKERS))
    rate1, rate16 = statistics.median(one), statistics.median(many)
    print(f"bulk fetch, {LATENCY * 1000:.0f} ms of server latency per request")
    print(f"  bulk.run, 1 worker ({ONE_WORKER_RECORDS} records)     {rate1:10,.0f} records/s")
    print(f"  bulk.run, {WORKERS} workers ({RECORDS:,} records)  {rate16:10,.0f} records/s")
    ratio = rate16 / rate1
    line(f"throughput ratio {WORKERS} workers / 1 worker", f"{ratio:.1f}", ">= 12", ratio >= 12)


def _line(label: str, value: str, target: str, ok: bool) -> None:
    print(f"  {label:<58} {value:>12}   target {target:<8} {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.bulk")
    parser.add_argument("--serve", type=int, metavar="PORT", help="serve the records on PORT")
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    if opts.serve:
        asyncio.run(_serve(opts.serve))
    else:
        bench_bulk(opts.rounds, _line)
