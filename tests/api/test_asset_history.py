"""An asset's history (timeline, assignments, status events, field-level audit) and a person's assignments."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

ITEMS = "/inventory-items"
NO_SUCH_ID = "01900000-0000-7000-8000-000000000000"
HISTORIES = ["timeline", "assignment-history", "status-events", "audit"]


async def new_asset(tenant: TenantClient, **fields: Any) -> dict[str, Any]:
    return await tenant.created(ITEMS, **{"name": "Laptop", **fields})


async def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


async def page(tenant: TenantClient, asset_id: str, history: str = "timeline", **params: Any) -> dict[str, Any]:
    return await ok(await tenant.get(f"{ITEMS}/{asset_id}/{history}", params=params))


async def busy_asset(tenant: TenantClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """An asset checked out, checked in, sent to maintenance and back: a history of 8 events."""
    person = await tenant.created("/people", name="Grace Hopper")
    asset = await new_asset(tenant)
    path = f"{ITEMS}/{asset['id']}"
    await ok(await tenant.post(f"{path}/checkout", json={"personId": person["id"]}))
    await ok(await tenant.post(f"{path}/checkin"))
    await ok(await tenant.post(f"{path}/status", json={"toStatus": "maintenance", "reason": "Battery"}))
    await ok(await tenant.post(f"{path}/status", json={"toStatus": "available"}))
    await ok(await tenant.patch(path, json={"name": "Laptop 2"}))
    return asset, person


async def test_creating_an_asset_is_its_first_event_with_who_did_it(tenant):
    manager = tenant.as_role("manager")
    asset = await new_asset(manager)
    body = await page(tenant, asset["id"])
    assert body["nextCursor"] is None
    [created] = body["items"]
    assert (created["type"], created["data"]) == ("CREATED", {"source": "api"})
    assert created["actor"] == {"userId": str(tenant.user_ids["manager"]), "name": "Manager"}
    assert created["at"].endswith("Z")


async def test_the_timeline_is_newest_first_and_pages_by_cursor_without_gaps(tenant):
    asset, _ = await busy_asset(tenant)
    whole = (await page(tenant, asset["id"], limit=100))["items"]
    assert [e["type"] for e in whole] == ["UPDATED", "STATUS_CHANGED", "STATUS_CHANGED", "STATUS_CHANGED",
                                          "UNASSIGNED", "STATUS_CHANGED", "ASSIGNED", "CREATED"]
    assert [e["at"] for e in whole] == sorted((e["at"] for e in whole), reverse=True)
    walked = await tenant.walk(f"{ITEMS}/{asset['id']}/timeline", limit=3)
    assert [e["id"] for e in walked] == [e["id"] for e in whole]
    first = await page(tenant, asset["id"], limit=3)
    assert len(first["items"]) == 3 and first["nextCursor"]


async def test_the_timeline_is_filtered_by_types(tenant):
    asset, person = await busy_asset(tenant)
    items = (await page(tenant, asset["id"], types="ASSIGNED,unassigned"))["items"]
    assert [e["type"] for e in items] == ["UNASSIGNED", "ASSIGNED"]
    assert {e["personId"] for e in items} == {person["id"]}
    assert [e["type"] for e in (await page(tenant, asset["id"], types=" CREATED "))["items"]] == ["CREATED"]
    assert (await page(tenant, asset["id"], types="VERIFIED"))["items"] == []


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"types": "CREATED,EXPLODED"}, "types", id="unknown-type"),
    pytest.param({"limit": 101}, "limit", id="limit-over-100"),
    pytest.param({"limit": 0}, "limit", id="limit-0"),
    pytest.param({"limit": "many"}, "limit", id="limit-not-a-number"),
    pytest.param({"cursor": "garbage"}, "cursor", id="garbage-cursor"),
])
async def test_bad_timeline_parameters_are_400_naming_them(tenant, params, field):
    asset = await new_asset(tenant)
    assert_error(await tenant.get(f"{ITEMS}/{asset['id']}/timeline", params=params), 400, field)


@pytest.mark.parametrize("history", HISTORIES)
async def test_every_history_takes_at_most_100_a_page(tenant, history):
    asset = await new_asset(tenant)
    assert (await tenant.get(f"{ITEMS}/{asset['id']}/{history}", params={"limit": 100})).status_code == 200
    assert_error(await tenant.get(f"{ITEMS}/{asset['id']}/{history}", params={"limit": 101}), 400, "limit")
    assert_error(await tenant.get(f"{ITEMS}/{asset['id']}/{history}", params={"cursor": "x"}), 400, "cursor")


async def test_assignment_history_names_the_person(tenant):
    asset, person = await busy_asset(tenant)
    items = (await page(tenant, asset["id"], "assignment-history"))["items"]
    assert [(e["type"], e["personId"], e["personName"]) for e in items] == [
        ("UNASSIGNED", person["id"], "Grace Hopper"), ("ASSIGNED", person["id"], "Grace Hopper")]


async def test_status_events_replay_the_status_with_reasons(tenant):
    asset, _ = await busy_asset(tenant)
    await ok(await tenant.post(f"{ITEMS}/{asset['id']}/status", json={"toStatus": "retired", "reason": "Sold"}))
    items = (await page(tenant, asset["id"], "status-events"))["items"]
    assert [(e["type"], e["fromStatus"], e["toStatus"], e.get("reason")) for e in reversed(items)] == [
        ("STATUS_CHANGED", "available", "in_use", None), ("STATUS_CHANGED", "in_use", "available", None),
        ("STATUS_CHANGED", "available", "maintenance", "Battery"), ("STATUS_CHANGED", "maintenance", "available", None),
        ("RETIRED", "available", "retired", "Sold")]
    walked = await tenant.walk(f"{ITEMS}/{asset['id']}/status-events", limit=2)
    assert [e["id"] for e in walked] == [e["id"] for e in items]


async def test_an_edit_is_one_updated_event_and_one_audit_row_per_changed_field(tenant):
    await tenant.created("/custom-fields", key="floor", name="Floor", type="number")
    await tenant.created("/custom-fields", key="vendor", name="Vendor", type="text")
    room = await tenant.created("/locations", name="Room 204")
    asset = await new_asset(tenant, serial="SN-1", customFields={"floor": 2})
    path = f"{ITEMS}/{asset['id']}"
    await ok(await tenant.patch(path, json={
        "name": "Laptop 14", "serial": None, "purchaseCost": "1450.5", "purchaseDate": "2024-03-01",
        "locationId": room["id"], "model": asset["model"], "customFields": {"floor": 3, "vendor": "Dell"}}))
    await ok(await tenant.patch(path, json={"name": "Laptop 14", "notes": ""}))  # nothing changes: no event
    [updated] = (await page(tenant, asset["id"], types="UPDATED"))["items"]
    changes = {c["field"]: (c["from"], c["to"]) for c in updated["data"]["changes"]}
    assert changes == {
        "name": ("Laptop", "Laptop 14"), "serial": ("SN-1", None), "purchaseCost": (None, "1450.50"),
        "purchaseDate": (None, "2024-03-01"), "locationId": (asset["locationId"], room["id"]),
        "customFields.floor": (2, 3), "customFields.vendor": (None, "Dell")}
    [moved] = (await page(tenant, asset["id"], types="MOVED"))["items"]
    assert moved["data"] == {"from": asset["locationId"], "to": room["id"]}

    rows = (await page(tenant, asset["id"], "audit"))["items"]
    assert {r["field"]: (r["from"], r["to"]) for r in rows} == changes
    assert all(r["eventId"] == updated["id"] and r["actor"]["userId"] == str(tenant.user_ids["admin"]) for r in rows)
    walked = await tenant.walk(f"{ITEMS}/{asset['id']}/audit", limit=3)
    assert [(r["eventId"], r["field"]) for r in walked] == [(r["eventId"], r["field"]) for r in rows]


async def test_the_audit_pages_across_edits_by_row(tenant):
    asset = await new_asset(tenant)
    path = f"{ITEMS}/{asset['id']}"
    for n in range(1, 4):
        await ok(await tenant.patch(path, json={"name": f"Laptop {n}", "model": f"M{n}"}))
    rows = await tenant.walk(f"{path}/audit", limit=2)
    assert [(r["field"], r["to"]) for r in rows] == [
        ("name", "Laptop 3"), ("model", "M3"), ("name", "Laptop 2"), ("model", "M2"), ("name", "Laptop 1"), ("model", "M1")]
    assert len({r["eventId"] for r in rows}) == 3


async def test_a_persons_assignment_history_names_the_assets(tenant, other_tenant):
    person = await tenant.created("/people", name="Alan Turing")
    laptop = await new_asset(tenant, name="Laptop", assigneeId=person["id"])
    phone = await new_asset(tenant, name="Phone")
    await ok(await tenant.post(f"{ITEMS}/{phone['id']}/checkout", json={"personId": person["id"]}))
    await ok(await tenant.post(f"{ITEMS}/{phone['id']}/checkin"))
    assert (await tenant.delete(f"{ITEMS}/{laptop['id']}")).status_code == 204
    history = await tenant.walk(f"/people/{person['id']}/assignment-history", limit=1)
    assert [(e["type"], e["assetTag"], e["assetName"], e.get("assetDeleted", False)) for e in history] == [
        ("UNASSIGNED", phone["tag"], "Phone", False), ("ASSIGNED", phone["tag"], "Phone", False),
        ("ASSIGNED", laptop["tag"], "Laptop", True)]
    assert_error(await other_tenant.get(f"/people/{person['id']}/assignment-history"), 404)
    assert_error(await tenant.get(f"/people/{NO_SUCH_ID}/assignment-history"), 404)
    assert_error(await tenant.get("/people/nobody/assignment-history"), 400, "personId")
    assert_error(await tenant.get(f"/people/{person['id']}/assignment-history", params={"limit": 101}), 400, "limit")


@pytest.mark.parametrize("history", HISTORIES)
async def test_histories_are_read_by_technicians_and_hidden_from_other_tenants(tenant, other_tenant, history):
    asset, _ = await busy_asset(tenant)
    assert (await page(tenant.as_role("technician"), asset["id"], history))["items"]
    assert_error(await other_tenant.get(f"{ITEMS}/{asset['id']}/{history}"), 404)
    assert_error(await tenant.get(f"{ITEMS}/{NO_SUCH_ID}/{history}"), 404)
    assert_error(await tenant.get(f"{ITEMS}/nope/{history}"), 400, "inventoryItemId")
    assert_error(await tenant.client.get(f"/api/v1{ITEMS}/{asset['id']}/{history}", headers={"host": tenant.host}), 401)


async def test_a_deleted_assets_history_stays_readable(tenant):
    asset, _ = await busy_asset(tenant)
    before = (await page(tenant, asset["id"]))["items"]
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204
    assert (await page(tenant, asset["id"]))["items"] == before


async def test_an_api_key_is_named_as_the_actor(tenant):
    key = await tenant.created("/api-keys", name="Inventory sync", role="manager")
    headers = {"host": tenant.host, "authorization": f"ApiKey {key['token']}"}
    r = await tenant.client.post(f"/api/v1{ITEMS}", json={"name": "Synced"}, headers=headers)
    assert r.status_code == 201, r.text
    [created] = (await page(tenant, r.json()["id"]))["items"]
    assert created["actor"] == {"apiKeyId": key["id"], "name": "Inventory sync"}
