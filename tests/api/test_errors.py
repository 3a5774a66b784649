"""Every error a client can provoke answers JSON ``{"message": str, "details": object|null}`` with a fitting
status, bad input is never a 5xx, and what the service accepts it stores and gives back unchanged."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given, settings as hypothesis_settings, strategies as st
from litestar.testing import TestClient

from backend.assets.models import STATUSES
from tests.conftest import make_tenant
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

ASSETS = "/inventory-items"
JSON = {"content-type": "application/json"}


@contextmanager
def sync_tenant(app: Any, settings: Any) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A synchronous client (for Hypothesis and streamed bodies) and an admin's headers in a new tenant."""
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        tenant = client.blocking_portal.call(make_tenant, app, client, settings)
        yield client, tenant.headers(JSON)


async def asset_names(tenant: Any) -> list[str]:
    r = await tenant.get(ASSETS, params={"limit": 200, "deleted": "include"})
    assert r.status_code == 200, r.text
    return [item["name"] for item in r.json()["items"]]


async def create_asset(tenant: Any, **fields: Any) -> dict[str, Any]:
    r = await tenant.post(ASSETS, json={"name": "Cordless drill", **fields})
    assert r.status_code == 201, r.text
    return r.json()


# --- bodies that are not a JSON object ----------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    pytest.param(b'{"name": }', id="malformed"),
    pytest.param(b'{"name": "Drill"', id="truncated-object"),
    pytest.param(b'{"name": "Dri', id="truncated-string"),
    pytest.param(b'{"name": "Drill"} trailing', id="trailing-garbage"),
    pytest.param(b"name=Drill", id="form-encoded"),
    pytest.param(b'[{"name": "Drill"}]', id="array"),
    pytest.param(b'"Drill"', id="string"),
    pytest.param(b"42", id="number"),
    pytest.param(b"null", id="null"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"name": "Drill \xff\xfe"}', id="invalid-utf8"),
    pytest.param(b'{"name": "\xc3"}', id="truncated-utf8-sequence"),
    pytest.param(b'{"name": "Drill \\ud800"}', id="lone-high-surrogate"),
    pytest.param(b'{"name": "Drill \\udc00 x"}', id="lone-low-surrogate"),
    pytest.param(b'{"name": "Drill", "customFields": {"weight": 1e400}}', id="number-out-of-range"),
])
async def test_a_body_that_is_not_a_json_object_is_a_400_and_creates_nothing(tenant, raw):
    r = await tenant.post(ASSETS, content=raw, headers=JSON)
    body = assert_error(r, 400)
    assert "'data'" not in body["message"], "the message should talk about the body, not Litestar's argument name"
    assert await asset_names(tenant) == []


async def test_an_empty_body_says_it_is_empty(tenant):
    r = await tenant.post(ASSETS, content=b"", headers=JSON)
    body = assert_error(r, 400, field="body")
    assert "empty" in body["message"].lower()


async def test_malformed_json_says_so(tenant):
    body = assert_error(await tenant.post(ASSETS, content=b'{"name": "Dri', headers=JSON), 400, field="body")
    assert "json" in body["message"].lower()


async def test_an_empty_patch_body_is_a_400_and_changes_nothing(tenant):
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ASSETS}/{asset['id']}", content=b"", headers=JSON), 400, field="body")
    assert (await tenant.get(f"{ASSETS}/{asset['id']}")).json() == asset


