"""Locations: a tree per tenant, each node with a door-label code and a readable path."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import filter_deleted, find_live, get_in_tenant, like_pattern, mark_deleted
from backend.errors import BadRequest, Conflict
from backend.locations import rules
from backend.locations.models import Location
from backend.locations.schemas import LocationIn, LocationPatch
from backend.tenancy.service import next_value
from backend.wire import parse_uuid

DEFAULT_NAME = "Default location"
SORTS = {"name": (Location.name_sort, str), "path": (Location.path_sort, str), "code": (Location.code, str),
         "createdAt": (Location.created_at, datetime), "updatedAt": (Location.updated_at, datetime)}


async def _new_code(session: AsyncSession, tenant_id: UUID) -> str:
    while True:
        code = rules.format_location_code(await next_value(session, tenant_id, "location_code"))
        if not await _code_taken(session, tenant_id, code):
            return code


async def _code_taken(session: AsyncSession, tenant_id: UUID, code: str) -> bool:
    stmt = select(Location.id).where(Location.tenant_id == tenant_id, Location.code == code.upper())
    return (await session.execute(stmt)).first() is not None


async def create_default_location(session: AsyncSession, tenant_id: UUID) -> Location:
    location = Location(tenant_id=tenant_id, name=DEFAULT_NAME, code=await _new_code(session, tenant_id),
                        path=DEFAULT_NAME, is_default=True)
    session.add(location)
    await session.flush()
    return location


async def default_location(session: AsyncSession, tenant_id: UUID) -> Location:
    return (await session.execute(
        select(Location).where(Location.tenant_id == tenant_id, Location.is_default.is_(True))
    )).scalar_one()


async def get(session: AsyncSession, tenant_id: UUID, location_id: UUID, *, for_update: bool = False) -> Location:
    return await get_in_tenant(session, Location, tenant_id, location_id, "Location", for_update=for_update)


async def require_live(session: AsyncSession, tenant_id: UUID, location_id: UUID, field: str = "locationId") -> Location:
    return await find_live(session, Location, tenant_id, location_id, field, "location")


def subtree_ids(tenant_id: UUID, root_id: UUID) -> Select[tuple[UUID]]:
    """A SELECT of root_id and every location below it (recursive CTE; SQLite and PostgreSQL)."""
    tree = (select(Location.id).where(Location.tenant_id == tenant_id, Location.id == root_id)
            .cte("subtree", recursive=True))
    child = select(Location.id).where(Location.tenant_id == tenant_id, Location.parent_id == tree.c.id)
    tree = tree.union_all(child)
    return select(tree.c.id)


async def list_locations(session: AsyncSession, tenant_id: UUID, *, q: str | None, parent_id: str | None,
                         sort: str | None, deleted: str | None, limit: int | None, cursor: str | None):
    stmt = filter_deleted(select(Location).where(Location.tenant_id == tenant_id), Location, deleted)
    if parent_id == "root":
        stmt = stmt.where(Location.parent_id.is_(None))
    elif parent_id:
        stmt = stmt.where(Location.parent_id == parse_uuid(parent_id, "parentId"))
    if q and q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(Location.name.ilike(pattern, escape="\\") | Location.code.ilike(pattern, escape="\\")
                          | Location.path.ilike(pattern, escape="\\"))
    return await listing.page(session, stmt, Location.id, listing.parse_sort(sort, SORTS, "path"), limit, cursor)


async def _tree(session: AsyncSession, tenant_id: UUID) -> dict[UUID, tuple[UUID | None, str]]:
    rows = await session.execute(select(Location.id, Location.parent_id, Location.name).where(Location.tenant_id == tenant_id))
    return {row.id: (row.parent_id, row.name) for row in rows}


async def _lock_tree(session: AsyncSession, tenant_id: UUID) -> None:
    """Changes to a tenant's tree take turns, so two moves at once cannot build a loop together, a
    rename cannot leave a stale path below it and a code cannot be taken twice. PostgreSQL: a row lock
    on the tenant's default location (NO KEY UPDATE, so assets can still be filed there meanwhile);
    SQLite: every writer already holds the database's write lock. Take it before reading the tree."""
    await session.execute(select(Location.id).where(Location.tenant_id == tenant_id, Location.is_default.is_(True))
                          .with_for_update(key_share=True))


def _path_too_long(field: str) -> BadRequest:
    return BadRequest(f"{field}: the location's path (or one below it) would be longer than "
                      f"{rules.MAX_PATH_LENGTH} characters; use shorter names or fewer levels",
                      {field: f"path longer than {rules.MAX_PATH_LENGTH} characters"})


