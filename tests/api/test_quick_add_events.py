"""Quick-add events (the PWA reports each step of a quick-add) and the admin's TT10 report built from them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, UTC
from typing import Any

import pytest
from tests.helpers import assert_error

from backend.db.engine import open_database
from backend.quickadd.models import QuickAddEvent

pytestmark = pytest.mark.anyio

EVENTS = "/inventory-items/quick-add/events"


def report_path(tenant: Any) -> str:
    return f"/admin/tenants/{tenant.tenant_id}/tt10-report"


async def api_key(tenant: Any, role: str = "technician") -> dict[str, str]:
    key = await tenant.created("/api-keys", name=f"Kiosk {role}", role=role)
    return {"authorization": f"ApiKey {key['token']}"}


async def store_events(settings: Any, tenant: Any, role: str, events: list[tuple[str, datetime]]) -> None:
    """Events as if the PWA had sent them at those times (the API stamps the server's clock)."""
    database = open_database(settings.database_url)
    try:
        async with database.write_sessions() as session:
            session.add_all([QuickAddEvent(tenant_id=tenant.tenant_id, event=event, flow_id="flow-1",
                                           user_id=tenant.user_ids[role], at=at) for event, at in events])
            await session.commit()
    finally:
        await database.dispose()


def parse(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


@pytest.mark.parametrize("event", ["quick_add_opened", "asset_created_quick", "asset_assigned", "advanced_opened"])
async def test_a_technician_records_each_kind_of_event(tenant, event):
    technician = tenant.as_role("technician")
    before = datetime.now(UTC)
    body = await technician.created(EVENTS, event=event, flowId="0192f5e0-8d2c-7a31-b1e4-7b3c9d2e4f10")
    assert set(body) == {"id", "event", "flowId", "itemId", "userId", "at"}
    assert body["event"] == event
    assert body["flowId"] == "0192f5e0-8d2c-7a31-b1e4-7b3c9d2e4f10"
    assert body["itemId"] is None
    assert body["userId"] == str(tenant.user_ids["technician"])
    uuid.UUID(body["id"])
    assert before - timedelta(seconds=1) <= parse(body["at"]) <= datetime.now(UTC) + timedelta(seconds=1)


async def test_an_event_names_an_asset_of_the_workspace_and_keeps_its_meta(tenant):
    asset = await tenant.created("/inventory-items", name="Label printer")
    meta = {"source": "scan", "fields": ["name", "category"], "ms": 5400}
    body = await tenant.as_role("technician").created(EVENTS, event="asset_created_quick", flowId="f-1",
                                                     itemId=asset["id"], meta=meta)
    assert body["itemId"] == asset["id"]
    # flowId is optional, as in the reference.
    assert (await tenant.created(EVENTS, event="quick_add_opened"))["flowId"] is None


async def test_another_workspaces_asset_is_a_404_and_records_nothing(tenant, other_tenant):
    foreign = await other_tenant.created("/inventory-items", name="Not yours")
    for item_id in (foreign["id"], str(uuid.uuid4())):
        r = await tenant.as_role("technician").post(EVENTS, json={"event": "asset_assigned", "itemId": item_id})
        assert_error(r, 404, field="itemId")
    report = (await tenant.get(report_path(tenant))).json()
    assert report["users"] == []


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"event": "asset_deleted"}, "event", id="unknown-event"),
    pytest.param({}, "event", id="no-event"),
    pytest.param({"event": "quick_add_opened", "flowId": "x" * 65}, "flowId", id="flow-id-too-long"),
    pytest.param({"event": "quick_add_opened", "flowId": "two words"}, "flowId", id="flow-id-with-space"),
    pytest.param({"event": "quick_add_opened", "itemId": "not-a-uuid"}, "itemId", id="item-id-not-uuid"),
    pytest.param({"event": "quick_add_opened", "meta": ["a", "list"]}, "meta", id="meta-not-an-object"),
    pytest.param({"event": "quick_add_opened", "meta": {"note": "x" * 4100}}, "meta", id="meta-over-4kb"),
    pytest.param({"event": "quick_add_opened", "userId": str(uuid.uuid4())}, "userId", id="user-id-not-taken"),
])
async def test_bad_events_are_a_400_naming_the_field(tenant, body, field):
    assert_error(await tenant.as_role("technician").post(EVENTS, json=body), 400, field=field)


async def test_api_keys_are_refused_with_a_401_that_says_so(tenant):
    headers = await api_key(tenant, "admin")
    r = await tenant.post(EVENTS, auth=False, headers=headers, json={"event": "quick_add_opened"})
    body = assert_error(r, 401)
    assert "API key" in body["message"]
    assert_error(await tenant.post(EVENTS, auth=False, json={"event": "quick_add_opened"}), 401)


async def test_the_events_route_is_not_taken_for_an_asset_id(tenant):
    asset = await tenant.created("/inventory-items", name="Drill")
    assert (await tenant.created(EVENTS, event="quick_add_opened"))["event"] == "quick_add_opened"
    # ...and the asset routes beside it still take ids.
    assert (await tenant.get(f"/inventory-items/{asset['id']}")).json()["name"] == "Drill"
    assert (await tenant.delete(f"/inventory-items/{asset['id']}")).status_code == 204
    assert (await tenant.post(f"/inventory-items/{asset['id']}/restore")).status_code == 200
    assert_error(await tenant.get("/inventory-items/quick-add"), 400)  # still read as an (invalid) asset id


