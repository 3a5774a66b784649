"""Fixtures: a database (SQLite and PostgreSQL) → settings → app → client → a tenant with users."""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from backend.app import create_app
from backend.auth import rules
from backend.db.base import utcnow
from backend.db.migrate import upgrade
from backend.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# Timing is measured by scripts/bench, never asserted by tests: a loaded CI machine must not fail a
# property test because one example took longer than Hypothesis's default 200 ms.
hypothesis_settings.register_profile("fieldscan", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("fieldscan")
DATABASES = ["sqlite", "postgres"]
# Hashed once: tests create many users, and Argon2 is slow on purpose.
TEST_PASSWORD = "correct horse battery"
_PASSWORD_HASH = rules.hash_password(TEST_PASSWORD)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL: FIELDSCAN_TEST_PG_URL (scripts/test starts one), or one started here.
    If it cannot start, every PostgreSQL test errors: there is no silent skip."""
    url = os.environ.get("FIELDSCAN_TEST_PG_URL")
    if url:
        yield url
        return
    pg_dir = tempfile.mkdtemp(prefix="fieldscan-pg-tests-")
    env = {**os.environ, "FIELDSCAN_PG_DIR": pg_dir}
    started = subprocess.run([str(ROOT / "scripts" / "pg"), "start"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"PostgreSQL did not start (scripts/pg start):\n{started.stderr}", pytrace=False)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(ROOT / "scripts" / "pg"), "stop"], env=env, capture_output=True)


def _fresh_postgres_database(server_url: str) -> str:
    """A new database on the server for this test run, so runs never see each other's rows."""
    import asyncio

    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"fieldscan_test_{os.getpid()}_{secrets.token_hex(3)}"

    async def create() -> None:
        conn = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database=url.database)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database of each kind; tests share it and keep apart by using their own tenants."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'fieldscan.sqlite3'}"
    else:
        url = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, secret_key=secrets.token_urlsafe(32), var_dir=str(tmp_path / "var"),
                    max_body_bytes=256 * 1024)


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app, served on the test's own event loop, so requests gathered with
    asyncio.gather really overlap inside the app (Litestar's httpx.AsyncClient runs them one at a time)."""
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                 base_url="http://127.0.0.1") as http:
        yield http


@dataclass
class TenantClient:
    """Requests to one tenant (by Host), as one of its users."""

    client: httpx.AsyncClient
    slug: str
    tenant_id: Any
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, Any] = field(default_factory=dict)
    role: str = "admin"

    @property
    def host(self) -> str:
        return f"{self.slug}.localhost"

    def as_role(self, role: str) -> TenantClient:
        return TenantClient(self.client, self.slug, self.tenant_id, self.tokens, self.user_ids, role)

    def headers(self, extra: dict[str, str] | None = None, *, auth: bool = True) -> dict[str, str]:
        headers = {"host": self.host}
        if auth:
            headers["authorization"] = f"Bearer {self.tokens[self.role]}"
        headers.update(extra or {})
        return headers

    async def request(self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None,
                      **kwargs: Any) -> Any:
        return await self.client.request(method, f"/api/v1{path}", headers=self.headers(headers, auth=auth), **kwargs)

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Any:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Any:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Any:
        return await self.request("DELETE", path, **kwargs)

    async def created(self, path: str, **body: Any) -> dict[str, Any]:
        """POST a body that must be accepted (201); its answer."""
        r = await self.post(path, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    async def walk(self, path: str, *, limit: int = 200, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, page by page, following nextCursor; each page at most `limit` long."""
        items: list[dict[str, Any]] = []
        cursor = None
        for _ in range(500):
            page_params = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
            r = await self.get(path, params=page_params)
            assert r.status_code == 200, r.text
            page = r.json()
            assert len(page["items"]) <= limit
            items += page["items"]
            cursor = page["nextCursor"]
            if cursor is None:
                return items
        raise AssertionError("the list never ended")


async def make_tenant(app: Any, client: httpx.AsyncClient, settings: Settings, slug: str | None = None,
                      **tenant_options: Any) -> TenantClient:
    """A new tenant with an admin, a manager and a technician, each with a signed token."""
    from backend.auth.models import User
    from backend.db.engine import open_database
    from backend.tenancy.service import create_tenant

    slug = slug or f"t{secrets.token_hex(5)}"
    database = open_database(settings.database_url)
    async with database.write_sessions() as session:
        tenant = await create_tenant(session, slug, **tenant_options)
        ids = {}
        for role in rules.ROLES:
            user = User(tenant_id=tenant.id, email=f"{role}@{slug}.example", email_key=f"{role}@{slug}.example",
                        password_hash=_PASSWORD_HASH, role=role, name=role.title())
            session.add(user)
            await session.flush()
            ids[role] = user.id
        await session.commit()
    await database.dispose()
    tokens = {
        role: rules.issue_token(settings.secret_key, user_id=ids[role], tenant_id=tenant.id, tenant_slug=slug,
                                role=role, now=utcnow(), ttl=timedelta(hours=1))[0]
        for role in rules.ROLES
    }
    return TenantClient(client, slug, tenant.id, tokens, ids)


@pytest.fixture
async def tenant(app: Any, client: httpx.AsyncClient, settings: Settings) -> TenantClient:
    return await make_tenant(app, client, settings)


@pytest.fixture
async def other_tenant(app: Any, client: httpx.AsyncClient, settings: Settings) -> TenantClient:
    return await make_tenant(app, client, settings)
