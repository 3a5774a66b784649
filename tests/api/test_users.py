"""Accounts in the API: an admin invites a user with a one-time link, changes roles, deactivates and
resets; a user changes their own password; the password policy; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from backend.app import create_app
from backend.settings import Settings
from tests.conftest import TEST_PASSWORD, TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio
NEW_PASSWORD = "a long passphrase for the plant room"


def token_of(link: dict[str, Any]) -> str:
    parts = urlsplit(link["url"])
    assert parts.path == "/app/set-password" and parts.query == ""  # never in a query string, so never in a log
    return parts.fragment


async def invite(tenant: TenantClient, email: str, role: str = "technician", name: str = "Jane Doe") -> dict[str, Any]:
    return await tenant.created("/users", email=email, name=name, role=role)


async def set_password(tenant: TenantClient, token: str, password: str = NEW_PASSWORD) -> Any:
    return await tenant.post("/auth/set-password", auth=False, json={"token": token, "password": password})


async def login(tenant: TenantClient, email: str, password: str) -> Any:
    return await tenant.post("/auth/login", auth=False, json={"email": email, "password": password})


def bearer(tenant: TenantClient, token: str) -> dict[str, str]:
    return {"host": tenant.host, "authorization": f"Bearer {token}"}


async def test_an_invited_user_sets_a_password_with_the_link_and_is_signed_in(tenant: TenantClient) -> None:
    made = await invite(tenant, "jane@plant.example", "technician")
    assert made["user"]["status"] == "invited" and made["user"]["role"] == "technician"
    assert made["link"]["purpose"] == "invite"
    token = token_of(made["link"])
    assert urlsplit(made["link"]["url"]).netloc == tenant.host  # the workspace's own address

    # No password yet: nothing signs in as this user.
    assert_error(await login(tenant, "jane@plant.example", ""), 401)
    assert_error(await login(tenant, "jane@plant.example", "anything at all, really"), 401)

    info = await tenant.post("/auth/password-link", auth=False, json={"token": token})
    assert info.status_code == 200, info.text
    assert info.json() | {"expiresAt": None} == {"email": "jane@plant.example", "name": "Jane Doe", "purpose": "invite",
                                                 "expiresAt": None, "minLength": 12}

    signed = await set_password(tenant, token)
    assert signed.status_code == 200, signed.text
    me = await tenant.client.get("/api/v1/me", headers=bearer(tenant, signed.json()["token"]))
    assert me.json()["email"] == "jane@plant.example" and me.json()["role"] == "technician"
    assert (await login(tenant, "jane@plant.example", NEW_PASSWORD)).status_code == 200

    # Once only.
    assert_error(await set_password(tenant, token, "another long passphrase"), 400, "token")
    assert_error(await tenant.post("/auth/password-link", auth=False, json={"token": token}), 400, "token")
    listed = await tenant.get(f"/users/{made['user']['id']}")
    assert listed.json()["status"] == "active" and listed.json()["lastLoginAt"] is not None


@pytest.mark.parametrize(("password", "why"), [
    ("short one", "at least 12 characters"),
    ("password1234", "breaches"),
    ("Password2024!", "breached password with a few characters added"),
    ("qwertyuiop12", "breaches"),
    ("zzzzzzzzzzzzzzzz", "different characters"),
    ("bob@plant.example", "email"),
])
async def test_the_password_policy_names_what_is_wrong(tenant: TenantClient, password: str, why: str) -> None:
    made = await invite(tenant, "bob@plant.example")
    refused = assert_error(await set_password(tenant, token_of(made["link"]), password), 400, "password")
    assert why in refused["details"]["password"]
    # A refused password does not use the link.
    assert (await set_password(tenant, token_of(made["link"]))).status_code == 200


async def test_a_link_of_another_workspace_an_expired_or_a_forged_one_is_refused(
        tenant: TenantClient, other_tenant: TenantClient) -> None:
    made = await invite(tenant, "kim@plant.example")
    token = token_of(made["link"])
    assert_error(await set_password(other_tenant, token), 400, "token")
    assert_error(await set_password(tenant, token[:-2] + ("AA" if not token.endswith("AA") else "BB")), 400, "token")
    # A new link voids the old one.
    again = await tenant.post(f"/users/{made['user']['id']}/password-reset")
    assert again.status_code == 201 and again.json()["purpose"] == "invite"  # still never set a password
    assert_error(await set_password(tenant, token), 400, "token")
    assert (await set_password(tenant, token_of(again.json()))).status_code == 200


async def test_only_admins_manage_users_and_another_workspaces_user_is_a_404(
        tenant: TenantClient, other_tenant: TenantClient) -> None:
    for role in ("manager", "technician"):
        assert_error(await tenant.as_role(role).get("/users"), 403)
        assert_error(await tenant.as_role(role).post("/users", json={"email": "x@y.example"}), 403)
        assert_error(await tenant.as_role(role).patch(f"/users/{tenant.user_ids['technician']}",
                                                      json={"role": "admin"}), 403)
    theirs = other_tenant.user_ids["technician"]
    assert_error(await tenant.get(f"/users/{theirs}"), 404)
    assert_error(await tenant.patch(f"/users/{theirs}", json={"role": "admin"}), 404)
    assert_error(await tenant.post(f"/users/{theirs}/password-reset"), 404)
    assert_error(await tenant.get("/users/not-a-uuid"), 400, "userId")
    listed = await tenant.walk("/users", limit=2)
    assert sorted(u["email"] for u in listed) == sorted(f"{r}@{tenant.slug}.example" for r in ("admin", "manager", "technician"))


async def test_the_list_filters_by_status_role_and_text(tenant: TenantClient) -> None:
    await invite(tenant, "pending@plant.example", "manager", name="Pending Person")
    tech = tenant.user_ids["technician"]
    assert (await tenant.patch(f"/users/{tech}", json={"isActive": False})).status_code == 200

    async def emails(**params: Any) -> list[str]:
        return sorted(u["email"] for u in await tenant.walk("/users", **params))

    assert await emails(status="invited") == ["pending@plant.example"]
    assert await emails(status="deactivated") == [f"technician@{tenant.slug}.example"]
    assert await emails(status="active") == sorted([f"admin@{tenant.slug}.example", f"manager@{tenant.slug}.example"])
    assert await emails(role="manager") == sorted(["pending@plant.example", f"manager@{tenant.slug}.example"])
    assert await emails(q="pending per") == ["pending@plant.example"]
    assert await emails(q="%") == []
    assert_error(await tenant.get("/users", params={"status": "gone"}), 400, "status")
    assert_error(await tenant.get("/users", params={"role": "owner"}), 400, "role")
    assert_error(await tenant.post("/users", json={"email": f"ADMIN@{tenant.slug}.example"}), 409, "email")
    assert_error(await tenant.post("/users", json={"email": "a@b.example", "role": "owner"}), 400)


async def test_a_demotion_and_a_deactivation_take_effect_at_the_next_request(tenant: TenantClient) -> None:
    manager = tenant.as_role("manager")
    assert (await manager.post("/categories", json={"name": "Pumps"})).status_code == 201  # cached as a manager now
    changed = await tenant.patch(f"/users/{tenant.user_ids['manager']}", json={"role": "technician"})
    assert changed.status_code == 200 and changed.json()["role"] == "technician"
    assert_error(await manager.post("/categories", json={"name": "Valves"}), 403)

    assert (await tenant.patch(f"/users/{tenant.user_ids['manager']}", json={"isActive": False})).status_code == 200
    assert_error(await manager.get("/categories"), 401)
    # Reactivated, the user signs in again: the tokens of before stay ended.
    back = await tenant.patch(f"/users/{tenant.user_ids['manager']}", json={"isActive": True})
    assert back.json()["status"] == "active"
    assert_error(await manager.get("/categories"), 401)
    assert (await login(tenant, f"manager@{tenant.slug}.example", TEST_PASSWORD)).status_code == 200


async def test_the_last_active_admin_stays_and_nobody_deactivates_themselves(tenant: TenantClient) -> None:
    admin_id = tenant.user_ids["admin"]
    assert_error(await tenant.patch(f"/users/{admin_id}", json={"role": "teapot"}), 400, "role")
    assert_error(await tenant.patch(f"/users/{admin_id}", json={"role": "manager"}), 409, "role")
    assert_error(await tenant.patch(f"/users/{admin_id}", json={"isActive": False}), 409, "isActive")
    # With a second admin, the first may step down, but still not switch themselves off.
    await tenant.patch(f"/users/{tenant.user_ids['manager']}", json={"role": "admin"})
    assert_error(await tenant.patch(f"/users/{admin_id}", json={"isActive": False}), 409, "isActive")
    stepped = await tenant.patch(f"/users/{admin_id}", json={"role": "manager", "name": "Former admin"})
    assert stepped.status_code == 200 and stepped.json()["name"] == "Former admin"
    assert_error(await tenant.get("/users"), 403)  # the same token, no longer an admin


async def test_an_invited_admin_who_never_set_a_password_does_not_count_as_the_admin(tenant: TenantClient) -> None:
    invited = await invite(tenant, "next-admin@plant.example", "admin")
    admin_id = tenant.user_ids["admin"]
    assert_error(await tenant.patch(f"/users/{admin_id}", json={"role": "manager"}), 409, "role")
    # The invitation itself may be withdrawn or changed freely.
    assert (await tenant.patch(f"/users/{invited['user']['id']}", json={"role": "technician"})).status_code == 200
    assert (await tenant.patch(f"/users/{invited['user']['id']}", json={"isActive": False})).status_code == 200


async def test_names_with_control_characters_are_refused(tenant: TenantClient) -> None:
    assert_error(await tenant.post("/users", json={"email": "nul@plant.example", "name": "a\u0000b"}), 400, "name")
    assert_error(await tenant.patch(f"/users/{tenant.user_ids['technician']}", json={"name": "two\nlines"}), 400, "name")


async def test_a_reset_link_keeps_the_old_password_until_used_then_ends_every_earlier_token(tenant: TenantClient) -> None:
    tech = tenant.as_role("technician")
    email = f"technician@{tenant.slug}.example"
    old_session = (await login(tenant, email, TEST_PASSWORD)).json()["token"]
    reset = await tenant.post(f"/users/{tenant.user_ids['technician']}/password-reset")
    assert reset.status_code == 201 and reset.json()["purpose"] == "reset"
    assert (await login(tenant, email, TEST_PASSWORD)).status_code == 200  # not locked out by the admin's click
    assert (await set_password(tenant, token_of(reset.json()))).status_code == 200
    assert_error(await login(tenant, email, TEST_PASSWORD), 401)
    assert_error(await tech.get("/categories"), 401)
    assert_error(await tenant.client.get("/api/v1/me", headers=bearer(tenant, old_session)), 401)
    assert (await login(tenant, email, NEW_PASSWORD)).status_code == 200
    deactivated = await tenant.patch(f"/users/{tenant.user_ids['technician']}", json={"isActive": False})
    assert deactivated.status_code == 200
    assert_error(await tenant.post(f"/users/{tenant.user_ids['technician']}/password-reset"), 409)


async def test_a_user_changes_their_own_password_and_gets_a_new_token(tenant: TenantClient) -> None:
    tech = tenant.as_role("technician")
    wrong = await tech.post("/me/password", json={"currentPassword": "not my password at all", "newPassword": NEW_PASSWORD})
    assert_error(wrong, 400, "currentPassword")
    weak = await tech.post("/me/password", json={"currentPassword": TEST_PASSWORD, "newPassword": "password1234"})
    assert_error(weak, 400, "newPassword")
    same = await tech.post("/me/password", json={"currentPassword": TEST_PASSWORD, "newPassword": TEST_PASSWORD})
    assert_error(same, 400, "newPassword")
    changed = await tech.post("/me/password", json={"currentPassword": TEST_PASSWORD, "newPassword": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    assert_error(await tech.get("/categories"), 401)  # the token of before has ended
    fresh = bearer(tenant, changed.json()["token"])
    assert (await tenant.client.get("/api/v1/categories", headers=fresh)).status_code == 200
    assert (await login(tenant, f"technician@{tenant.slug}.example", NEW_PASSWORD)).status_code == 200


async def test_an_api_key_has_no_password_to_change(tenant: TenantClient) -> None:
    key = await tenant.created("/api-keys", name="Sync", role="admin")
    response = await tenant.client.post("/api/v1/me/password", json={"currentPassword": "x", "newPassword": NEW_PASSWORD},
                                        headers={"host": tenant.host, "authorization": f"ApiKey {key['token']}"})
    assert_error(response, 401)
    # An admin key may manage users (provisioning from a directory).
    assert (await tenant.client.get("/api/v1/users", headers={"host": tenant.host,
                                                               "authorization": f"ApiKey {key['token']}"})).status_code == 200


async def test_a_password_change_ends_the_old_token_on_another_process_too(settings: Settings, tenant: TenantClient) -> None:
    tech = tenant.as_role("technician")
    other_app = create_app(settings)  # a second process on the same database
    async with other_app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=other_app),
                                                       base_url="http://127.0.0.1") as other:
        assert (await other.get("/api/v1/categories", headers=tech.headers())).status_code == 200  # cached there
        changed = await tech.post("/me/password", json={"currentPassword": TEST_PASSWORD, "newPassword": NEW_PASSWORD})
        assert changed.status_code == 200
        assert (await other.get("/api/v1/categories", headers=tech.headers())).status_code == 401
        manager = tenant.as_role("manager")
        assert (await other.post("/api/v1/categories", json={"name": "Cranes"}, headers=manager.headers())).status_code == 201
        demoted = await tenant.patch(f"/users/{tenant.user_ids['manager']}", json={"role": "technician"})
        assert demoted.status_code == 200
        assert (await other.post("/api/v1/categories", json={"name": "Hoists"}, headers=manager.headers())).status_code == 403
