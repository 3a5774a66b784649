"""Helpers every catalogue domain shares: fetch inside a tenant, the `deleted` list filter, soft delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import utcnow
from backend.errors import BadRequest, NotFound

M = TypeVar("M")
DeletedFilter = Literal["exclude", "include", "only"]


async def get_in_tenant(session: AsyncSession, model: type[M], tenant_id: UUID, record_id: UUID, what: str,
                        *, for_update: bool = False) -> M:
    """The row, or a 404 that reads the same whether it does not exist or belongs to another tenant."""
    stmt = select(model).where(model.tenant_id == tenant_id, model.id == record_id)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{what} {record_id} not found")
    return row


async def find_live(session: AsyncSession, model: type[M], tenant_id: UUID, record_id: UUID, field: str, what: str) -> M:
    """A row named in a request body: missing or deleted is the caller's input error (400), by field."""
    # FOR KEY SHARE on PostgreSQL: a delete of this row (which locks it FOR UPDATE) waits for our commit
    # and then sees what we wrote, or we wait for its commit and see the row deleted. SQLite: one writer.
    stmt = select(model).where(model.tenant_id == tenant_id, model.id == record_id)  # type: ignore[attr-defined]
    row = (await session.execute(stmt.with_for_update(read=True, key_share=True))).scalar_one_or_none()
    if row is None:
        raise BadRequest(f"{field}: no {what} with id {record_id}", {field: f"no such {what}"})
    if row.deleted_at is not None:  # type: ignore[attr-defined]
        raise BadRequest(f"{field}: the {what} {record_id} is deleted; restore it first", {field: f"{what} is deleted"})
    return row


def filter_deleted(stmt: Select[Any], model: Any, deleted: str | None) -> Select[Any]:
    deleted = deleted or "exclude"
    if deleted == "exclude":
        return stmt.where(model.deleted_at.is_(None))
    if deleted == "only":
        return stmt.where(model.deleted_at.is_not(None))
    if deleted == "include":
        return stmt
    raise BadRequest("deleted must be exclude, include or only", {"deleted": "exclude, include or only"})


def like_pattern(q: str) -> str:
    """A case-insensitive LIKE pattern for a search term, with its own % and _ taken literally."""
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def commit_or(session: AsyncSession, conflict: Callable[[], Awaitable[Any]]) -> None:
    """Commit. A unique key broken by a concurrent writer between our check and our commit
    (PostgreSQL) rolls back and answers what `conflict` raises: the same 409 the check would have given."""
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        await conflict()
        raise


def mark_deleted(row: Any) -> None:
    if row.deleted_at is None:
        row.deleted_at = utcnow()
        row.updated_at = row.deleted_at
