"""Custom field definitions."""

from __future__ import annotations

from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.auth.guards import manager, technician
from backend.context import Caller, DB
from backend.customfields import service
from backend.customfields.schemas import CustomFieldIn, CustomFieldOut, CustomFieldPage, CustomFieldPatch
from backend.db.records import DeletedFilter
from backend.wire import from_row, parse_uuid


@get("/", summary="List custom fields",
     description="`q` searches key and name; `sort`: key (default), name, createdAt, updatedAt, prefix `-` for "
                 "descending; `deleted`: exclude (default), include, only.")
async def list_fields(db: DB, principal: Caller, q: FromQuery[str | None] = None, sort: FromQuery[str | None] = None,
                      deleted: FromQuery[DeletedFilter | None] = None, limit: FromQuery[int | None] = None,
                      cursor: FromQuery[str | None] = None) -> CustomFieldPage:
    rows, next_cursor = await service.list_fields(db, principal.tenant.id, q=q, sort=sort, deleted=deleted,
                                                  limit=limit, cursor=cursor)
    return CustomFieldPage(items=[from_row(CustomFieldOut, r) for r in rows], next_cursor=next_cursor)


@get("/{field_id:str}", summary="Get a custom field")
async def get_field(field_id: FromPath[str], db: DB, principal: Caller) -> CustomFieldOut:
    return from_row(CustomFieldOut, await service.get(db, principal.tenant.id, parse_uuid(field_id, "customFieldId")))


@post("/", guards=[manager], summary="Define a custom field",
      description="`key` (a letter, then letters, digits or _; unique ignoring case among live fields) is where "
                  "assets hold the value in `customFields`. `type`: text, number, date, boolean or select; a select "
                  "needs `options` (1..200 distinct, non-blank). A `required` field must be given when an asset is "
                  "created and cannot be removed from one.")
async def create_field(data: JSONBody[CustomFieldIn], db: DB, principal: Caller) -> CustomFieldOut:
    return from_row(CustomFieldOut, await service.create(db, principal.tenant.id, data))


@patch("/{field_id:str}", guards=[manager], summary="Change a custom field",
       description="`name`, `description`, `required` and `options` may change. `key` and `type` cannot (a 400): "
                   "values on assets are stored under the key, in the type. Removing an option that assets (live "
                   "or in the trash) hold is a 409 with their count.")
async def update_field(field_id: FromPath[str], data: JSONBody[CustomFieldPatch], db: DB,
                       principal: Caller) -> CustomFieldOut:
    field = await service.update(db, principal.tenant.id, parse_uuid(field_id, "customFieldId"), data)
    return from_row(CustomFieldOut, field)


@delete("/{field_id:str}", guards=[manager], summary="Delete a custom field (soft; restorable)",
        description="Assets keep their values under its key; they are no longer checked, and may be sent back "
                    "unchanged or left out in a PATCH. Its key becomes free for a new field.")
async def delete_field(field_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(field_id, "customFieldId"))


@post("/{field_id:str}/restore", status_code=200, guards=[manager], summary="Restore a deleted custom field",
      description="A 409 when a live field has taken its key meanwhile.")
async def restore_field(field_id: FromPath[str], db: DB, principal: Caller) -> CustomFieldOut:
    field = await service.restore(db, principal.tenant.id, parse_uuid(field_id, "customFieldId"))
    return from_row(CustomFieldOut, field)


router = Router("/custom-fields", guards=[technician], tags=["custom-fields"], route_handlers=[
    list_fields, get_field, create_field, update_field, delete_field, restore_field,
])