# --- fields: wrong types, unknown, missing, too long ------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"name": 5}, "name", id="name-number"),
    pytest.param({"name": None}, "name", id="name-null"),
    pytest.param({"name": ["Drill"]}, "name", id="name-array"),
    pytest.param({"name": "Drill", "categoryId": 5}, "categoryId", id="categoryId-number"),
    pytest.param({"name": "Drill", "locationId": "HQ"}, "locationId", id="locationId-not-uuid"),
    pytest.param({"name": "Drill", "assigneeId": {"id": "x"}}, "assigneeId", id="assigneeId-object"),
    pytest.param({"name": "Drill", "purchaseDate": "yesterday"}, "purchaseDate", id="purchaseDate-text"),
    pytest.param({"name": "Drill", "warrantyExpiry": "2024-02-30"}, "warrantyExpiry", id="warrantyExpiry-no-such-day"),
    pytest.param({"name": "Drill", "purchaseCost": True}, "purchaseCost", id="purchaseCost-bool"),
    pytest.param({"name": "Drill", "purchaseCost": "12.345"}, "purchaseCost", id="purchaseCost-three-decimals"),
    pytest.param({"name": "Drill", "status": "lost"}, "status", id="status-unknown"),
    pytest.param({"name": "Drill", "notes": None}, "notes", id="notes-null"),
    pytest.param({"name": "Drill", "customFields": ["a"]}, "customFields", id="customFields-array"),
    pytest.param({"name": "Drill", "customFields": {"colour": ["red"]}}, "customFields", id="customFields-nested"),
    pytest.param({"name": "Drill", "customFields": {"bad key!": 1}}, "customFields", id="customFields-bad-key"),
    pytest.param({"name": "Drill", "customFields": {"k": "v" * 2001}}, "customFields", id="customFields-long-value"),
])
async def test_a_wrong_type_is_a_400_naming_the_field_in_camel_case(tenant, body, field):
    assert_error(await tenant.post(ASSETS, json=body), 400, field=field)
    assert await asset_names(tenant) == []


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"name": 5}, "name", id="name"),
    pytest.param({"categoryId": "nope"}, "categoryId", id="categoryId"),
    pytest.param({"assigneeId": 7}, "assigneeId", id="assigneeId"),
    pytest.param({"tag": None}, "tag", id="tag-null"),
    pytest.param({"customFields": {"": 1}}, "customFields", id="customFields-empty-key"),
])
async def test_a_wrong_type_in_a_patch_is_a_400_naming_the_field_and_changes_nothing(tenant, body, field):
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ASSETS}/{asset['id']}", json=body), 400, field=field)
    assert (await tenant.get(f"{ASSETS}/{asset['id']}")).json() == asset


@pytest.mark.parametrize(("path", "body", "field"), [
    pytest.param(ASSETS, {"name": "Drill", "colour": "red"}, "colour", id="asset"),
    pytest.param(ASSETS, {"name": "Drill", "category_id": None}, "category_id", id="asset-snake-case"),
    pytest.param("/categories", {"name": "Tools", "parent": None}, "parent", id="category"),
    pytest.param("/locations", {"name": "HQ", "address": "1 Main St"}, "address", id="location"),
    pytest.param("/people", {"name": "Ada", "phone": "555"}, "phone", id="person"),
    pytest.param("/api-keys", {"name": "Printer", "scopes": []}, "scopes", id="api-key"),
])
async def test_an_unknown_field_is_a_400_naming_it(tenant, path, body, field):
    body = assert_error(await tenant.post(path, json=body), 400, field=field)
    assert field in body["message"]


async def test_an_unknown_field_in_a_patch_is_a_400_and_changes_nothing(tenant):
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ASSETS}/{asset['id']}", json={"name": "Hammer", "colour": "red"}), 400,
                 field="colour")
    assert (await tenant.get(f"{ASSETS}/{asset['id']}")).json() == asset


@pytest.mark.parametrize(("path", "body", "field"), [
    pytest.param(ASSETS, {}, "name", id="asset-empty"),
    pytest.param(ASSETS, {"serial": "SN-1"}, "name", id="asset-without-name"),
    pytest.param("/categories", {"description": "Hand tools"}, "name", id="category"),
    pytest.param("/locations", {"code": "HQ"}, "name", id="location"),
    pytest.param("/people", {"email": "ada@example.com"}, "name", id="person"),
    pytest.param("/api-keys", {"role": "technician"}, "name", id="api-key"),
])
async def test_a_missing_required_field_is_a_400_naming_it(tenant, path, body, field):
    assert_error(await tenant.post(path, json=body), 400, field=field)


