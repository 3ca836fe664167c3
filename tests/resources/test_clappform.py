"""clientkit_services.clappform: the corrected behaviours and what clientkit adds, against the sandbox."""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from clientkit import RetryPolicy, bulk, changes
from clientkit._declarations.options import CacheConfig
from clientkit.errors import AuthenticationError, InvalidRequestError, NotFoundError
from clientkit.sandbox import Accounts, Fault
from clientkit_services.clappform import (
    Actionflow,
    ApiResponse,
    App,
    Auth,
    Clappform,
    ClappformApi,
    Collection,
    DataframeWriteError,
    HTTPError,
    PaginationKeyError,
    Query,
    Questionnaire,
    User,
    Version,
)
from clientkit_services.clappform import dataclasses as ours_dc
from clientkit_services.clappform.sandbox import DEMO_PASSWORD, DEMO_USER, ClappformSandbox, clappform_sandbox

PRESIDENTS = Collection(app="uspresidents", slug="presidents")


@pytest.fixture
def box() -> Iterator[ClappformSandbox]:
    sandbox = clappform_sandbox()
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def client(box: ClappformSandbox, **kw: Any) -> Clappform:
    c = Clappform(box.url, DEMO_USER, DEMO_PASSWORD, **kw)
    c.session.transport.options = c.session.transport.options.merge(
        c.session.transport.options.__class__(
            retry=RetryPolicy(retries=kw.get("tries", 4) - 1, backoff=0.01, sleep=lambda s: None)
        )
    )
    return c


# -- the official surface, corrected ---------------------------------------------------------


def test_typed_resources_follow_the_level(box: ClappformSandbox) -> None:
    c = client(box)
    low = c.get(App(id="uspresidents"))
    high = c.get(App(id="uspresidents", extended=True))
    assert low.collections == 2 and isinstance(high.collections, list)
    assert high.extended is True  # B26: a fetched object keeps its setting
    assert isinstance(c.get(App()), list) and all(isinstance(a, App) for a in c.get(App()))
    col = c.get(Collection(app="uspresidents", slug="presidents", extended=2))
    assert col.queries == [{"slug": "all-presidents"}] and col.extended == 2
    assert c.get(Collection(app="uspresidents", slug="presidents")).queries is None


def test_bad_levels_and_ids_are_refused_before_sending(box: ClappformSandbox) -> None:
    c = client(box)
    with pytest.raises(TypeError):
        App(id=123)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 3"):
        Collection(app="a", slug="b", extended=5)
    with pytest.raises(InvalidRequestError):
        c.get(App(id="uspresidents", extended="no"))  # type: ignore[arg-type]  # B11
    with pytest.raises(TypeError, match="needs all of"):
        c.get(Collection(app="uspresidents"))
    with pytest.raises(InvalidRequestError, match="id"):
        c.update(Actionflow(name="no id"))  # B15: no PUT /actionflow/None
    with pytest.raises(TypeError, match="bool"):
        c.current_user(extended=1)  # type: ignore[arg-type]
    assert all(e.path.startswith("/api/auth") for e in box.journal.entries())


def test_ids_are_escaped(box: ClappformSandbox) -> None:
    c = client(box)
    with pytest.raises(HTTPError):
        c.get(User(email="a/b?c#d@x.com"))  # B13
    assert box.journal.last is not None and box.journal.last.path == "/api/user/a/b?c#d@x.com"
    assert box.journal.last.query == "extended=false"


def test_base_url_with_a_trailing_slash(box: ClappformSandbox) -> None:
    c = Clappform(box.url + "/", DEMO_USER, DEMO_PASSWORD)  # B14
    assert c.get(Version()).api == "6.2.1"
    assert box.journal.last is not None and box.journal.last.path == "/api/version"


