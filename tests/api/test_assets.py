"""/api/v1/inventory-items through the HTTP stack, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from backend.assets.rules import tag_key
from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

ITEMS = "/inventory-items"
NO_SUCH_ID = "01900000-0000-7000-8000-000000000000"


async def create_asset(tenant: TenantClient, **fields: Any) -> dict[str, Any]:
    return await tenant.created(ITEMS, **{"name": "Cordless drill", **fields})


async def create(tenant: TenantClient, path: str, **body: Any) -> dict[str, Any]:
    return await tenant.created(path, **body)


async def get_asset(tenant: TenantClient, asset_id: str) -> dict[str, Any]:
    r = await tenant.get(f"{ITEMS}/{asset_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def walk(tenant: TenantClient, **params: Any) -> list[dict[str, Any]]:
    params.setdefault("limit", 200)
    return await tenant.walk(ITEMS, **params)


async def listed(tenant: TenantClient, **params: Any) -> set[str]:
    return {item["name"] for item in await walk(tenant, limit=200, **params)}


# Create


async def test_an_asset_with_only_a_name_gets_the_defaults_and_a_generated_tag(tenant):
    category = (await tenant.get("/categories/default")).json()
    location = (await tenant.get("/locations/default")).json()

    first = await create_asset(tenant, name="Cordless drill")
    second = await create_asset(tenant, name="Ladder")

    assert first["tag"] == "AST-000001"
    assert second["tag"] == "AST-000002"
    assert first["name"] == "Cordless drill"
    assert first["categoryId"] == category["id"]
    assert first["locationId"] == location["id"]
    assert first["status"] == "available"
    assert first["assigneeId"] is None
    assert first["qrUrl"] == f"http://{tenant.host}/a/AST-000001"
    assert first["createdAt"].endswith("Z") and first["updatedAt"].endswith("Z")
    assert first["deletedAt"] is None
    assert first["customFields"] == {} and first["notes"] == ""
    UUID(first["id"])


async def test_the_qr_url_follows_the_host_the_request_came_in_on(tenant):
    r = await tenant.post(ITEMS, json={"name": "Pump"}, headers={"host": f"{tenant.slug}.localhost:8000"})
    assert r.status_code == 201, r.text
    assert r.json()["qrUrl"] == f"http://{tenant.slug}.localhost:8000/a/AST-000001"


async def test_every_field_round_trips(tenant):
    category = await create(tenant, "/categories", name="Laptops")
    location = await create(tenant, "/locations", name="Server room")
    for key, kind in (("leased", "boolean"), ("floor", "number"), ("ratio", "number"), ("vendor", "text"),
                      ("returnedBy", "text")):
        await create(tenant, "/custom-fields", key=key, name=key, type=kind)
    body = {
        "name": "Latitude 7440", "tag": "LAB-42", "categoryId": category["id"], "locationId": location["id"],
        "status": "reserved", "serial": "SN-123-XYZ", "manufacturer": "Dell", "model": "Latitude 7440",
        "purchaseDate": "2024-02-29", "purchaseCost": "1234.56", "warrantyExpiry": "2027-02-28",
        "notes": "Spare for the night shift.\nCharger in drawer 3.",
        "customFields": {"leased": True, "floor": 2, "ratio": 0.5, "vendor": "Acme", "returnedBy": None},
    }
    created = await create_asset(tenant, **body)

    for field, value in body.items():
        assert created[field] == value, field
    assert created["qrUrl"] == f"http://{tenant.host}/a/LAB-42"
    assert await get_asset(tenant, created["id"]) == created


@pytest.mark.parametrize(("sent", "stored"), [
    pytest.param("1234.5", "1234.50", id="one-decimal"),
    pytest.param(99.9, "99.90", id="json-number"),
    pytest.param("7", "7.00", id="whole"),
    pytest.param("0", "0.00", id="zero"),
    pytest.param("-0", "0.00", id="minus-zero"),
    pytest.param("9999999999999.99", "9999999999999.99", id="largest"),
])
async def test_purchase_cost_reads_back_in_cents_the_same_on_create_and_get(tenant, sent, stored):
    created = await create_asset(tenant, purchaseCost=sent)
    assert created["purchaseCost"] == stored
    assert (await get_asset(tenant, created["id"]))["purchaseCost"] == stored


@pytest.mark.parametrize("cost", ["-0.01", "1.234", "10000000000000", "NaN", "Infinity", "1e400000000", "twelve"])
async def test_a_purchase_cost_that_is_not_money_is_refused(tenant, cost):
    r = await tenant.post(ITEMS, json={"name": "Drill", "purchaseCost": cost})
    assert_error(r, 400, "purchaseCost")
    assert await walk(tenant) == []


async def test_an_asset_given_to_someone_at_creation_is_in_use(tenant):
    person = await create(tenant, "/people", name="Amara Okafor")
    asset = await create_asset(tenant, assigneeId=person["id"])
    assert asset["assigneeId"] == person["id"]
    assert asset["status"] == "in_use"


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({}, "name", id="no-name"),
    pytest.param({"name": ""}, "name", id="empty-name"),
    pytest.param({"name": "   "}, "name", id="blank-name"),
    pytest.param({"name": "Drill", "tag": "A/B"}, "tag", id="slash-in-tag"),
    pytest.param({"name": "Drill", "tag": "A B"}, "tag", id="space-in-tag"),
    pytest.param({"name": "Drill", "tag": "   "}, "tag", id="blank-tag"),
    pytest.param({"name": "Drill", "tag": "\u00a0"}, "tag", id="non-breaking-space-tag"),
    pytest.param({"name": "Drill", "tag": ".."}, "tag", id="dot-dot-tag"),
    pytest.param({"name": "Drill", "tag": "A" * 65}, "tag", id="tag-too-long"),
    pytest.param({"name": "Drill", "tag": "ß" * 40}, "tag", id="tag-too-long-once-upper-cased"),
    pytest.param({"name": "Drill", "status": "broken"}, "status", id="unknown-status"),
    pytest.param({"name": "Drill", "categoryId": NO_SUCH_ID}, "categoryId", id="unknown-category"),
    pytest.param({"name": "Drill", "locationId": NO_SUCH_ID}, "locationId", id="unknown-location"),
    pytest.param({"name": "Drill", "assigneeId": NO_SUCH_ID}, "assigneeId", id="unknown-person"),
    pytest.param({"name": "Drill", "categoryId": "laptops"}, "categoryId", id="category-not-a-uuid"),
    pytest.param({"name": "Drill", "purchaseDate": "29/02/2024"}, "purchaseDate", id="date-not-iso"),
    pytest.param({"name": "Drill", "customFields": {"1st": "x"}}, "customFields", id="bad-custom-field-key"),
    pytest.param({"name": "Drill", "colour": "red"}, "colour", id="unknown-field"),
])
async def test_invalid_asset_is_refused_naming_the_field(tenant, body, field):
    r = await tenant.post(ITEMS, json=body)
    assert_error(r, 400, field)
    assert await walk(tenant) == []


async def test_a_deleted_category_cannot_receive_new_assets(tenant):
    category = await create(tenant, "/categories", name="Old stock")
    assert (await tenant.delete(f"/categories/{category['id']}")).status_code == 204
    r = await tenant.post(ITEMS, json={"name": "Drill", "categoryId": category["id"]})
    assert_error(r, 400, "categoryId")


# Tags


async def test_a_given_tag_is_kept(tenant):
    asset = await create_asset(tenant, tag="Lab-42")
    assert asset["tag"] == "Lab-42"
    assert asset["qrUrl"] == f"http://{tenant.host}/a/Lab-42"


async def test_a_tag_with_letters_beyond_ascii_is_kept_and_escaped_in_the_qr_url(tenant):
    asset = await create_asset(tenant, tag="Küche-1")
    assert asset["tag"] == "Küche-1"
    assert asset["qrUrl"] == f"http://{tenant.host}/a/K%C3%BCche-1"
    assert_error(await tenant.post(ITEMS, json={"name": "Kettle", "tag": "KÜCHE-1"}), 409, "tag")


@pytest.mark.parametrize("typed", ["LAB-7\r\n", "\tLAB-7", " LAB-7 ", "\u00a0LAB-7\u3000"])
async def test_a_tag_sent_with_a_scanners_tab_or_enter_is_stored_trimmed(tenant, typed):
    asset = await create_asset(tenant, tag=typed)
    assert asset["tag"] == "LAB-7"
    assert asset["qrUrl"].endswith("/a/LAB-7")


@pytest.mark.parametrize("variant", ["AST-000001", "ast-000001", "Ast-000001", " ast-000001 ", "AST-000001\r\n",
                                     "\u00a0aSt-000001"])
async def test_a_given_tag_that_exists_in_any_case_or_spacing_is_a_conflict(tenant, variant):
    existing = await create_asset(tenant, name="Ladder")
    r = await tenant.post(ITEMS, json={"name": "Another ladder", "tag": variant})
    body = assert_error(r, 409, "tag")
    assert "Ladder" in body["message"]
    assert body["details"]["existingId"] == existing["id"]
    assert [a["id"] for a in await walk(tenant)] == [existing["id"]]


async def test_a_generated_tag_skips_numbers_already_given_by_hand(tenant):
    await create_asset(tenant, tag="AST-000002")
    await create_asset(tenant, tag="ast-000003")
    generated = [(await create_asset(tenant))["tag"] for _ in range(3)]
    assert generated == ["AST-000001", "AST-000004", "AST-000005"]


async def test_the_tenants_tag_format_shapes_the_next_generated_tag(tenant):
    assert (await create_asset(tenant))["tag"] == "AST-000001"
    r = await tenant.patch("/tenant", json={"tagPrefix": "EQ.", "tagPadding": 3})
    assert r.status_code == 200, r.text
    assert (await create_asset(tenant))["tag"] == "EQ.002"
    r = await tenant.patch("/tenant", json={"tagPrefix": "", "tagPadding": 1})
    assert r.status_code == 200, r.text
    assert (await create_asset(tenant))["tag"] == "3"


async def test_fifty_parallel_creates_get_fifty_distinct_tags(tenant):
    answers = await asyncio.gather(*(tenant.post(ITEMS, json={"name": f"Chair {n}"}) for n in range(50)))
    assert [r.status_code for r in answers] == [201] * 50, [r.text for r in answers if r.status_code != 201]
    tags = {r.json()["tag"] for r in answers}
    assert len(tags) == 50
    rows = await walk(tenant, limit=200)
    assert len(rows) == 50
    assert {row["tag"] for row in rows} == tags


async def test_parallel_creates_with_the_same_tag_create_it_once(tenant):
    variants = ["DUP-1", "dup-1", " Dup-1\r\n"] * 4
    answers = await asyncio.gather(*(tenant.post(ITEMS, json={"name": f"Printer {n}", "tag": tag})
                                     for n, tag in enumerate(variants)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] + [409] * (len(variants) - 1), [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert "tag" in r.json()["details"]
    assert len(await walk(tenant, q="dup-1")) == 1


async def test_quick_adds_racing_hand_tagged_creates_never_fail(tenant):
    # Hand-typed tags that the sequence is about to reach: a quick-add (no tag) must still succeed.
    quick = [tenant.post(ITEMS, json={"name": f"Quick {n}"}) for n in range(20)]
    typed = [tenant.post(ITEMS, json={"name": f"Typed {n}", "tag": f"AST-{n:06d}"}) for n in range(1, 21)]
    answers = await asyncio.gather(*(call for pair in zip(quick, typed, strict=True) for call in pair))
    quick_answers, typed_answers = answers[0::2], answers[1::2]
    assert [r.status_code for r in quick_answers] == [201] * 20, [r.text for r in quick_answers]
    assert {r.status_code for r in typed_answers} <= {201, 409}
    rows = await walk(tenant, limit=200)
    assert len({tag_key(row["tag"]) for row in rows}) == len(rows) == 20 + sum(r.status_code == 201 for r in typed_answers)


async def test_parallel_renames_to_the_same_tag_rename_one(tenant):
    location = await create(tenant, "/locations", name="Workshop")
    assets = [await create_asset(tenant, name=f"Pump {n}") for n in range(8)]
    answers = await asyncio.gather(*(
        tenant.patch(f"{ITEMS}/{a['id']}", json={"tag": "PUMP-1", "locationId": location["id"]}) for a in assets))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] + [409] * 7, [r.text for r in answers]
    assert len(await walk(tenant, q="PUMP-1")) == 1


# Get, change


async def test_an_asset_is_read_back_by_id(tenant):
    asset = await create_asset(tenant, name="Forklift")
    assert await get_asset(tenant, asset["id"]) == asset


async def test_an_unknown_or_malformed_id_is_404_or_400(tenant):
    assert (await tenant.get(f"{ITEMS}/{NO_SUCH_ID}")).status_code == 404
    assert_error(await tenant.get(f"{ITEMS}/not-an-id"), 400, "inventoryItemId")


async def test_patch_changes_the_given_fields_and_keeps_the_rest(tenant):
    category = await create(tenant, "/categories", name="Monitors")
    location = await create(tenant, "/locations", name="Room 204")
    await create(tenant, "/custom-fields", key="size", name="Size", type="number")
    await create(tenant, "/custom-fields", key="hdr", name="HDR", type="boolean")
    asset = await create_asset(tenant, name="Monitor", serial="SN-1", customFields={"size": 27}, notes="old")
    change = {"name": "Monitor 27in", "tag": "MON-27", "categoryId": category["id"], "locationId": location["id"],
              "notes": "Dead pixel top left", "customFields": {"size": 27, "hdr": True}, "manufacturer": "LG",
              "model": "27UL850", "purchaseDate": "2023-06-01", "purchaseCost": "349.99", "warrantyExpiry": None}
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json=change)
    assert r.status_code == 200, r.text
    changed = r.json()
    for field, value in change.items():
        assert changed[field] == value, field
    assert changed["serial"] == "SN-1"
    assert changed["status"] == "available"
    assert changed["createdAt"] == asset["createdAt"]
    assert changed["qrUrl"] == f"http://{tenant.host}/a/MON-27"
    assert await get_asset(tenant, asset["id"]) == changed


async def test_patch_can_clear_optional_fields(tenant):
    await create(tenant, "/custom-fields", key="a", name="A", type="number")
    asset = await create_asset(tenant, serial="SN-9", manufacturer="Bosch", model="GSR", purchaseCost="10.00",
                               purchaseDate="2024-01-01", customFields={"a": 1})
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"serial": None, "manufacturer": None, "model": None,
                                                          "purchaseCost": None, "purchaseDate": None,
                                                          "customFields": {}})
    assert r.status_code == 200, r.text
    cleared = await get_asset(tenant, asset["id"])
    assert [cleared[f] for f in ("serial", "manufacturer", "model", "purchaseCost", "purchaseDate")] == [None] * 5
    assert cleared["customFields"] == {}
    assert await walk(tenant, q="SN-9") == []


async def test_an_empty_patch_changes_nothing(tenant):
    asset = await create_asset(tenant, name="Ladder", notes="tall")
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={})
    assert r.status_code == 200, r.text
    assert {k: v for k, v in r.json().items() if k != "updatedAt"} == {k: v for k, v in asset.items() if k != "updatedAt"}


async def test_renaming_a_tag_frees_the_old_one(tenant):
    asset = await create_asset(tenant)
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"tag": "DRILL-1"})
    assert r.status_code == 200, r.text
    assert (await create_asset(tenant, tag="AST-000001"))["tag"] == "AST-000001"


async def test_a_tag_can_be_respelled_in_another_case(tenant):
    asset = await create_asset(tenant, tag="lab-1")
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"tag": " LAB-1\n"})
    assert r.status_code == 200, r.text
    assert r.json()["tag"] == "LAB-1"


async def test_patching_a_tag_onto_another_assets_tag_is_a_conflict(tenant):
    ladder = await create_asset(tenant, name="Ladder")
    drill = await create_asset(tenant, name="Drill")
    r = await tenant.patch(f"{ITEMS}/{drill['id']}", json={"tag": ladder["tag"].lower()})
    body = assert_error(r, 409, "tag")
    assert body["details"]["existingId"] == ladder["id"]
    assert (await get_asset(tenant, drill["id"]))["tag"] == drill["tag"]


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"name": "  "}, "name", id="blank-name"),
    pytest.param({"tag": "a/b"}, "tag", id="slash-in-tag"),
    pytest.param({"tag": "."}, "tag", id="dot-tag"),
    pytest.param({"tag": None}, "tag", id="null-tag"),
    pytest.param({"purchaseCost": "0.001"}, "purchaseCost", id="fraction-of-a-cent"),
    pytest.param({"status": "retired"}, "status", id="status-is-not-patched"),
])
async def test_invalid_patch_is_refused_and_changes_nothing(tenant, change, field):
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ITEMS}/{asset['id']}", json=change), 400, field)
    assert await get_asset(tenant, asset["id"]) == asset


async def test_assigning_and_unassigning_moves_the_status_between_available_and_in_use(tenant):
    person = await create(tenant, "/people", name="Ben Carter")
    asset = await create_asset(tenant)
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": person["id"]})
    assert r.status_code == 200, r.text
    assert (r.json()["assigneeId"], r.json()["status"]) == (person["id"], "in_use")
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": None})
    assert r.status_code == 200, r.text
    assert (r.json()["assigneeId"], r.json()["status"]) == (None, "available")
    assert (await get_asset(tenant, asset["id"]))["status"] == "available"


async def test_an_asset_in_maintenance_cannot_be_given_to_someone(tenant):
    # Only an asset in use has a holder (the status table's checkout edge starts at available).
    person = await create(tenant, "/people", name="Chen Wei")
    asset = await create_asset(tenant, status="maintenance")
    assert_error(await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": person["id"]}), 409, "assigneeId")
    assert (await get_asset(tenant, asset["id"]))["status"] == "maintenance"


@pytest.mark.parametrize("field", ["categoryId", "locationId", "assigneeId"])
async def test_patch_with_an_unknown_reference_is_400_naming_the_field(tenant, field):
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ITEMS}/{asset['id']}", json={field: NO_SUCH_ID}), 400, field)
    assert await get_asset(tenant, asset["id"]) == asset


@pytest.mark.parametrize(("field", "path", "body"), [
    pytest.param("categoryId", "/categories", {"name": "Theirs"}, id="category"),
    pytest.param("locationId", "/locations", {"name": "Their room"}, id="location"),
    pytest.param("assigneeId", "/people", {"name": "Their person"}, id="person"),
])
async def test_another_tenants_reference_is_400_naming_the_field(tenant, other_tenant, field, path, body):
    theirs = await create(other_tenant, path, **body)
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ITEMS}/{asset['id']}", json={field: theirs["id"]}), 400, field)
    assert_error(await tenant.post(ITEMS, json={"name": "Drill", field: theirs["id"]}), 400, field)
    assert await get_asset(tenant, asset["id"]) == asset


async def test_a_deleted_asset_cannot_be_changed(tenant):
    asset = await create_asset(tenant)
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204
    r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"name": "Renamed"})
    assert r.status_code == 409, r.text
    assert "restore" in r.json()["message"]
    assert (await get_asset(tenant, asset["id"]))["name"] == "Cordless drill"


# Delete and restore


async def test_delete_hides_the_asset_and_restore_brings_it_back(tenant):
    asset = await create_asset(tenant, name="Generator")
    keep = await create_asset(tenant, name="Compressor")

    r = await tenant.delete(f"{ITEMS}/{asset['id']}")
    assert r.status_code == 204, r.text
    deleted = await get_asset(tenant, asset["id"])
    assert deleted["deletedAt"] is not None and deleted["deletedAt"].endswith("Z")
    assert await listed(tenant) == {"Compressor"}
    assert await listed(tenant, deleted="only") == {"Generator"}
    assert await listed(tenant, deleted="include") == {"Generator", "Compressor"}
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204  # deleting twice is harmless

    r = await tenant.post(f"{ITEMS}/{asset['id']}/restore")
    assert r.status_code == 200, r.text
    assert r.json()["deletedAt"] is None
    assert r.json()["tag"] == asset["tag"]
    assert await listed(tenant) == {"Generator", "Compressor"}
    assert await listed(tenant, deleted="only") == set()
    assert (await get_asset(tenant, keep["id"]))["deletedAt"] is None


async def test_a_deleted_assets_tag_stays_reserved(tenant):
    asset = await create_asset(tenant, name="Generator", tag="GEN-1")
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204

    body = assert_error(await tenant.post(ITEMS, json={"name": "New generator", "tag": "gen-1"}), 409, "tag")
    assert "deleted" in body["message"] and "Generator" in body["message"]
    assert body["details"]["existingId"] == asset["id"]
    other = await create_asset(tenant, name="Welder")
    assert_error(await tenant.patch(f"{ITEMS}/{other['id']}", json={"tag": "GEN-1"}), 409, "tag")

    r = await tenant.post(f"{ITEMS}/{asset['id']}/restore")
    assert r.status_code == 200, r.text
    assert r.json()["tag"] == "GEN-1"


async def test_a_technician_may_add_and_view_but_not_change_delete_or_restore(tenant):
    technician = tenant.as_role("technician")
    asset = await create_asset(technician, name="Found in the hallway")
    assert (await technician.get(f"{ITEMS}/{asset['id']}")).status_code == 200
    assert (await technician.get(ITEMS)).status_code == 200

    assert_error(await technician.patch(f"{ITEMS}/{asset['id']}", json={"name": "x"}), 403, "role")
    assert_error(await technician.delete(f"{ITEMS}/{asset['id']}"), 403, "role")
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204
    assert_error(await technician.post(f"{ITEMS}/{asset['id']}/restore"), 403, "role")
    assert (await get_asset(tenant, asset["id"]))["deletedAt"] is not None


async def test_a_manager_may_change_delete_and_restore(tenant):
    manager = tenant.as_role("manager")
    asset = await create_asset(manager)
    assert (await manager.patch(f"{ITEMS}/{asset['id']}", json={"name": "Hammer drill"})).status_code == 200
    assert (await manager.delete(f"{ITEMS}/{asset['id']}")).status_code == 204
    assert (await manager.post(f"{ITEMS}/{asset['id']}/restore")).status_code == 200


async def test_without_a_token_assets_are_401(tenant):
    assert (await tenant.get(ITEMS, auth=False)).status_code == 401
    assert (await tenant.post(ITEMS, auth=False, json={"name": "Drill"})).status_code == 401


# Lists

SORTS = ["tag", "-tag", "name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt", "status", "-status"]


def sort_key(sort: str, asset: dict[str, Any]) -> Any:
    field = sort.lstrip("-")
    if field == "tag":
        return tag_key(asset["tag"])
    if field in ("createdAt", "updatedAt"):
        return datetime.fromisoformat(asset[field])
    return asset[field]


@pytest.mark.parametrize("sort", SORTS)
async def test_pages_of_seven_walk_every_asset_once_in_order(tenant, sort):
    person = await create(tenant, "/people", name="Dana Levi")
    names = ["Ladder", "Drill", "Ladder", "Monitor", "Chair", "Drill", "Pump"]
    statuses = ["available", "maintenance", "reserved", "retired", "missing"]
    assets = []
    for n in range(22):  # one is deleted below: three full pages, and the last must not promise a fourth
        fields: dict[str, Any] = {"name": names[n % len(names)], "status": statuses[n % len(statuses)]}
        if n % 4 == 0:
            fields["tag"] = f"zz-{n}"
        if n % 6 == 0:
            fields = {"name": fields["name"], "assigneeId": person["id"]}
        assets.append(await create_asset(tenant, **fields))
    for asset in assets[::3]:  # so that updatedAt differs from createdAt order
        r = await tenant.patch(f"{ITEMS}/{asset['id']}", json={"notes": "checked"})
        assert r.status_code == 200, r.text
    await tenant.delete(f"{ITEMS}/{assets[5]['id']}")
    live = [await get_asset(tenant, a["id"]) for a in assets if a["id"] != assets[5]["id"]]

    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        r = await tenant.get(ITEMS, params={"sort": sort, "limit": 7, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        pages.append(r.json()["items"])
        cursor = r.json()["nextCursor"]
        if cursor is None:
            break
        assert len(pages) < 10

    assert [len(p) for p in pages] == [7, 7, 7]
    seen = [item["id"] for page in pages for item in page]
    assert sorted(seen) == sorted(a["id"] for a in live)
    expected = sorted(live, key=lambda a: (sort_key(sort, a), UUID(a["id"])), reverse=sort.startswith("-"))
    assert seen == [a["id"] for a in expected]


async def test_the_default_order_is_by_tag(tenant):
    for tag in ["B-2", "a-1", "C-3"]:
        await create_asset(tenant, tag=tag)
    assert [a["tag"] for a in await walk(tenant)] == ["a-1", "B-2", "C-3"]


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"limit": 0}, "limit", id="limit-0"),
    pytest.param({"limit": 201}, "limit", id="limit-201"),
    pytest.param({"limit": -1}, "limit", id="limit-negative"),
    pytest.param({"limit": "ten"}, "limit", id="limit-not-a-number"),
    pytest.param({"cursor": "garbage!!"}, "cursor", id="garbage-cursor"),
    pytest.param({"cursor": "WyJhIl0"}, "cursor", id="cursor-of-wrong-shape"),
    pytest.param({"cursor": "WyJub3QtYS1kYXRlIiwibm90LWEtdXVpZCJd", "sort": "createdAt"}, "cursor",
                 id="cursor-with-bad-values"),
    pytest.param({"sort": "price"}, "sort", id="unknown-sort"),
    pytest.param({"sort": "-"}, "sort", id="bare-minus-sort"),
    pytest.param({"status": "broken"}, "status", id="unknown-status"),
    pytest.param({"status": "available,broken"}, "status", id="unknown-status-in-list"),
    pytest.param({"deleted": "maybe"}, "deleted", id="unknown-deleted"),
    pytest.param({"categoryId": "laptops"}, "categoryId", id="category-not-a-uuid"),
    pytest.param({"locationId": "room-204"}, "locationId", id="location-not-a-uuid"),
    pytest.param({"assigneeId": "bob"}, "assigneeId", id="assignee-not-a-uuid"),
    pytest.param({"locationId": "x", "includeSublocations": "true"}, "locationId", id="subtree-not-a-uuid"),
])
async def test_bad_list_parameters_are_400_naming_the_parameter(tenant, params, field):
    await create_asset(tenant)
    assert_error(await tenant.get(ITEMS, params=params), 400, field)


async def test_a_cursor_from_one_sort_is_refused_by_a_date_sort(tenant):
    for _ in range(3):
        await create_asset(tenant)
    cursor = (await tenant.get(ITEMS, params={"sort": "tag", "limit": 1})).json()["nextCursor"]
    assert_error(await tenant.get(ITEMS, params={"sort": "createdAt", "cursor": cursor}), 400, "cursor")


async def test_limits_of_1_and_200_are_accepted(tenant):
    for _ in range(2):
        await create_asset(tenant)
    one = (await tenant.get(ITEMS, params={"limit": 1})).json()
    assert len(one["items"]) == 1 and one["nextCursor"]
    assert len((await tenant.get(ITEMS, params={"limit": 200})).json()["items"]) == 2


async def test_q_searches_tag_name_serial_model_and_manufacturer_ignoring_case(tenant):
    await create_asset(tenant, name="Cordless drill", tag="TOOL-7")
    await create_asset(tenant, name="Laptop", serial="SN-ABC-123", model="Latitude 7440", manufacturer="Dell")
    await create_asset(tenant, name="Ladder")

    assert await listed(tenant, q="tool-7") == {"Cordless drill"}
    assert await listed(tenant, q="CORDLESS") == {"Cordless drill"}
    assert await listed(tenant, q="sn-abc") == {"Laptop"}
    assert await listed(tenant, q="LATITUDE") == {"Laptop"}
    assert await listed(tenant, q="dElL") == {"Laptop"}
    assert await listed(tenant, q="  ladder  ") == {"Ladder"}
    assert await listed(tenant, q="La") == {"Laptop", "Ladder"}
    assert await listed(tenant, q="ast-000") == {"Laptop", "Ladder"}
    assert await listed(tenant, q="nothing like this") == set()
    assert await listed(tenant, q="   ") == {"Cordless drill", "Laptop", "Ladder"}


async def test_q_takes_percent_and_underscore_literally(tenant):
    for name in ["100% cotton cover", "1000 cotton cover", "wire_rack", "wireXrack", "back\\slash"]:
        await create_asset(tenant, name=name)
    assert await listed(tenant, q="%") == {"100% cotton cover"}
    assert await listed(tenant, q="100%") == {"100% cotton cover"}
    assert await listed(tenant, q="_") == {"wire_rack"}
    assert await listed(tenant, q="e_r") == {"wire_rack"}
    assert await listed(tenant, q="\\") == {"back\\slash"}


async def test_status_filter_takes_one_status_or_a_comma_list(tenant):
    person = await create(tenant, "/people", name="Elif Yilmaz")
    await create_asset(tenant, name="Spare")
    await create_asset(tenant, name="Lent", assigneeId=person["id"])
    await create_asset(tenant, name="Broken", status="maintenance")
    await create_asset(tenant, name="Old", status="retired")

    assert await listed(tenant, status="available") == {"Spare"}
    assert await listed(tenant, status="in_use") == {"Lent"}
    assert await listed(tenant, status="maintenance,retired") == {"Broken", "Old"}
    assert await listed(tenant, status=" maintenance , retired ,") == {"Broken", "Old"}
    assert await listed(tenant, status="missing") == set()


async def test_category_filter(tenant):
    laptops = await create(tenant, "/categories", name="Laptops")
    await create_asset(tenant, name="ThinkPad", categoryId=laptops["id"])
    await create_asset(tenant, name="Chair")
    assert await listed(tenant, categoryId=laptops["id"]) == {"ThinkPad"}
    default = (await tenant.get("/categories/default")).json()
    assert await listed(tenant, categoryId=default["id"]) == {"Chair"}
    assert await listed(tenant, categoryId=NO_SUCH_ID) == set()


async def test_location_filter_with_and_without_sublocations(tenant):
    hq = await create(tenant, "/locations", name="HQ")
    floor = await create(tenant, "/locations", name="Floor 2", parentId=hq["id"])
    room = await create(tenant, "/locations", name="Room 204", parentId=floor["id"])
    warehouse = await create(tenant, "/locations", name="Warehouse")
    assert room["path"] == "HQ > Floor 2 > Room 204"
    for name, location in [("Sign", hq), ("Printer", floor), ("Desk", room), ("Pallet", warehouse)]:
        await create_asset(tenant, name=name, locationId=location["id"])
    await create_asset(tenant, name="Unplaced")

    assert await listed(tenant, locationId=floor["id"]) == {"Printer"}
    assert await listed(tenant, locationId=floor["id"], includeSublocations="false") == {"Printer"}
    assert await listed(tenant, locationId=floor["id"], includeSublocations="true") == {"Printer", "Desk"}
    assert await listed(tenant, locationId=hq["id"], includeSublocations="true") == {"Sign", "Printer", "Desk"}
    assert await listed(tenant, locationId=room["id"], includeSublocations="true") == {"Desk"}
    assert await listed(tenant, locationId=warehouse["id"], includeSublocations="true") == {"Pallet"}
    pages = await walk(tenant, locationId=hq["id"], includeSublocations="true", limit=1)
    assert sorted(a["name"] for a in pages) == ["Desk", "Printer", "Sign"]


async def test_assignee_filter_by_person_or_none(tenant):
    amara = await create(tenant, "/people", name="Amara Okafor")
    ben = await create(tenant, "/people", name="Ben Carter")
    await create_asset(tenant, name="Laptop A", assigneeId=amara["id"])
    await create_asset(tenant, name="Laptop B", assigneeId=ben["id"])
    await create_asset(tenant, name="Spare laptop")

    assert await listed(tenant, assigneeId=amara["id"]) == {"Laptop A"}
    assert await listed(tenant, assigneeId="none") == {"Spare laptop"}
    assert await listed(tenant, assigneeId="none", status="available") == {"Spare laptop"}
    assert await listed(tenant, q="laptop", assigneeId=ben["id"]) == {"Laptop B"}


# Other tenants


async def test_another_tenants_asset_is_404_everywhere(tenant, other_tenant):
    theirs = await create_asset(other_tenant, name="Their drill")
    path = f"{ITEMS}/{theirs['id']}"

    for r in [await tenant.get(path), await tenant.patch(path, json={"name": "Mine now"}),
              await tenant.delete(path), await tenant.post(f"{path}/restore")]:
        assert r.status_code == 404, r.text
        assert r.json()["message"]
    assert await walk(tenant, deleted="include") == []
    assert await get_asset(other_tenant, theirs["id"]) == theirs


async def test_tags_are_unique_per_tenant_only(tenant, other_tenant):
    theirs = await create_asset(other_tenant, tag="SHARED-1")
    mine = await create_asset(tenant, tag="SHARED-1")
    assert mine["id"] != theirs["id"]
    assert (await create_asset(tenant))["tag"] == "AST-000001"
    assert await listed(tenant, q="shared") == {"Cordless drill"}
    assert len(await walk(other_tenant)) == 1


async def test_a_forwarded_host_header_cannot_change_the_address_on_the_label(tenant):
    r = await tenant.post(ITEMS, json={"name": "Projector"}, headers={"x-forwarded-host": "evil.example"})
    assert r.status_code == 201, r.text
    assert r.json()["qrUrl"] == f"http://{tenant.host}/a/{r.json()['tag']}"


async def test_sort_takes_one_minus_at_most(tenant):
    assert_error(await tenant.get(ITEMS, params={"sort": "--tag"}), 400, "sort")
