"""Signing in, who am I, API keys, role guards and the tenant of the Host, through HTTP."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from backend.auth import rules
from backend.auth.service import create_user
from backend.db.base import utcnow
from backend.db.engine import open_database
from backend.tenancy.service import find_by_slug
from tests.conftest import TEST_PASSWORD, make_tenant

pytestmark = pytest.mark.anyio

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_error(response, status: int, message: str | None = None) -> dict:
    """The standard error body: {message, details}, and nothing else."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert message.lower() in body["message"].lower(), body["message"]
    return body


async def login(tenant, email: str, password: str = TEST_PASSWORD, host: str | None = None):
    return await tenant.client.post("/api/v1/auth/login", json={"email": email, "password": password},
                                    headers={"host": host or tenant.host})


async def new_api_key(tenant, name: str = "ERP sync", role: str = "technician") -> dict:
    response = await tenant.post("/api-keys", json={"name": name, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


def api_key_header(token: str) -> dict[str, str]:
    return {"authorization": f"ApiKey {token}"}


# ---- sign in -----------------------------------------------------------------------------------

async def test_login_answers_a_bearer_token_that_works(tenant):
    response = await login(tenant, f"manager@{tenant.slug}.example")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tokenType"] == "Bearer"
    assert ISO_UTC.match(body["expiresAt"])
    assert body["user"]["email"] == f"manager@{tenant.slug}.example"
    assert body["user"]["role"] == "manager"
    assert body["user"]["via"] == "jwt"
    assert body["user"]["tenant"] == {"id": str(tenant.tenant_id), "slug": tenant.slug, "name": tenant.slug.title()}

    me = await tenant.get("/me", auth=False, headers={"authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["id"] == str(tenant.user_ids["manager"])
    assert me.json()["role"] == "manager"


async def test_login_with_a_wrong_password_is_401_with_the_standard_body(tenant):
    response = await login(tenant, f"admin@{tenant.slug}.example", "not the password")
    assert_error(response, 401, "Invalid email or password")
    assert "token" not in response.text


async def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(tenant):
    wrong_password = await login(tenant, f"admin@{tenant.slug}.example", "not the password")
    unknown_email = await login(tenant, f"nobody@{tenant.slug}.example")
    assert_error(unknown_email, 401)
    assert unknown_email.json() == wrong_password.json()


async def test_login_email_is_case_insensitive(tenant):
    response = await login(tenant, f"Technician@{tenant.slug.upper()}.EXAMPLE")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["role"] == "technician"


async def test_login_on_another_tenants_host_is_401(tenant, other_tenant):
    response = await login(tenant, f"admin@{tenant.slug}.example", host=other_tenant.host)
    assert_error(response, 401, "Invalid email or password")


async def test_login_with_a_malformed_body_is_400_naming_the_field(tenant):
    response = await tenant.client.post("/api/v1/auth/login", json={"email": "not-an-email", "password": "x"},
                                        headers={"host": tenant.host})
    body = assert_error(response, 400)
    assert "email" in body["details"]
    missing = await tenant.client.post("/api/v1/auth/login", json={"email": f"admin@{tenant.slug}.example"},
                                       headers={"host": tenant.host})
    assert assert_error(missing, 400)["details"] == {"password": "required"}


# ---- who am I ----------------------------------------------------------------------------------

async def test_me_with_a_jwt_names_the_user_and_tenant(tenant):
    response = await tenant.as_role("technician").get("/me")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["via"] == "jwt"
    assert body["role"] == "technician"
    assert body["id"] == str(tenant.user_ids["technician"])
    assert body["email"] == f"technician@{tenant.slug}.example"
    assert body["tenant"]["slug"] == tenant.slug
    assert body["tenant"]["id"] == str(tenant.tenant_id)


async def test_me_with_an_api_key_says_so(tenant):
    key = await new_api_key(tenant, role="manager")
    response = await tenant.get("/me", auth=False, headers=api_key_header(key["token"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["via"] == "apikey"
    assert body["role"] == "manager"
    assert body["apiKeyId"] == key["id"]
    assert body["tenant"]["slug"] == tenant.slug
    assert "email" not in body


async def test_a_token_of_one_tenant_is_refused_on_another_tenants_host(tenant, other_tenant):
    response = await tenant.client.get("/api/v1/me", headers={"host": other_tenant.host,
                                                              "authorization": f"Bearer {tenant.tokens['admin']}"})
    assert_error(response, 401, "another tenant")


async def test_a_token_naming_the_right_slug_but_another_tenant_id_is_refused(tenant, settings):
    # Same slug, different tenant id: what a token looks like after a tenant is deleted and recreated.
    forged, _ = rules.issue_token(settings.secret_key, user_id=tenant.user_ids["admin"], tenant_id=uuid4(),
                                  tenant_slug=tenant.slug, role="admin", now=utcnow(), ttl=timedelta(hours=1))
    response = await tenant.get("/me", auth=False, headers={"authorization": f"Bearer {forged}"})
    assert_error(response, 401, "another tenant")


async def test_an_api_key_of_one_tenant_is_refused_on_another_tenants_host(tenant, other_tenant):
    key = await new_api_key(tenant, role="admin")
    response = await other_tenant.get("/me", auth=False, headers=api_key_header(key["token"]))
    assert_error(response, 401, "API key")


async def test_an_expired_token_is_401_and_says_to_sign_in_again(tenant, settings):
    expired, _ = rules.issue_token(settings.secret_key, user_id=tenant.user_ids["admin"], tenant_id=tenant.tenant_id,
                                   tenant_slug=tenant.slug, role="admin", now=utcnow() - timedelta(hours=2),
                                   ttl=timedelta(hours=1))
    response = await tenant.get("/me", auth=False, headers={"authorization": f"Bearer {expired}"})
    assert_error(response, 401, "expired")


async def test_a_token_signed_with_another_secret_is_401(tenant):
    forged, _ = rules.issue_token(secrets.token_urlsafe(48), user_id=tenant.user_ids["admin"], tenant_id=tenant.tenant_id,
                                  tenant_slug=tenant.slug, role="admin", now=utcnow(), ttl=timedelta(hours=1))
    response = await tenant.get("/me", auth=False, headers={"authorization": f"Bearer {forged}"})
    assert_error(response, 401, "not valid")


async def test_a_token_for_a_user_who_does_not_exist_is_401(tenant, settings):
    ghost, _ = rules.issue_token(settings.secret_key, user_id=uuid4(), tenant_id=tenant.tenant_id,
                                 tenant_slug=tenant.slug, role="admin", now=utcnow(), ttl=timedelta(hours=1))
    response = await tenant.get("/me", auth=False, headers={"authorization": f"Bearer {ghost}"})
    assert_error(response, 401)


async def test_the_role_comes_from_the_user_not_from_the_token(tenant, settings):
    # A technician's token that claims "admin" still acts as a technician.
    boasting, _ = rules.issue_token(settings.secret_key, user_id=tenant.user_ids["technician"],
                                    tenant_id=tenant.tenant_id, tenant_slug=tenant.slug, role="admin", now=utcnow(),
                                    ttl=timedelta(hours=1))
    headers = {"authorization": f"Bearer {boasting}"}
    assert (await tenant.get("/me", auth=False, headers=headers)).json()["role"] == "technician"
    assert_error(await tenant.post("/api-keys", auth=False, headers=headers, json={"name": "x"}), 403)


@pytest.mark.parametrize("authorization", [
    pytest.param("Bearer garbage", id="garbage"),
    pytest.param("Bearer a.b.c", id="three-junk-parts"),
    pytest.param("bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA", id="junk-jwt-lowercase-scheme"),
])
async def test_a_garbage_token_is_401(tenant, authorization):
    response = await tenant.get("/me", auth=False, headers={"authorization": authorization})
    assert_error(response, 401, "Invalid token")


async def test_no_authorization_header_is_401_explaining_both_schemes(tenant):
    response = await tenant.get("/me", auth=False)
    body = assert_error(response, 401)
    assert "Bearer" in body["message"] and "ApiKey" in body["message"]


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer   ", "ApiKey"])
async def test_a_scheme_without_a_credential_is_401(tenant, authorization):
    assert_error(await tenant.get("/me", auth=False, headers={"authorization": authorization}), 401, "no credential")


@pytest.mark.parametrize("authorization", ["Basic YWRtaW46cGFzc3dvcmQ=", "Token abc", "Digest username=x"])
async def test_an_unsupported_scheme_is_401_naming_the_supported_ones(tenant, authorization):
    body = assert_error(await tenant.get("/me", auth=False, headers={"authorization": authorization}), 401,
                        "Unsupported authorization scheme")
    assert "Bearer" in body["message"] and "ApiKey" in body["message"]


async def test_an_api_key_sent_as_bearer_is_401_and_says_to_use_the_apikey_scheme(tenant):
    key = await new_api_key(tenant)
    response = await tenant.get("/me", auth=False, headers={"authorization": f"Bearer {key['token']}"})
    body = assert_error(response, 401)
    assert "ApiKey" in body["message"]
    assert key["token"] not in response.text


async def test_the_apikey_scheme_is_case_insensitive(tenant):
    key = await new_api_key(tenant)
    for scheme in ("apikey", "APIKEY", "ApiKey"):
        response = await tenant.get("/me", auth=False, headers={"authorization": f"{scheme} {key['token']}"})
        assert response.status_code == 200, (scheme, response.text)


async def test_a_signed_token_sent_as_an_api_key_is_401(tenant):
    response = await tenant.get("/me", auth=False, headers=api_key_header(tenant.tokens["admin"]))
    assert_error(response, 401, "API key")


# ---- API keys ----------------------------------------------------------------------------------

async def test_an_admin_creates_an_api_key_and_sees_its_token_once(tenant):
    created = await new_api_key(tenant, name="ERP sync", role="manager")
    assert created["token"].startswith("fsk_")
    assert created["token"].startswith(created["prefix"])
    assert created["name"] == "ERP sync"
    assert created["role"] == "manager"
    assert ISO_UTC.match(created["createdAt"])
    assert created["lastUsedAt"] is None
    assert created["revokedAt"] is None

    listing = await tenant.get("/api-keys")
    assert listing.status_code == 200, listing.text
    assert created["token"] not in listing.text
    (listed,) = [k for k in listing.json()["items"] if k["id"] == created["id"]]
    assert "token" not in listed
    assert listed == {k: v for k, v in created.items() if k != "token"}


async def test_an_api_key_defaults_to_the_technician_role(tenant):
    response = await tenant.post("/api-keys", json={"name": "Scanner kiosk"})
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "technician"


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"name": "x", "role": "owner"}, "role", id="unknown-role"),
    pytest.param({"role": "manager"}, "name", id="no-name"),
    pytest.param({"name": ""}, "name", id="empty-name"),
    pytest.param({"name": "   "}, "name", id="blank-name"),
    pytest.param({"name": "x", "token": "fsk_mine"}, "token", id="chosen-token"),
])
async def test_a_bad_api_key_request_is_400_naming_the_field(tenant, body, field):
    response = await tenant.post("/api-keys", json=body)
    assert field in assert_error(response, 400)["details"]


@pytest.mark.parametrize("role", ["manager", "technician"])
async def test_only_an_admin_may_create_or_list_api_keys(tenant, role):
    as_role = tenant.as_role(role)
    assert_error(await as_role.post("/api-keys", json={"name": "x"}), 403, "admin")
    assert_error(await as_role.get("/api-keys"), 403, "admin")
    key = await new_api_key(tenant)
    assert_error(await as_role.delete(f"/api-keys/{key['id']}"), 403)
    assert (await tenant.get("/me", auth=False, headers=api_key_header(key["token"]))).status_code == 200


async def test_an_api_key_below_admin_cannot_create_api_keys(tenant):
    for role in ("technician", "manager"):
        key = await new_api_key(tenant, role=role)
        response = await tenant.post("/api-keys", auth=False, headers=api_key_header(key["token"]), json={"name": "x"})
        assert_error(response, 403, "admin")


async def test_the_list_shows_prefix_name_role_and_when_each_key_was_last_used(tenant):
    used = await new_api_key(tenant, name="Used key", role="manager")
    unused = await new_api_key(tenant, name="Unused key")
    assert (await tenant.get("/me", auth=False, headers=api_key_header(used["token"]))).status_code == 200

    body = (await tenant.get("/api-keys")).json()
    assert body["nextCursor"] is None
    by_id = {k["id"]: k for k in body["items"]}
    assert set(by_id) == {used["id"], unused["id"]}
    assert by_id[used["id"]]["prefix"] == used["token"][:12]
    assert by_id[used["id"]]["name"] == "Used key"
    assert by_id[used["id"]]["role"] == "manager"
    assert ISO_UTC.match(by_id[used["id"]]["lastUsedAt"])
    assert parse_time(by_id[used["id"]]["lastUsedAt"]) >= parse_time(by_id[used["id"]]["createdAt"])
    assert by_id[unused["id"]]["lastUsedAt"] is None
    assert [k["id"] for k in body["items"]] == [unused["id"], used["id"]]  # newest first


async def test_the_api_key_list_pages_with_limit_and_cursor(tenant):
    made = [await new_api_key(tenant, name=f"Key {n}") for n in range(3)]
    first = await tenant.get("/api-keys", params={"limit": 2})
    assert first.status_code == 200, first.text
    assert len(first.json()["items"]) == 2
    assert first.json()["nextCursor"]
    second = await tenant.get("/api-keys", params={"limit": 2, "cursor": first.json()["nextCursor"]})
    assert second.json()["nextCursor"] is None
    seen = [k["id"] for k in first.json()["items"] + second.json()["items"]]
    assert seen == [k["id"] for k in reversed(made)]
    by_name = (await tenant.get("/api-keys", params={"sort": "name"})).json()["items"]
    assert [k["name"] for k in by_name] == ["Key 0", "Key 1", "Key 2"]
    assert "limit" in assert_error(await tenant.get("/api-keys", params={"limit": 0}), 400)["details"]
    assert "cursor" in assert_error(await tenant.get("/api-keys", params={"cursor": "junk"}), 400)["details"]
    assert "sort" in assert_error(await tenant.get("/api-keys", params={"sort": "token"}), 400)["details"]


async def test_the_api_key_list_shows_only_this_tenants_keys(tenant, other_tenant):
    mine = await new_api_key(tenant)
    theirs = await new_api_key(other_tenant)
    ids = {k["id"] for k in (await tenant.get("/api-keys")).json()["items"]}
    assert mine["id"] in ids
    assert theirs["id"] not in ids


async def test_a_revoked_api_key_is_refused_at_once(tenant):
    key = await new_api_key(tenant)
    assert (await tenant.get("/me", auth=False, headers=api_key_header(key["token"]))).status_code == 200

    revoked = await tenant.delete(f"/api-keys/{key['id']}")
    assert revoked.status_code == 204, revoked.text
    assert revoked.content == b""

    assert_error(await tenant.get("/me", auth=False, headers=api_key_header(key["token"])), 401, "revoked")
    (listed,) = [k for k in (await tenant.get("/api-keys")).json()["items"] if k["id"] == key["id"]]
    assert ISO_UTC.match(listed["revokedAt"])
    assert (await tenant.delete(f"/api-keys/{key['id']}")).status_code == 204  # revoking twice is harmless


async def test_revoking_another_tenants_key_is_404_and_leaves_it_working(tenant, other_tenant):
    theirs = await new_api_key(other_tenant)
    assert_error(await tenant.delete(f"/api-keys/{theirs['id']}"), 404)
    assert (await other_tenant.get("/me", auth=False, headers=api_key_header(theirs["token"]))).status_code == 200


async def test_revoking_an_unknown_key_is_404(tenant):
    assert_error(await tenant.delete(f"/api-keys/{uuid4()}"), 404, "API key not found")


async def test_an_invalid_key_id_in_the_path_is_400_naming_it(tenant):
    body = assert_error(await tenant.delete("/api-keys/not-a-uuid"), 400)
    assert body["details"] == {"keyId": "must be a UUID"}


# ---- role guards -------------------------------------------------------------------------------

async def test_a_technician_can_view_categories_but_not_create_them(tenant):
    technician = tenant.as_role("technician")
    assert (await technician.get("/categories")).status_code == 200
    body = assert_error(await technician.post("/categories", json={"name": "Ladders"}), 403, "manager")
    assert "technician" in body["message"]
    assert (await tenant.as_role("manager").post("/categories", json={"name": "Ladders"})).status_code == 201


async def test_a_technician_api_key_is_held_to_the_technician_role(tenant):
    key = await new_api_key(tenant, role="technician")
    headers = api_key_header(key["token"])
    assert (await tenant.get("/categories", auth=False, headers=headers)).status_code == 200
    assert_error(await tenant.post("/categories", auth=False, headers=headers, json={"name": "Drills"}), 403)


async def test_forbidden_comes_after_authentication(tenant):
    # No credentials is a 401 even on an admin-only route: the client must sign in, not ask for a role.
    assert_error(await tenant.post("/api-keys", auth=False, json={"name": "x"}), 401)
    assert_error(await tenant.patch("/tenant", auth=False, json={"name": "x"}), 401)


# ---- the tenant's own settings -----------------------------------------------------------------

async def test_every_role_can_read_the_tenant_settings(tenant):
    for role in rules.ROLES:
        response = await tenant.as_role(role).get("/tenant")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["id"] == str(tenant.tenant_id)
        assert body["slug"] == tenant.slug
        assert body["tagPrefix"] == "AST-"
        assert body["tagPadding"] == 6
        assert body["nextTag"] == "AST-000001"
        assert ISO_UTC.match(body["createdAt"])


async def test_an_admin_changes_the_tag_format_and_next_tag_follows(tenant):
    response = await tenant.patch("/tenant", json={"tagPrefix": "EQ-", "tagPadding": 4})
    assert response.status_code == 200, response.text
    assert response.json()["nextTag"] == "EQ-0001"
    again = (await tenant.as_role("technician").get("/tenant")).json()
    assert (again["tagPrefix"], again["tagPadding"], again["nextTag"]) == ("EQ-", 4, "EQ-0001")

    asset = await tenant.post("/inventory-items", json={"name": "Cordless drill"})
    assert asset.status_code == 201, asset.text
    assert asset.json()["tag"] == "EQ-0001"
    assert (await tenant.get("/tenant")).json()["nextTag"] == "EQ-0002"


async def test_a_patch_changes_only_the_fields_it_names(tenant):
    await tenant.patch("/tenant", json={"tagPrefix": "IT-"})
    response = await tenant.patch("/tenant", json={"tagPadding": 3})
    body = response.json()
    assert (body["tagPrefix"], body["tagPadding"], body["nextTag"]) == ("IT-", 3, "IT-001")


async def test_renaming_the_tenant_shows_at_once_in_me(tenant):
    assert (await tenant.get("/me")).json()["tenant"]["name"] != "Acme Field Services"
    response = await tenant.patch("/tenant", json={"name": "  Acme Field Services "})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Acme Field Services"
    assert (await tenant.get("/me")).json()["tenant"]["name"] == "Acme Field Services"


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"tagPrefix": "A B"}, "tagPrefix", id="prefix-space"),
    pytest.param({"tagPrefix": "AST/"}, "tagPrefix", id="prefix-slash"),
    pytest.param({"tagPrefix": "X" * 17}, "tagPrefix", id="prefix-too-long"),
    pytest.param({"tagPrefix": 5}, "tagPrefix", id="prefix-not-text"),
    pytest.param({"tagPadding": 0}, "tagPadding", id="padding-zero"),
    pytest.param({"tagPadding": 13}, "tagPadding", id="padding-too-wide"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"name": "   "}, "name", id="name-blank"),
    pytest.param({"slug": "other"}, "slug", id="slug-is-not-editable"),
])
async def test_invalid_tenant_settings_are_400_naming_the_field_and_change_nothing(tenant, body, field):
    response = await tenant.patch("/tenant", json=body)
    assert field in assert_error(response, 400)["details"]
    after = (await tenant.get("/tenant")).json()
    assert (after["slug"], after["tagPrefix"], after["tagPadding"]) == (tenant.slug, "AST-", 6)


