"""Services whose calls the retry tests count: plain and with a declared idempotency key; a fast policy."""

from __future__ import annotations

from typing import Any

from clientkit import Resource, RetryPolicy, Service, field
from tests.support.scripted import Reply


class Api(Service):
    pass


class IdempotentApi(Service):
    idempotency_header = "Idempotency-Key"


@Api.resource(one="/things/{id}", many="/things")
class Thing(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


@IdempotentApi.resource(one="/things/{id}", many="/things")
class IThing(Resource):
    id: int | None = field(read_only=True)
    name: str | None = None


def policy(sleeps: list[float], retries: int = 3, **kw: Any) -> RetryPolicy:
    return RetryPolicy(retries=retries, backoff=0.01, backoff_cap=0.04, sleep=sleeps.append, **kw)


def ok(**kw: Any) -> Reply:
    return Reply(json={"id": 1, "name": "x", **kw})
