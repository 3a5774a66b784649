"""/trash through HTTP: every kind of deleted record in one list, restore, and permanent delete."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from backend.assets.models import Asset
from backend.categories.models import Category
from backend.db.engine import open_database
from backend.events.models import AssetEvent
from backend.labels.models import BlankTag
from backend.maintenance.models import MaintenanceLog, MaintenanceSchedule
from backend.sessions.models import Scan, SessionItem
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

TRASH = "/trash"
ITEMS = "/inventory-items"
MISSING_ID = "01890000-0000-7000-8000-000000000000"


async def trashed(tenant: Any, path: str, **body: Any) -> dict:
    """A record made at `path` and deleted at once."""
    record = await tenant.created(path, **body)
    r = await tenant.delete(f"{path}/{record['id']}")
    assert r.status_code == 204, r.text
    return record


async def every_kind(tenant: Any) -> dict[str, dict]:
    """One deleted record of each kind, in this order of deletion."""
    asset = await tenant.created(ITEMS, name="Ladder", tag="LAD-1")
    made = {
        "category": await trashed(tenant, "/categories", name="Cables"),
        "location": await trashed(tenant, "/locations", name="Attic"),
        "person": await trashed(tenant, "/people", name="Ada", email="ada@example.com"),
        "customField": await trashed(tenant, "/custom-fields", key="bay", name="Bay", type="text"),
        "maintenanceSchedule": await trashed(tenant, "/maintenance/schedules", itemId=asset["id"], title="Inspect",
                                             intervalValue=6, intervalUnit="months", nextDueDate="2030-01-01"),
        "maintenanceLog": await trashed(tenant, "/maintenance/logs", itemId=asset["id"], type="repair",
                                        completedDate="2024-05-01T10:00:00Z"),
        "auditSession": await trashed(tenant, "/sessions", name="Yearly audit"),
    }
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204
    made["asset"] = asset
    return made


def refs(*records: tuple[str, dict]) -> dict:
    return {"items": [{"kind": kind, "id": record["id"]} for kind, record in records]}


async def test_the_trash_lists_every_kind_newest_deletion_first(tenant, other_tenant):
    made = await every_kind(tenant)
    await every_kind(other_tenant)
    await tenant.created("/categories", name="Live one")
    listed = await tenant.walk(TRASH)
    assert [(i["kind"], i["id"]) for i in listed] == [(k, made[k]["id"]) for k in reversed(list(made))]
    assert [i["deletedAt"] for i in listed] == sorted((i["deletedAt"] for i in listed), reverse=True)
    by_kind = {i["kind"]: i for i in listed}
    assert by_kind["asset"]["name"] == "Ladder" and by_kind["asset"]["tag"] == "LAD-1"
    assert by_kind["location"]["path"] == "Attic"
    assert by_kind["person"]["email"] == "ada@example.com"
    assert by_kind["customField"]["key"] == "bay"
    assert by_kind["auditSession"]["status"] == "active" and by_kind["auditSession"]["name"] == "Yearly audit"
    assert by_kind["maintenanceSchedule"]["name"] == "Inspect"
    assert by_kind["maintenanceLog"]["assetId"] == made["asset"]["id"]
    assert [i["kind"] for i in await tenant.walk(TRASH, kind="asset,person")] == ["asset", "person"]
    assert [i["kind"] for i in await tenant.walk(TRASH, q="LAD")] == ["asset"]
    assert [i["kind"] for i in await tenant.walk(TRASH, q="attic")] == ["location"]
    assert_error(await tenant.get(TRASH, params={"kind": "asset,widget"}), 400, "kind")
    assert_error(await tenant.get(TRASH, params={"cursor": "nonsense"}), 400, "cursor")
    assert_error(await tenant.get(TRASH, params={"limit": 201}), 400, "limit")
    assert_error(await tenant.as_role("technician").get(TRASH), 403)
    assert (await tenant.as_role("manager").get(TRASH)).status_code == 200


async def test_pages_across_kinds_hold_every_item_once(tenant):
    await every_kind(tenant)
    for n in range(5):
        await trashed(tenant, "/people", name=f"Person {n}")
        await trashed(tenant, ITEMS, name=f"Chair {n}")
    everything = await tenant.walk(TRASH, limit=200)
    assert len(everything) == 18
    for size in (1, 3, 7):
        assert await tenant.walk(TRASH, limit=size) == everything
    assert [i["name"] for i in await tenant.walk(TRASH, limit=2, kind="person", q="person")] == [
        f"Person {n}" for n in reversed(range(5))]


async def test_restore_brings_back_records_of_every_kind(tenant):
    made = await every_kind(tenant)
    r = await tenant.as_role("manager").post(f"{TRASH}/restore", json=refs(*made.items()))
    assert r.status_code == 200, r.text
    assert {(i["kind"], i["id"]) for i in r.json()["restored"]} == {(k, v["id"]) for k, v in made.items()}
    assert await tenant.walk(TRASH) == []
    assert (await tenant.get(f"{ITEMS}/{made['asset']['id']}")).json()["deletedAt"] is None
    assert (await tenant.get(f"/sessions/{made['auditSession']['id']}")).status_code == 200
    assert (await tenant.get(f"/maintenance/logs/{made['maintenanceLog']['id']}")).json()["deletedAt"] is None


async def test_restore_is_all_or_nothing_and_names_the_failing_item(tenant):
    person = await trashed(tenant, "/people", name="Ada")
    category = await trashed(tenant, "/categories", name="Cables")
    await tenant.created("/categories", name="cables")
    body = assert_error(await tenant.post(f"{TRASH}/restore", json=refs(("person", person), ("category", category))),
                        409, "items[1]")
    assert body["details"]["kind"] == "category" and body["details"]["name"] == "taken"
    assert len(await tenant.walk(TRASH)) == 2  # the person was not restored either
    field = await trashed(tenant, "/custom-fields", key="bay", name="Bay", type="text")
    await tenant.created("/custom-fields", key="BAY", name="Bay", type="number")
    assert_error(await tenant.post(f"{TRASH}/restore", json=refs(("customField", field))), 409, "items[0]")


async def test_restore_refuses_what_is_not_in_this_tenants_trash(tenant, other_tenant):
    live = await tenant.created("/people", name="Live")
    assert_error(await tenant.post(f"{TRASH}/restore", json=refs(("person", live))), 409, "items[0]")
    theirs = await trashed(other_tenant, "/people", name="Theirs")
    assert_error(await tenant.post(f"{TRASH}/restore", json=refs(("person", theirs))), 404, "items[0]")
    assert_error(await tenant.post(f"{TRASH}/restore", json={"items": [{"kind": "asset", "id": MISSING_ID}]}), 404,
                 "items[0]")
    assert_error(await tenant.post(f"{TRASH}/restore", json={"items": []}), 400, "items")
    assert_error(await tenant.post(f"{TRASH}/restore", json={"items": [{"kind": "widget", "id": MISSING_ID}]}), 400)
    assert_error(await tenant.post(f"{TRASH}/restore",
                                   json={"items": [{"kind": "asset", "id": MISSING_ID}] * 201}), 400, "items")
    assert_error(await tenant.as_role("technician").post(f"{TRASH}/restore", json=refs(("person", live))), 403)
    assert (await other_tenant.get(f"/people/{theirs['id']}")).json()["deletedAt"] is not None


async def test_a_location_comes_back_with_its_parent_in_one_request(tenant):
    hq = await tenant.created("/locations", name="HQ")
    room = await tenant.created("/locations", name="Room", parentId=hq["id"])
    await tenant.delete(f"/locations/{room['id']}")
    await tenant.delete(f"/locations/{hq['id']}")
    assert_error(await tenant.post(f"{TRASH}/restore", json=refs(("location", room))), 409, "items[0]")
    r = await tenant.post(f"{TRASH}/restore", json=refs(("location", room), ("location", hq)))
    assert r.status_code == 200, r.text
    assert (await tenant.get(f"/locations/{room['id']}")).json()["path"] == "HQ > Room"


# --- permanent delete ---------------------------------------------------------------------------------------

async def rows(settings: Any, model: Any, tenant: Any, **where: Any) -> int:
    """Rows of `model` in the tenant matching `where`, read straight from the database."""
    database = open_database(settings.database_url)
    try:
        async with database.read_sessions() as session:
            stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant.tenant_id)
            for column, value in where.items():
                stmt = stmt.where(getattr(model, column) == (UUID(value) if column.endswith("id") and value else value))
            return (await session.execute(stmt)).scalar_one()
    finally:
        await database.dispose()


async def orphans(settings: Any, tenant: Any) -> int:
    """Rows anywhere that point at an asset that is not there."""
    database = open_database(settings.database_url)
    try:
        async with database.read_sessions() as session:
            assets = select(Asset.id).where(Asset.tenant_id == tenant.tenant_id)
            total = 0
            for model in (AssetEvent, MaintenanceSchedule, MaintenanceLog, SessionItem, BlankTag):
                total += (await session.execute(select(func.count()).select_from(model).where(
                    model.tenant_id == tenant.tenant_id, model.asset_id.is_not(None),
                    model.asset_id.not_in(assets)))).scalar_one()
            return total
    finally:
        await database.dispose()


async def purge(tenant: Any, *records: tuple[str, dict]) -> Any:
    return await tenant.post(f"{TRASH}/permanent-delete", json=refs(*records))


async def test_only_admins_delete_for_good_and_only_what_is_in_the_trash(tenant, other_tenant):
    person = await trashed(tenant, "/people", name="Ada")
    assert_error(await purge(tenant.as_role("manager"), ("person", person)), 403)
    assert_error(await purge(tenant.as_role("technician"), ("person", person)), 403)
    live = await tenant.created("/people", name="Live")
    body = assert_error(await purge(tenant, ("person", live)), 409, "items[0]")
    assert "delete it first" in body["message"]
    assert_error(await purge(other_tenant, ("person", person)), 404, "items[0]")
    r = await purge(tenant, ("person", person))
    assert r.status_code == 200, r.text
    assert r.json()["deleted"] == [{"kind": "person", "id": person["id"]}]
    assert_error(await tenant.get(f"/people/{person['id']}"), 404)
    assert await tenant.walk(TRASH) == []


async def test_an_asset_goes_with_its_history_maintenance_and_audit_places(tenant, settings):
    code = (await tenant.post("/labels/blank-batches", json={"count": 1, "template": "avery-l7160"},
                              headers={"accept": "application/json"})).json()["codes"][0]["code"]
    asset = await tenant.created(ITEMS, name="Drill", claimCode=code)
    keeper = await tenant.created(ITEMS, name="Saw")
    schedule = await tenant.created("/maintenance/schedules", itemId=asset["id"], title="Oil", intervalValue=30,
                                    intervalUnit="days", nextDueDate="2030-01-01")
    await tenant.created("/maintenance/logs", itemId=asset["id"], type="service", scheduleId=schedule["id"],
                         completedDate="2024-05-01T10:00:00Z")
    audit = await tenant.created("/sessions", name="Audit")
    scanned = await tenant.post(f"/sessions/{audit['id']}/scan", json={"itemId": asset["id"]})
    assert scanned.json()["progress"] == {"scanned": 1, "total": 2}
    assert await rows(settings, AssetEvent, tenant, asset_id=asset["id"]) >= 1
    await tenant.delete(f"{ITEMS}/{asset['id']}")

    r = await purge(tenant, ("asset", asset))
    assert r.status_code == 200, r.text
    assert_error(await tenant.get(f"{ITEMS}/{asset['id']}"), 404)
    for model in (Asset, AssetEvent, MaintenanceSchedule, MaintenanceLog, SessionItem):
        column = "id" if model is Asset else "asset_id"
        assert await rows(settings, model, tenant, **{column: asset["id"]}) == 0, model
    assert await orphans(settings, tenant) == 0
    assert await rows(settings, Scan, tenant, session_id=audit["id"]) == 1  # what was scanned stays on record
    mobile = (await tenant.get(f"/sessions/{audit['id']}/mobile")).json()
    assert mobile["progress"] == {"scanned": 0, "total": 1}
    assert (await tenant.get(f"{ITEMS}/{keeper['id']}")).status_code == 200
    # Its blank tag is free again: a scan reads it as an unknown code, and quick-add can bind it anew.
    result = await tenant.post(f"/sessions/{audit['id']}/scan", json={"code": code})
    assert result.json()["result"] == "unknown_code"
    assert await rows(settings, BlankTag, tenant, code=code, asset_id=None) == 1
    again = await tenant.created(ITEMS, name="New drill", claimCode=code)
    result = (await tenant.post(f"/sessions/{audit['id']}/scan", json={"code": code})).json()
    assert result["result"] == "not_in_session", result
    assert again["id"] in str(result)


async def test_what_assets_or_sessions_still_use_blocks_a_permanent_delete(tenant, settings):
    category = await tenant.created("/categories", name="Cables")
    hq = await tenant.created("/locations", name="HQ")
    room = await tenant.created("/locations", name="Room", parentId=hq["id"])
    person = await tenant.created("/people", name="Ada")
    asset = await tenant.created(ITEMS, name="Cable", categoryId=category["id"], locationId=room["id"],
                                 assigneeId=person["id"])
    await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": None})
    await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": person["id"]})
    await tenant.delete(f"{ITEMS}/{asset['id']}")
    for path, record in (("/categories", category), ("/locations", room), ("/locations", hq), ("/people", person)):
        assert (await tenant.delete(f"{path}/{record['id']}")).status_code == 204, path
    body = assert_error(await purge(tenant, ("category", category)), 409, "assets")
    assert body["details"]["assets"] == 1 and "items[0]" in body["details"]
    assert assert_error(await purge(tenant, ("location", hq)), 409, "subLocations")["details"]["subLocations"] == 1
    assert_error(await purge(tenant, ("location", room)), 409, "assets")
    assert_error(await purge(tenant, ("person", person)), 409, "assets")
    # All or nothing: the asset named first is still there after the category blocks.
    other = await trashed(tenant, "/categories", name="Other")
    assert_error(await purge(tenant, ("category", other), ("location", hq)), 409, "items[1]")
    assert await rows(settings, Category, tenant, id=other["id"]) == 1
    # With the asset in the same request, everything goes, in whatever order it was listed.
    r = await purge(tenant, ("location", hq), ("category", category), ("person", person), ("location", room),
                    ("asset", asset), ("category", other))
    assert r.status_code == 200, r.text
    assert await tenant.walk(TRASH) == []


async def test_a_location_or_category_an_audit_used_stays(tenant):
    room = await tenant.created("/locations", name="Room")
    category = await tenant.created("/categories", name="Laptops")
    await tenant.created("/sessions", name="Audit", locationId=room["id"], categoryIds=[category["id"]])
    await tenant.delete(f"/locations/{room['id']}")
    await tenant.delete(f"/categories/{category['id']}")
    assert assert_error(await purge(tenant, ("location", room)), 409, "sessions")["details"]["sessions"] == 1
    assert assert_error(await purge(tenant, ("category", category)), 409, "sessions")["details"]["sessions"] == 1


async def test_sessions_schedules_logs_and_fields_are_deleted_for_good(tenant, settings):
    asset = await tenant.created(ITEMS, name="Pump")
    audit = await tenant.created("/sessions", name="Audit")
    await tenant.post(f"/sessions/{audit['id']}/scan", json={"itemId": asset["id"]})
    await tenant.delete(f"/sessions/{audit['id']}")
    schedule = await tenant.created("/maintenance/schedules", itemId=asset["id"], title="Oil", intervalValue=30,
                                    intervalUnit="days", nextDueDate="2030-01-01")
    log = await tenant.created("/maintenance/logs", itemId=asset["id"], type="service", scheduleId=schedule["id"],
                               completedDate="2024-05-01T10:00:00Z")
    await tenant.delete(f"/maintenance/schedules/{schedule['id']}")
    r = await purge(tenant, ("auditSession", audit), ("maintenanceSchedule", schedule))
    assert r.status_code == 200, r.text
    assert await rows(settings, SessionItem, tenant, session_id=audit["id"]) == 0
    assert await rows(settings, Scan, tenant, session_id=audit["id"]) == 0
    kept = (await tenant.get(f"/maintenance/logs/{log['id']}")).json()
    assert kept["scheduleId"] is None and kept["deletedAt"] is None
    await tenant.delete(f"/maintenance/logs/{log['id']}")
    assert (await purge(tenant, ("maintenanceLog", log))).status_code == 200
    assert_error(await tenant.get(f"/maintenance/logs/{log['id']}"), 404)


async def test_a_custom_field_deleted_for_good_takes_its_values_unless_its_key_lives_on(tenant):
    old = await tenant.created("/custom-fields", key="bay", name="Bay", type="text")
    shelf = await tenant.created("/custom-fields", key="shelf", name="Shelf", type="number")
    asset = await tenant.created(ITEMS, name="Box", customFields={"bay": "A1", "shelf": 3})
    await tenant.delete(f"/custom-fields/{old['id']}")
    await tenant.delete(f"/custom-fields/{shelf['id']}")
    await tenant.created("/custom-fields", key="shelf", name="Shelf", type="number")
    r = await purge(tenant, ("customField", old), ("customField", shelf))
    assert r.status_code == 200, r.text
    assert (await tenant.get(f"{ITEMS}/{asset['id']}")).json()["customFields"] == {"shelf": 3}
    assert_error(await tenant.get(f"/custom-fields/{old['id']}"), 404)