def test_errors_are_both_official_and_typed(box: ClappformSandbox) -> None:
    c = client(box)
    with pytest.raises(HTTPError) as info:
        c.get(App(id="nope"))
    err = info.value
    assert isinstance(err, requests.exceptions.HTTPError) and isinstance(err, NotFoundError)
    assert err.code == 404 and err.status == 404 and len(err.response_id or "") == 24
    assert "App nope not found" in str(err)


def test_update_sends_set_fields_without_private_keys(box: ClappformSandbox) -> None:
    c = client(box)
    app = c.get(App(id="uspresidents"))
    app.description = "Dashboard of US Presidents"
    c.update(app)
    sent = box.journal.last
    assert sent is not None and sent.method == "PUT" and sent.query == "extended=false"
    assert "_id" not in sent.json and "extended" not in sent.json  # B8
    assert c.get(App(id="uspresidents")).description == "Dashboard of US Presidents"


def test_user_update_without_email_is_a_clear_error(box: ClappformSandbox) -> None:
    with pytest.raises(InvalidRequestError, match="email"):
        client(box).update(User(first_name="x"))  # B10


def test_items_do_not_mutate_the_callers_dict(box: ClappformSandbox) -> None:
    c = client(box)
    created = c.create(PRESIDENTS, item={"name": "Kamala Harris"})
    mine = {"_id": created["_id"], "name": "K. Harris"}
    c.update(PRESIDENTS, item=mine)
    assert mine == {"_id": created["_id"], "name": "K. Harris"}  # B16
    with pytest.raises(TypeError, match="dict"):
        c.create(PRESIDENTS, item=["not", "a", "dict"])  # type: ignore[arg-type]  # B17
    with pytest.raises(KeyError, match="_id"):
        c.get(PRESIDENTS, item={"name": "x"})


# -- what clientkit adds ------------------------------------------------------------------------


def test_login_is_renewed_after_a_401_and_once_for_many_threads(box: ClappformSandbox) -> None:
    c = client(box)
    c.get(Version())
    box.accounts.revoke_all()
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        c.get(Version())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(box.journal.entries("POST", "/api/auth")) == 2
    assert c._auth is not None and c._auth.is_token_valid()


def test_bad_password(box: ClappformSandbox) -> None:
    c = Clappform(box.url, DEMO_USER, "wrong", tries=1)
    with pytest.raises(AuthenticationError) as info:
        c.get(Version())
    assert isinstance(info.value, HTTPError) and info.value.code == 401


def test_retries_with_backoff_and_no_duplicate_writes(box: ClappformSandbox) -> None:
    c = client(box)
    box.faults.add(Fault("status", status=503, times=2, route="/api/app/*"))
    assert c.get(App(id="uspresidents")).name == "US Presidents"
    before = len(box.items("uspresidents", "presidents"))
    box.faults.add(Fault("drop", times=1, route="/api/item/*", method="POST"))
    with pytest.raises(Exception):  # noqa: B017 - a connection error, not retried
        c.create(PRESIDENTS, item={"name": "Once"})
    assert len(box.items("uspresidents", "presidents")) == before  # B2: a write is never sent twice
    assert len(box.journal.entries("POST", "/api/item/uspresidents/presidents")) == 1


def test_tries_and_backoff_are_honoured(box: ClappformSandbox) -> None:
    c = Clappform(box.url, DEMO_USER, DEMO_PASSWORD, tries=2, backoff_factor=0)
    box.faults.add(Fault("status", status=503, times=5, route="/api/version"))
    with pytest.raises(HTTPError):
        c.get(Version())
    assert len(box.journal.entries("GET", "/api/version")) == 2  # B1


def test_etag_revalidation_through_the_session(box: ClappformSandbox, tmp_path: Any) -> None:
    api = ClappformApi.connect(
        box.url + "/api",
        username=DEMO_USER,
        password=DEMO_PASSWORD,
        cache=CacheConfig(location=tmp_path / "c.sqlite"),
    )
    api.get(App, "uspresidents")
    api.get(App, "uspresidents")
    assert api.cache_stats.revalidations == 1