async def _refresh_paths(session: AsyncSession, tenant_id: UUID, root_id: UUID, field: str) -> None:
    """Recompute the path of root_id and everything below it after a rename or a move."""
    tree = await _tree(session, tenant_id)
    ids = rules.subtree(tree, root_id)
    paths = {node: rules.path_of(tree, node) for node in ids}
    if any(len(path) > rules.MAX_PATH_LENGTH for path in paths.values()):
        raise _path_too_long(field)
    rows = (await session.execute(select(Location).where(Location.tenant_id == tenant_id, Location.id.in_(ids)))).scalars()
    for location in rows:
        if location.path != paths[location.id]:
            location.path = paths[location.id]


async def create(session: AsyncSession, tenant_id: UUID, data: LocationIn) -> Location:
    name = data.name.strip()
    await _lock_tree(session, tenant_id)
    parent_path = None
    if data.parent_id is not None:
        parent_path = (await require_live(session, tenant_id, data.parent_id, "parentId")).path
    path = rules.child_path(parent_path, name)
    if len(path) > rules.MAX_PATH_LENGTH:
        raise _path_too_long("parentId")
    if data.code is not None:
        if await _code_taken(session, tenant_id, data.code):
            raise Conflict(f"Location code '{data.code}' is already used", {"code": "taken"})
        code = data.code.upper()
    else:
        code = await _new_code(session, tenant_id)
    location = Location(tenant_id=tenant_id, parent_id=data.parent_id, name=name, code=code, path=path,
                        description=data.description)
    session.add(location)
    await session.commit()
    return location


async def update(session: AsyncSession, tenant_id: UUID, location_id: UUID, data: LocationPatch) -> Location:
    name = data.name.strip() if data.name is not UNSET else UNSET
    await _lock_tree(session, tenant_id)
    location = await get(session, tenant_id, location_id)
    if location.deleted_at is not None:
        raise Conflict("This location is deleted; restore it before changing it")
    moved = renamed = False
    if data.parent_id is not UNSET and data.parent_id != location.parent_id:
        if data.parent_id is not None:
            await require_live(session, tenant_id, data.parent_id, "parentId")
            if rules.would_cycle(await _tree(session, tenant_id), location.id, data.parent_id):
                raise BadRequest("A location cannot be moved under itself or one of its own sub-locations",
                                 {"parentId": "is this location or one below it"})
        location.parent_id = data.parent_id
        moved = True
    if name is not UNSET and name != location.name:
        location.name = name
        renamed = True
    if data.code is not UNSET and data.code.upper() != location.code:
        if await _code_taken(session, tenant_id, data.code):
            raise Conflict(f"Location code '{data.code}' is already used", {"code": "taken"})
        location.code = data.code.upper()
    if data.description is not UNSET:
        location.description = data.description
    location.updated_at = utcnow()
    if moved or renamed:
        await session.flush()
        await _refresh_paths(session, tenant_id, location.id, "parentId" if moved else "name")
    await session.commit()
    return location


async def delete(session: AsyncSession, tenant_id: UUID, location_id: UUID) -> None:
    from backend.assets.service import count_live_assets

    await _lock_tree(session, tenant_id)
    location = await get(session, tenant_id, location_id, for_update=True)
    if location.is_default:
        raise Conflict("The default location cannot be deleted")
    if location.deleted_at is None:
        children = (await session.execute(select(Location.id).where(
            Location.tenant_id == tenant_id, Location.parent_id == location.id, Location.deleted_at.is_(None)))).all()
        if children:
            raise Conflict(f"This location has {len(children)} sub-locations; move or delete them first",
                           {"subLocations": len(children)})
        in_use = await count_live_assets(session, tenant_id, location_id=location.id)
        if in_use:
            raise Conflict(f"{in_use} assets are at this location; move them first", {"assets": in_use})
    mark_deleted(location)
    await session.commit()


async def restore(session: AsyncSession, tenant_id: UUID, location_id: UUID) -> Location:
    await _lock_tree(session, tenant_id)
    location = await get(session, tenant_id, location_id)
    if location.deleted_at is not None:
        if location.parent_id is not None:
            parent = await get(session, tenant_id, location.parent_id)
            if parent.deleted_at is not None:
                raise Conflict("The parent location is deleted; restore it first", {"parentId": str(parent.id)})
        location.deleted_at = None
        location.updated_at = utcnow()
        await session.commit()
    return location
