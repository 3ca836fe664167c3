"""Connection profiles from flags, the environment and a TOML file; secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clientkit.cli.profiles import config_path, env_prefix, resolve
from clientkit.errors import InvalidRequestError
from clientkit.sandbox import Sandbox
from clientkit_services.clappform import ClappformApi
from clientkit_services.clappform.sandbox import ClappformSandbox
from tests.cli.conftest import LIBRARY
from tests.cli.library import Library


def test_flags_win_over_the_environment_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text('[library]\nbase_url = "http://file"\ntoken = "from-file"\nshelf = "s1"\n')
    env = {"CLIENTKIT_LIBRARY_TOKEN": "from-env", "CLIENTKIT_LIBRARY_BASE_URL": "http://env"}
    got = resolve(Library, "library", {"base_url": "http://flag"}, config=str(config), environ=env)
    assert got.base_url == "http://flag"
    assert got.values["token"].reveal() == "from-env" and got.values["shelf"] == "s1"
    assert got.sources == {
        "base_url": "flag",
        "token": "CLIENTKIT_LIBRARY_TOKEN",
        "shelf": "profile [library]",
    }
    described = got.describe()
    assert "from-env" not in described and "token = (hidden)" in described and "'s1'" in described


def test_a_named_profile_for_another_service_and_unknown_keys(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text('[prod]\nservice = "library"\ntoken = "t"\n[bad]\nservice = "library"\ntokn = "t"\n')
    assert resolve(Library, "library", {}, profile="prod", config=str(config), environ={}).values["token"]
    with pytest.raises(InvalidRequestError, match=r"takes no \['tokn'\] \(profile \[bad\]\)"):
        resolve(Library, "library", {}, profile="bad", config=str(config), environ={})
    with pytest.raises(InvalidRequestError, match="is for the service 'library', not 'clappform'"):
        resolve(ClappformApi, "clappform", {}, profile="prod", config=str(config), environ={})
    with pytest.raises(InvalidRequestError, match=r"no profile \[nope\]"):
        resolve(Library, "library", {}, profile="nope", config=str(config), environ={})


def test_where_the_file_is() -> None:
    assert config_path(None, {"XDG_CONFIG_HOME": "/x"}) == Path("/x/clientkit/profiles.toml")
    assert config_path(None, {"CLIENTKIT_CONFIG": "/y.toml"}) == Path("/y.toml")
    assert env_prefix("my-shop") == "CLIENTKIT_MY_SHOP_"


def test_a_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text("[library\n")
    with pytest.raises(InvalidRequestError, match="cannot read the profiles file"):
        resolve(Library, "library", {}, config=str(config), environ={})


def test_the_command_takes_a_profile_file_and_context(
    ck, library: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    url = library.url
    monkeypatch.delenv("CLIENTKIT_LIBRARY_BASE_URL")
    monkeypatch.delenv("CLIENTKIT_LIBRARY_TOKEN")
    folder = tmp_path / "config" / "clientkit"
    folder.mkdir(parents=True)
    (folder / "profiles.toml").write_text(
        f'[work]\nservice = "library"\nbase_url = "{url}"\ntoken = "sandbox-token"\nshelf = "north"\n'
    )
    ran = ck(LIBRARY, "--profile", "work", "book", "get", "1", "-o", "json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["id"] == 1
    assert library.journal.last.header("x-shelf") == "north"
    flagged = ck(LIBRARY, "--profile", "work", "-C", "shelf=south", "book", "get", "1")
    assert flagged.code == 0 and library.journal.last.header("x-shelf") == "south"


def test_verbose_names_the_sources_and_hides_credentials(ck, clappform: ClappformSandbox) -> None:
    ran = ck("-v", "clappform", "version", "get")
    assert ran.code == 0
    assert "password = (hidden)  [CLIENTKIT_CLAPPFORM_PASSWORD]" in ran.err
    assert "demo-password" not in ran.err and "j.doe@" not in ran.err