def test_orm_style_session(box: ClappformSandbox) -> None:
    api = ClappformApi.connect(box.url + "/api", username=DEMO_USER, password=DEMO_PASSWORD)
    flows = list(api.list(Actionflow))
    assert {f.id for f in flows} == {48, 12}
    flow = api.get(Actionflow, 48)
    flow.settings["retries"] = 3
    assert changes(flow) == {"settings": {"retries": 3}}
    api.save(flow)
    sent = box.journal.last
    assert sent is not None and sent.method == "PUT" and sent.json == {"settings": {"retries": 3}}
    assert api.get(Actionflow, 48).settings == {"retries": 3}
    q = api.create(Query(app="uspresidents", collection=PRESIDENTS, slug="born-1700s", name="1700s"))
    assert q.collection == "presidents"
    api.delete(q)
    with pytest.raises(NotFoundError):
        api.get(Query, "born-1700s")


def test_secrets_stay_secret(box: ClappformSandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="clientkit")
    c = client(box)
    c.get(Version())
    token = c._login._current.access_token.reveal()  # type: ignore[union-attr]
    assert DEMO_PASSWORD not in repr(c) and DEMO_PASSWORD not in repr(c.session)
    assert token not in repr(c._auth)
    assert all(DEMO_PASSWORD not in r.getMessage() and token not in r.getMessage() for r in caplog.records)
    assert DEMO_PASSWORD.encode() not in pickle.dumps(c.session.transport.auth)
    assert DEMO_PASSWORD.encode() not in pickle.dumps(User(email="x@y.z", password=DEMO_PASSWORD))


def test_api_response_and_auth_types() -> None:
    r = ApiResponse(code=200, message="OK", response_id="abc", data=[1], total=1)
    assert (
        r.data == [1] and r.total == 1 and repr(r) == "ApiResponse(code=200, message='OK', response_id='abc')"
    )
    assert Auth("a.b.c", 1, "r").is_token_valid() is False


# -- dataframes ---------------------------------------------------------------------------------


def test_read_dataframe_is_lazy_bounded_and_empty_for_empty(box: ClappformSandbox) -> None:
    c = client(box)
    chunks = c.read_dataframe(PRESIDENTS, limit=10, max_workers=2)
    assert box.journal.entries("POST", "/api/dataframe/read_data") == []  # nothing until used
    first = next(chunks)
    assert len(first) == 10 and first[0]["name"] == "George Washington"
    assert sum(len(chunk) for chunk in chunks) == 35
    c.empty_dataframe(Collection(app="uspresidents", slug="parties"))
    assert list(c.read_dataframe(Collection(app="uspresidents", slug="parties"))) == []  # B20
    assert [len(x) for x in c.read_dataframe(Query(slug="all-presidents"), limit=20)] == [20, 20, 5]


class NoTotal(ClappformSandbox):
    def _read_data(self, req: Any) -> Any:
        return {"data": []}


def test_read_dataframe_without_total() -> None:
    with NoTotal() as url, pytest.raises(PaginationKeyError) as info:
        list(Clappform(url, DEMO_USER, DEMO_PASSWORD).read_dataframe(PRESIDENTS))
    assert info.value.missing_key == "total" and info.value.data["data"] == []
    assert str(info.value) == ""  # pagination errors carry no message, as the official ones


def test_aggregate_options_are_validated_first(box: ClappformSandbox) -> None:
    with pytest.raises(InvalidRequestError, match="limit: must be between 10 and 500") as info:
        list(
            client(box).aggregate_dataframe(
                {"app": "uspresidents", "collection": "presidents", "type": "aggregate", "limit": 5}
            )
        )
    assert "sorting: required" in str(info.value)  # B19
    assert box.journal.entries("POST", "/api/dataframe/read_data") == []