async def test_a_bad_prefix_and_a_bad_padding_are_both_named(tenant):
    body = assert_error(await tenant.patch("/tenant", json={"tagPrefix": "A B", "tagPadding": 12, "name": "Ok"}), 400)
    assert "tagPrefix" in body["details"]
    unchanged = (await tenant.get("/tenant")).json()
    assert unchanged["name"] != "Ok"


@pytest.mark.parametrize("role", ["manager", "technician"])
async def test_only_an_admin_may_change_the_tenant_settings(tenant, role):
    assert_error(await tenant.as_role(role).patch("/tenant", json={"tagPrefix": "NO-"}), 403, "admin")
    assert (await tenant.get("/tenant")).json()["tagPrefix"] == "AST-"


# ---- the tenant of the Host --------------------------------------------------------------------

async def test_an_unknown_tenant_is_404_with_the_standard_body(client):
    slug = f"nobody{secrets.token_hex(4)}"
    response = await client.get("/api/v1/me", headers={"host": f"{slug}.localhost:8000"})
    body = assert_error(response, 404, f"Unknown tenant '{slug}'")
    assert body["details"] == {"host": f"{slug}.localhost:8000"}
    login_attempt = await client.post("/api/v1/auth/login", headers={"host": f"{slug}.fieldscan.example"},
                                      json={"email": "admin@x.example", "password": TEST_PASSWORD})
    assert_error(login_attempt, 404, "Unknown tenant")


