"""Access taken away through one served process is refused by another at its very next request: two real
`fieldscan serve` processes (separate OS processes and ports, one database, one secret key, as two hosts
would be), on SQLite and on PostgreSQL. test_revocation.py shows the same with two apps in one process;
scripts/bench revoke measures how long it takes."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from backend.settings import Settings
from tests.conftest import TenantClient, make_tenant
from tests.served import Served, served

pytestmark = pytest.mark.anyio


@pytest.fixture
def processes_a_and_b(settings: Settings, tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    """Two `fieldscan serve` on the test's database, each with a data folder of its own."""
    shared = {"FIELDSCAN_DATABASE_URL": settings.database_url, "FIELDSCAN_SECRET_KEY": settings.secret_key}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (served(tmp_path / "a", demo_assets=None, env=shared) as a,
          served(tmp_path / "b", demo_assets=None, env=shared) as b):
        assert a.port != b.port
        yield a, b


@pytest.fixture
async def admin_on_a_and_b(processes_a_and_b: tuple[Served, Served],
                           settings: Settings) -> AsyncIterator[tuple[TenantClient, TenantClient]]:
    """A new tenant's admin, calling process A and process B."""
    a, b = processes_a_and_b
    async with (httpx.AsyncClient(base_url=a.url, timeout=30) as via_a,
                httpx.AsyncClient(base_url=b.url, timeout=30) as via_b):
        on_a = await make_tenant(None, via_a, settings)
        yield on_a, dataclasses.replace(on_a, client=via_b)


@dataclass
class LostAccess:
    """A caller in use on B, and what an admin does through A to take its access away."""

    caller: dict[str, str]  # the caller's Authorization header
    take_away: Callable[[], Awaitable[httpx.Response]]
    refused: int  # B's status from then on
    says: str  # words of B's message then
    path: str = "/categories"  # a route the caller may call until then


async def api_key_revoked(admin_on_a: TenantClient) -> LostAccess:
    key = await admin_on_a.created("/api-keys", name="ERP sync", role="technician")
    return LostAccess(caller={"authorization": f"ApiKey {key['token']}"},
                      take_away=lambda: admin_on_a.delete(f"/api-keys/{key['id']}"), refused=401, says="revoked")


async def manager_demoted(admin_on_a: TenantClient) -> LostAccess:
    manager = admin_on_a.as_role("manager").headers()
    return LostAccess(caller={"authorization": manager["authorization"]},
                      take_away=lambda: admin_on_a.patch(f"/users/{admin_on_a.user_ids['manager']}",
                                                         json={"role": "technician"}),
                      refused=403, says="manager role", path="/trash")


async def technician_deactivated(admin_on_a: TenantClient) -> LostAccess:
    technician = admin_on_a.as_role("technician").headers()
    return LostAccess(caller={"authorization": technician["authorization"]},
                      take_away=lambda: admin_on_a.patch(f"/users/{admin_on_a.user_ids['technician']}",
                                                         json={"isActive": False}),
                      refused=401, says="no longer has access")


ACCESS_TAKEN_AWAY = [pytest.param(api_key_revoked, id="api-key-revoked"),
                     pytest.param(manager_demoted, id="manager-demoted"),
                     pytest.param(technician_deactivated, id="technician-deactivated")]


@pytest.mark.parametrize("lose_access", ACCESS_TAKEN_AWAY)
async def test_access_taken_away_through_one_process_is_refused_by_another_at_its_next_request(
        admin_on_a_and_b: tuple[TenantClient, TenantClient],
        lose_access: Callable[[TenantClient], Awaitable[LostAccess]]) -> None:
    on_a, on_b = admin_on_a_and_b
    lost = await lose_access(on_a)
    for _ in range(3):  # B reads the caller from the database once, then from its own cache
        accepted = await on_b.get(lost.path, headers=lost.caller)
        assert accepted.status_code == 200, accepted.text
    taken = await lost.take_away()
    assert taken.status_code in (200, 204), taken.text
    refused = await on_b.get(lost.path, headers=lost.caller)  # at once: no wait for B's cache to expire
    assert refused.status_code == lost.refused, refused.text
    assert lost.says in refused.json()["message"]
    # The tenant's other callers are read again on B, and still let in.
    assert (await on_b.get(lost.path)).status_code == 200