def test_write_dataframe_in_chunks_with_progress(box: ClappformSandbox) -> None:
    pd = pytest.importorskip("pandas")
    import numpy as np

    frame = pd.DataFrame({"name": [f"p{i}" for i in range(25)], "score": [float(i) for i in range(25)]})
    frame.loc[3, "score"] = np.inf
    original = frame.copy()
    seen: list[tuple[int, int]] = []
    results = client(box).write_dataframe(
        frame,
        Collection(app="uspresidents", slug="parties"),
        size=10,
        max_workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert len(results) == 3 and all(r.message == "Appended records" for r in results)
    assert frame.equals(original)  # B21: the caller's frame is untouched
    assert seen[-1] == (25, 25)
    stored = box.items("uspresidents", "parties")
    assert len(stored) == 27 and any(r.get("score") is None for r in stored)


def test_write_dataframe_reports_rows_not_written(box: ClappformSandbox) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"name": [f"p{i}" for i in range(30)]})
    box.faults.add(Fault("status", status=500, times=1, route="/api/dataframe/uspresidents/parties"))
    with pytest.raises(DataframeWriteError) as info:
        client(box).write_dataframe(
            frame, Collection(app="uspresidents", slug="parties"), size=10, max_workers=1
        )
    err = info.value
    assert isinstance(err, bulk.Incomplete) and [o.item for o in err.failed] == [list(range(10))]
    assert len(err.results) == 2 and "1 of 3 failed (rows 0-9)" in str(err)


def test_pandas_missing_says_how_to_install(box: ClappformSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"clientkit\[clappform\]"):
        client(box).write_dataframe(object(), PRESIDENTS)  # type: ignore[arg-type]


# -- apps and transfers -------------------------------------------------------------------------


def test_export_import_and_transfer(box: ClappformSandbox) -> None:
    c = client(box)
    exported = c.export_app(App(id="uspresidents"))
    assert [f["name"] for f in exported["form_templates"]] == ["Survey"]
    assert exported["config"]["deployable"] is True
    kept = dict(exported)
    assert c.import_app(exported).message == "Successfully imported app"
    assert exported == kept  # B24: the argument is not mutated
    with pytest.raises(InvalidRequestError, match="not deployable"):
        c.import_app({**exported, "config": {"deployable": False}})
    target = clappform_sandbox(
        data={"App": [], "Collection": exported["collections"], "items": {}},  # as imported
        accounts=Accounts(tokens={}, logins=[{"username": "copy", "password": "pw"}]),
    )
    with target as target_url:
        dest = Clappform(target_url, "copy", "pw")
        answers = list(c.transfer_collections(exported, dest))
        assert all(isinstance(a, ApiResponse) for a in answers)  # B25
        assert len(target.items("uspresidents", "presidents")) == 45
        assert len(target.items("uspresidents", "parties")) == 2
        started = c.transfer_collections([], dest)  # type: ignore[arg-type]  # checked when started
        with pytest.raises(TypeError, match=r"^Could not get collections from src$"):
            next(started)
    with pytest.raises(TypeError, match=r"^item keyword argument is not of type dict or list, but str$"):
        c.delete(PRESIDENTS, item="x")  # type: ignore[arg-type]


def test_questionnaire_bodies(box: ClappformSandbox) -> None:
    c = client(box)
    c.create(Questionnaire(name="Quiz"))
    assert box.journal.last is not None and box.journal.last.json == {"name": "Quiz", "settings": None}


def test_context_manager_closes(box: ClappformSandbox) -> None:
    with Clappform(box.url, DEMO_USER, DEMO_PASSWORD) as c:
        c.get(Version())
    assert "Clappform(" in repr(c)


def test_export_app_takes_an_id(box: ClappformSandbox) -> None:
    c = client(box)
    assert c.export_app("uspresidents")["apps"][0]["id"] == "uspresidents"
    with pytest.raises(TypeError, match="App or its id"):
        c.export_app(3)  # type: ignore[arg-type]


