"""A tenant can never see or change another tenant's rows: another tenant's id is a 404 that reads like
a missing one, lists never show foreign rows, foreign ids in bodies are refused, foreign credentials are 401."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
from litestar.routes import HTTPRoute
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

API = "/api/v1"


@pytest.fixture
def settings(settings: Any) -> Any:
    """The seeded printer sits on loopback's discard port, where nothing prints if a job ever leaked."""
    return msgspec.structs.replace(settings, printer_allow_loopback=True, printer_ports=(9,))


async def created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def seed(tenant: Any) -> dict[str, str]:
    """One of everything in ``tenant``: live rows nothing depends on (so a leaked DELETE would succeed),
    deleted rows (so a leaked restore would succeed), an asset that uses them all, and an API key."""
    ids: dict[str, str] = {}
    mark = tenant.slug
    for kind, path, body in (
        ("category", "/categories", {"name": f"Tools {mark}"}),
        ("location", "/locations", {"name": f"Room 204 {mark}"}),
        ("person", "/people", {"name": f"Ada {mark}", "email": f"ada@{mark}.example"}),
        ("asset", "/inventory-items", {"name": f"Drill {mark}", "serial": f"SN-{mark}"}),
    ):
        ids[kind] = (await created(await tenant.post(path, json=body)))["id"]
        deleted = await created(await tenant.post(path, json={**body, "name": f"Old {body['name']}",
                                                              **({"email": f"old@{mark}.example"} if "email" in body else {})}))
        assert (await tenant.delete(f"{path}/{deleted['id']}")).status_code == 204
        ids[f"deleted_{kind}"] = deleted["id"]
    # Referenced rows: the asset in use points at them (they cannot be deleted, but can be named in bodies).
    ids["used_category"] = (await created(await tenant.post("/categories", json={"name": f"Power tools {mark}"})))["id"]
    ids["used_location"] = (await created(await tenant.post("/locations", json={"name": f"HQ {mark}"})))["id"]
    ids["used_person"] = (await created(await tenant.post("/people", json={"name": f"Grace {mark}"})))["id"]
    ids["used_asset"] = (await created(await tenant.post("/inventory-items", json={
        "name": f"Saw {mark}", "categoryId": ids["used_category"], "locationId": ids["used_location"],
        "assigneeId": ids["used_person"]})))["id"]
    key = await created(await tenant.post("/api-keys", json={"name": f"Label printer {mark}"}))
    ids["api_key"], ids["api_key_token"] = key["id"], key["token"]
    # A user invited, with the one-time link that would set their password.
    ids["user"] = (await created(await tenant.post("/users", json={"email": f"invited-{mark}@plant.example",
                                                                    "role": "technician"})))["user"]["id"]
    # An audit of everything with one asset scanned, so a leaked scan, undo, include or exclude would show.
    ids["session"] = (await created(await tenant.post("/sessions", json={"name": f"Audit {mark}"})))["id"]
    assert (await tenant.post(f"/sessions/{ids['session']}/scan", json={"itemId": ids["used_asset"]})).status_code == 200
    # A batch of blank tags, one of them claimed by an asset.
    batch = await created(await tenant.post("/labels/blank-batches", json={"count": 2, "template": "avery-l7160"},
                                            headers={"accept": "application/json"}))
    ids["blank_batch"] = batch["id"]
    await created(await tenant.post("/inventory-items", json={"name": f"Tagged {mark}",
                                                              "claimCode": batch["codes"][0]["code"]}))
    # A network printer (never reached: a leaked print would have to get past its 404 first), and the tenant.
    ids["printer"] = (await created(await tenant.post("/printers", json={"name": f"Zebra {mark}",
                                                                          "host": "127.0.0.1", "port": 9})))["id"]
    # Maintenance: a schedule of the asset and a log that completed it.
    ids["schedule"] = (await created(await tenant.post("/maintenance/schedules", json={
        "itemId": ids["asset"], "title": f"Service {mark}", "intervalValue": 1, "intervalUnit": "months",
        "nextDueDate": "2030-01-01"})))["id"]
    ids["maintenance_log"] = (await created(await tenant.post("/maintenance/logs", json={
        "itemId": ids["asset"], "scheduleId": ids["schedule"], "type": "service",
        "completedDate": "2026-01-01T10:00:00Z"})))["id"]
    # A custom field, and a deleted one.
    ids["custom_field"] = (await created(await tenant.post("/custom-fields", json={
        "key": f"bay{mark}", "name": "Bay", "type": "text"})))["id"]
    gone = await created(await tenant.post("/custom-fields", json={"key": f"old{mark}", "name": "Old", "type": "text"}))
    assert (await tenant.delete(f"/custom-fields/{gone['id']}")).status_code == 204
    ids["deleted_custom_field"] = gone["id"]
    ids["tenant"] = str(tenant.tenant_id)
    return ids


