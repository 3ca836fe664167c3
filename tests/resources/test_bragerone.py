"""clientkit_services.bragerone against its sandbox: the official surface (every documented member,
with its parameters), the corrected bugs of the contract (B1, B3, B4, B5, B8, B9, B14, B17,
B19, B22, B24), typed resources, and what clientkit adds (retries, renewal ahead of expiry)."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientkit.errors import AuthenticationError, DecodeError, NotFoundError
from clientkit.sandbox import Accounts
from clientkit_services import bragerone
from clientkit_services.bragerone import (
    TISCONNECT_SERVER,
    ApiError,
    BragerObject,
    BragerOne,
    BragerOneApiClient,
    HttpCache,
    Module,
    ModuleCard,
    Permission,
    Token,
    User,
    format_expected_failure_reason,
    is_expected_upstream_unavailable,
    server_for,
)
from clientkit_services.bragerone.sandbox import DEMO, EMAIL, PASSWORD, BragerOneSandbox
from tests.support.scripted import Reply, ScriptedServer

SEED = Path(__file__).parent / "official" / "bragerone-members.txt"  # as the official docs list them
DEVID = "FTTCTBSLCE"
DEMO_CARD = DEMO["cards"][DEVID]


@pytest.fixture
def box() -> Iterator[BragerOneSandbox]:
    sandbox = BragerOneSandbox()
    with sandbox:
        yield sandbox


def client_for(box: BragerOneSandbox, **options: Any) -> BragerOneApiClient:
    return BragerOneApiClient(api_base=box.url + "/v1", one_base=box.url, **options)


@pytest.fixture
def client(box: BragerOneSandbox) -> BragerOneApiClient:
    c = client_for(box)
    c.ensure_auth(EMAIL, PASSWORD)
    return c


def sent(box: BragerOneSandbox) -> list[str]:
    return [f"{e.method} {e.path}" for e in box.journal.entries()]


class MemoryStore:
    """An official-style token store."""

    def __init__(self, token: Token | None = None) -> None:
        self.token, self.cleared = token, 0

    def load(self) -> Token | None:
        return self.token

    def save(self, token: Token) -> None:
        self.token = token

    def clear(self) -> None:
        self.token, self.cleared = None, self.cleared + 1


def test_every_documented_member_is_there_with_its_parameters() -> None:
    documented = re.findall(r"^(?:async )?(\w+)\((.*)\)\[source\]$", SEED.read_text("utf-8"), re.M)
    checked = 0
    for name, given in documented:
        params = given
        owner = {"ApiError": bragerone, "BragerOneApiClient": bragerone, "HttpCache": bragerone}
        target = getattr(owner[name], name) if name in owner else getattr(BragerOneApiClient, name, None)
        target = target if target is not None else getattr(HttpCache, name)
        while "[" in params:
            params = re.sub(r"\[[^\[\]]*\]", "", params)
        names = [p.split(":")[0].split("=")[0].strip(" *") for p in params.split(",")]
        names = [n for n in names if n and n != "..."]
        mine = [p for p in inspect.signature(target).parameters if p not in ("self", "connect")]
        assert mine[: len(names)] == names, name
        checked += 1
    for prop in ("access_token", "api_base", "one_base", "io_base"):
        assert isinstance(getattr(BragerOneApiClient, prop), property)
    assert checked >= 24


def test_a_session_from_login_to_revoke(client: BragerOneApiClient, box: BragerOneSandbox) -> None:
    assert client.get_system_version().version == "1.04.05"
    assert client.get_user().name == "Jan Kowalski"
    assert Permission("DISPLAY_MENU_DHW") in client.get_user_permissions()
    assert [o.name for o in client.get_objects()] == ["Dom", "Domek letniskowy"]
    details = client.get_object(1234)
    assert details.status == "SUCCESS" and details.object.addressCity == "Warszawa"
    modules = client.get_modules(1234)
    assert [m.devid for m in modules] == [DEVID] and modules[0].online
    assert client.get_module_card(DEVID).clientAddressCity == "Warszawa"
    assert client.get_devices_menu(0, 0)["deviceMenu"][0]["path"] == "/boiler"
    assert client.module_command(devid=DEVID, pool="P4", parameter="v8", value=62, parameter_name="PARAM_66")
    status, snapshot = client.modules_parameters_prime([DEVID], return_data=True)
    assert status == 200 and snapshot[DEVID]["P4"]["v8"] == {"value": 62}
    token = client.access_token
    client.revoke()
    with pytest.raises(RuntimeError, match="no access token; call ensure_auth"):
        client.access_token  # noqa: B018
    assert box.accounts.principal_for_token(token) is None  # revoked on the server too
    assert sent(box)[0] == "POST /v1/auth/user" and sent(box)[-1] == "POST /v1/auth/revoke"


def test_errors_are_the_official_api_error_and_typed(client: BragerOneApiClient) -> None:
    with pytest.raises(ApiError) as info:
        client.get_module_card("NOPE")
    err = info.value
    assert str(err) == "HTTP 404: {'message': 'Module not found'}"
    assert isinstance(err, NotFoundError) and isinstance(err, RuntimeError)
    assert err.status == 404 and err.data == {"message": "Module not found"}
    made = ApiError(500, {"message": "Unexpected version payload"})
    assert str(made) == "HTTP 500: {'message': 'Unexpected version payload'}" and made.headers == {}


def test_a_login_needs_credentials_from_somewhere(box: BragerOneSandbox) -> None:
    with pytest.raises(ApiError) as info:
        client_for(box).get_user()
    assert info.value.status == 401 and info.value.data == {"message": "No credentials for (re)login"}
    assert sent(box) == []
    asked: list[int] = []

    def vault() -> tuple[str, str]:
        asked.append(1)
        return EMAIL, PASSWORD

    c = client_for(box, creds_provider=vault)
    assert c.get_user().email == EMAIL and c.get_objects()
    assert asked == [1] and sent(box) == ["POST /v1/auth/user", "GET /v1/user", "GET /v1/objects"]
    with pytest.raises(ApiError) as wrong:
        client_for(box, creds_provider=lambda: (EMAIL, "wrong")).get_user()
    assert wrong.value.status == 401 and isinstance(wrong.value, AuthenticationError)


def test_a_stored_token_is_checked_once_then_used(box: BragerOneSandbox) -> None:
    store = MemoryStore()
    client_for(box, token_store=store).ensure_auth(EMAIL, PASSWORD)
    assert store.token is not None and store.token.expires_at is not None
    box.journal.clear()
    again = client_for(box, token_store=store)
    again.get_objects()
    again.get_objects()
    assert sent(box) == ["GET /v1/user", "GET /v1/objects", "GET /v1/objects"]
    box.journal.clear()
    unchecked = client_for(box, token_store=store, validate_on_start=False)
    unchecked.get_objects()
    assert sent(box) == ["GET /v1/objects"]
    assert unchecked.access_token == store.token.access_token


def test_a_rejected_token_is_replaced_before_the_one_retry_b1(box: BragerOneSandbox) -> None:
    c = client_for(box, validate_on_start=False, creds_provider=lambda: (EMAIL, PASSWORD))
    c.get_user()
    box.accounts.revoke_all()
    box.journal.clear()
    assert c.get_objects()
    assert sent(box) == ["GET /v1/objects", "POST /v1/auth/user", "GET /v1/objects"]


def test_a_token_is_renewed_ahead_of_its_expiry_b8() -> None:
    accounts = Accounts(tokens={}, logins=[{"email": EMAIL, "password": PASSWORD}], token_lifetime=60)
    with BragerOneSandbox(accounts=accounts) as url:
        c = BragerOneApiClient(api_base=url + "/v1", one_base=url, refresh_leeway=90)
        c.ensure_auth(EMAIL, PASSWORD)
        c.get_objects()
        c.get_user()
        assert c.session.transport.auth.logins == 3  # type: ignore[union-attr]


def test_a_busy_login_is_tried_again(box: BragerOneSandbox) -> None:
    box.accounts.fail_logins(2, status=500)  # the service's duplicate-token race
    c = client_for(box)
    assert c.ensure_auth(EMAIL, PASSWORD).access_token
    assert sent(box) == ["POST /v1/auth/user"] * 3


def test_other_credentials_log_in_anew_b22(client: BragerOneApiClient, box: BragerOneSandbox) -> None:
    client.ensure_auth(EMAIL, PASSWORD)
    assert sent(box) == ["POST /v1/auth/user"]
    with pytest.raises(ApiError):
        client.ensure_auth("eve@example.com", "other")


def test_command_routing_and_its_value_errors(client: BragerOneApiClient, box: BragerOneSandbox) -> None:
    with pytest.raises(ValueError, match="Ambiguous command payload"):
        client.module_command_auto(devid=DEVID, command="X", pool="P4")
    with pytest.raises(ValueError, match="Missing command route data"):
        client.module_command_auto(devid=DEVID, pool="P4")
    assert client.module_command_auto(
        devid=DEVID, command="MODULE_RESTART", value="ONLINE", return_data=True
    ) == (
        200,
        {"status": True},
    )
    assert client.module_command_auto(devid=DEVID, pool="P4", parameter="v8", value=58)
    assert box.commands == [
        {"devid": DEVID, "command": "MODULE_RESTART", "value": "ONLINE"},
        {"devid": DEVID, "pool": "P4", "parameter": "v8", "value": 58},
    ]
    with pytest.raises(ApiError, match="HTTP 404"):
        client.module_command_raw(devid="NOPE", command="MODULE_RESTART")


def test_connect_tries_the_next_shape_after_a_refusal_b3(
    client: BragerOneApiClient, box: BragerOneSandbox
) -> None:
    box.connect_keys = ("sid",)

    assert client.modules_connect("ns-1", [DEVID], group_id=1234)
    assert client.modules_connect("ns-2", [DEVID])  # the remembered shape first
    bodies = [e.json for e in box.journal.entries("POST", "/v1/modules/connect")]
    assert bodies == [
        {"wsid": "ns-1", "modules": [DEVID]},
        {"sid": "ns-1", "modules": [DEVID]},
        {"sid": "ns-2", "modules": [DEVID]},
    ]

    box.connect_keys = ()

    assert client.modules_connect("ns-3", [DEVID], engine_sid="eng") is False
    assert client.modules_connect("ns-3", []) is True


def test_web_app_files_json_and_bytes_b4_b5(client: BragerOneApiClient, box: BragerOneSandbox) -> None:
    assert client.fetch_json_one("assets/i18n/pl/parameters.json") == (200, {"PARAM_66": "Temperatura CWU"})
    status, page = client.fetch_text_one("/")
    assert status == 200 and page.startswith("<!doctype html>")
    url = box.url + "/assets/index-4f2a.js"
    first = client.get_bytes(url)
    assert client.get_bytes(url) == first and client.cache.get_body(url) == first
    fetched = box.journal.entries("GET", "/assets/index-4f2a.js")
    assert [e.header("If-None-Match") for e in fetched] == [
        None,
        client.cache.headers_for(url)["If-None-Match"],
    ]
    with pytest.raises(ApiError) as info:
        client.get_bytes(box.url + "/assets/missing.js")
    assert info.value.status == 404 and isinstance(info.value, NotFoundError)


def test_get_bytes_sends_nothing_of_the_session_to_another_host(
    client: BragerOneApiClient, server: ScriptedServer
) -> None:
    server.on("GET", "/x.js", Reply(body=b"js", content_type="text/javascript"))
    client.ensure_auth(EMAIL, PASSWORD)
    assert client.get_bytes(server.url + "/x.js") == b"js"  # contract row 22: any absolute URL
    sent = server.requests_to("/x.js")[0]
    assert sent.header("Authorization") is None and sent.header("Origin") is None


def test_the_token_never_shows_nor_pickles(client: BragerOneApiClient) -> None:
    token = client.ensure_auth(EMAIL, PASSWORD)
    secret = token.access_token
    assert secret and secret not in repr(token) and secret not in repr(client._store.current)
    assert "access_token=***" in repr(token) and "user_id=1" in repr(token)
    again = pickle.loads(pickle.dumps(token))
    assert (again.access_token, again.refresh_token, again.user_id) == (None, None, token.user_id)
    assert copy.deepcopy(token).access_token == secret  # a copy in memory keeps it


def test_an_answer_without_a_user_or_permissions_is_malformed(server: ScriptedServer) -> None:
    server.on("POST", "/v1/auth/user", Reply(json={"accessToken": "tok-1"}))
    server.on("GET", "/v1/user", Reply(json={}))
    server.on("GET", "/v1/user/permissions", Reply(json={"permissions": "abc"}))
    versions = Reply(json={"version": {}}), Reply(json={"version": {"version": "1.04.05"}})
    server.on("GET", "/v1/system/version", *versions)
    home = {"id": 1, "name": "Dom", "addressCountry": "PL"}
    server.on("GET", "/v1/objects/1", Reply(json={"object": home}))
    client = BragerOneApiClient(api_base=server.url + "/v1", one_base=server.url)
    client.ensure_auth(EMAIL, PASSWORD)
    with pytest.raises(DecodeError, match=r"GET /user answer lacks \['id', 'name', 'email'"):
        client.get_user()
    with pytest.raises(DecodeError, match="list of permissions"):
        client.get_user_permissions()
    with pytest.raises(DecodeError, match=r"lacks \['version', 'devMode'\], which a SystemVersion requires"):
        client.get_system_version()
    with pytest.raises(DecodeError, match=r"lacks \['devMode'\]"):
        client.get_system_version()
    with pytest.raises(DecodeError, match=r"GET /objects/1 answer lacks \['status'\]"):
        client.get_object(1)  # never a status of "None"


def test_an_answer_lacking_what_the_official_models_require_is_malformed(box: BragerOneSandbox) -> None:
    box.state["cards"][DEVID] = {}
    box.state["cards"]["PARTIAL"] = {**DEMO_CARD, "clientAddressCity": None}
    box.state["menu"] = {}
    client = client_for(box)
    client.ensure_auth(EMAIL, PASSWORD)
    with pytest.raises(DecodeError, match=r"lacks \['id', 'moduleId', 'clientFullName'.*ModuleCard requires"):
        client.get_module_card(DEVID)  # {} is no card, never an empty one
    with pytest.raises(DecodeError, match=r"lacks \['clientAddressCity'\]"):
        client.get_module_card("PARTIAL")
    with pytest.raises(DecodeError, match=r"lacks \['deviceMenu'\]"):
        client.get_devices_menu(0, 0)
    assert box.journal.entries()[-1].path == "/v1/manufacturers/0/devices/0/menu/0.0.0"


def test_list_rows_lacking_required_fields_are_malformed() -> None:
    rows = {"BragerObject": [{"id": 1, "name": "Dom", "addressCountry": "PL"}, {"id": 2}],
            "Module": [{"id": 9, "group_id": 1, "devid": "X1"}]}  # fmt: skip
    box = BragerOneSandbox(data=rows)
    with box:
        client = client_for(box)
        client.ensure_auth(EMAIL, PASSWORD)
        with pytest.raises(DecodeError, match=r"a row of the GET /objects answer lacks \['name', 'addr"):
            client.get_objects()
        with pytest.raises(DecodeError, match=r"GET /objects/2 answer lacks \['name', 'addressCountry'\]"):
            client.get_object(2)
        with pytest.raises(DecodeError, match=r"a row of the GET /modules answer lacks \['name', 'modu"):
            client.get_modules(1)


def test_get_bytes_is_retried_on_a_busy_server(client: BragerOneApiClient, box: BragerOneSandbox) -> None:
    box.faults.inject("status", status=503, times=1, route="/assets/*")
    assert client.get_bytes(box.url + "/assets/index-4f2a.js").startswith(b"const")
    assert len(box.journal.entries("GET", "/assets/index-4f2a.js")) == 2


def test_ids_stay_in_their_path_segment_b19(client: BragerOneApiClient, box: BragerOneSandbox) -> None:
    with pytest.raises(ApiError):
        client.get_module_card("1/../../x")
    answered = client.session.last_response
    assert answered is not None and answered.request.path_url == "/v1/modules/1%2F..%2F..%2Fx/card"


def test_server_presets_and_bases_b17_b18() -> None:
    assert server_for(" TisConnect ") is TISCONNECT_SERVER
    with pytest.raises(ValueError):
        server_for("foo")
    tis = BragerOneApiClient(server=TISCONNECT_SERVER)
    assert (tis.api_base, tis.io_base, tis.container) == (
        "https://io.tisconnect.info/v1",
        "https://io.tisconnect.info",
        "TisConnect",
    )
    assert tis.one_base == "https://www.tisconnect.info"
    bare = BragerOneApiClient(api_base="http://127.0.0.1:8080", one_base="http://127.0.0.1:8080/")
    assert (bare.io_base, bare.one_base) == ("http://127.0.0.1:8080", "http://127.0.0.1:8080")
    session = BragerOne.connect(environment="tisconnect", email=EMAIL, password=PASSWORD)
    assert session.transport.base_url == "https://io.tisconnect.info/v1"


def test_revoke_without_a_token_sends_nothing_b14(box: BragerOneSandbox) -> None:
    store = MemoryStore()
    client_for(box, token_store=store).revoke()
    assert sent(box) == [] and store.cleared == 1


def test_typed_resources_through_the_session(client: BragerOneApiClient) -> None:
    session = client.session
    assert [o.id for o in session.list(BragerObject)] == [1234, 1235]
    assert [m.devid for m in session.list(Module, params={"group_id": 1235})] == ["ZKPNSLR001"]
    assert session.get(User).email == EMAIL
    assert session.get(ModuleCard, code=DEVID).moduleId == 4711


def test_the_http_cache_keeps_only_validated_bodies_b24() -> None:
    cache = HttpCache(size=2)
    cache.update("u0", {}, b"no validators")
    assert cache.get_body("u0") is None and cache.headers_for("u0") == {}
    for n in range(3):
        cache.update(f"u{n}", {"ETag": f'"{n}"'}, b"x")
    assert cache.get_body("u0") is None and cache.headers_for("u2") == {"If-None-Match": '"2"'}


def test_upstream_failures_are_told_apart() -> None:
    wrapped = RuntimeError("gateway")
    wrapped.__cause__ = ApiError(503, None)
    assert is_expected_upstream_unavailable(wrapped)
    assert format_expected_failure_reason(wrapped) == "ApiError(status=503)"
    assert not is_expected_upstream_unavailable(ValueError("x"))
    assert format_expected_failure_reason(ValueError("x")) == "ValueError"


def test_the_package_sandbox_serves_the_demo_as_the_command_line_starts_it() -> None:
    sandbox = bragerone.SANDBOX(store=None)
    assert isinstance(sandbox, BragerOneSandbox)
    with sandbox as url:
        assert client_for(sandbox).get_system_version().version == "1.04.05"
        assert url.startswith("http://127.0.0.1:")
