"""/maintenance through HTTP: schedules, logs that advance them, the due list, roles and tenants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from backend.db.engine import open_database
from backend.events.models import AssetEvent
from backend.maintenance import service
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

MISSING_ID = "01890000-0000-7000-8000-000000000000"


def today() -> date:
    return datetime.now(UTC).date()


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


async def asset(tenant: Any, name: str = "Pump", **fields: Any) -> dict:
    return await tenant.created("/inventory-items", name=name, **fields)


async def schedule(tenant: Any, item: dict, **fields: Any) -> dict:
    body = {"itemId": item["id"], "title": "Service", "intervalValue": 30, "intervalUnit": "days",
            "nextDueDate": days(10), **fields}
    return await tenant.created("/maintenance/schedules", **body)


async def log(tenant: Any, item: dict, **fields: Any) -> dict:
    body = {"itemId": item["id"], "type": "service", "completedDate": datetime.now(UTC).isoformat(), **fields}
    return await tenant.created("/maintenance/logs", **body)


async def fetch(tenant: Any, path: str) -> dict:
    r = await tenant.get(path)
    assert r.status_code == 200, r.text
    return r.json()


async def events_of(settings: Any, asset_id: str) -> list[AssetEvent]:
    database = open_database(settings.database_url)
    async with database.read_sessions() as session:
        rows = (await session.execute(select(AssetEvent).where(AssetEvent.type == "MAINTENANCE_COMPLETED")
                                      .order_by(AssetEvent.id))).scalars().all()
    await database.dispose()
    return [e for e in rows if str(e.asset_id) == asset_id]


async def test_a_schedule_is_created_read_changed_listed_and_deleted(tenant):
    pump = await asset(tenant)
    created = await schedule(tenant, pump, title="Filter change", type="service", intervalValue=3,
                             intervalUnit="months", nextDueDate="2027-01-31", notes="Use the blue filters")
    assert created["itemId"] == pump["id"] and created["reminderDays"] == 7 and created["intervalUnit"] == "months"
    assert await fetch(tenant, f"/maintenance/schedules/{created['id']}") == created
    r = await tenant.patch(f"/maintenance/schedules/{created['id']}", json={"reminderDays": 14, "title": "Filters"})
    assert r.status_code == 200 and r.json()["reminderDays"] == 14 and r.json()["title"] == "Filters"
    listed = await tenant.walk(f"/maintenance/schedules/item/{pump['id']}")
    assert [s["id"] for s in listed] == [created["id"]]
    assert (await tenant.delete(f"/maintenance/schedules/{created['id']}")).status_code == 204
    assert await tenant.walk(f"/maintenance/schedules/item/{pump['id']}") == []
    gone = await fetch(tenant, f"/maintenance/schedules/{created['id']}")
    assert gone["deletedAt"] is not None
    assert_error(await tenant.patch(f"/maintenance/schedules/{created['id']}", json={"title": "x"}), 409)


async def test_an_asset_s_schedules_are_paged_soonest_first(tenant):
    pump = await asset(tenant)
    made = [await schedule(tenant, pump, title=f"S{n}", nextDueDate=days(n)) for n in (5, 1, 3, 2, 4)]
    listed = await tenant.walk(f"/maintenance/schedules/item/{pump['id']}", limit=2)
    assert [s["title"] for s in listed] == ["S1", "S2", "S3", "S4", "S5"]
    assert len(made) == 5


@pytest.mark.parametrize(("fields", "field"), [
    pytest.param({"itemId": MISSING_ID}, "itemId", id="unknown-asset"),
    pytest.param({"intervalUnit": "weeks"}, "intervalUnit", id="unit"),
    pytest.param({"intervalValue": 0}, "intervalValue", id="interval-zero"),
    pytest.param({"reminderDays": 366}, "reminderDays", id="reminder-too-far"),
    pytest.param({"reminderDays": -1}, "reminderDays", id="reminder-negative"),
    pytest.param({"nextDueDate": "tomorrow"}, "nextDueDate", id="date"),
    pytest.param({"title": " "}, "title", id="blank-title"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
])
async def test_a_bad_schedule_is_a_400_naming_the_field(tenant, fields, field):
    pump = await asset(tenant)
    body = {"itemId": pump["id"], "title": "Service", "intervalValue": 30, "intervalUnit": "days",
            "nextDueDate": days(3), **fields}
    assert_error(await tenant.post("/maintenance/schedules", json=body), 400, field)


async def test_a_schedule_needs_a_live_asset_of_the_tenant(tenant, other_tenant):
    theirs = await asset(other_tenant)
    assert_error(await tenant.post("/maintenance/schedules", json={
        "itemId": theirs["id"], "title": "x", "intervalValue": 1, "intervalUnit": "days", "nextDueDate": days(1)}),
        400, "itemId")
    ours = await asset(tenant)
    assert (await tenant.delete(f"/inventory-items/{ours['id']}")).status_code == 204
    assert_error(await tenant.post("/maintenance/schedules", json={
        "itemId": ours["id"], "title": "x", "intervalValue": 1, "intervalUnit": "days", "nextDueDate": days(1)}),
        400, "itemId")


async def test_technicians_read_and_managers_write(tenant):
    pump = await asset(tenant)
    made = await schedule(tenant, pump)
    tech = tenant.as_role("technician")
    assert (await tech.get(f"/maintenance/schedules/{made['id']}")).status_code == 200
    assert (await tech.get("/maintenance/schedules/due/all")).status_code == 200
    assert (await tech.get(f"/maintenance/logs/item/{pump['id']}")).status_code == 200
    assert_error(await tech.post("/maintenance/schedules", json={
        "itemId": pump["id"], "title": "x", "intervalValue": 1, "intervalUnit": "days", "nextDueDate": days(1)}), 403)
    assert_error(await tech.patch(f"/maintenance/schedules/{made['id']}", json={"title": "y"}), 403)
    assert_error(await tech.delete(f"/maintenance/schedules/{made['id']}"), 403)
    assert_error(await tech.post("/maintenance/logs", json={
        "itemId": pump["id"], "type": "repair", "completedDate": "2026-01-01T10:00:00Z"}), 403)
    manager = tenant.as_role("manager")
    done = await manager.created("/maintenance/logs", itemId=pump["id"], type="repair",
                                 completedDate="2026-01-01T10:00:00Z")
    assert_error(await tech.delete(f"/maintenance/logs/{done['id']}"), 403)
    assert_error(await tech.patch(f"/maintenance/logs/{done['id']}", json={"notes": "x"}), 403)


async def test_another_tenant_s_schedules_and_logs_are_404(tenant, other_tenant):
    pump = await asset(tenant)
    made = await schedule(tenant, pump)
    done = await log(tenant, pump, scheduleId=made["id"])
    for path in (f"/maintenance/schedules/{made['id']}", f"/maintenance/schedules/item/{pump['id']}",
                 f"/maintenance/logs/{done['id']}", f"/maintenance/logs/item/{pump['id']}",
                 f"/maintenance/logs/schedule/{made['id']}"):
        assert_error(await other_tenant.get(path), 404)
    assert_error(await other_tenant.patch(f"/maintenance/schedules/{made['id']}", json={"title": "x"}), 404)
    assert_error(await other_tenant.delete(f"/maintenance/logs/{done['id']}"), 404)
    assert (await other_tenant.get("/maintenance/schedules/due/all")).json()["counts"] == {
        "overdue": 0, "dueToday": 0, "upcoming": 0}
    assert_error(await tenant.get("/maintenance/schedules/not-an-id"), 400, "id")
    assert_error(await tenant.get("/maintenance/logs/item/nope"), 400, "itemId")


async def test_completing_a_schedule_moves_it_on_from_the_completion_date(tenant, settings):
    pump = await asset(tenant)
    made = await schedule(tenant, pump, intervalValue=1, intervalUnit="months", nextDueDate="2026-02-15")
    done = await log(tenant, pump, scheduleId=made["id"], type="inspection", completedDate="2026-01-31T10:00:00Z",
                     cost="12.50", notes="early")
    assert done["scheduleId"] == made["id"] and done["cost"] == "12.50"
    # early: one calendar month from the completion, clamped to the end of February
    assert (await fetch(tenant, f"/maintenance/schedules/{made['id']}"))["nextDueDate"] == "2026-02-28"
    await log(tenant, pump, scheduleId=made["id"], completedDate="2026-04-10T23:30:00-02:00")  # late; 04-11 in UTC
    assert (await fetch(tenant, f"/maintenance/schedules/{made['id']}"))["nextDueDate"] == "2026-05-11"
    # a record filled in afterwards, older than the latest completion, leaves the schedule alone
    await log(tenant, pump, scheduleId=made["id"], completedDate="2026-03-01T08:00:00Z")
    assert (await fetch(tenant, f"/maintenance/schedules/{made['id']}"))["nextDueDate"] == "2026-05-11"
    recorded = await events_of(settings, pump["id"])
    assert [e.data for e in recorded][0] == {"logId": done["id"], "scheduleId": made["id"], "type": "inspection"}
    assert len(recorded) == 3


async def test_an_ad_hoc_log_is_recorded_as_an_event_without_a_schedule(tenant, settings):
    pump = await asset(tenant)
    done = await log(tenant, pump, type="repair", completedDate="2026-02-22T10:00:00.000Z",
                     notes="Fan replaced and thermal test passed")
    assert done["scheduleId"] is None
    [event] = await events_of(settings, pump["id"])
    assert event.data == {"logId": done["id"], "type": "repair"}


async def test_a_bad_log_is_a_400_naming_the_field(tenant):
    pump, other = await asset(tenant), await asset(tenant, "Other")
    theirs = await schedule(tenant, other)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for body, field in [
        ({"completedDate": future}, "completedDate"),
        ({"completedDate": "2026-01-01T10:00:00"}, "completedDate"),  # no time zone
        ({"scheduleId": theirs["id"]}, "scheduleId"),
        ({"scheduleId": MISSING_ID}, "scheduleId"),
        ({"itemId": MISSING_ID}, "itemId"),
        ({"cost": "-1"}, "cost"),
        ({"cost": "1.234"}, "cost"),
        ({"type": ""}, "type"),
    ]:
        r = await tenant.post("/maintenance/logs", json={"itemId": pump["id"], "type": "service",
                                                         "completedDate": "2026-01-01T10:00:00Z", **body})
        assert_error(r, 400, field)
    assert (await fetch(tenant, f"/maintenance/schedules/{theirs['id']}"))["nextDueDate"] == days(10)


async def test_logs_are_listed_changed_and_deleted(tenant):
    pump = await asset(tenant)
    made = await schedule(tenant, pump)
    logs = [await log(tenant, pump, completedDate=f"2026-01-0{n}T10:00:00Z", **({"scheduleId": made["id"]} if n % 2
                                                                               else {})) for n in range(1, 6)]
    by_item = await tenant.walk(f"/maintenance/logs/item/{pump['id']}", limit=2)
    assert [item["id"] for item in by_item] == [entry["id"] for entry in reversed(logs)]
    by_schedule = await tenant.walk(f"/maintenance/logs/schedule/{made['id']}", limit=2)
    assert [item["id"] for item in by_schedule] == [logs[4]["id"], logs[2]["id"], logs[0]["id"]]
    r = await tenant.patch(f"/maintenance/logs/{logs[0]['id']}", json={"cost": "99.90", "notes": "invoice 7"})
    assert r.status_code == 200 and r.json()["cost"] == "99.90" and r.json()["notes"] == "invoice 7"
    assert_error(await tenant.patch(f"/maintenance/logs/{logs[0]['id']}", json={"completedDate": "2026-01-01"}), 400,
                 "completedDate")
    assert (await tenant.delete(f"/maintenance/logs/{logs[0]['id']}")).status_code == 204
    assert (await fetch(tenant, f"/maintenance/logs/{logs[0]['id']}"))["deletedAt"] is not None
    assert len(await tenant.walk(f"/maintenance/logs/item/{pump['id']}")) == 4
    assert_error(await tenant.get("/maintenance/logs/item/" + pump["id"], params={"limit": 201}), 400, "limit")


async def test_deleted_schedules_and_logs_come_back_with_restore(tenant, settings):
    pump = await asset(tenant)
    made = await schedule(tenant, pump)
    done = await log(tenant, pump)
    await tenant.delete(f"/maintenance/schedules/{made['id']}")
    await tenant.delete(f"/maintenance/logs/{done['id']}")
    database = open_database(settings.database_url)
    async with database.write_sessions() as session:
        assert (await service.restore_schedule(session, tenant.tenant_id, UUID(made["id"]))).deleted_at is None
        assert (await service.restore_log(session, tenant.tenant_id, UUID(done["id"]))).deleted_at is None
    await database.dispose()
    assert [s["id"] for s in await tenant.walk(f"/maintenance/schedules/item/{pump['id']}")] == [made["id"]]
    assert [entry["id"] for entry in await tenant.walk(f"/maintenance/logs/item/{pump['id']}")] == [done["id"]]


async def test_the_due_list_classifies_as_the_reference_defines(tenant):
    pump = await asset(tenant, "Pump", tag="PUMP-1")
    retired = await asset(tenant, "Old pump", status="retired")
    deleted = await asset(tenant, "Gone pump")
    ids = {}
    for title, due, reminder in [("late", -1, 7), ("today", 0, 7), ("soon", 3, 7), ("later", 10, 7),
                                 ("far", 20, 30), ("quiet", 2, 0)]:
        ids[title] = (await schedule(tenant, pump, title=title, nextDueDate=days(due), reminderDays=reminder))["id"]
    dropped = await schedule(tenant, pump, title="dropped", nextDueDate=days(-3))
    await tenant.delete(f"/maintenance/schedules/{dropped['id']}")
    await schedule(tenant, retired, title="retired", nextDueDate=days(-3))
    await schedule(tenant, deleted, title="deleted", nextDueDate=days(-3))
    await tenant.delete(f"/inventory-items/{deleted['id']}")

    def titles(answer: dict, kind: str) -> list[str]:
        return [s["title"] for s in answer[kind]]

    default = await fetch(tenant, "/maintenance/schedules/due/all")
    assert default["lookaheadDays"] == 7 and default["today"] == days(0)
    assert (titles(default, "overdue"), titles(default, "dueToday"), titles(default, "upcoming")) == (
        ["late"], ["today"], ["soon"])
    assert default["counts"] == {"overdue": 1, "dueToday": 1, "upcoming": 1}
    late = default["overdue"][0]
    assert (late["itemTag"], late["itemName"], late["itemId"], late["daysUntilDue"]) == ("PUMP-1", "Pump", pump["id"], -1)
    wide = await fetch(tenant, "/maintenance/schedules/due/all?lookaheadDays=30")
    assert titles(wide, "upcoming") == ["soon", "far"]
    assert await fetch(tenant, "/maintenance/schedules/due/all?reminderDays=30") == wide
    assert await fetch(tenant, "/maintenance/schedules/due/all?reminderDays=30&lookaheadDays=30") == wide
    assert titles(await fetch(tenant, "/maintenance/schedules/due/all?lookaheadDays=2"), "upcoming") == []


@pytest.mark.parametrize(("query", "field"), [
    pytest.param("lookaheadDays=0", "lookaheadDays", id="zero"),
    pytest.param("lookaheadDays=61", "lookaheadDays", id="too-far"),
    pytest.param("reminderDays=0", "reminderDays", id="alias-zero"),
    pytest.param("reminderDays=100", "reminderDays", id="alias-too-far"),
    pytest.param("lookaheadDays=7&reminderDays=8", "reminderDays", id="both-differ"),
    pytest.param("lookaheadDays=soon", "lookaheadDays", id="not-a-number"),
])
async def test_a_bad_lookahead_is_a_400_naming_it(tenant, query, field):
    assert_error(await tenant.get(f"/maintenance/schedules/due/all?{query}"), 400, field)
