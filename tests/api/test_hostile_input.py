"""Hostile input, never a 500: bodies nested thousands deep, keys sent twice, times whose UTC value is beyond
years 1 to 9999. Each is a 400 in the standard error body, naming the problem; and no POST, PUT or PATCH
route of the app answers any of them with a 5xx."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from backend.request_body import MAX_DEPTH
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}
# Valid ISO times whose UTC value is after 9999-12-31 or before 0001-01-01.
LATE = "9999-12-31T23:59:59-14:00"
EARLY = "0001-01-01T00:00:00+14:00"


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def deep_field(field: str, depth: int) -> str:
    """An object whose one field holds arrays nested so that the body is `depth` levels deep."""
    return f'{{"{field}": {arrays(depth - 1)}}}'


def assert_too_deep(response: Any) -> None:
    body = assert_error(response, 400, "body")
    assert "nested more than" in body["message"], body


# ---- nesting ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    pytest.param(arrays(MAX_DEPTH + 1), id="arrays-65"),
    pytest.param(arrays(1_000), id="arrays-1000"),
    pytest.param(objects(1_000), id="objects-1000"),
    pytest.param(arrays(100_000), id="arrays-100000"),
    pytest.param("[" * 1_000, id="never-closed-1000"),
    pytest.param(deep_field("email", 1_000), id="in-a-field-1000"),
])
async def test_deep_nesting_on_sign_in_is_a_400(tenant, body):
    assert_too_deep(await tenant.post("/auth/login", auth=False, content=body, headers=JSON))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 1_000, 5_000])
async def test_deep_nesting_when_signed_in_is_a_400(tenant, depth):
    assert_too_deep(await tenant.post("/inventory-items", content=deep_field("customFields", depth), headers=JSON))
    session = await tenant.created("/sessions", name="Audit")
    assert_too_deep(await tenant.post(f"/sessions/{session['id']}/scan", content=objects(depth), headers=JSON))


async def test_nesting_up_to_the_limit_is_judged_as_usual(tenant):
    body = assert_error(await tenant.post("/auth/login", auth=False, content=deep_field("email", MAX_DEPTH),
                                          headers=JSON), 400, "email")
    assert "nested" not in body["message"]


async def test_brackets_inside_strings_are_text_not_nesting(tenant):
    email = '\\"' + "[{" * 500 + "@example.com"
    r = await tenant.post("/auth/login", auth=False, headers=JSON,
                          content=f'{{"email": "{email}", "password": "not-the-password"}}')
    assert r.status_code in (400, 401), r.text
    assert "nested" not in r.json()["message"]


# ---- duplicate keys -----------------------------------------------------------------------------

async def test_a_key_twice_at_the_top_is_a_400_naming_it(tenant):
    body = '{"email": "admin@one.example", "password": "x", "email": "admin@two.example"}'
    result = assert_error(await tenant.post("/auth/login", auth=False, content=body, headers=JSON), 400, "email")
    assert "twice" in result["message"]


async def test_a_key_twice_in_a_nested_object_is_a_400_naming_it(tenant):
    asset = await tenant.created("/inventory-items", name="Laptop")
    body = '{"toStatus": "reserved", "meta": {"reservationReason": "New hire", "reservationReason": "Loan"}}'
    assert_error(await tenant.post(f"/inventory-items/{asset['id']}/status", content=body, headers=JSON), 400,
                 "reservationReason")


async def test_a_key_spelled_twice_with_an_escape_is_still_twice(tenant):
    body = '{"name": "HQ", "n\\u0061me": "Warehouse"}'
    assert_error(await tenant.post("/locations", content=body, headers=JSON), 400, "name")


async def test_the_same_keys_in_sibling_objects_are_fine(tenant):
    people = [await tenant.created("/people", name=name) for name in ("Ana", "Ben")]
    for person in people:
        assert (await tenant.delete(f"/people/{person['id']}")).status_code == 204
    r = await tenant.post("/trash/restore", json={"items": [{"kind": "person", "id": p["id"]} for p in people]})
    assert r.status_code == 200, r.text


# ---- times beyond years 1 to 9999 in UTC ----------------------------------------------------------

@pytest.mark.parametrize("when", [LATE, EARLY])
async def test_scanned_at_beyond_utc_is_a_400_naming_it(tenant, when):
    session = await tenant.created("/sessions", name="Audit")
    assert_error(await tenant.post(f"/sessions/{session['id']}/scan", json={"code": "LAP-1", "scannedAt": when}),
                 400, "scannedAt")


async def test_reserved_until_beyond_utc_is_a_400_naming_it(tenant):
    asset = await tenant.created("/inventory-items", name="Laptop")
    r = await tenant.post(f"/inventory-items/{asset['id']}/status",
                          json={"toStatus": "reserved", "meta": {"reservedUntil": LATE}})
    assert_error(r, 400, "meta.reservedUntil")


async def test_due_back_at_beyond_utc_is_a_400_naming_it(tenant):
    asset = await tenant.created("/inventory-items", name="Laptop")
    person = await tenant.created("/people", name="Ana")
    r = await tenant.post(f"/inventory-items/{asset['id']}/checkout", json={"personId": person["id"], "dueBackAt": LATE})
    assert_error(r, 400, "dueBackAt")


@pytest.mark.parametrize("when", [LATE, EARLY])
async def test_completed_date_beyond_utc_is_a_400_naming_it(tenant, when):
    asset = await tenant.created("/inventory-items", name="Pump")
    r = await tenant.post("/maintenance/logs", json={"itemId": asset["id"], "type": "service", "completedDate": when})
    assert_error(r, 400, "completedDate")


@pytest.mark.parametrize("field", ["from", "to"])
@pytest.mark.parametrize("when", [LATE, EARLY])
async def test_report_window_beyond_utc_is_a_400_naming_it(tenant, field, when):
    r = await tenant.get(f"/admin/tenants/{tenant.tenant_id}/tt10-report", params={field: when})
    assert_error(r, 400, field)


# ---- every route that takes a body ----------------------------------------------------------------

HOSTILE_BODIES = {
    "arrays-1000": arrays(1_000),
    "objects-1000": objects(1_000),
    "arrays-100000": arrays(100_000),
    "never-closed": "{" * 5_000,
    "key-twice": '{"name": "A", "name": "B", "items": [{"id": 1}, {"id": 1, "id": 2}]}',
    "times-beyond-utc": json.dumps({"scannedAt": LATE, "dueBackAt": LATE, "completedDate": EARLY,
                                    "meta": {"reservedUntil": LATE}, "toStatus": "reserved"}),
}
_PARAMETER = re.compile(r"\{[^}:]+(?::[^}]+)?\}")


def body_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every POST, PUT and PATCH route, each path parameter a new random id."""
    routes = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method in sorted(set(route.methods) & {"POST", "PUT", "PATCH"}):
                routes.append((method, _PARAMETER.sub(lambda _: str(uuid.uuid4()), route.path)))
    return routes


async def test_no_route_answers_a_hostile_body_with_a_5xx(app, tenant):
    routes = body_routes(app)
    assert len(routes) > 30, routes  # the enumeration really found the app's routes
    failures = []
    for method, path in routes:
        for name, body in HOSTILE_BODIES.items():
            r = await tenant.client.request(method, path, content=body, headers=tenant.headers(JSON))
            if r.status_code >= 500:
                failures.append(f"{method} {path} {name}: {r.status_code} {r.text[:200]}")
    assert not failures, "\n".join(failures)
