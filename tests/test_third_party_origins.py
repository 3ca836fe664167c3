"""Environments and several origins against real httpbin servers (PyPI), one per origin on
127.0.0.1: what each one echoed shows that the credential, the service's headers and the
cookies reached only the origins declared to receive them, redirects included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any, NamedTuple

import pytest

from clientkit import Action, ApiKeyAuth, Resource, Service, TokenAuth
from clientkit._client.session import Session
from clientkit.errors import InvalidRequestError
from clientkit.model import Environment, Origin
from tests.support.filed import httpbin

TOKEN = "origins-token-5f1c0a"
KEY = "origins-api-key-77d2"


class Bins(NamedTuple):
    api: str
    files: str
    uploads: str
    staging: str
    staging_files: str
    elsewhere: str


@pytest.fixture(scope="module")
def bins() -> Iterator[Bins]:
    with ExitStack() as stack:
        yield Bins(*(stack.enter_context(httpbin()) for _ in Bins._fields))


def declare(bins: Bins, auth: Any) -> tuple[type[Service], type[Resource]]:
    """A service on ``bins.api`` with a files host (no credentials), an uploads host (with
    them) and a staging environment that has its own files host."""

    class Api(Service):
        base_url = bins.api
        headers = {"X-Tenant": "acme"}
        origins = {"files": bins.files, "uploads": Origin(bins.uploads, credentials=True)}
        environments = {"staging": Environment(bins.staging, files=bins.staging_files)}

    Api.auth = auth

    @Api.resource(
        one="/anything/docs/{id}",
        actions={
            "raw": Action("GET", "/anything/files/{id}", origin="files"),
            "attach": Action("POST", "/anything/uploads/{id}", origin="uploads"),
            "mirror": Action("GET", "/redirect-to", origin="files"),
        },
    )
    class Doc(Resource):
        id: int | None = None

    return Api, Doc


def credentialed(echo: dict[str, Any]) -> bool:
    """Whether an httpbin echo shows the credential or the service's header."""
    headers = {k.lower(): v for k, v in echo["headers"].items()}
    seen = [headers.get("authorization"), headers.get("x-tenant"), echo.get("args", {}).get("api_key")]
    assert all(v in (None, f"Bearer {TOKEN}", "acme", KEY) for v in seen)
    return any(v is not None for v in seen)


@pytest.fixture
def api(bins: Bins) -> Iterator[tuple[Session, type[Resource]]]:
    Api, Doc = declare(bins, TokenAuth(scheme="Bearer"))
    with Api.connect(token=TOKEN, retries=0) as session:
        yield session, Doc


def test_declared_actions_reach_each_origin_with_what_it_may_receive(
    bins: Bins, api: tuple[Session, type[Resource]]
) -> None:
    session, Doc = api
    own = session.get(Doc, 7)
    assert (
        session.last_response is not None
        and session.last_response.json()["url"] == f"{bins.api}/anything/docs/7"
    )
    assert credentialed(session.last_response.json()) and isinstance(own, Doc)
    raw = session.action(Doc, "raw", id=7)
    assert raw["url"] == f"{bins.files}/anything/files/7" and not credentialed(raw)
    assert raw["headers"]["User-Agent"].startswith("clientkit")
    attached = session.action(Doc, "attach", id=7, json={"name": "a.txt"})
    assert attached["url"] == f"{bins.uploads}/anything/uploads/7" and attached["json"] == {"name": "a.txt"}
    assert credentialed(attached)
    low = session.request("GET", "/headers", origin="files").json()
    assert not credentialed(low) and "Bearer" not in str(low)
    assert not credentialed(session.request("GET", bins.files + "/anything/absolute").json())
    assert credentialed(session.request("GET", "/anything/up", origin="uploads").json())
    with pytest.raises(InvalidRequestError, match="not the service's origin nor a declared one"):
        session.request("GET", bins.elsewhere + "/anything")
    with pytest.raises(InvalidRequestError, match=r"no origin 'cdn' is declared"):
        session.request("GET", "/anything", origin="cdn")