async def test_login_without_a_password_names_the_password(tenant):
    r = await tenant.post("/auth/login", json={"email": "admin@example.com"}, auth=False)
    assert_error(r, 400, field="password")


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"name": "x" * 10_000}, "name", id="name-10000"),
    pytest.param({"name": "x" * 201}, "name", id="name-201"),
    pytest.param({"name": "Drill", "tag": "T" * 65}, "tag", id="tag-65"),
    pytest.param({"name": "Drill", "serial": "S" * 201}, "serial", id="serial-201"),
    pytest.param({"name": "Drill", "notes": "n" * 10_001}, "notes", id="notes-10001"),
    pytest.param({"name": "Drill", "customFields": {f"f{i}": i for i in range(101)}}, "customFields", id="101-fields"),
])
async def test_a_value_too_long_is_a_400_naming_the_field(tenant, body, field):
    assert_error(await tenant.post(ASSETS, json=body), 400, field=field)
    assert await asset_names(tenant) == []


async def test_the_longest_allowed_values_are_stored_whole(tenant):
    asset = await create_asset(tenant, name="N" * 200, tag="T" * 64, serial="S" * 200, notes="n" * 10_000)
    stored = (await tenant.get(f"{ASSETS}/{asset['id']}")).json()
    assert (len(stored["name"]), len(stored["tag"]), len(stored["serial"]), len(stored["notes"])) == (200, 64, 200, 10_000)


# --- size ------------------------------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_a_413(tenant, settings):
    raw = json.dumps({"name": "Drill", "notes": "n" * settings.max_body_bytes}).encode()
    assert_error(await tenant.post(ASSETS, content=raw, headers=JSON), 413)
    assert await asset_names(tenant) == []


def test_a_streamed_body_over_the_limit_is_a_413(app, settings):
    def chunks():
        # No Content-Length: the limit must hold while the body is read, not only from the header.
        for _ in range(settings.max_body_bytes // 4096 + 2):
            yield b" " * 4096

    with sync_tenant(app, settings) as (client, headers):
        r = client.post(f"/api/v1{ASSETS}", content=chunks(), headers=headers)
        assert "content-length" not in r.request.headers
        assert_error(r, 413)
        assert client.get(f"/api/v1{ASSETS}", headers=headers).json()["items"] == []


# --- characters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    pytest.param("Drill\x00", id="NUL"),
    pytest.param("Dr\x00ill", id="NUL-inside"),
    pytest.param("Drill\x07", id="BEL"),
    pytest.param("\x1b[31mDrill", id="ESC"),
    pytest.param("Drill\x7f", id="DEL"),
    pytest.param("Drill\nHammer", id="LF"),
    pytest.param("Drill\n", id="trailing-LF"),
    pytest.param("Drill\r", id="CR"),
    pytest.param("Drill\tHammer", id="TAB"),
    pytest.param("Drill\x85", id="NEL"),
    pytest.param("Drill\x9b", id="C1-CSI"),
    pytest.param("Drill\u2028Hammer", id="LINE-SEPARATOR"),
    pytest.param("   ", id="only-spaces"),
    pytest.param("\u3000", id="only-ideographic-space"),
])
async def test_control_characters_and_blank_names_are_a_400_and_nothing_is_stored(tenant, name):
    assert_error(await tenant.post(ASSETS, json={"name": name}), 400, field="name")
    assert await asset_names(tenant) == []


@pytest.mark.parametrize("path", ["/categories", "/locations", "/people", "/api-keys"])
async def test_a_nul_in_any_name_is_a_400_not_a_500(tenant, path):
    assert_error(await tenant.post(path, json={"name": "Spare\x00parts"}), 400, field="name")


@pytest.mark.parametrize(("field", "value"), [
    pytest.param("notes", "Left in van\x00", id="notes-NUL"),
    pytest.param("serial", "SN\x00123", id="serial-NUL"),
    pytest.param("tag", "AST\x00001", id="tag-NUL"),
    pytest.param("manufacturer", "Bosch\x1b", id="manufacturer-ESC"),
])
async def test_control_characters_in_other_fields_are_a_400(tenant, field, value):
    assert_error(await tenant.post(ASSETS, json={"name": "Drill", field: value}), 400, field=field)
    assert await asset_names(tenant) == []