@pytest.mark.parametrize("host", [
    pytest.param("x" * 300 + ".localhost", id="over-long-label"),
    pytest.param(".localhost", id="empty-label"),
    pytest.param("www.localhost", id="reserved"),
    pytest.param("a_b.localhost", id="underscore"),
])
async def test_a_host_that_cannot_name_a_tenant_is_404_not_a_crash(client, host):
    assert_error(await client.get("/api/v1/me", headers={"host": host}), 404, "Unknown tenant")


@pytest.mark.parametrize("host", [
    pytest.param(b"a b.localhost", id="space"),
    pytest.param(b"acme\x00.localhost", id="nul"),
    pytest.param("\u00e1cme.localhost".encode(), id="non-ascii"),
])
async def test_a_malformed_host_header_is_400_with_the_standard_body(client, host):
    assert_error(await client.get("/api/v1/me", headers=[(b"host", host)]), 400, "host")


async def test_the_host_picks_the_tenant_whatever_its_case_or_port(tenant):
    for host in (tenant.host.upper(), f"{tenant.host}:8000", f"{tenant.slug}.fieldscan.example:443"):
        response = await tenant.client.get("/api/v1/me", headers={"host": host,
                                                                  "authorization": f"Bearer {tenant.tokens['admin']}"})
        assert response.status_code == 200, (host, response.text)
        assert response.json()["tenant"]["slug"] == tenant.slug


