"""The BragerOne REST API, declared: the service, its two platforms and its login."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from clientkit import ErrorShape, JsonCodec, PasswordLogin, RetryPolicy, Service, Timeout
from clientkit.model import Environment, Origin
from clientkit_services.bragerone.exceptions import ApiError

IO_BASE = "https://io.brager.pl"
ONE_BASE = "https://one.brager.pl"
API_VERSION = "v1"
API_BASE = f"{IO_BASE}/{API_VERSION}"
SOCK_PATH = "/socket.io"
WS_NAMESPACE = "/ws"


DUPLICATE = re.compile("duplicate entry|er_dup_entry", re.IGNORECASE)


@dataclass(frozen=True)
class ServerConfig:
    """One platform's places: the REST host, the web app and the system-version container."""

    io_base: str
    one_base: str
    container: str
    api_version: str = API_VERSION
    sock_path: str = SOCK_PATH
    ws_namespace: str = WS_NAMESPACE

    @property
    def api_base(self) -> str:
        return f"{self.io_base.rstrip('/')}/{self.api_version}"


class Platform(str, enum.Enum):
    BRAGERONE = "bragerone"
    TISCONNECT = "tisconnect"

    def __str__(self) -> str:
        return self.value


BRAGERONE_SERVER = ServerConfig(IO_BASE, ONE_BASE, "BragerOne")
TISCONNECT_SERVER = ServerConfig("https://io.tisconnect.info", "https://www.tisconnect.info", "TisConnect")
SERVERS = {Platform.BRAGERONE: BRAGERONE_SERVER, Platform.TISCONNECT: TISCONNECT_SERVER}


def server_for(platform: str | Platform) -> ServerConfig:
    """The preset of ``platform`` (``"bragerone"``, ``"tisconnect"``; any case, trimmed)."""
    return SERVERS[Platform(str(platform).strip().lower())]


class BragerOne(Service):
    """BragerOne: ``{io_base}/v1`` with a password login, and the web app as origin ``one``."""

    base_url = API_BASE
    origins = {"one": Origin(ONE_BASE, credentials=True)}  # official: the token goes there too
    environments = {
        str(p): Environment(s.api_base, one=s.one_base) for p, s in SERVERS.items()
    }  # fmt: skip
    context = {"one_base": ONE_BASE}
    headers = {"Origin": "{one_base}", "Referer": "{one_base}/", "Accept": "application/json"}
    auth = PasswordLogin(
        path="/auth/user",
        body={"email": "{email}", "password": "{password}"},
        token=("accessToken", "token"),  # B10: the official fallback, reachable here
        refresh_token="refreshToken",
        expires_in=None,
        expires_at="expiresAt",
        leeway=90,
        service_headers=True,  # the web app's Origin and Referer on the login too
        check_token="/user",  # a stored token is checked once before it is used
        retry_login_when={"message": [DUPLICATE]},  # the duplicate-token race, and only it
    )
    errors = ErrorShape(message="message", mixin=ApiError, text="HTTP {status}: {body!r}")
    json = JsonCodec(compact=True, ensure_ascii=False)  # the official client's bytes
    retry = RetryPolicy(retries=2, backoff=0.2)
    timeout = Timeout(connect=8.0, read=8.0)