async def test_a_control_character_in_a_patch_is_a_400_and_changes_nothing(tenant):
    asset = await create_asset(tenant)
    assert_error(await tenant.patch(f"{ASSETS}/{asset['id']}", json={"name": "Drill\x00"}), 400, field="name")
    assert (await tenant.get(f"{ASSETS}/{asset['id']}")).json() == asset


@pytest.mark.parametrize("name", [
    pytest.param("🧯 Fire extinguisher 🔥", id="emoji"),
    pytest.param("👩‍🔧 Technician's kit 👨‍👩‍👧", id="zero-width-joiner"),
    pytest.param("🏳️‍🌈 flag", id="emoji-variation-selector"),
    pytest.param("מקדחה אלחוטית", id="hebrew-rtl"),
    pytest.param("مثقاب كهربائي 18V", id="arabic-rtl-mixed"),
    pytest.param("Cafe\u0301 espresso machine", id="combining-accent"),
    pytest.param("Z\u0351\u0367\u0311a\u0310\u035bl\u0336g\u0334o", id="stacked-combining"),
    pytest.param("投影機 會議室", id="cjk"),
    pytest.param("𝔇𝔯𝔦𝔩𝔩 𝟙𝟚", id="astral-plane"),
    pytest.param("Drill\u200b(zero width)", id="zero-width-space"),
    pytest.param("\u202eDrill", id="right-to-left-override"),
    pytest.param("Ωμέγα ß ﬃ İ", id="case-mapping-oddities"),
    pytest.param("'; DROP TABLE assets; --", id="sql-looking"),
    pytest.param("<script>alert(1)</script> & \"quotes\" \\ %_", id="markup-and-wildcards"),
])
async def test_odd_but_valid_unicode_is_accepted_and_round_trips_exactly(tenant, name):
    created = await create_asset(tenant, name=name, notes=f"{name}\nsecond line\ttabbed")
    assert created["name"] == name
    stored = (await tenant.get(f"{ASSETS}/{created['id']}")).json()
    assert stored["name"] == name and stored["notes"] == f"{name}\nsecond line\ttabbed"
    found = (await tenant.get(ASSETS, params={"q": name})).json()["items"]
    assert [item["id"] for item in found] == [created["id"]]


@pytest.mark.parametrize(("path", "body"), [
    pytest.param("/categories", {"name": "ß" * 200}, id="category-sharp-s"),
    pytest.param("/categories", {"name": "ﬃ" * 200}, id="category-ligature"),
    pytest.param("/people", {"name": "Ada", "email": "İ" * 120 + "@example.com"}, id="person-email-dotted-I"),
    pytest.param(ASSETS, {"name": "Drill", "serial": "ß" * 200}, id="asset-serial"),
    pytest.param(ASSETS, {"name": "Drill", "tag": "ß" * 64}, id="asset-tag"),
])
async def test_values_that_grow_when_case_folded_are_stored_or_refused_never_a_500(tenant, path, body):
    # Lookup keys are stored upper- or case-folded, and "ß" becomes "SS": the key can outgrow its column.
    r = await tenant.post(path, json=body)
    if r.status_code != 201:
        assert_error(r, 400)
        return
    stored = (await tenant.get(f"{path}/{r.json()['id']}")).json()
    assert {name: stored[name] for name in body} == body


@pytest.mark.parametrize("path", ["/categories", "/locations", "/people"])
async def test_odd_unicode_names_round_trip_in_every_catalogue(tenant, path):
    name = "👩‍🔧 Сервис 設備 ملحقات e\u0301"
    r = await tenant.post(path, json={"name": name})
    assert r.status_code == 201, r.text
    assert (await tenant.get(f"{path}/{r.json()['id']}")).json()["name"] == name


# --- paths and queries -----------------------------------------------------------------------------------


