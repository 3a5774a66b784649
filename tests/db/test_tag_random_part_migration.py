"""Revision 0008 adds tenants.tag_random_chars: tenants that existed before keep generating plain tags."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from backend.db.migrate import alembic_config, upgrade
from tests.conftest import DATABASES, _fresh_postgres_database

# The tenants table as revision 0007 left it.
TENANTS_AT_0007 = sa.table(
    "tenants", sa.column("id", sa.Uuid()), sa.column("slug", sa.String()), sa.column("name", sa.String()),
    sa.column("tag_prefix", sa.String()), sa.column("tag_padding", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)))


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'before-0008.sqlite3'}"
    return _fresh_postgres_database(request.getfixturevalue("postgres_server"))


def run(database_url: str, work: Any) -> Any:
    """work(connection) in one transaction on a connection of its own."""
    async def go() -> Any:
        engine = create_async_engine(database_url)
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_tenants_from_before_0008_have_no_random_part_and_the_downgrade_drops_it(empty_database_url):
    upgrade(empty_database_url, "0007")
    now = datetime.now(UTC)
    run(empty_database_url, lambda connection: connection.execute(sa.insert(TENANTS_AT_0007).values(
        id=uuid.uuid4(), slug="acme", name="Acme", tag_prefix="AST-", tag_padding=6, created_at=now, updated_at=now)))

    upgrade(empty_database_url, "0008")

    async def random_chars(connection: Any) -> list[tuple[str, int]]:
        return [tuple(row) for row in await connection.execute(sa.text("SELECT slug, tag_random_chars FROM tenants"))]

    assert run(empty_database_url, random_chars) == [("acme", 0)]

    command.downgrade(alembic_config(empty_database_url), "0007")

    async def columns(connection: Any) -> list[str]:
        return await connection.run_sync(lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("tenants")])

    after = run(empty_database_url, columns)
    assert "tag_random_chars" not in after and "slug" in after