ROW_PATHS = {"category": "/categories", "location": "/locations", "person": "/people", "asset": "/inventory-items"}


async def snapshot(tenant: Any, ids: dict[str, str]) -> dict[str, Any]:
    """Everything seed() made, as its tenant reads it."""
    rows: dict[str, Any] = {}
    for name, row_id in ids.items():
        kind = name.removeprefix("deleted_").removeprefix("used_")
        if kind in ROW_PATHS:
            r = await tenant.get(f"{ROW_PATHS[kind]}/{row_id}")
            assert r.status_code == 200, r.text
            rows[name] = r.json()
    if "session" in ids:
        rows["session"] = (await tenant.get(f"/sessions/{ids['session']}")).json()
        rows["session_items"] = await tenant.walk(f"/sessions/{ids['session']}/items")
    if "blank_batch" in ids:
        rows["blank_batch"] = (await tenant.get(f"/labels/blank-batches/{ids['blank_batch']}")).json()
    if "schedule" in ids:
        rows["schedule"] = (await tenant.get(f"/maintenance/schedules/{ids['schedule']}")).json()
        rows["maintenance_log"] = (await tenant.get(f"/maintenance/logs/{ids['maintenance_log']}")).json()
    if "custom_field" in ids:
        rows["custom_fields"] = await tenant.walk("/custom-fields", deleted="include")
    rows["label_templates"] = (await tenant.get("/labels/templates")).json()
    rows["printers"] = (await tenant.get("/printers")).json()["items"]
    keys = (await tenant.get("/api-keys")).json()["items"]
    rows["api_keys"] = [{k: v for k, v in key.items() if k != "lastUsedAt"} for key in keys]
    rows["users"] = await tenant.walk("/users")
    return rows


@dataclass(frozen=True)
class IdRoute:
    method: str
    path: str  # as Litestar's route.path_format spells it
    target: str  # which seeded row's id goes into the path
    body: dict[str, Any] | None = field(default=None, hash=False)  # a "$name" value is that seeded row's id
    item: str | None = None  # which seeded row's id goes into a second path parameter

    def body_for(self, ids: dict[str, str]) -> dict[str, Any] | None:
        if self.body is None:
            return None
        return {k: ids[v[1:]] if isinstance(v, str) and v.startswith("$") else v for k, v in self.body.items()}

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


