"""A client in its own process for the shared-cache tests.

``python -m tests.support.cache_client BASE_URL REDIS_URL EXPIRE CREDENTIALS_JSON`` gets
``/docs/1`` once through a Redis cache and prints JSON: the title (or the error class)
and the cache statistics. ``CREDENTIALS_JSON`` holds ``token`` or ``username``/``password``.
"""

from __future__ import annotations

import json
import sys

from clientkit import BasicAuth, ClientKitError, Envelope, Resource, Service, TokenAuth, field
from clientkit._declarations.options import CacheConfig


class Docs(Service):
    auth = TokenAuth()
    envelope = Envelope(response="data")


@Docs.resource(one="/docs/{id}")
class Doc(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None


def main(base_url: str, redis_url: str, expire: str, credentials: str) -> None:
    given = json.loads(credentials)
    auth = None if "token" in given else BasicAuth().bind(**given)
    cache = CacheConfig(backend="redis", location=redis_url, expire_after=float(expire))
    kwargs = given if auth is None else {"auth": auth}
    with Docs.connect(base_url, cache=cache, retries=0, **kwargs) as session:
        try:
            outcome = session.get(Doc, 1).title
        except ClientKitError as exc:
            outcome = type(exc).__name__
        stats = session.cache_stats
        print(json.dumps({"outcome": outcome, "hits": stats.hits, "revalidations": stats.revalidations}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
