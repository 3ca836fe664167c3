"""The per-service converter: wire names, levels, datetimes, extras, change tracking, payloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests

from clientkit import Resource, Service, changes, extra, field, is_new
from clientkit._declarations.convert import Converter
from clientkit.errors import InvalidRequestError
from clientkit.model import fields_of
from clientkit.sandbox.app import Sandbox
from tests.support.declared import App, Collection, Shop, load


def test_wire_names_on_load_and_dump() -> None:
    app = load(App, {"id": "a", "displayName": "Shop", "settings": {}})
    assert app.title == "Shop"
    assert Shop.converter.dump(app)["displayName"] == "Shop"
    assert [f.wire for f in fields_of(App)] == ["id", "displayName", "collections", "settings", "created"]


def test_count_at_level_zero_and_objects_at_level_one() -> None:
    low = load(App, {"id": "a", "collections": 3}, level=0)
    assert low.collections == 3
    high = load(App, {"id": "a", "collections": [{"app": "a", "slug": "s", "id": 7}]}, level=1)
    assert isinstance(high.collections, list)
    assert isinstance(high.collections[0], Collection)
    assert high.collections[0].id == 7


def test_datetimes_parse_zulu_and_epoch() -> None:
    a = load(App, {"id": "a", "created": "2024-05-01T12:00:00Z"})
    assert a.created == dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc)
    b = load(App, {"id": "b", "created": 1714564800})
    assert b.created == a.created


def test_unknown_fields_are_kept_and_sent_back_on_full_update() -> None:
    app = load(App, {"id": "a", "displayName": "Shop", "theme": {"dark": True}, "owner": 5})
    assert extra(app) == {"theme": {"dark": True}, "owner": 5}
    payload = Shop.converter.full_payload(app)
    assert payload["theme"] == {"dark": True}
    assert payload["owner"] == 5
    assert "created" not in payload  # read-only


def test_changes_track_assignment_and_in_place_mutation() -> None:
    app = load(App, {"id": "a", "displayName": "Shop", "settings": {"x": [1]}, "tags": ["k"]})
    assert changes(app) == {}
    app.settings["x"].append(2)
    assert changes(app) == {"settings": {"x": [1, 2]}}
    app.title = "New"
    assert changes(app) == {"settings": {"x": [1, 2]}, "displayName": "New"}
    extra(app)["tags"].append("m")
    assert changes(app)["tags"] == ["k", "m"]


def test_explicit_null_is_a_change() -> None:
    app = load(App, {"id": "a", "displayName": "Shop"})
    app.title = None
    assert changes(app) == {"displayName": None}


def test_unchanged_datetime_spelled_differently_is_not_a_change() -> None:
    col = load(Collection, {"app": "a", "slug": "s", "name": "n"})
    assert changes(col) == {}
    app = load(App, {"id": "a", "created": "2024-05-01T12:00:00.000+00:00"})
    assert changes(app) == {}


def test_new_resource_is_new_and_payload_holds_set_fields() -> None:
    app = App(id="x", title="T")
    assert is_new(app)
    assert changes(app) == {"id": "x", "displayName": "T", "settings": {}}


def test_loaded_snapshot_is_not_shared_with_the_resource() -> None:
    raw = {"id": "a", "settings": {"deep": {"k": [1]}}}
    app = load(App, raw)
    app.settings["deep"]["k"].append(2)
    assert raw["settings"]["deep"]["k"] == [1]
    assert changes(app) == {"settings": {"deep": {"k": [1, 2]}}}


class Account(Resource):
    id: int | None = None
    balance: Money | None = None


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other.cents == self.cents

    def __hash__(self) -> int:
        return hash(self.cents)


def test_converter_hooks_per_service() -> None:
    class Bank(Service):
        @classmethod
        def configure_converter(cls, converter: Converter) -> None:
            converter.cattrs.register_structure_hook(Money, lambda v, _: Money(round(v * 100)))
            converter.cattrs.register_unstructure_hook(Money, lambda m: m.cents / 100)

    Bank.resource(one="/accounts/{id}")(Account)
    acct = Bank.converter.load({"id": 1, "balance": 12.5}, Account)
    assert acct.balance == Money(1250)
    acct.balance = Money(1300)
    assert Bank.converter.changes(acct) == {"balance": 13.0}
    assert Account in Bank.resources.values()


# -- decimals ----------------------------------------------------------------------------------


class Till(Service):
    pass


@Till.resource(one="/prices/{id}", many="/prices")
class Price(Resource):
    id: int | None = field(read_only=True)
    amount: Decimal | None = None
    rates: dict[str, Decimal] = field(factory=dict)


def test_decimals_go_back_as_the_server_spelled_them() -> None:
    conv = Till.converter
    price = conv.load({"id": 1, "amount": "12.50", "rates": {"vat": 0.21, "fee": "0.10"}}, Price)
    assert changes(price) == {}
    price.amount = Decimal("12.5")  # the same value, spelled otherwise: no change
    assert changes(price) == {}
    price.amount, price.rates["vat"] = Decimal("13.00"), Decimal("0.19")
    assert changes(price) == {"amount": "13.00", "rates": {"vat": 0.19, "fee": "0.10"}}
    assert conv.full_payload(price) == {"amount": "13.00", "rates": {"vat": 0.19, "fee": "0.10"}}
    assert conv.create_payload(Price(amount=Decimal("9.90"))) == {"amount": "9.90", "rates": {}}


def test_a_decimal_a_json_number_cannot_carry_is_refused_not_rounded() -> None:
    price = Till.converter.load({"id": 1, "amount": 12.5}, Price)
    price.amount = Decimal("10000000000000000000000.5")
    with pytest.raises(InvalidRequestError, match="without rounding"):
        changes(price)
    price.amount = Decimal("1E+25")
    assert changes(price) == {"amount": 10**25}
    price.amount = Decimal("NaN")
    with pytest.raises(InvalidRequestError, match="not a finite number"):
        changes(price)


def test_decimals_round_trip_through_the_sandbox_over_http() -> None:
    seed = [{"id": 1, "amount": "12.50"}, {"id": 2, "amount": 7.25}]
    box = Sandbox(Till, data={"Price": seed})
    with box as url, Till.connect(url, retries=0) as api:
        text, number = api.get(Price, 1), api.get(Price, 2)
        assert text.amount == Decimal("12.50") and number.amount == Decimal("7.25")
        text.amount += Decimal("0.50")
        number.amount += Decimal("0.50")
        api.save(text)
        api.save(number)
        made = api.create(Price(amount=Decimal("0.10")))
        sent = [e.json for e in box.journal if e.method in ("PATCH", "POST")]
        refused = requests.post(url + "/prices", json={"amount": "ten"}, timeout=5)
    assert sent[-3:] == [{"amount": "13.00"}, {"amount": 7.75}, {"amount": "0.10", "rates": {}}]
    assert made.amount == Decimal("0.10") and changes(made) == {}
    assert refused.status_code == 422 and "amount" in refused.json()["errors"]
