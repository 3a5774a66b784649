"""A revoked API key stops working at once on every process serving the database, not only on the one
that revoked it (each process caches what it read about keys and users for a few seconds)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.settings import Settings
from tests.conftest import TenantClient

pytestmark = pytest.mark.anyio


async def test_a_key_revoked_on_one_process_is_refused_by_another_at_its_next_request(
        settings: Settings, tenant: TenantClient) -> None:
    created = await tenant.post("/api-keys", json={"name": "ERP sync", "role": "technician"})
    assert created.status_code == 201, created.text
    key = created.json()
    header = {"authorization": f"ApiKey {key['token']}", "host": tenant.host}
    other_app = create_app(settings)  # a second served process on the same database
    async with other_app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=other_app),
                                                       base_url="http://127.0.0.1") as other:
        for _ in range(2):  # the second answer comes from that process's cache
            assert (await other.get("/api/v1/categories", headers=header)).status_code == 200
        assert (await tenant.delete(f"/api-keys/{key['id']}")).status_code == 204
        refused: Any = await other.get("/api/v1/categories", headers=header)
        assert refused.status_code == 401, refused.text
        assert "revoked" in refused.json()["message"]
        # Other callers of the tenant are read again too, and still let in.
        assert (await other.get("/api/v1/categories", headers={**header, **tenant.headers()})).status_code == 200
