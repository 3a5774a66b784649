"""Status changes, check-out and check-in through the HTTP stack, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from backend.assets.models import Asset
from backend.db.engine import open_database
from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

ITEMS = "/inventory-items"
NO_SUCH_ID = "01900000-0000-7000-8000-000000000000"


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat().replace("+00:00", "Z")


async def new_asset(tenant: TenantClient, **fields: Any) -> dict[str, Any]:
    return await tenant.created(ITEMS, **{"name": "Laptop", **fields})


async def new_person(tenant: TenantClient, name: str = "Ada Lovelace") -> dict[str, Any]:
    return await tenant.created("/people", name=name)


async def read(tenant: TenantClient, asset_id: str) -> dict[str, Any]:
    r = await tenant.get(f"{ITEMS}/{asset_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def status(tenant: TenantClient, asset_id: str, to: str, **body: Any) -> Any:
    return await tenant.post(f"{ITEMS}/{asset_id}/status", json={"toStatus": to, **body})


async def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


async def events(tenant: TenantClient, asset_id: str, types: str | None = None) -> list[dict[str, Any]]:
    return await tenant.walk(f"{ITEMS}/{asset_id}/timeline", limit=100, **({"types": types} if types else {}))


async def test_allowed_transitions_follow_the_status_table(tenant):
    asset = await new_asset(tenant)
    body = await ok(await tenant.get(f"{ITEMS}/{asset['id']}/allowed-status-transitions"))
    assert body["status"] == "available"
    allowed = {m["toStatus"]: (m["via"], m["reasonRequired"]) for m in body["allowed"]}
    assert allowed == {"in_use": ("checkout", False), "reserved": ("status", False),
                       "maintenance": ("status", False), "missing": ("status", False), "retired": ("status", True)}
    await ok(await status(tenant, asset["id"], "retired", reason="Water damage"))
    body = await ok(await tenant.get(f"{ITEMS}/{asset['id']}/allowed-status-transitions"))
    assert body == {"status": "retired", "allowed": [{"toStatus": "available", "via": "status", "reasonRequired": False}]}


async def test_a_status_change_moves_the_asset_and_is_recorded(tenant):
    asset = await new_asset(tenant)
    moved = await ok(await status(tenant, asset["id"], "maintenance", reason="Fan noise", meta={"ticket": "IT-77"}))
    assert moved["status"] == "maintenance" and moved["id"] == asset["id"]
    assert moved["qrUrl"] == asset["qrUrl"]  # the same shape as GET
    assert (await read(tenant, asset["id"]))["status"] == "maintenance"
    [event] = await events(tenant, asset["id"], "STATUS_CHANGED")
    assert event["data"] == {"from": "available", "to": "maintenance", "reason": "Fan noise", "meta": {"ticket": "IT-77"}}
    assert event["actor"]["userId"] == str(tenant.user_ids["admin"])


@pytest.mark.parametrize(("start", "to", "hint"), [
    pytest.param([], "available", "already available", id="same-status"),
    pytest.param([], "in_use", "checkout", id="in-use-is-a-checkout"),
    pytest.param(["maintenance"], "reserved", "cannot become reserved", id="not-in-the-table"),
    pytest.param(["retired"], "maintenance", "cannot become maintenance", id="retired-only-comes-back-as-available"),
])
async def test_a_move_the_table_does_not_make_by_status_is_409_naming_the_allowed_ones(tenant, start, to, hint):
    asset = await new_asset(tenant)
    for step in start:
        await ok(await status(tenant, asset["id"], step, reason="set up"))
    before = await read(tenant, asset["id"])
    body = assert_error(await status(tenant, asset["id"], to, reason="try"), 409, "allowed")
    assert hint in body["message"]
    allowed = {m["toStatus"] for m in body["details"]["allowed"]}
    assert allowed and allowed == {m["toStatus"] for m in (await ok(
        await tenant.get(f"{ITEMS}/{asset['id']}/allowed-status-transitions")))["allowed"]}
    assert all(name in body["message"] for name in allowed)
    assert await read(tenant, asset["id"]) == before


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["missing", "empty", "blank"])
async def test_retiring_without_a_reason_is_400_naming_reason(tenant, reason):
    asset = await new_asset(tenant)
    body = {} if reason is None else {"reason": reason}
    assert_error(await status(tenant, asset["id"], "retired", **body), 400, "reason")
    assert (await read(tenant, asset["id"]))["status"] == "available"


async def test_retiring_writes_one_retired_event_and_the_asset_can_come_back(tenant):
    asset = await new_asset(tenant)
    await ok(await status(tenant, asset["id"], "retired", reason="  Sold  "))
    [retired] = await events(tenant, asset["id"], "RETIRED,STATUS_CHANGED")
    assert retired["type"] == "RETIRED" and retired["data"] == {"from": "available", "to": "retired", "reason": "Sold"}
    back = await ok(await status(tenant, asset["id"], "available"))
    assert back["status"] == "available"


async def test_a_reservation_keeps_its_end_until_the_asset_leaves_reserved(tenant):
    asset = await new_asset(tenant)
    until = later(days=3)
    reserved = await ok(await status(tenant, asset["id"], "reserved",
                                     meta={"reservedUntil": until, "reservationReason": "New hire"}))
    assert reserved["status"] == "reserved"
    assert datetime.fromisoformat(reserved["reservedUntil"]) == datetime.fromisoformat(until)
    [event] = await events(tenant, asset["id"], "STATUS_CHANGED")
    assert event["data"]["meta"] == {"reservedUntil": until, "reservationReason": "New hire"}
    freed = await ok(await status(tenant, asset["id"], "available"))
    assert freed["reservedUntil"] is None


@pytest.mark.parametrize(("to", "meta", "field"), [
    pytest.param("reserved", {"reservedUntil": "2020-01-01T00:00:00Z"}, "meta.reservedUntil", id="in-the-past"),
    pytest.param("reserved", {"reservedUntil": "next week"}, "meta.reservedUntil", id="not-a-date"),
    pytest.param("reserved", {"reservedUntil": "2099-01-01T00:00:00"}, "meta.reservedUntil", id="no-time-zone"),
    pytest.param("reserved", {"reservedUntil": 12}, "meta.reservedUntil", id="a-number"),
    pytest.param("maintenance", {"reservedUntil": "2099-01-01T00:00:00Z"}, "meta.reservedUntil", id="not-reserving"),
    pytest.param("reserved", {f"k{i}": i for i in range(21)}, "meta", id="too-many-keys"),
    pytest.param("reserved", {"nested": {"a": 1}}, "meta", id="nested-object"),
    pytest.param("reserved", {"long": "x" * 201}, "meta", id="long-value"),
    pytest.param("reserved", [1, 2], "meta", id="not-an-object"),
])
async def test_bad_meta_is_400_naming_it_and_changes_nothing(tenant, to, meta, field):
    asset = await read(tenant, (await new_asset(tenant))["id"])
    body = assert_error(await status(tenant, asset["id"], to, meta=meta), 400)
    assert any(key.startswith(field) for key in body["details"]), body
    assert await read(tenant, asset["id"]) == asset


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({}, "toStatus", id="no-status"),
    pytest.param({"toStatus": "lost"}, "toStatus", id="unknown-status"),
    pytest.param({"toStatus": "maintenance", "colour": "red"}, "colour", id="unknown-field"),
])
async def test_a_malformed_status_body_is_400(tenant, body, field):
    asset = await new_asset(tenant)
    assert_error(await tenant.post(f"{ITEMS}/{asset['id']}/status", json=body), 400, field)


async def test_check_out_and_check_in(tenant):
    person = await new_person(tenant)
    location = await tenant.created("/locations", name="Store room")
    asset = await new_asset(tenant, locationId=location["id"])
    due = later(days=7)
    out = await ok(await tenant.post(f"{ITEMS}/{asset['id']}/checkout",
                                     json={"personId": person["id"], "dueBackAt": due, "note": "Onboarding"}))
    assert (out["status"], out["assigneeId"], out["overdue"]) == ("in_use", person["id"], False)
    assert datetime.fromisoformat(out["dueBackAt"]) == datetime.fromisoformat(due)
    assert out["assignedAt"] is not None
    assigned, changed = sorted(await events(tenant, asset["id"], "ASSIGNED,STATUS_CHANGED"), key=lambda e: e["type"])
    assert assigned["personId"] == person["id"]
    assert assigned["data"] == {"personId": person["id"], "dueBackAt": assigned["data"]["dueBackAt"], "note": "Onboarding"}
    assert changed["data"] == {"from": "available", "to": "in_use"}

    back = await ok(await tenant.post(f"{ITEMS}/{asset['id']}/checkin", json={"note": "Returned fine"}))
    assert (back["status"], back["assigneeId"], back["dueBackAt"], back["assignedAt"]) == ("available", None, None, None)
    assert back["locationId"] == location["id"]
    [unassigned] = await events(tenant, asset["id"], "UNASSIGNED")
    assert unassigned["data"] == {"personId": person["id"], "note": "Returned fine"}
    assert unassigned["personId"] == person["id"]


async def test_check_in_takes_no_body_at_all(tenant):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    await ok(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}))
    assert (await ok(await tenant.post(f"{ITEMS}/{asset['id']}/checkin")))["status"] == "available"


@pytest.mark.parametrize("start", ["in_use", "maintenance", "reserved", "missing", "retired"])
async def test_check_out_from_anything_but_available_is_409_naming_the_status(tenant, start):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    if start == "in_use":
        await ok(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}))
    else:
        await ok(await status(tenant, asset["id"], start, reason="set up"))
    before = await read(tenant, asset["id"])
    body = assert_error(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}),
                        409, "status")
    assert body["details"]["status"] == start and start in body["message"]
    assert ("check it in" if start == "in_use" else "available first") in body["message"]
    assert await read(tenant, asset["id"]) == before


@pytest.mark.parametrize("start", ["available", "maintenance", "retired"])
async def test_check_in_of_an_asset_not_in_use_is_409(tenant, start):
    asset = await new_asset(tenant)
    if start != "available":
        await ok(await status(tenant, asset["id"], start, reason="set up"))
    before = await read(tenant, asset["id"])
    body = assert_error(await tenant.post(f"{ITEMS}/{asset['id']}/checkin", json={}), 409, "status")
    assert start in body["message"]
    assert await read(tenant, asset["id"]) == before


async def test_check_out_to_a_person_who_is_not_there_is_400_naming_person_id(tenant, other_tenant):
    asset = await read(tenant, (await new_asset(tenant))["id"])
    gone = await new_person(tenant, "Gone")
    assert (await tenant.delete(f"/people/{gone['id']}")).status_code == 204
    theirs = await new_person(other_tenant, "Theirs")
    for person_id in (NO_SUCH_ID, gone["id"], theirs["id"]):
        assert_error(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person_id}), 400, "personId")
    assert_error(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": "ada"}), 400, "personId")
    assert await read(tenant, asset["id"]) == asset


@pytest.mark.parametrize("due", ["2020-01-01T00:00:00Z", "2099-01-01T00:00:00", "tomorrow"],
                         ids=["past", "no-time-zone", "not-a-date"])
async def test_a_bad_due_date_is_400_naming_due_back_at(tenant, due):
    person = await new_person(tenant)
    asset = await read(tenant, (await new_asset(tenant))["id"])
    r = await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"], "dueBackAt": due})
    assert_error(r, 400, "dueBackAt")
    assert await read(tenant, asset["id"]) == asset


async def test_check_outs_at_the_same_moment_give_the_asset_to_one_person(tenant):
    people = [await new_person(tenant, name) for name in ("Ada", "Grace", "Alan", "Edsger", "Barbara")]
    asset = await new_asset(tenant)
    answers = await asyncio.gather(*(tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": p["id"]})
                                     for p in people))
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409, 409]
    winner = next(r.json() for r in answers if r.status_code == 200)
    assert (await read(tenant, asset["id"]))["assigneeId"] == winner["assigneeId"]
    assert len(await events(tenant, asset["id"], "ASSIGNED")) == 1


async def test_leaving_in_use_by_a_status_change_takes_the_asset_back(tenant):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    await ok(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"], "dueBackAt": later(days=1)}))
    broken = await ok(await status(tenant, asset["id"], "maintenance", reason="Cracked screen"))
    assert (broken["status"], broken["assigneeId"], broken["dueBackAt"]) == ("maintenance", None, None)
    [unassigned] = await events(tenant, asset["id"], "UNASSIGNED")
    assert unassigned["personId"] == person["id"]


async def test_an_overdue_check_out_shows_on_the_asset_and_in_the_list(tenant):
    person = await new_person(tenant)
    late = await new_asset(tenant, name="Late laptop")
    on_time = await new_asset(tenant, name="On-time laptop")
    await new_asset(tenant, name="Spare laptop")
    await ok(await tenant.post(f"{ITEMS}/{late['id']}/checkout", json={"personId": person["id"], "dueBackAt": later(seconds=1)}))
    await ok(await tenant.post(f"{ITEMS}/{on_time['id']}/checkout", json={"personId": person["id"], "dueBackAt": later(days=1)}))
    await asyncio.sleep(1.2)
    assert (await read(tenant, late["id"]))["overdue"] is True
    assert (await read(tenant, on_time["id"]))["overdue"] is False
    assert {a["name"] for a in await tenant.walk(ITEMS, overdue="true")} == {"Late laptop"}
    assert {a["name"] for a in await tenant.walk(ITEMS, overdue="false")} == {"On-time laptop", "Spare laptop"}
    await ok(await tenant.post(f"{ITEMS}/{late['id']}/checkin"))
    assert await tenant.walk(ITEMS, overdue="true") == []
    assert_error(await tenant.get(ITEMS, params={"overdue": "maybe"}), 400, "overdue")


async def test_a_technician_reads_the_allowed_moves_but_cannot_make_them(tenant):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    tech = tenant.as_role("technician")
    assert (await tech.get(f"{ITEMS}/{asset['id']}/allowed-status-transitions")).status_code == 200
    assert_error(await status(tech, asset["id"], "maintenance"), 403)
    assert_error(await tech.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}), 403)
    assert_error(await tech.post(f"{ITEMS}/{asset['id']}/checkin"), 403)
    manager = tenant.as_role("manager")
    await ok(await manager.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}))
    await ok(await manager.post(f"{ITEMS}/{asset['id']}/checkin"))
    await ok(await status(manager, asset["id"], "maintenance"))


async def test_another_tenants_asset_is_404_and_untouched(tenant, other_tenant):
    person = await new_person(other_tenant)
    asset = await read(tenant, (await new_asset(tenant))["id"])
    assert_error(await other_tenant.get(f"{ITEMS}/{asset['id']}/allowed-status-transitions"), 404)
    assert_error(await status(other_tenant, asset["id"], "maintenance"), 404)
    assert_error(await other_tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}), 404)
    assert_error(await other_tenant.post(f"{ITEMS}/{asset['id']}/checkin"), 404)
    assert await read(tenant, asset["id"]) == asset


async def test_unknown_and_malformed_ids(tenant):
    assert_error(await status(tenant, NO_SUCH_ID, "maintenance"), 404)
    assert_error(await tenant.get(f"{ITEMS}/{NO_SUCH_ID}/allowed-status-transitions"), 404)
    assert_error(await status(tenant, "nope", "maintenance"), 400, "inventoryItemId")
    assert_error(await tenant.post(f"{ITEMS}/nope/checkin"), 400, "inventoryItemId")


async def test_a_deleted_asset_allows_no_moves_until_restored(tenant):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    assert (await tenant.delete(f"{ITEMS}/{asset['id']}")).status_code == 204
    body = await ok(await tenant.get(f"{ITEMS}/{asset['id']}/allowed-status-transitions"))
    assert body == {"status": "available", "allowed": []}
    assert "restore" in assert_error(await status(tenant, asset["id"], "maintenance"), 409)["message"]
    assert_error(await tenant.post(f"{ITEMS}/{asset['id']}/checkout", json={"personId": person["id"]}), 409)
    await ok(await tenant.post(f"{ITEMS}/{asset['id']}/restore"))
    await ok(await status(tenant, asset["id"], "maintenance"))


# Giving an asset to someone by editing it follows the same rules.

async def test_patching_the_assignee_checks_out_and_in_with_events(tenant):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    given = await ok(await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": person["id"]}))
    assert (given["status"], given["assigneeId"]) == ("in_use", person["id"]) and given["assignedAt"]
    taken = await ok(await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": None}))
    assert (taken["status"], taken["assigneeId"], taken["assignedAt"]) == ("available", None, None)
    kinds = [e["type"] for e in await events(tenant, asset["id"], "ASSIGNED,UNASSIGNED,STATUS_CHANGED")]
    assert sorted(kinds) == ["ASSIGNED", "STATUS_CHANGED", "STATUS_CHANGED", "UNASSIGNED"]


@pytest.mark.parametrize("start", ["maintenance", "reserved", "missing", "retired"])
async def test_an_asset_that_is_not_available_cannot_be_given_to_someone_by_patch(tenant, start):
    person = await new_person(tenant)
    asset = await new_asset(tenant)
    await ok(await status(tenant, asset["id"], start, reason="set up"))
    before = await read(tenant, asset["id"])
    body = assert_error(await tenant.patch(f"{ITEMS}/{asset['id']}", json={"assigneeId": person["id"]}), 409, "assigneeId")
    assert start in body["message"]
    assert await read(tenant, asset["id"]) == before


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"status": "maintenance", "assignee": True}, "status", id="held-but-not-in-use"),
    pytest.param({"status": "in_use"}, "assigneeId", id="in-use-without-holder"),
])
async def test_creating_an_asset_keeps_holder_and_in_use_together(tenant, body, field):
    person = await new_person(tenant)
    body = dict(body)  # the parameter is shared by both databases' runs
    if body.pop("assignee", False):
        body["assigneeId"] = person["id"]
    assert_error(await tenant.post(ITEMS, json={"name": "Drill", **body}), 400, field)


async def test_creating_an_asset_for_someone_records_the_assignment(tenant):
    person = await new_person(tenant)
    asset = await new_asset(tenant, assigneeId=person["id"])
    assert asset["status"] == "in_use" and asset["assignedAt"] is not None
    kinds = {e["type"] for e in await events(tenant, asset["id"])}
    assert kinds == {"CREATED", "ASSIGNED"}


# Audits follow the table too.

async def missed(settings: Any, tenant: TenantClient, asset_id: str) -> bool:
    database = open_database(settings.database_url)
    try:
        async with database.read_sessions() as session:
            return (await session.execute(select(Asset.missed_last_audit).where(
                Asset.tenant_id == tenant.tenant_id, Asset.id == UUID(asset_id)))).scalar_one()
    finally:
        await database.dispose()


async def test_an_audit_marks_missing_only_what_the_table_allows_and_remembers_who_was_missed(tenant, settings):
    person = await new_person(tenant)
    room = await tenant.created("/locations", name="Lab")
    seen = await new_asset(tenant, name="Seen", locationId=room["id"])
    lent = await new_asset(tenant, name="Lent", locationId=room["id"])
    old = await new_asset(tenant, name="Old", locationId=room["id"])
    await ok(await tenant.post(f"{ITEMS}/{lent['id']}/checkout", json={"personId": person["id"]}))
    audit = await tenant.created("/sessions", name="Lab audit", locationId=room["id"])
    await ok(await status(tenant, old["id"], "retired", reason="Obsolete"))  # expected, then retired mid-audit
    r = await tenant.post(f"/sessions/{audit['id']}/scan", json={"itemId": seen["id"]})
    assert r.status_code == 200, r.text
    done = await tenant.patch(f"/sessions/{audit['id']}", json={"status": "completed", "markMissing": True})
    assert done.status_code == 200, done.text

    lent_now = await read(tenant, lent["id"])
    assert (lent_now["status"], lent_now["assigneeId"]) == ("missing", None)
    assert [e["type"] for e in await events(tenant, lent["id"], "UNASSIGNED")] == ["UNASSIGNED"]
    change = (await events(tenant, lent["id"], "STATUS_CHANGED"))[0]  # newest first
    assert change["data"] == {"from": "in_use", "to": "missing", "sessionId": audit["id"]}
    assert (await read(tenant, old["id"]))["status"] == "retired"
    assert (await read(tenant, seen["id"]))["status"] == "available"
    expected = {seen["id"]: False, lent["id"]: True}
    assert {asset_id: await missed(settings, tenant, asset_id) for asset_id in expected} == expected
