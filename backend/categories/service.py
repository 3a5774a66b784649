"""Categories: a flat list with one default per tenant (where quick-added assets go)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.categories.models import Category
from backend.categories.schemas import CategoryIn, CategoryPatch
from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import commit_or, filter_deleted, find_live, get_in_tenant, like_pattern, mark_deleted
from backend.errors import Conflict

DEFAULT_NAME = "Uncategorized"
# By name_key: "bravo" comes before "Charlie" on SQLite and PostgreSQL alike.
SORTS = {"name": (Category.name_key, str), "createdAt": (Category.created_at, datetime),
         "updatedAt": (Category.updated_at, datetime)}


def name_key(name: str) -> str:
    return name.strip().casefold()


async def create_default_category(session: AsyncSession, tenant_id: UUID) -> Category:
    category = Category(tenant_id=tenant_id, name=DEFAULT_NAME, name_key=name_key(DEFAULT_NAME), is_default=True)
    session.add(category)
    await session.flush()
    return category


async def default_category(session: AsyncSession, tenant_id: UUID) -> Category:
    return (await session.execute(
        select(Category).where(Category.tenant_id == tenant_id, Category.is_default.is_(True))
    )).scalar_one()


async def get(session: AsyncSession, tenant_id: UUID, category_id: UUID, *, for_update: bool = False) -> Category:
    return await get_in_tenant(session, Category, tenant_id, category_id, "Category", for_update=for_update)


async def require_live(session: AsyncSession, tenant_id: UUID, category_id: UUID, field: str = "categoryId") -> Category:
    return await find_live(session, Category, tenant_id, category_id, field, "category")


async def list_categories(session: AsyncSession, tenant_id: UUID, *, q: str | None, sort: str | None,
                          deleted: str | None, limit: int | None, cursor: str | None):
    stmt = filter_deleted(select(Category).where(Category.tenant_id == tenant_id), Category, deleted)
    if q and q.strip():
        stmt = stmt.where(Category.name.ilike(like_pattern(q), escape="\\"))
    return await listing.page(session, stmt, Category.id, listing.parse_sort(sort, SORTS, "name"), limit, cursor)


async def _ensure_name_free(session: AsyncSession, tenant_id: UUID, name: str, except_id: UUID | None = None) -> None:
    stmt = select(Category.id).where(Category.tenant_id == tenant_id, Category.name_key == name_key(name),
                                     Category.deleted_at.is_(None))
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is not None and found != except_id:
        raise Conflict(f"A category named '{name}' already exists", {"name": "taken", "existingId": str(found)})


async def _commit_unless_name_taken(session: AsyncSession, tenant_id: UUID, name: str) -> None:
    async def taken() -> None:
        await _ensure_name_free(session, tenant_id, name)
        raise Conflict(f"A category named '{name}' already exists", {"name": "taken"})

    await commit_or(session, taken)


async def create(session: AsyncSession, tenant_id: UUID, data: CategoryIn) -> Category:
    await _ensure_name_free(session, tenant_id, data.name)
    category = Category(tenant_id=tenant_id, name=data.name.strip(), name_key=name_key(data.name),
                        description=data.description, life_expectancy_months=data.life_expectancy_months)
    session.add(category)
    await _commit_unless_name_taken(session, tenant_id, category.name)
    return category


async def update(session: AsyncSession, tenant_id: UUID, category_id: UUID, data: CategoryPatch) -> Category:
    category = await get(session, tenant_id, category_id, for_update=True)
    if category.deleted_at is not None:
        raise Conflict("This category is deleted; restore it before changing it")
    if data.name is not UNSET:
        await _ensure_name_free(session, tenant_id, data.name, except_id=category.id)
        category.name, category.name_key = data.name.strip(), name_key(data.name)
    if data.description is not UNSET:
        category.description = data.description
    if data.life_expectancy_months is not UNSET:
        category.life_expectancy_months = data.life_expectancy_months
    category.updated_at = utcnow()
    await _commit_unless_name_taken(session, tenant_id, category.name)
    return category


async def delete(session: AsyncSession, tenant_id: UUID, category_id: UUID) -> None:
    from backend.assets.service import count_live_assets

    category = await get(session, tenant_id, category_id, for_update=True)
    if category.is_default:
        raise Conflict("The default category cannot be deleted")
    if category.deleted_at is None:
        in_use = await count_live_assets(session, tenant_id, category_id=category.id)
        if in_use:
            raise Conflict(f"{in_use} assets are in this category; move them to another category first",
                           {"assets": in_use})
    mark_deleted(category)
    await session.commit()


async def restore(session: AsyncSession, tenant_id: UUID, category_id: UUID) -> Category:
    category = await get(session, tenant_id, category_id, for_update=True)
    if category.deleted_at is not None:
        await _ensure_name_free(session, tenant_id, category.name)
        category.deleted_at = None
        category.updated_at = utcnow()
        await _commit_unless_name_taken(session, tenant_id, category.name)
    return category