ID_PARAMETERS = {"/categories": "categoryId", "/locations": "locationId", "/people": "personId",
                 ASSETS: "inventoryItemId", "/api-keys": "keyId"}


BAD_IDS = ["not-a-uuid", "123", "01a2038b-2afa-70ef-9143-7b1b2399feeZ", "01a2038b-2afa-70ef-9143-7b1b2399fee",
           "%E2%9C%93", "%00", "' OR 1=1 --"]


@pytest.mark.parametrize(("method", "path"), [
    *[(method, path) for path in ("/categories", "/locations", "/people", ASSETS)
      for method in ("GET", "PATCH", "DELETE", "POST /restore")],
    ("DELETE", "/api-keys"),
])
async def test_an_invalid_id_in_a_path_is_a_400_naming_the_parameter(tenant, method, path):
    method, _, suffix = method.partition(" ")
    kwargs = {"json": {"name": "Renamed"}} if method == "PATCH" else {}
    for bad_id in BAD_IDS:
        r = await tenant.request(method, f"{path}/{bad_id}{suffix}", **kwargs)
        assert_error(r, 400, field=ID_PARAMETERS[path])


BAD_QUERIES = [
    ({"limit": "abc"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "201"}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"limit": "99999999999999999999999"}, "limit"),
    ({"deleted": "maybe"}, "deleted"),
    ({"sort": "colour"}, "sort"),
    ({"cursor": "not a cursor"}, "cursor"),
    ({"cursor": base64.urlsafe_b64encode(b'["\\u0000", "x"]').decode()}, "cursor"),
    ({"q": "drill\x00"}, "q"),
]


@pytest.mark.parametrize("path", ["/categories", "/locations", "/people", ASSETS])
async def test_a_bad_query_value_is_a_400_naming_it(tenant, path):
    for query, field in BAD_QUERIES:
        assert_error(await tenant.get(path, params=query), 400, field=field)


@pytest.mark.parametrize(("query", "field"), [
    pytest.param({"status": "lost"}, "status", id="status-unknown"),
    pytest.param({"status": "available\x00"}, "status", id="status-NUL"),
    pytest.param({"includeSublocations": "maybe"}, "includeSublocations", id="includeSublocations"),
])
async def test_a_bad_asset_filter_is_a_400_naming_it(tenant, query, field):
    assert_error(await tenant.get(ASSETS, params=query), 400, field=field)


async def test_a_nul_in_a_department_filter_is_a_400(tenant):
    assert_error(await tenant.get("/people", params={"department": "IT\x00"}), 400, field="department")


async def test_a_cursor_from_another_sort_is_a_400(tenant):
    for number in range(3):
        await create_asset(tenant, name=f"Drill {number}")
    page = (await tenant.get(ASSETS, params={"limit": 1, "sort": "name"})).json()
    assert page["nextCursor"]
    r = await tenant.get(ASSETS, params={"limit": 1, "sort": "createdAt", "cursor": page["nextCursor"]})
    assert_error(r, 400, field="cursor")


# --- routes, methods, tenants, auth -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/api/v1/no-such-thing",
    "/api/v1/inventory-items/01a2038b-2afa-70ef-9143-7b1b2399feee/no-such-thing",
    "/api/v2/inventory-items",
    "/no-such-page",
    "/schema/no-such-page",
    "/schema/no-such-file.json",
])
async def test_an_unknown_route_is_a_404_with_the_standard_body(tenant, path):
    assert_error(await tenant.client.get(path, headers=tenant.headers()), 404)


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/api/v1/inventory-items"),
    ("DELETE", "/api/v1/inventory-items"),
    ("PUT", "/api/v1/categories/01a2038b-2afa-70ef-9143-7b1b2399feee"),
    ("DELETE", "/api/v1/me"),
    ("GET", "/api/v1/auth/login"),
    ("PATCH", "/api/v1/api-keys/01a2038b-2afa-70ef-9143-7b1b2399feee"),
    ("POST", "/health"),
])
async def test_a_wrong_method_is_a_405_with_the_standard_body_and_the_allowed_methods(tenant, method, path):
    r = await tenant.client.request(method, path, headers=tenant.headers())
    body = assert_error(r, 405)
    assert method not in body["details"]["allowed"]
    assert set(body["details"]["allowed"]) == {m.strip() for m in r.headers["allow"].split(",")}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/inventory-items"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/no-such-thing-either"),
])
async def test_an_unknown_tenant_host_is_a_404_with_the_standard_body(tenant, method, path):
    headers = tenant.headers({"host": f"nobody-{uuid.uuid4().hex[:8]}.localhost"})
    r = await tenant.client.request(method, path, headers=headers, json={"email": "a@b.c", "password": "x" * 8})
    assert_error(r, 404)


