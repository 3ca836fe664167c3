"""Issued tokens: a lifetime, refresh tokens spent once, revocation."""

from __future__ import annotations

import time

import requests

from clientkit.sandbox import Accounts
from clientkit.sandbox.app import Sandbox
from tests.support.sandboxed import Login, Note


def test_login_issues_tokens_with_a_lifetime() -> None:
    box = Sandbox(Login, data={"Note": [{"id": 1, "text": "hi"}]}, accounts=Accounts(token_lifetime=2))
    with box as url:
        bad = requests.post(url + "/auth/login", json={"username": "demo", "password": "x"}, timeout=5)
        assert bad.status_code == 401
        good = requests.post(
            url + "/auth/login", json={"username": "demo", "password": "demo-password"}, timeout=5
        )
        data = good.json()["data"]
        assert data["expires_in"] == 2 and data["access_token"].count(".") == 2
        bearer = {"Authorization": f"Bearer {data['access_token']}"}
        assert requests.get(url + "/notes/1", headers=bearer, timeout=5).status_code == 200
        time.sleep(2.1)
        assert requests.get(url + "/notes/1", headers=bearer, timeout=5).status_code == 401
        refreshed = requests.post(
            url + "/auth/refresh", json={"refresh_token": data["refresh_token"]}, timeout=5
        )
        assert refreshed.status_code == 200
        again = requests.post(url + "/auth/refresh", json={"refresh_token": data["refresh_token"]}, timeout=5)
        assert again.status_code == 401  # a refresh token is spent once


def test_auth_with_expiry_and_refresh() -> None:
    box = Sandbox(Login, data={"Note": [{"id": 1, "text": "hi"}]}, accounts=Accounts(token_lifetime=10))
    with box as url:
        api = Login.connect(url, username="demo", password="demo-password")
        api.get(Note, 1)  # a 10 s token inside the 30 s leeway: refreshed before each call
        api.get(Note, 1)
        api.get(Note, 1)
        assert len(box.journal.entries("POST", "/auth/login")) == 1
        assert len(box.journal.entries("POST", "/auth/refresh")) == 2
        box.accounts.revoke_all()  # the server forgets every token
        assert api.get(Note, 1).text == "hi"
        assert len(box.journal.entries("POST", "/auth/login")) == 2


def test_planned_login_failures_and_a_revoked_token() -> None:
    accounts = Accounts()
    with Sandbox(Login, accounts=accounts) as url:
        creds = {"username": "demo", "password": "demo-password"}
        accounts.fail_logins(1, status=503)
        accounts.fail_logins(1, status=200, body={"error": {"code": "TRY_AGAIN"}})
        busy = requests.post(url + "/auth/login", json=creds, timeout=5)
        assert busy.status_code == 503
        coded = requests.post(url + "/auth/login", json=creds, timeout=5)
        assert (coded.status_code, coded.json()) == (200, {"error": {"code": "TRY_AGAIN"}})
        token = requests.post(url + "/auth/login", json=creds, timeout=5).json()["data"]["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert requests.get(url + "/notes", headers=bearer, timeout=5).status_code == 200
        accounts.revoke(token)
        assert requests.get(url + "/notes", headers=bearer, timeout=5).status_code == 401