RENAME = {"name": "Taken over"}
PATH_PARAMETERS = {"category": "category_id", "location": "location_id", "person": "person_id", "asset": "asset_id"}
# Every /api/v1 route that takes an id in its path. test_every_id_route_is_in_the_isolation_table keeps
# this honest: a new route with an id fails until it is added here.
ID_ROUTES = [
    *[route for kind, path in ROW_PATHS.items() for route in (
        IdRoute("GET", f"{API}{path}/{{{PATH_PARAMETERS[kind]}}}", kind),
        IdRoute("PATCH", f"{API}{path}/{{{PATH_PARAMETERS[kind]}}}", kind, RENAME),
        IdRoute("DELETE", f"{API}{path}/{{{PATH_PARAMETERS[kind]}}}", kind),
        IdRoute("POST", f"{API}{path}/{{{PATH_PARAMETERS[kind]}}}/restore", f"deleted_{kind}"),
    )],
    IdRoute("DELETE", f"{API}/api-keys/{{key_id}}", "api_key"),
    IdRoute("GET", f"{API}/users/{{user_id}}", "user"),
    IdRoute("PATCH", f"{API}/users/{{user_id}}", "user", {"name": "Taken over", "role": "admin", "isActive": False}),
    IdRoute("POST", f"{API}/users/{{user_id}}/password-reset", "user"),
    *[IdRoute(method, f"{API}/sessions/{{session_id}}{tail}", "session", body, item) for method, tail, body, item in (
        ("GET", "", None, None),
        ("PATCH", "", {"status": "completed", "markMissing": True}, None),
        ("DELETE", "", None, None),
        ("GET", "/items", None, None),
        ("GET", "/items/{item_id}", None, "used_asset"),
        ("POST", "/items/{item_id}/include", None, "asset"),
        ("POST", "/items/{item_id}/exclude", None, "used_asset"),
        ("POST", "/scan", {"itemId": "$asset", "allowMarkAnyway": True}, None),
        ("POST", "/unscan", {"itemId": "$used_asset"}, None),
        ("GET", "/missing", None, None),
        ("GET", "/report", None, None),
        ("GET", "/unknown-codes", None, None),
        ("GET", "/mobile", None, None),
        ("GET", "/offline-pack", None, None),
    )],
    IdRoute("GET", f"{API}/inventory-items/{{asset_id}}/label", "asset"),
    IdRoute("GET", f"{API}/inventory-items/{{asset_id}}/qr.png", "asset"),
    IdRoute("GET", f"{API}/inventory-items/{{asset_id}}/qr.svg", "asset"),
    *[IdRoute(method, f"{API}/inventory-items/{{asset_id}}{tail}", target, body) for method, tail, target, body in (
        ("GET", "/allowed-status-transitions", "asset", None),
        ("POST", "/status", "asset", {"toStatus": "maintenance"}),
        ("POST", "/checkout", "asset", {"personId": "$person"}),
        ("POST", "/checkin", "used_asset", {}),
        ("GET", "/timeline", "used_asset", None),
        ("GET", "/assignment-history", "used_asset", None),
        ("GET", "/status-events", "used_asset", None),
        ("GET", "/audit", "used_asset", None),
    )],
    IdRoute("GET", f"{API}/people/{{person_id}}/assignment-history", "used_person"),
    IdRoute("GET", f"{API}/inventory-items/{{asset_id}}/health", "asset"),
    *[IdRoute(method, f"{API}/maintenance{path}", target, body) for method, path, target, body in (
        ("GET", "/schedules/{schedule_id}", "schedule", None),
        ("PATCH", "/schedules/{schedule_id}", "schedule", {"title": "Taken over"}),
        ("DELETE", "/schedules/{schedule_id}", "schedule", None),
        ("GET", "/schedules/item/{item_id}", "asset", None),
        ("GET", "/logs/{log_id}", "maintenance_log", None),
        ("PATCH", "/logs/{log_id}", "maintenance_log", {"notes": "Taken over"}),
        ("DELETE", "/logs/{log_id}", "maintenance_log", None),
        ("GET", "/logs/item/{item_id}", "asset", None),
        ("GET", "/logs/schedule/{schedule_id}", "schedule", None),
    )],
    IdRoute("GET", f"{API}/custom-fields/{{field_id}}", "custom_field"),
    IdRoute("PATCH", f"{API}/custom-fields/{{field_id}}", "custom_field", RENAME),
    IdRoute("DELETE", f"{API}/custom-fields/{{field_id}}", "custom_field"),
    IdRoute("POST", f"{API}/custom-fields/{{field_id}}/restore", "deleted_custom_field"),
    IdRoute("GET", f"{API}/locations/{{location_id}}/label", "location"),
    IdRoute("GET", f"{API}/labels/blank-batches/{{batch_id}}", "blank_batch"),
    IdRoute("GET", f"{API}/labels/blank-batches/{{batch_id}}/sheet", "blank_batch"),
    # A template's name is no tenant's row, but an id in its place must read like any unknown name.
    IdRoute("PUT", f"{API}/labels/templates/{{name}}/calibration", "asset", {"offsetXMm": 1.5, "offsetYMm": -1}),
    IdRoute("GET", f"{API}/printers/{{printer_id}}", "printer"),
    IdRoute("PATCH", f"{API}/printers/{{printer_id}}", "printer", RENAME),
    IdRoute("DELETE", f"{API}/printers/{{printer_id}}", "printer"),
    IdRoute("POST", f"{API}/printers/{{printer_id}}/print", "printer", {"blankBatchId": "$blank_batch"}),
    IdRoute("GET", f"{API}/admin/tenants/{{tenant_id}}/tt10-report", "tenant"),
]


