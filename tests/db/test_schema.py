"""The migrations build exactly the schema the models describe, and every key starts with tenant_id."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import ForeignKeyConstraint, Index, PrimaryKeyConstraint, UniqueConstraint, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from backend.db.models import Base

pytestmark = pytest.mark.anyio

TENANT_OWNED = [t for t in Base.metadata.sorted_tables if "tenant_id" in t.c and t.name != "counters"]


async def test_migrated_database_matches_the_models(database_url):
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata))
    finally:
        await engine.dispose()
    assert diff == []


async def test_migrated_database_enforces_foreign_keys_and_composite_tenant_keys(database_url):
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            keys = await connection.run_sync(lambda sync: inspect(sync).get_foreign_keys("assets"))
    finally:
        await engine.dispose()
    by_table = {fk["referred_table"]: fk["constrained_columns"] for fk in keys}
    assert by_table["categories"] == ["tenant_id", "category_id"]
    assert by_table["locations"] == ["tenant_id", "location_id"]
    assert by_table["people"] == ["tenant_id", "assignee_id"]


@pytest.mark.parametrize("table", TENANT_OWNED, ids=lambda t: t.name)
def test_every_key_and_index_of_a_tenant_table_starts_with_tenant_id(table):
    for constraint in table.constraints:
        if isinstance(constraint, (PrimaryKeyConstraint, UniqueConstraint)):
            assert list(constraint.columns)[0].name == "tenant_id", constraint.name
        if isinstance(constraint, ForeignKeyConstraint) and constraint.referred_table.name != "tenants":
            assert constraint.column_keys[0] == "tenant_id", constraint.name
    for index in table.indexes:
        assert isinstance(index, Index)
        assert list(index.columns)[0].name == "tenant_id", index.name


def test_counters_are_keyed_by_tenant():
    counters = Base.metadata.tables["counters"]
    assert [c.name for c in counters.primary_key.columns][0] == "tenant_id"
