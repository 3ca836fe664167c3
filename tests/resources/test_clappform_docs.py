"""The official documentation's tour (clappform 4.1.0 on Read the Docs), statement for
statement with only the import changed, against the Clappform sandbox.

Where the documentation calls what does not exist or passes what the official client
cannot take (B31: ``c.get_apps``, a set as ``item``, ``Collection(id=...)``, a missing
parenthesis), the statement is the one the text describes, as the contract says.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from clientkit_services.clappform.sandbox import DEMO, DEMO_PASSWORD, DEMO_USER, clappform_sandbox


def test_the_official_tour_runs(capsys: pytest.CaptureFixture[str]) -> None:
    demo = json.loads(DEMO.read_text("utf-8"))
    demo["App"] = [a for a in demo["App"] if a["id"] != "uspresidents"]  # the tour creates it
    with clappform_sandbox(data=demo) as url:
        import clientkit_services.clappform.dataclasses as r  # import clappform.dataclasses as r
        from clientkit_services.clappform import Clappform  # from clappform import Clappform

        c = Clappform(url, DEMO_USER, DEMO_PASSWORD)
        apps = c.get(r.App())
        for app in apps:
            print(app.name)
        new_app = r.App(
            id="uspresidents", name="US Presidents", description="US Presidents Dashboard", settings={}
        )
        assert c.create(new_app).description == "US Presidents Dashboard"
        app = c.get(r.App(id="uspresidents"))
        app.description = "Dashboard of US Presidents"
        assert c.update(app).description == "Dashboard of US Presidents"
        collection = c.get(r.Collection(app="uspresidents", slug="presidents"))
        washington: dict[str, Any] = c.get(collection, item={"_id": "6475c76276ffd5e8da000000"})
        assert washington["_id"] == "6475c76276ffd5e8da000000" and washington["name"] == "George Washington"
        query = c.get(r.Query(slug="all-presidents"))
        list_df: list[dict[str, Any]] = []
        for chunck in c.read_dataframe(query):
            list_df.extend(chunck)
        assert len(list_df) == 45
        exported = c.export_app("uspresidents")
        assert exported["apps"][0]["description"] == "Dashboard of US Presidents"
        user = c.current_user(extended=True)
        assert isinstance(user, r.User) and user.roles == [{"name": "admin"}]
        answer = c.delete(app)
        assert isinstance(answer, r.ApiResponse) and answer.code == 200
    assert capsys.readouterr().out == "Default\n"