def test_redirects_carry_the_credential_only_to_the_base_urls_origin(
    bins: Bins, api: tuple[Session, type[Resource]]
) -> None:
    session, Doc = api
    hop = session.request("GET", "/redirect-to", params={"url": bins.files + "/anything/hop"}).json()
    assert hop["url"] == f"{bins.files}/anything/hop" and not credentialed(hop)
    # a hop to an origin declared with credentials still carries none (docs/declaring.md)
    hop = session.request("GET", "/redirect-to", params={"url": bins.uploads + "/anything/hop"}).json()
    assert hop["url"] == f"{bins.uploads}/anything/hop" and not credentialed(hop)
    hop = session.request("GET", "/redirect-to", params={"url": bins.elsewhere + "/anything/hop"}).json()
    assert hop["url"] == f"{bins.elsewhere}/anything/hop" and not credentialed(hop)
    # from the files host back to the API: the credential's own origin receives it
    back = session.action(Doc, "mirror", params={"url": bins.api + "/anything/back"})
    assert back["url"] == f"{bins.api}/anything/back" and credentialed(back)
    chain = f"{bins.files}/redirect-to?url={bins.api}/anything/chain"
    hop = session.request("GET", "/redirect-to", params={"url": chain}).json()
    assert hop["url"] == f"{bins.api}/anything/chain" and credentialed(hop)


def test_cookies_stay_with_the_base_urls_origin(bins: Bins, api: tuple[Session, type[Resource]]) -> None:
    session, _ = api
    assert session.request("GET", "/cookies/set", params={"sid": "s3cr3t"}).json() == {
        "cookies": {"sid": "s3cr3t"}
    }
    assert session.request("GET", "/cookies").json() == {"cookies": {"sid": "s3cr3t"}}
    assert session.request("GET", "/cookies", origin="uploads").json() == {"cookies": {}}
    assert session.request("GET", "/cookies", origin="files").json() == {"cookies": {}}
    hop = session.request("GET", "/redirect-to", params={"url": bins.files + "/cookies"}).json()
    assert hop == {"cookies": {}}


def test_a_url_on_a_host_nobody_declared_is_fetched_with_nothing_of_the_session(
    bins: Bins, api: tuple[Session, type[Resource]]
) -> None:
    session, _ = api
    session.request("GET", "/cookies/set", params={"sid": "s3cr3t"})
    echo = session.request("GET", bins.elsewhere + "/anything/file", credentials=False).json()
    assert echo["url"] == f"{bins.elsewhere}/anything/file" and not credentialed(echo)
    assert "Cookie" not in echo["headers"]
    # redirected back to the API's own origin: the credential and the cookie stay behind
    back = f"{bins.elsewhere}/redirect-to?url={bins.api}/anything/back"
    echo = session.request("GET", back, credentials=False).json()
    assert echo["url"] == f"{bins.api}/anything/back" and not credentialed(echo)
    assert "Cookie" not in echo["headers"]
    assert session.request("GET", "/cookies").json() == {"cookies": {"sid": "s3cr3t"}}


def test_an_environment_moves_the_base_url_and_the_origins_it_names(bins: Bins) -> None:
    Api, Doc = declare(bins, TokenAuth(scheme="Bearer"))
    with Api.connect(environment="staging", token=TOKEN, retries=0) as staging:
        staging.get(Doc, 1)
        assert staging.last_response is not None
        echo = staging.last_response.json()
        assert echo["url"] == f"{bins.staging}/anything/docs/1" and credentialed(echo)
        raw = staging.action(Doc, "raw", id=1)
        assert raw["url"] == f"{bins.staging_files}/anything/files/1" and not credentialed(raw)
        attached = staging.action(Doc, "attach", id=1, json={})
        assert attached["url"] == f"{bins.uploads}/anything/uploads/1" and credentialed(attached)
        hop = staging.request("GET", "/redirect-to", params={"url": bins.api + "/anything/prod"}).json()
        assert hop["url"] == f"{bins.api}/anything/prod" and not credentialed(hop)  # not this session's API
        with pytest.raises(InvalidRequestError, match="not the service's origin"):
            staging.request("GET", bins.files + "/anything")  # production's files host
    with pytest.raises(
        InvalidRequestError, match=r"no environment 'dev'; its environments are \['staging'\]"
    ):
        Api.connect(environment="dev", token=TOKEN)


def test_a_query_credential_reaches_only_the_declared_origins(bins: Bins) -> None:
    Api, Doc = declare(bins, ApiKeyAuth(query="api_key"))
    with Api.connect(key=KEY, retries=0) as session:
        assert session.request("GET", "/anything/own").json()["args"] == {"api_key": KEY}
        raw = session.action(Doc, "raw", id=3)
        assert raw["args"] == {} and not credentialed(raw)
        assert session.action(Doc, "attach", id=3, json={})["args"] == {"api_key": KEY}
        hop = session.request("GET", "/redirect-to", params={"url": bins.files + "/anything/hop"}).json()
        assert hop["args"] == {} and KEY not in hop["url"] and not credentialed(hop)
