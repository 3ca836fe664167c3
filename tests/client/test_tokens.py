"""Tokens: JWT expiry, private file stores, values hidden from repr and pickle."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from clientkit.tokens import FileTokenStore, Token, jwt_expiry
from tests.support.login import LoginApi, LoginServer, Me, make_jwt
from tests.support.scripted import ScriptedServer


def test_jwt_expiry_handles_urlsafe_payloads() -> None:
    token = make_jwt(2_000_000_000, filler="??>>??")  # base64url of this contains '-' and '_'
    assert "-" in token.split(".")[1] or "_" in token.split(".")[1]
    assert jwt_expiry(token) == 2_000_000_000
    assert jwt_expiry("not-a-jwt") is None
    assert jwt_expiry("a.!!!.c") is None


def test_file_token_store_is_private_and_reused(server: ScriptedServer, tmp_path: Path) -> None:
    srv = LoginServer(server, lifetime=3600)
    path = tmp_path / "tokens" / "ann.json"
    LoginApi.connect(server.url, username="ann", password="s3cret-pw", store=FileTokenStore(path)).get(Me)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["access_token"] == srv.issued[0]
    again = LoginApi.connect(server.url, username="ann", password="s3cret-pw", store=FileTokenStore(path))
    again.get(Me)
    assert srv.count("/auth/login") == 1  # the stored token was used
    path.chmod(0o644)
    assert FileTokenStore(path).load() is None  # a token others can read is not trusted


def test_token_repr_and_pickle_hide_values() -> None:
    import pickle

    tok = Token(access_token="access-abcdef", refresh_token="refresh-abcdef", expires_at=1.0)
    assert "abcdef" not in repr(tok)
    assert b"abcdef" not in pickle.dumps(tok)