async def test_tt10_report_per_user_from_first_quick_add_to_tenth_assignment(tenant, settings):
    start = datetime.now(UTC) - timedelta(hours=3)
    # The technician: first quick-add, an assignment that came before it, then ten at one-minute steps.
    await store_events(settings, tenant, "technician", [
        ("quick_add_opened", start - timedelta(minutes=2)),
        ("asset_assigned", start - timedelta(minutes=1)),
        ("asset_created_quick", start),
        *[("asset_assigned", start + timedelta(minutes=n, seconds=30)) for n in range(10)],
        ("asset_created_quick", start + timedelta(minutes=20)),
    ])
    # The manager: twelve assignments over half an hour; slower than the target.
    await store_events(settings, tenant, "manager", [
        ("asset_created_quick", start),
        *[("asset_assigned", start + timedelta(minutes=3 * n + 3)) for n in range(12)],
    ])
    # The admin: only opened the form.
    await store_events(settings, tenant, "admin", [("quick_add_opened", start), ("advanced_opened", start)])

    r = await tenant.get(report_path(tenant))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["tenantId"] == str(tenant.tenant_id) and report["targetMinutes"] == 10
    assert parse(report["to"]) - parse(report["from"]) == timedelta(days=30)
    users = {entry["userId"]: entry for entry in report["users"]}
    assert set(users) == {str(tenant.user_ids[role]) for role in ("admin", "manager", "technician")}

    technician = users[str(tenant.user_ids["technician"])]
    assert technician["email"] == f"technician@{tenant.slug}.example"
    assert parse(technician["firstCreatedAt"]) == start
    assert parse(technician["tenthAssignedAt"]) == start + timedelta(minutes=9, seconds=30)
    assert technician["tt10Minutes"] == 9.5
    assert technician["meetsTarget"] is True
    assert (technician["assetsCreated"], technician["assetsAssigned"]) == (2, 11)

    manager = users[str(tenant.user_ids["manager"])]
    assert manager["tt10Minutes"] == 30.0 and manager["meetsTarget"] is False

    admin = users[str(tenant.user_ids["admin"])]
    assert admin["firstCreatedAt"] is None and admin["tenthAssignedAt"] is None
    assert admin["tt10Minutes"] is None and admin["meetsTarget"] is False


async def test_tt10_counts_only_the_window(tenant, settings):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    await store_events(settings, tenant, "technician", [
        ("asset_created_quick", start),
        *[("asset_assigned", start + timedelta(minutes=n + 1)) for n in range(10)],
    ])
    r = await tenant.get(report_path(tenant), params={"from": "2026-03-02T09:00:00Z", "to": "2026-03-02T09:08:00Z"})
    assert r.status_code == 200, r.text
    [entry] = r.json()["users"]
    assert entry["assetsAssigned"] == 7 and entry["tt10Minutes"] is None
    whole = (await tenant.get(report_path(tenant), params={"from": "2026-03-01", "to": "2026-03-03"})).json()
    assert whole["users"][0]["tt10Minutes"] == 10.0 and whole["users"][0]["meetsTarget"] is False
    assert whole["from"] == "2026-03-01T00:00:00Z"
    # The default window is the last 30 days: March is long gone.
    assert (await tenant.get(report_path(tenant))).json()["users"] == []


async def test_events_recorded_through_the_api_show_in_the_report(tenant):
    technician = tenant.as_role("technician")
    await technician.created(EVENTS, event="asset_created_quick", flowId="f")
    for _ in range(10):
        await technician.created(EVENTS, event="asset_assigned", flowId="f")
    [entry] = (await tenant.get(report_path(tenant))).json()["users"]
    assert entry["userId"] == str(tenant.user_ids["technician"])
    assert entry["tt10Minutes"] is not None and entry["tt10Minutes"] < 1 and entry["meetsTarget"] is True


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"from": "yesterday"}, "from", id="from-not-iso"),
    pytest.param({"to": "2026-13-01"}, "to", id="to-not-a-date"),
    pytest.param({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from", id="from-after-to"),
])
async def test_a_bad_window_is_a_400(tenant, params, field):
    assert_error(await tenant.get(report_path(tenant), params=params), 400, field=field)


@pytest.mark.parametrize("role", ["manager", "technician"])
async def test_only_admins_read_the_report(tenant, role):
    assert_error(await tenant.as_role(role).get(report_path(tenant)), 403)


async def test_the_report_refuses_api_keys(tenant):
    r = await tenant.get(report_path(tenant), auth=False, headers=await api_key(tenant, "admin"))
    assert_error(r, 401)


async def test_another_workspaces_report_is_a_404(tenant, other_tenant):
    foreign = await tenant.get(report_path(other_tenant))
    missing_id = str(uuid.uuid4())
    missing = await tenant.get(f"/admin/tenants/{missing_id}/tt10-report")
    assert assert_error(foreign, 404)["message"] == assert_error(missing, 404)["message"].replace(
        missing_id, str(other_tenant.tenant_id))
    assert_error(await tenant.get("/admin/tenants/acme/tt10-report"), 400, field="tenantId")
