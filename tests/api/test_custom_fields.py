"""/custom-fields through HTTP: definitions, the checks of asset values, and the `cf.<key>` list filter."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

FIELDS = "/custom-fields"
ITEMS = "/inventory-items"
MISSING_ID = "01890000-0000-7000-8000-000000000000"


async def define(tenant: Any, key: str, type: str = "text", **fields: Any) -> dict:
    return await tenant.created(FIELDS, key=key, name=fields.pop("name", key.title()), type=type, **fields)


async def asset_with(tenant: Any, values: dict[str, Any], name: str = "Drill") -> dict:
    return await tenant.created(ITEMS, name=name, customFields=values)


async def tags(tenant: Any, **params: Any) -> list[str]:
    return sorted(item["name"] for item in await tenant.walk(ITEMS, **params))


async def test_a_definition_round_trips_and_lists(tenant):
    created = await define(tenant, "colour", "select", name="Colour", options=["Red", "Blue"], required=True,
                           description="Paint")
    assert {k: created[k] for k in ("key", "name", "type", "options", "required", "description")} == {
        "key": "colour", "name": "Colour", "type": "select", "options": ["Red", "Blue"], "required": True,
        "description": "Paint"}
    assert created["deletedAt"] is None
    assert (await tenant.get(f"{FIELDS}/{created['id']}")).json() == created
    plain = await define(tenant, "bay")
    assert plain["options"] == [] and plain["required"] is False
    assert [f["key"] for f in await tenant.walk(FIELDS, limit=1)] == ["bay", "colour"]


async def test_keys_are_unique_ignoring_case_among_live_fields(tenant):
    first = await define(tenant, "Floor", "number")
    body = assert_error(await tenant.post(FIELDS, json={"key": "floor", "name": "F", "type": "text"}), 409, "key")
    assert "Floor" in body["message"]
    assert (await tenant.delete(f"{FIELDS}/{first['id']}")).status_code == 204
    second = await define(tenant, "FLOOR", "text")
    assert_error(await tenant.post(f"{FIELDS}/{first['id']}/restore"), 409, "key")
    assert (await tenant.delete(f"{FIELDS}/{second['id']}")).status_code == 204
    restored = await tenant.post(f"{FIELDS}/{first['id']}/restore")
    assert restored.status_code == 200 and restored.json()["deletedAt"] is None
    assert [f["key"] for f in await tenant.walk(FIELDS, deleted="only")] == ["FLOOR"]
    assert len(await tenant.walk(FIELDS, deleted="include")) == 2


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"key": "1st", "name": "x", "type": "text"}, "key", id="key-starts-with-digit"),
    pytest.param({"key": "a-b", "name": "x", "type": "text"}, "key", id="key-with-dash"),
    pytest.param({"key": "k" * 65, "name": "x", "type": "text"}, "key", id="key-too-long"),
    pytest.param({"key": "k", "name": "x", "type": "colour"}, "type", id="unknown-type"),
    pytest.param({"key": "k", "name": "x", "type": "select"}, "options", id="select-without-options"),
    pytest.param({"key": "k", "name": "x", "type": "select", "options": []}, "options", id="select-empty-options"),
    pytest.param({"key": "k", "name": "x", "type": "select", "options": ["a", " "]}, "options", id="blank-option"),
    pytest.param({"key": "k", "name": "x", "type": "select", "options": ["a", "A"]}, "options", id="twice"),
    pytest.param({"key": "k", "name": "x", "type": "select", "options": [str(i) for i in range(201)]}, "options",
                 id="201-options"),
    pytest.param({"key": "k", "name": "x", "type": "text", "options": ["a"]}, "options", id="options-on-text"),
    pytest.param({"key": "k", "type": "text"}, "name", id="no-name"),
])
async def test_bad_definitions_are_400_naming_the_field(tenant, body, field):
    assert_error(await tenant.post(FIELDS, json=body), 400, field)


async def test_two_hundred_options_are_allowed(tenant):
    field = await define(tenant, "bin", "select", options=[f"B{i}" for i in range(200)])
    assert len(field["options"]) == 200


async def test_technicians_read_managers_write(tenant):
    field = await define(tenant.as_role("manager"), "bay")
    tech = tenant.as_role("technician")
    assert (await tech.get(FIELDS)).status_code == 200
    assert (await tech.get(f"{FIELDS}/{field['id']}")).status_code == 200
    assert_error(await tech.post(FIELDS, json={"key": "x", "name": "x", "type": "text"}), 403)
    assert_error(await tech.patch(f"{FIELDS}/{field['id']}", json={"name": "Bay"}), 403)
    assert_error(await tech.delete(f"{FIELDS}/{field['id']}"), 403)
    assert_error(await tech.post(f"{FIELDS}/{field['id']}/restore"), 403)


async def test_other_tenants_and_unknown_ids(tenant, other_tenant):
    field = await define(tenant, "bay")
    for r in (await other_tenant.get(f"{FIELDS}/{field['id']}"),
              await other_tenant.patch(f"{FIELDS}/{field['id']}", json={"name": "x"}),
              await other_tenant.delete(f"{FIELDS}/{field['id']}"),
              await other_tenant.post(f"{FIELDS}/{field['id']}/restore"),
              await tenant.get(f"{FIELDS}/{MISSING_ID}")):
        assert_error(r, 404)
    assert await other_tenant.walk(FIELDS, deleted="include") == []
    assert_error(await tenant.get(f"{FIELDS}/nope"), 400, "customFieldId")
    # The other tenant may use the same key, and its assets do not know this tenant's field.
    await define(other_tenant, "bay", "number")
    assert_error(await other_tenant.post(ITEMS, json={"name": "x", "customFields": {"bay": "A"}}), 400,
                 "customFields.bay")


async def test_key_and_type_cannot_change_but_the_rest_can(tenant):
    field = await define(tenant, "size", "select", options=["S", "M"])
    url = f"{FIELDS}/{field['id']}"
    assert_error(await tenant.patch(url, json={"key": "sizes"}), 400, "key")
    assert_error(await tenant.patch(url, json={"type": "text"}), 400, "type")
    r = await tenant.patch(url, json={"key": "size", "type": "select", "name": "Size", "options": ["S", "M", "L"],
                                      "required": True, "description": "T-shirt"})
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("name", "options", "required", "description")} == {
        "name": "Size", "options": ["S", "M", "L"], "required": True, "description": "T-shirt"}
    assert_error(await tenant.patch(url, json={"options": ["S", "S"]}), 400, "options")
    await tenant.delete(url)
    assert_error(await tenant.patch(url, json={"name": "x"}), 409)


async def test_removing_an_option_that_assets_hold_is_409_with_the_count(tenant):
    field = await define(tenant, "size", "select", options=["S", "M", "L"])
    await asset_with(tenant, {"size": "M"})
    trashed = await asset_with(tenant, {"size": "M"})
    await tenant.delete(f"{ITEMS}/{trashed['id']}")
    body = assert_error(await tenant.patch(f"{FIELDS}/{field['id']}", json={"options": ["S", "L"]}), 409, "assets")
    assert body["details"]["assets"] == 2
    r = await tenant.patch(f"{FIELDS}/{field['id']}", json={"options": ["M", "S"]})
    assert r.status_code == 200 and r.json()["options"] == ["M", "S"]


async def test_asset_values_are_checked_against_the_definitions(tenant):
    await define(tenant, "floor", "number")
    await define(tenant, "leased", "boolean")
    await define(tenant, "since", "date")
    await define(tenant, "colour", "select", options=["Red", "Blue"])
    await define(tenant, "vendor", "text")
    for values, field in [
        ({"floor": "2"}, "customFields.floor"),
        ({"floor": True}, "customFields.floor"),
        ({"floor": 2**60}, "customFields.floor"),
        ({"leased": "yes"}, "customFields.leased"),
        ({"since": "2024-02-30"}, "customFields.since"),
        ({"since": "29/02/2024"}, "customFields.since"),
        ({"colour": "Green"}, "customFields.colour"),
        ({"vendor": 3}, "customFields.vendor"),
        ({"Vendor": "x"}, "customFields.Vendor"),
        ({"nothing": "x"}, "customFields.nothing"),
    ]:
        assert_error(await tenant.post(ITEMS, json={"name": "x", "customFields": values}), 400, field)
    body = assert_error(await tenant.post(ITEMS, json={"name": "x", "customFields": {"floor": "x", "nothing": 1}}), 400)
    assert set(body["details"]) == {"customFields.floor", "customFields.nothing"}
    asset = await asset_with(tenant, {"floor": 2.5, "leased": False, "since": "2024-02-29", "colour": "blue",
                                      "vendor": "Acme"})
    assert asset["customFields"] == {"floor": 2.5, "leased": False, "since": "2024-02-29", "colour": "Blue",
                                     "vendor": "Acme"}
    assert_error(await tenant.patch(f"{ITEMS}/{asset['id']}", json={"customFields": {"floor": "high"}}), 400,
                 "customFields.floor")


async def test_required_fields_must_be_given_and_cannot_be_removed(tenant):
    field = await define(tenant, "cost_centre", "text", required=True)
    assert_error(await tenant.post(ITEMS, json={"name": "x"}), 400, "customFields.cost_centre")
    assert_error(await tenant.post(ITEMS, json={"name": "x", "customFields": {"cost_centre": None}}), 400,
                 "customFields.cost_centre")
    asset = await asset_with(tenant, {"cost_centre": "CC-1"})
    url = f"{ITEMS}/{asset['id']}"
    assert_error(await tenant.patch(url, json={"customFields": {}}), 400, "customFields.cost_centre")
    assert (await tenant.patch(url, json={"name": "Renamed"})).status_code == 200
    r = await tenant.patch(url, json={"customFields": {"cost_centre": "CC-2"}})
    assert r.status_code == 200 and r.json()["customFields"] == {"cost_centre": "CC-2"}
    # An asset from before the field was required is not forced to fill it when other values change.
    await tenant.patch(f"{FIELDS}/{field['id']}", json={"required": False})
    older = await asset_with(tenant, {})
    await tenant.patch(f"{FIELDS}/{field['id']}", json={"required": True})
    await define(tenant, "note", "text")
    r = await tenant.patch(f"{ITEMS}/{older['id']}", json={"customFields": {"note": "hi"}})
    assert r.status_code == 200, r.text


async def test_values_of_a_deleted_field_stay_and_may_be_sent_back_unchanged(tenant):
    field = await define(tenant, "bay", "text")
    await define(tenant, "shelf", "number")
    asset = await asset_with(tenant, {"bay": "A3", "shelf": 1})
    await tenant.delete(f"{FIELDS}/{field['id']}")
    url = f"{ITEMS}/{asset['id']}"
    assert (await tenant.get(url)).json()["customFields"] == {"bay": "A3", "shelf": 1}
    r = await tenant.patch(url, json={"customFields": {"bay": "A3", "shelf": 2}})
    assert r.status_code == 200 and r.json()["customFields"] == {"bay": "A3", "shelf": 2}
    assert_error(await tenant.patch(url, json={"customFields": {"bay": "B1", "shelf": 2}}), 400, "customFields.bay")
    r = await tenant.patch(url, json={"customFields": {"shelf": 2}})
    assert r.status_code == 200 and r.json()["customFields"] == {"shelf": 2}
    assert_error(await tenant.post(ITEMS, json={"name": "x", "customFields": {"bay": "A3"}}), 400, "customFields.bay")


async def test_lists_filter_by_custom_values_read_as_the_fields_type(tenant):
    await define(tenant, "floor", "number")
    await define(tenant, "leased", "boolean")
    await define(tenant, "since", "date")
    await define(tenant, "colour", "select", options=["Red", "Blue"])
    await define(tenant, "vendor", "text")
    await asset_with(tenant, {"floor": 2, "leased": True, "since": "2024-01-31", "colour": "Red", "vendor": "Acme"}, "a")
    await asset_with(tenant, {"floor": 2.5, "leased": False, "colour": "Blue", "vendor": "acme_2"}, "b")
    await asset_with(tenant, {"floor": 3, "leased": True, "colour": "Blue"}, "c")
    await asset_with(tenant, {}, "d")
    assert await tags(tenant, **{"cf.floor": "2"}) == ["a"]
    assert await tags(tenant, **{"cf.floor": "2.0"}) == ["a"]
    assert await tags(tenant, **{"cf.floor": "2.5"}) == ["b"]
    assert await tags(tenant, **{"cf.leased": "yes"}) == ["a", "c"]
    assert await tags(tenant, **{"cf.leased": "FALSE"}) == ["b"]
    assert await tags(tenant, **{"cf.since": "2024-01-31"}) == ["a"]
    assert await tags(tenant, **{"cf.colour": "blue"}) == ["b", "c"]
    assert await tags(tenant, **{"cf.vendor": "ACME"}) == ["a"]
    assert await tags(tenant, **{"cf.vendor": "acme_2"}) == ["b"]
    assert await tags(tenant, **{"cf.vendor": "acme%"}) == []
    assert await tags(tenant, **{"cf.colour": "Blue", "cf.leased": "true"}) == ["c"]
    assert await tags(tenant, **{"cf.FLOOR": "3"}) == ["c"]
    assert await tags(tenant, **{"cf.since": ""}) == ["b", "c", "d"]
    assert_error(await tenant.get(ITEMS, params={"cf.nope": "1"}), 400, "cf.nope")
    assert_error(await tenant.get(ITEMS, params={"cf.floor": "two"}), 400, "cf.floor")
    assert_error(await tenant.get(ITEMS, params={"cf.leased": "maybe"}), 400, "cf.leased")
    assert_error(await tenant.get(ITEMS, params={"cf.since": "31.01.2024"}), 400, "cf.since")
    assert_error(await tenant.get(ITEMS, params={"cf.colour": "Green"}), 400, "cf.colour")


async def test_a_filter_skips_values_of_another_type_left_by_a_deleted_field(tenant):
    old = await define(tenant, "size", "text")
    await asset_with(tenant, {"size": "large"}, "text-valued")
    await tenant.delete(f"{FIELDS}/{old['id']}")
    await define(tenant, "size", "number")
    await asset_with(tenant, {"size": 7}, "number-valued")
    assert await tags(tenant, **{"cf.size": "7"}) == ["number-valued"]
    await define(tenant, "flag", "boolean")
    assert await tags(tenant, **{"cf.flag": "true"}) == []
    assert await tags(tenant, **{"cf.size": ""}) == ["text-valued"]


async def test_the_csv_export_takes_the_same_custom_field_filters(tenant):
    await define(tenant, "floor", "number")
    await asset_with(tenant, {"floor": 2}, "Second floor printer")
    await asset_with(tenant, {"floor": 3}, "Third floor printer")
    r = await tenant.get(f"{ITEMS}/export/csv", params={"cf.floor": "3"})
    assert r.status_code == 200, r.text
    assert "Third floor printer" in r.text and "Second floor printer" not in r.text
    assert_error(await tenant.get(f"{ITEMS}/export/csv", params={"cf.nope": "3"}), 400, "cf.nope")
