"""/categories"""

from __future__ import annotations

from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.auth.guards import manager, technician
from backend.categories import service
from backend.categories.schemas import CategoryIn, CategoryOut, CategoryPage, CategoryPatch
from backend.context import Caller, DB
from backend.db.records import DeletedFilter
from backend.wire import from_row, parse_uuid


@get("/", summary="List categories")
async def list_categories(db: DB, principal: Caller, q: FromQuery[str | None] = None,
                          sort: FromQuery[str | None] = None, deleted: FromQuery[DeletedFilter | None] = None,
                          limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None) -> CategoryPage:
    rows, next_cursor = await service.list_categories(db, principal.tenant.id, q=q, sort=sort, deleted=deleted,
                                                      limit=limit, cursor=cursor)
    return CategoryPage(items=[from_row(CategoryOut, r) for r in rows], next_cursor=next_cursor)


@get("/default", summary="The default category")
async def default_category(db: DB, principal: Caller) -> CategoryOut:
    return from_row(CategoryOut, await service.default_category(db, principal.tenant.id))


@get("/{category_id:str}", summary="Get a category")
async def get_category(category_id: FromPath[str], db: DB, principal: Caller) -> CategoryOut:
    return from_row(CategoryOut, await service.get(db, principal.tenant.id, parse_uuid(category_id, "categoryId")))


@post("/", guards=[manager], summary="Create a category")
async def create_category(data: JSONBody[CategoryIn], db: DB, principal: Caller) -> CategoryOut:
    return from_row(CategoryOut, await service.create(db, principal.tenant.id, data))


@patch("/{category_id:str}", guards=[manager], summary="Change a category")
async def update_category(category_id: FromPath[str], data: JSONBody[CategoryPatch], db: DB,
                          principal: Caller) -> CategoryOut:
    category = await service.update(db, principal.tenant.id, parse_uuid(category_id, "categoryId"), data)
    return from_row(CategoryOut, category)


@delete("/{category_id:str}", guards=[manager], summary="Delete a category (soft; restorable)")
async def delete_category(category_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(category_id, "categoryId"))


@post("/{category_id:str}/restore", status_code=200, guards=[manager], summary="Restore a deleted category")
async def restore_category(category_id: FromPath[str], db: DB, principal: Caller) -> CategoryOut:
    return from_row(CategoryOut, await service.restore(db, principal.tenant.id, parse_uuid(category_id, "categoryId")))


router = Router("/categories", guards=[technician], tags=["categories"], route_handlers=[
    list_categories, default_category, get_category, create_category, update_category, delete_category,
    restore_category,
])