def fill(path: str, row_id: str, *more_ids: str) -> str:
    """The route's path with the ids in place of its parameters, in order, without the /api/v1 prefix."""
    filled = ""
    rest = path.removeprefix(API)
    for value in (row_id, *more_ids):
        head, _, rest = rest.partition("{")
        filled += head + value
        rest = rest.partition("}")[2]
    return filled + rest


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: route.label)
async def test_another_tenants_id_is_a_404_and_changes_nothing(tenant, other_tenant, route):
    ids = await seed(tenant)
    before = await snapshot(tenant, ids)
    foreign_id, missing_id = ids[route.target], str(uuid.uuid4())
    item_ids = [ids[route.item]] if route.item else []

    foreign = await other_tenant.request(route.method, fill(route.path, foreign_id, *item_ids), json=route.body_for(ids))
    missing = await other_tenant.request(route.method, fill(route.path, missing_id, *item_ids), json=route.body_for(ids))

    assert_error(foreign, 404)
    # The answer reads exactly like an id that exists nowhere: it reveals neither the row nor that it exists.
    assert foreign.json() == {k: v.replace(missing_id, foreign_id) if isinstance(v, str) else v
                              for k, v in assert_error(missing, 404).items()}
    assert await snapshot(tenant, ids) == before
    token = ids["api_key_token"]
    assert (await tenant.get("/me", auth=False, headers={"authorization": f"ApiKey {token}"})).status_code == 200


@pytest.mark.parametrize("role", ["admin", "manager", "technician"])
async def test_another_tenants_asset_is_a_404_whatever_the_role(tenant, other_tenant, role):
    ids = await seed(tenant)
    r = await other_tenant.as_role(role).get(f"/inventory-items/{ids['asset']}")
    assert_error(r, 404)


def test_every_id_route_is_in_the_isolation_table(app):
    table = {(route.method, route.path) for route in ID_ROUTES}
    routes_with_ids = {
        (method, route.path_format)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith(f"{API}/") and route.path_parameters
        for method in route.methods - {"OPTIONS", "HEAD"}
    }
    assert routes_with_ids, "the app should have routes that take an id"
    missing = routes_with_ids - table
    assert not missing, f"routes that take an id but have no isolation test: {sorted(missing)}"
    stale = table - routes_with_ids
    assert not stale, f"isolation table names routes the app no longer has: {sorted(stale)}"


LISTS = ["/categories", "/locations", "/people", "/inventory-items"]


@pytest.mark.parametrize("path", LISTS)
async def test_lists_never_show_another_tenants_rows(tenant, other_tenant, path):
    ids = await seed(tenant)
    await seed(other_tenant)
    foreign = set(ids.values())
    for query in ({}, {"deleted": "include"}, {"deleted": "only"}, {"sort": "-createdAt"}, {"limit": 1}):
        r = await other_tenant.get(path, params={"limit": 200, **query})
        assert r.status_code == 200, r.text
        listed = {item["id"] for item in r.json()["items"]}
        assert listed, f"{path} {query} should list tenant B's own rows"
        assert not foreign & listed, f"{path} {query} shows tenant A's rows"
    # Searching for A's words finds nothing in B, though A has rows that match.
    assert (await tenant.get(path, params={"q": tenant.slug})).json()["items"]
    assert (await other_tenant.get(path, params={"q": tenant.slug, "deleted": "include"})).json()["items"] == []


async def test_api_key_lists_never_show_another_tenants_keys(tenant, other_tenant):
    ids = await seed(tenant)
    own = await seed(other_tenant)
    listed = {key["id"] for key in (await other_tenant.get("/api-keys")).json()["items"]}
    assert own["api_key"] in listed and ids["api_key"] not in listed


@pytest.mark.parametrize(("query", "target"), [
    pytest.param({"categoryId": "{}"}, "used_category", id="categoryId"),
    pytest.param({"locationId": "{}"}, "used_location", id="locationId"),
    pytest.param({"locationId": "{}", "includeSublocations": "true"}, "used_location", id="locationId-subtree"),
    pytest.param({"assigneeId": "{}"}, "used_person", id="assigneeId"),
])
async def test_filtering_by_another_tenants_id_finds_nothing(tenant, other_tenant, query, target):
    ids = await seed(tenant)
    await seed(other_tenant)
    params = {name: value.format(ids[target]) for name, value in query.items()}
    r = await other_tenant.get("/inventory-items", params=params)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


async def test_listing_children_of_another_tenants_location_finds_nothing(tenant, other_tenant):
    ids = await seed(tenant)
    await created(await tenant.post("/locations", json={"name": "Shelf A", "parentId": ids["used_location"]}))
    await seed(other_tenant)
    r = await other_tenant.get("/locations", params={"parentId": ids["used_location"]})
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