@pytest.mark.parametrize("authorization", [
    pytest.param(None, id="none"),
    pytest.param("Bearer", id="scheme-only"),
    pytest.param("Bearer not.a.jwt", id="garbage-jwt"),
    pytest.param("Basic YWRtaW46YWRtaW4=", id="basic"),
    pytest.param("ApiKey fs_nope", id="unknown-api-key"),
])
async def test_without_valid_credentials_it_is_a_401_with_the_standard_body(tenant, authorization):
    headers = {"authorization": authorization} if authorization else {}
    r = await tenant.get("/inventory-items", auth=False, headers=headers)
    assert_error(r, 401)


@pytest.mark.parametrize(("role", "method", "path", "body"), [
    ("technician", "POST", "/categories", {"name": "Tools"}),
    ("technician", "POST", "/people", {"name": "Ada"}),
    ("manager", "POST", "/api-keys", {"name": "Printer"}),
    ("manager", "GET", "/api-keys", None),
])
async def test_an_insufficient_role_is_a_403_with_the_standard_body(tenant, role, method, path, body):
    r = await tenant.as_role(role).request(method, path, json=body)
    assert_error(r, 403)


async def test_a_duplicate_tag_is_a_409_with_the_standard_body(tenant):
    await create_asset(tenant, tag="AST-777")
    assert_error(await tenant.post(ASSETS, json={"name": "Other drill", "tag": "ast-777"}), 409, field="tag")


# --- fuzzing ---------------------------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
json_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_ids = st.uuids().map(str) | st.text(max_size=40)
_dates = st.dates().map(str)
_costs = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value="0", max_value="1e12").map(str)
# Text a person could type: any script, emoji and combining marks, but no control or line-separator characters.
_typed = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
_line = st.text(_typed, max_size=200)
_field_keys = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
# Values the API should accept...
VALID_FIELDS = {
    "name": st.text(_typed, min_size=1, max_size=200),
    "tag": st.text(st.characters(blacklist_categories=("Cc", "Cs", "Z"), blacklist_characters="/?#%\\"),
                   min_size=1, max_size=20),
    "status": st.sampled_from(STATUSES),
    "serial": _line | st.none(),
    "manufacturer": _line | st.none(),
    "model": _line | st.none(),
    "purchaseDate": _dates | st.none(),
    "warrantyExpiry": _dates | st.none(),
    "purchaseCost": _costs | st.none(),
    "notes": st.text(_typed | st.sampled_from("\n\t"), max_size=300),
    "customFields": st.dictionaries(_field_keys, _scalars, max_size=4),
}
# ...and anything at all in the same places, ids included.
WILD_FIELDS = {
    **{name: strategy | json_values | st.text(max_size=210) for name, strategy in VALID_FIELDS.items()},
    **{name: _ids | json_values for name in ("categoryId", "locationId", "assigneeId")},
    "purchaseCost": _costs | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | json_values,
    "customFields": st.dictionaries(_field_keys | st.text(max_size=5), json_values, max_size=4) | json_values,
}
_unknown = st.dictionaries(st.text(max_size=12), json_values, max_size=1)


def _without_name(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: strategy for name, strategy in fields.items() if name != "name"}


