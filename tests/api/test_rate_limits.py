"""Rate limits: the API per key or user (a tenant sets its own), the public pages per address, sign-in per
address and per account with a doubling wait; the standard headers; counters shared between processes."""

from __future__ import annotations

import asyncio
import re
import time
from types import SimpleNamespace
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest

from backend.app import create_app
from backend.ratelimit import rules
from backend.ratelimit.service import client_address
from backend.settings import Settings
from tests.api.test_auth import login
from tests.conftest import TEST_PASSWORD, TenantClient, make_tenant
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def limited(response: Any, limit: int, remaining: int) -> None:
    assert response.headers["x-ratelimit-limit"] == str(limit), response.headers
    assert response.headers["x-ratelimit-remaining"] == str(remaining)
    reset = int(response.headers["x-ratelimit-reset"])
    # A Unix time within the coming minute of when the answer was made; a busy machine may take seconds to
    # get here from there, so the lower bound is loose.
    assert time.time() - 10 <= reset <= time.time() + 61


def refused(response: Any, limit: int) -> int:
    body = assert_error(response, 429)
    limited(response, limit, 0)
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= 61 * 60 and body["details"]["retryAfter"] == wait
    return wait


async def set_api_limit(tenant: TenantClient, per_minute: int | None) -> None:
    r = await tenant.as_role("admin").patch("/tenant", json={"apiRateLimit": per_minute})
    assert r.status_code == 200, r.text
    assert r.json()["apiRateLimit"] == per_minute


async def test_the_api_counts_each_caller_against_the_tenants_limit(tenant: TenantClient) -> None:
    await set_api_limit(tenant, 3)
    tech = tenant.as_role("technician")
    for remaining in (2, 1, 0):
        r = await tech.get("/categories")
        assert r.status_code == 200, r.text
        limited(r, 3, remaining)
    refused(await tech.get("/categories"), 3)
    refused(await tech.post("/categories", json={"name": "Pumps"}), 3)  # writes too, and nothing is made
    # Another caller has a count of its own; an error answer is counted and says so as well.
    manager = tenant.as_role("manager")
    limited(await manager.get(f"/inventory-items/{uuid.uuid4()}"), 3, 2)
    assert [c["name"] for c in (await manager.get("/categories")).json()["items"]].count("Pumps") == 0


async def test_a_tenant_without_a_limit_sends_no_limit_headers(tenant: TenantClient) -> None:
    await set_api_limit(tenant, 0)
    r = await tenant.as_role("technician").get("/categories")
    assert r.status_code == 200 and not any(name in r.headers for name in HEADERS)
    await set_api_limit(tenant, None)  # back to the service's default
    limited(await tenant.as_role("technician").get("/categories"), 3000, 2999)  # the first counted


async def test_a_bad_limit_is_a_400_naming_it(tenant: TenantClient) -> None:
    for bad in (-1, 2_000_000, "many"):
        assert_error(await tenant.patch("/tenant", json={"apiRateLimit": bad}), 400)


@pytest.fixture
async def strict(settings: Settings) -> AsyncIterator[tuple[Any, httpx.AsyncClient, Settings]]:
    """The service with small limits: 3 public pages and 4 sign-in attempts a minute per address."""
    tight = msgspec.structs.replace(settings, public_rate_limit=3, signin_rate_limit=4)
    app = create_app(tight)
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                 base_url="http://127.0.0.1") as http:
        yield app, http, tight


async def test_public_pages_and_qr_images_are_limited_per_address(strict: Any) -> None:
    app, http, tight = strict
    tenant = await make_tenant(app, http, tight)
    asset = await tenant.created("/inventory-items", name="Pump 7")
    host = {"host": tenant.host}
    answers = [await http.get(f"/a/{asset['tag']}", headers=host),
               await http.get(f"/api/v1/inventory-items/{asset['id']}/qr.svg", headers=host),
               await http.get("/l/NO-SUCH-DOOR", headers=host)]
    assert [r.status_code for r in answers] == [200, 200, 404]
    for remaining, r in zip((2, 1, 0), answers, strict=True):
        limited(r, 3, remaining)
    page = await http.get(f"/a/{asset['tag']}", headers=host)
    assert page.status_code == 429 and page.headers["retry-after"]
    limited(page, 3, 0)