def _update_then_export_and_transfer(c: Any, dc: Any, box: ClappformSandbox) -> None:
    """The official flow: fetch an app (its collections and groups are counts), update it,
    then export it and transfer its collections."""
    app = c.get(dc.App(id="uspresidents"))
    app.description = "Dashboard of US Presidents"
    c.update(app)
    exported = c.export_app(dc.App(id="uspresidents"))
    assert [col["slug"] for col in exported["collections"]] == ["presidents", "parties"]
    target = clappform_sandbox(
        data={"App": [], "Collection": exported["collections"], "items": {}},  # as imported
        accounts=Accounts(tokens={}, logins=[{"username": "copy", "password": "pw"}]),
    )
    with target as target_url:
        list(c.transfer_collections(exported, type(c)(target_url, "copy", "pw")))
        assert len(target.items("uspresidents", "presidents")) == 45
    stored = next(a for a in box.records(App) if a["id"] == "uspresidents")
    assert isinstance(stored["collections"], list) and isinstance(stored["groups"], list)


def test_an_update_keeps_the_lists_it_saw_as_counts(box: ClappformSandbox) -> None:
    c = client(box)
    _update_then_export_and_transfer(c, ours_dc, box)
    assert "collections" not in box.journal.entries("PUT", "/api/app/uspresidents")[0].json


def test_the_official_update_flow_does_not_break_later_calls(box: ClappformSandbox) -> None:
    official = pytest.importorskip("clappform")
    official_dc = pytest.importorskip("clappform.dataclasses")
    c = official.Clappform(box.url, DEMO_USER, DEMO_PASSWORD)
    _update_then_export_and_transfer(c, official_dc, box)
    assert box.journal.entries("PUT", "/api/app/uspresidents")[0].json["collections"] == 2  # a count


def test_the_official_types_load_through_the_fast_loader(box: ClappformSandbox) -> None:
    from clientkit._declarations.loaders import needs_init

    assert not any(needs_init(cls) for cls in (App, Collection, Query, User, Actionflow, Questionnaire))
    c = client(box)
    col = c.get(Collection(app="uspresidents", slug="presidents", extended=2))
    assert col.app == "uspresidents" and col.extended == 2
    with pytest.raises(TypeError, match="slug must be a str"):
        col.slug = 3  # type: ignore[assignment]  # still checked on assignment
    assert Query(app=App(id="a"), collection=PRESIDENTS).collection == "presidents"


def test_the_path_helpers_expand_the_declared_paths() -> None:
    official_dc = pytest.importorskip("clappform.dataclasses")
    pairs = [
        (App(id="a", extended=True), official_dc.App(id="a", extended=True)),
        (App(), official_dc.App()),
        (Collection(app="a", slug="b", extended=2), official_dc.Collection(app="a", slug="b", extended=2)),
        (Query(slug="q"), official_dc.Query(slug="q")),
        (User(email="x@y.z"), official_dc.User(email="x@y.z")),
        (Actionflow(id=4), official_dc.Actionflow(id=4)),
    ]
    for mine, theirs in pairs:
        for helper in ("one_or_all_path", "all_path", "create_path"):
            assert getattr(mine, helper)() == getattr(theirs, helper)(), (mine, helper)
    col, their_col = pairs[2]
    for helper in ("dataframe_path", "create_item_path"):
        assert getattr(col, helper)() == getattr(their_col, helper)()
    assert col.one_item_path("6475c7") == their_col.one_item_path("6475c7") == "/item/a/b/6475c7"
    assert Query(slug="q").source_path() == official_dc.Query(slug="q").source_path() == "/source_query/q"
    with pytest.raises(InvalidRequestError, match="both app and slug"):
        Collection(app="a").dataframe_path()
    with pytest.raises(TypeError, match="item must be a str"):
        col.one_item_path(3)  # type: ignore[arg-type]