asset_bodies = st.one_of(
    st.fixed_dictionaries({"name": VALID_FIELDS["name"]}, optional=_without_name(VALID_FIELDS)),
    st.builds(lambda unknown, body: {**unknown, **body}, _unknown,
              st.fixed_dictionaries({"name": WILD_FIELDS["name"]}, optional=_without_name(WILD_FIELDS))),
    json_values,
)
patch_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={name: strategy for name, strategy in VALID_FIELDS.items() if name != "status"}),
    st.fixed_dictionaries({}, optional=WILD_FIELDS),
    json_values,
)
FUZZ = hypothesis_settings(max_examples=50, deadline=None)


def comparable(asset: dict[str, Any]) -> dict[str, Any]:
    # purchaseCost is compared as a number: the create answer echoes "12.5" where reads give "12.50" (reported).
    cost = asset.get("purchaseCost")
    return {**asset, "purchaseCost": None if cost is None else Decimal(cost)}


def check_answer(client: TestClient, headers: dict[str, str], r: Any, success: int) -> None:
    assert r.status_code < 500, r.text
    event(f"HTTP {r.status_code}")  # shown by --hypothesis-show-statistics: the fuzz must reach both outcomes
    if r.status_code != success:
        assert r.status_code in (400, 409), r.text
        assert_error(r, r.status_code)
        return
    written = r.json()
    read = client.get(f"/api/v1{ASSETS}/{written['id']}", headers=headers)
    assert read.status_code == 200, read.text
    assert comparable(read.json()) == comparable(written)


def test_fuzzed_asset_bodies_never_answer_5xx_and_what_is_accepted_reads_back_equal(app, settings):
    with sync_tenant(app, settings) as (client, headers):

        @FUZZ
        @given(body=asset_bodies, ascii_only=st.booleans())
        def create(body: Any, ascii_only: bool) -> None:
            r = client.post(f"/api/v1{ASSETS}", content=json.dumps(body, ensure_ascii=ascii_only).encode(),
                            headers=headers)
            check_answer(client, headers, r, 201)
            if r.status_code == 201:
                assert r.json()["name"] == body["name"].strip()

        create()


def test_fuzzed_patch_bodies_never_answer_5xx_and_what_is_accepted_reads_back_equal(app, settings):
    with sync_tenant(app, settings) as (client, headers):
        created = client.post(f"/api/v1{ASSETS}", json={"name": "Fuzzed drill"}, headers=headers)
        assert created.status_code == 201, created.text
        path = f"/api/v1{ASSETS}/{created.json()['id']}"

        @FUZZ
        @given(body=patch_bodies)
        def change(body: Any) -> None:
            check_answer(client, headers, client.patch(path, content=json.dumps(body).encode(), headers=headers), 200)

        change()


def test_fuzzed_raw_bytes_never_answer_5xx(app, settings):
    with sync_tenant(app, settings) as (client, headers):

        @FUZZ
        @given(raw=st.binary(max_size=200) | st.text(max_size=100).map(lambda text: text.encode("utf-8", "surrogatepass")))
        def post_bytes(raw: bytes) -> None:
            check_answer(client, headers, client.post(f"/api/v1{ASSETS}", content=raw, headers=headers), 201)

        post_bytes()


@pytest.mark.parametrize("content_type", [
    pytest.param("application/x-www-form-urlencoded", id="curl-d-default"),
    pytest.param("text/plain", id="text"),
    pytest.param("multipart/form-data; boundary=x", id="multipart"),
])
async def test_a_body_that_is_not_json_is_415_and_says_what_to_send(tenant, content_type):
    r = await tenant.post("/categories", content=b'{"name": "Radios"}', headers={"content-type": content_type})
    body = assert_error(r, 415, field="contentType")
    assert "application/json" in body["message"]
    assert await tenant.walk("/categories", q="radios") == []


async def test_json_with_a_charset_or_no_content_type_is_accepted(tenant):
    r = await tenant.post("/categories", content=b'{"name": "Radios"}',
                          headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text
    r = await tenant.post("/categories", content=b'{"name": "Sirens"}')
    assert r.status_code == 201, r.text