@pytest.mark.parametrize(("path", "body", "field"), [
    pytest.param("/inventory-items", {"name": "Borrowed", "categoryId": "used_category"}, "categoryId", id="asset-category"),
    pytest.param("/inventory-items", {"name": "Borrowed", "locationId": "used_location"}, "locationId", id="asset-location"),
    pytest.param("/inventory-items", {"name": "Borrowed", "assigneeId": "used_person"}, "assigneeId", id="asset-assignee"),
    pytest.param("/locations", {"name": "Annex", "parentId": "used_location"}, "parentId", id="location-parent"),
])
async def test_creating_with_another_tenants_id_is_a_400_and_creates_nothing(tenant, other_tenant, path, body, field):
    ids = await seed(tenant)
    before_a = await snapshot(tenant, ids)
    before_b = (await other_tenant.get(path, params={"deleted": "include", "limit": 200})).json()["items"]
    r = await other_tenant.post(path, json={**body, field: ids[body[field]]})
    assert_error(r, 400, field=field)
    assert (await other_tenant.get(path, params={"deleted": "include", "limit": 200})).json()["items"] == before_b
    assert await snapshot(tenant, ids) == before_a


@pytest.mark.parametrize(("path", "field", "target"), [
    pytest.param("/inventory-items", "categoryId", "used_category", id="asset-category"),
    pytest.param("/inventory-items", "locationId", "used_location", id="asset-location"),
    pytest.param("/inventory-items", "assigneeId", "used_person", id="asset-assignee"),
    pytest.param("/locations", "parentId", "used_location", id="location-parent"),
])
async def test_pointing_a_row_at_another_tenants_id_is_a_400_and_changes_nothing(tenant, other_tenant, path, field,
                                                                                   target):
    ids = await seed(tenant)
    own = await seed(other_tenant)
    own_row = own["asset"] if path == "/inventory-items" else own["location"]
    before_a, before_b = await snapshot(tenant, ids), await snapshot(other_tenant, own)
    r = await other_tenant.patch(f"{path}/{own_row}", json={field: ids[target]})
    assert_error(r, 400, field=field)
    assert await snapshot(other_tenant, own) == before_b
    assert await snapshot(tenant, ids) == before_a


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/me", None),
    ("GET", "/inventory-items", None),
    ("POST", "/categories", {"name": "Planted"}),
    ("DELETE", "/api-keys/{}", None),
])
async def test_tenant_a_credentials_on_tenant_b_host_are_a_401(tenant, other_tenant, method, path, body):
    ids = await seed(tenant)
    own = await seed(other_tenant)
    before = await snapshot(other_tenant, own)
    for authorization in (f"Bearer {tenant.tokens['admin']}", f"ApiKey {ids['api_key_token']}"):
        r = await other_tenant.request(method, path.format(own["api_key"]), json=body, auth=False,
                                       headers={"authorization": authorization})
        assert_error(r, 401)
    assert await snapshot(other_tenant, own) == before


async def test_no_header_or_query_moves_a_request_to_another_tenant(tenant, other_tenant):
    ids = await seed(tenant)
    own = await seed(other_tenant)
    smuggled = {"x-forwarded-host": tenant.host, "x-tenant": tenant.slug, "x-tenant-id": str(tenant.tenant_id),
                "forwarded": f"host={tenant.host}"}
    # A's token on B's host stays refused whatever else claims to be A...
    r = await other_tenant.get("/me", params={"tenant": tenant.slug}, auth=False,
                               headers={**smuggled, "authorization": f"Bearer {tenant.tokens['admin']}"})
    assert_error(r, 401)
    # ...and B's own token still reads B, never A.
    me = await other_tenant.get("/me", params={"tenant": tenant.slug}, headers=smuggled)
    assert me.status_code == 200 and me.json()["tenant"]["slug"] == other_tenant.slug
    listed = await other_tenant.get("/inventory-items", params={"tenant": tenant.slug}, headers=smuggled)
    assert {item["id"] for item in listed.json()["items"]} >= {own["asset"], own["used_asset"]}
    assert not set(ids.values()) & {item["id"] for item in listed.json()["items"]}
    assert_error(await other_tenant.get(f"/inventory-items/{ids['asset']}", headers=smuggled), 404)