async def test_no_query_or_header_overrides_the_hosts_tenant(tenant, other_tenant):
    headers = {"x-forwarded-host": other_tenant.host, "x-tenant": other_tenant.slug, "x-tenant-id": str(other_tenant.tenant_id)}
    response = await tenant.get("/me", headers=headers, params={"tenant": other_tenant.slug,
                                                                "tenantId": str(other_tenant.tenant_id)})
    assert response.status_code == 200, response.text
    assert response.json()["tenant"]["slug"] == tenant.slug
    # And the other tenant's token stays refused on this host, whatever the request claims.
    refused = await tenant.client.get("/api/v1/me", params={"tenant": other_tenant.slug},
                                      headers={**headers, "host": tenant.host,
                                               "authorization": f"Bearer {other_tenant.tokens['admin']}"})
    assert_error(refused, 401, "another tenant")


async def _ensure_demo_user(app, client, settings) -> str:
    """An email that signs in to tenant "demo" (created here if no other test made it yet)."""
    database = open_database(settings.database_url)
    try:
        async with database.read_sessions() as session:
            exists = await find_by_slug(session, "demo") is not None
    finally:
        await database.dispose()
    if not exists:
        await make_tenant(app, client, settings, slug="demo")
    email = f"bare-host-{secrets.token_hex(4)}@demo.example"
    database = open_database(settings.database_url)
    try:
        async with database.write_sessions() as session:
            demo = await find_by_slug(session, "demo")
            await create_user(session, demo.id, email, TEST_PASSWORD, "technician")
            await session.commit()
    finally:
        await database.dispose()
    return email


@pytest.mark.parametrize("host", [
    pytest.param(None, id="127.0.0.1"),
    pytest.param("localhost", id="localhost"),
    pytest.param("localhost:8000", id="localhost-port"),
    pytest.param("[::1]:8000", id="ipv6"),
])
async def test_a_bare_host_is_the_default_tenant_demo(app, client, settings, host):
    email = await _ensure_demo_user(app, client, settings)
    headers = {"host": host} if host else {}
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["tenant"]["slug"] == "demo"
    me = await client.get("/api/v1/me", headers={**headers, "authorization": f"Bearer {response.json()['token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["email"] == email


async def test_a_401_names_the_accepted_schemes(tenant):
    r = await tenant.get("/me", auth=False)
    assert r.status_code == 401
    challenge = r.headers["www-authenticate"]
    assert "Bearer" in challenge and "ApiKey" in challenge