async def test_sign_in_attempts_are_limited_per_address(strict: Any) -> None:
    app, http, tight = strict
    tenant = await make_tenant(app, http, tight)
    for remaining, who in zip((3, 2, 1, 0), ("admin", "manager", "technician", "admin"), strict=True):
        r = await login(tenant, f"{who}@{tenant.slug}.example")
        assert r.status_code == 200, r.text
        limited(r, 4, remaining)
    refused(await login(tenant, f"manager@{tenant.slug}.example"), 4)


async def test_wrong_passwords_make_the_account_wait_longer_each_time_known_or_not(tenant: TenantClient) -> None:
    for email in (f"admin@{tenant.slug}.example", f"nobody@{tenant.slug}.example"):
        for _ in range(rules.FREE_FAILURES):
            assert_error(await login(tenant, email, "not the password"), 401)
        # The next attempt waits, even with the right password, and says how long: the same for a stranger.
        first = assert_error(await login(tenant, email, TEST_PASSWORD), 429)
        assert first["details"] == {"retryAfter": rules.failure_delay(rules.FREE_FAILURES)}
    # Another account of the same address is not held up by them.
    assert (await login(tenant, f"manager@{tenant.slug}.example")).status_code == 200
    time.sleep(rules.failure_delay(rules.FREE_FAILURES) + 0.1)
    ok = await login(tenant, f"admin@{tenant.slug}.example")
    assert ok.status_code == 200, ok.text
    # Signed in: the account's failures are forgiven.
    assert_error(await login(tenant, f"admin@{tenant.slug}.example", "not the password"), 401)


async def test_wrong_passwords_sent_all_at_once_after_a_wait_get_one_check(tenant: TenantClient) -> None:
    """The back-off cannot be outrun in parallel: of attempts sent together once a wait is over, one has its
    password checked and the rest are refused."""
    email = f"technician@{tenant.slug}.example"
    for _ in range(rules.FREE_FAILURES):
        assert_error(await login(tenant, email, "not the password"), 401)
    time.sleep(rules.failure_delay(rules.FREE_FAILURES) + 0.1)
    answers = await asyncio.gather(*(login(tenant, email, "not the password either") for _ in range(12)))
    assert sorted(r.status_code for r in answers) == [401] + [429] * 11


async def test_a_long_email_waits_like_any_other(tenant: TenantClient) -> None:
    email = f"{'x' * 200}@{'y' * 40}.example"  # 249 characters: a valid address
    for _ in range(rules.FREE_FAILURES):
        assert_error(await login(tenant, email, "not the password"), 401)
    assert_error(await login(tenant, email, "not the password"), 429)


def test_ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() -> None:
    def address(host: str) -> str:
        return client_address(SimpleNamespace(client=SimpleNamespace(host=host)))  # type: ignore[arg-type]

    assert address("2001:db8:1:2:aaaa::1") == address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address("2001:db8:1:3::1") != address("2001:db8:1:2::1")
    assert address("::ffff:192.0.2.7") == "192.0.2.7"
    assert address("192.0.2.7") == "192.0.2.7"


async def test_counts_are_shared_by_every_process_on_the_database(settings: Settings, tenant: TenantClient) -> None:
    """Two apps on one database (as two served processes are): a limit spent on one is spent on both."""
    await set_api_limit(tenant, 2)
    second = create_app(settings)
    async with second.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=second),
                                                    base_url="http://127.0.0.1") as other:
        tech = tenant.as_role("technician")
        elsewhere = TenantClient(other, tenant.slug, tenant.tenant_id, tenant.tokens, tenant.user_ids, "technician")
        limited(await tech.get("/categories"), 2, 1)
        limited(await elsewhere.get("/categories"), 2, 0)
        refused(await tech.get("/categories"), 2)
        refused(await elsewhere.get("/categories"), 2)


async def test_every_signed_in_route_sends_the_limit_headers(app: Any, tenant: TenantClient) -> None:
    tech = tenant.as_role("admin")
    seen = 0
    for route in app.routes:
        if not route.path.startswith("/api/v1/") or "GET" not in getattr(route, "methods", ()):
            continue
        path = route.path.removeprefix("/api/v1")
        path = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
        if path.endswith(("/qr.png", "/qr.svg")):
            continue  # public: counted per address (above)
        r = await tech.get(path)
        assert r.status_code < 500, (path, r.text)
        assert "x-ratelimit-limit" in r.headers, (path, r.status_code)
        seen += 1
    assert seen > 30
