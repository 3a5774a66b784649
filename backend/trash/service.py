"""The trash: every soft-deleted record of every kind in one list, and restoring them.

The trash reads every domain's table in one query, so unlike other domains it names their models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, String, Uuid, and_, cast, literal, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import service as assets
from backend.assets.models import Asset
from backend.categories import service as categories
from backend.categories.models import Category
from backend.customfields import service as customfields
from backend.customfields.models import CustomField
from backend.db.records import like_pattern
from backend.errors import BadRequest, Conflict, FieldscanError, NotFound
from backend.locations import service as locations
from backend.locations.models import Location
from backend.locations.rules import PATH_SEPARATOR
from backend.maintenance import service as maintenance
from backend.maintenance.models import MaintenanceLog, MaintenanceSchedule
from backend.people import service as people
from backend.people.models import Person
from backend.sessions import service as sessions
from backend.sessions.models import AuditSession
from backend.trash import rules
from backend.wire import clamp_limit, decode_cursor, encode_cursor

MODELS: dict[str, Any] = {
    "asset": Asset, "category": Category, "location": Location, "person": Person, "customField": CustomField,
    "maintenanceSchedule": MaintenanceSchedule, "maintenanceLog": MaintenanceLog, "auditSession": AuditSession,
}
WHAT = {"asset": "asset", "category": "category", "location": "location", "person": "person",
        "customField": "custom field", "maintenanceSchedule": "maintenance schedule",
        "maintenanceLog": "maintenance log", "auditSession": "audit session"}
RESTORERS: dict[str, Callable[[AsyncSession, UUID, UUID], Awaitable[Any]]] = {
    "asset": assets.restore, "category": categories.restore, "location": locations.restore,
    "person": people.restore, "customField": customfields.restore,
    "maintenanceSchedule": maintenance.restore_schedule, "maintenanceLog": maintenance.restore_log,
    "auditSession": sessions.restore,
}
# Per kind: what the list calls it, and the one piece of context it shows (and `q` searches).
_NAME = {"maintenanceSchedule": MaintenanceSchedule.title, "maintenanceLog": MaintenanceLog.type}
DETAIL = {"asset": ("tag", Asset.tag), "location": ("path", Location.path), "person": ("email", Person.email),
          "customField": ("key", CustomField.key), "auditSession": ("status", AuditSession.status)}


def _trashed(kind: str, tenant_id: UUID, q: str | None) -> Select[Any]:
    model = MODELS[kind]
    name = _NAME[kind] if kind in _NAME else model.name
    detail = DETAIL[kind][1] if kind in DETAIL else None
    asset_id = model.asset_id if kind.startswith("maintenance") else None
    stmt = select(literal(kind, String).label("kind"), model.id.label("id"), cast(name, String).label("name"),
                  model.deleted_at.label("deleted_at"),
                  (cast(detail, String) if detail is not None else cast(null(), String)).label("detail"),
                  (asset_id if asset_id is not None else cast(null(), Uuid)).label("asset_id"),
                  ).where(model.tenant_id == tenant_id, model.deleted_at.is_not(None))
    if q and q.strip():
        pattern = like_pattern(q)
        found = name.ilike(pattern, escape="\\")
        stmt = stmt.where(found | detail.ilike(pattern, escape="\\") if detail is not None else found)
    return stmt


async def list_trash(session: AsyncSession, tenant_id: UUID, *, kind: str | None, q: str | None, limit: int | None,
                     cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Newest deletion first across every kind; the cursor is (deletedAt, id) of the last row."""
    try:
        kinds = rules.parse_kinds(kind)
    except ValueError as exc:
        raise BadRequest(f"kind: {exc}", {"kind": str(exc)}) from None
    size = clamp_limit(limit)
    rows = union_all(*(_trashed(k, tenant_id, q) for k in kinds)).subquery("trash")
    stmt = select(rows)
    if cursor:
        raw_at, raw_id = decode_cursor(cursor, 2)
        try:
            last_at, last_id = datetime.fromisoformat(str(raw_at)), UUID(str(raw_id))
        except ValueError:
            raise BadRequest("cursor is not valid for this list; start again without it", {"cursor": "invalid"}) from None
        stmt = stmt.where(or_(rows.c.deleted_at < last_at, and_(rows.c.deleted_at == last_at, rows.c.id < last_id)))
    found = (await session.execute(stmt.order_by(rows.c.deleted_at.desc(), rows.c.id.desc()).limit(size + 1))).all()
    items = [_item(row) for row in found[:size]]
    next_cursor = encode_cursor([found[size - 1].deleted_at, found[size - 1].id]) if len(found) > size else None
    return items, next_cursor


def _item(row: Any) -> dict[str, Any]:
    item = {"kind": row.kind, "id": row.id, "name": row.name, "deleted_at": row.deleted_at, "asset_id": row.asset_id}
    if row.kind in DETAIL:
        item[DETAIL[row.kind][0]] = row.detail
    return item


@asynccontextmanager
async def one_transaction(session: AsyncSession) -> AsyncIterator[None]:
    """Run several domains' writes as one: their own commits only flush, and all of it commits at the end
    (or none of it, when one raises)."""
    commit = session.commit
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    except BaseException:
        await session.rollback()
        raise
    finally:
        del session.commit
    await commit()


def item_error(exc: FieldscanError, index: int, kind: str, record_id: UUID) -> FieldscanError:
    """The domain's own error, naming the item of the request it is about."""
    details = {f"items[{index}]": exc.message, "kind": kind, "id": str(record_id), **(exc.details or {})}
    return type(exc)(f"items[{index}] ({WHAT[kind]} {record_id}): {exc.message}", details)


async def trashed_row(session: AsyncSession, tenant_id: UUID, index: int, kind: str, record_id: UUID) -> Any:
    """The record, which must be in this tenant's trash: 404 if there is none, 409 if it is not deleted."""
    model = MODELS[kind]
    row = (await session.execute(select(model).where(model.tenant_id == tenant_id, model.id == record_id))
           ).scalar_one_or_none()
    field = f"items[{index}]"
    if row is None:
        raise NotFound(f"{field}: no {WHAT[kind]} {record_id}", {field: f"no such {WHAT[kind]}"})
    if row.deleted_at is None:
        raise Conflict(f"{field}: the {WHAT[kind]} {record_id} is not in the trash; delete it first",
                       {field: "not in the trash"})
    return row


def depth(row: Any) -> int:
    return row.path.count(PATH_SEPARATOR)


async def restore(session: AsyncSession, tenant_id: UUID, refs: list[tuple[str, UUID]]) -> list[tuple[str, UUID]]:
    """Restore every item through its own domain's restore, all or nothing."""
    async with one_transaction(session):
        work = []
        for index, kind, record_id in rules.ordered(refs, rules.RESTORE_ORDER):
            row = await trashed_row(session, tenant_id, index, kind, record_id)
            work.append((index, kind, record_id, depth(row) if kind == "location" else 0))
        work.sort(key=lambda w: (rules.RESTORE_ORDER.index(w[1]), w[3]))  # parent locations before their children
        for index, kind, record_id, _ in work:
            try:
                await RESTORERS[kind](session, tenant_id, record_id)
            except FieldscanError as exc:
                raise item_error(exc, index, kind, record_id) from None
    return [(kind, record_id) for _, kind, record_id, _ in work]
