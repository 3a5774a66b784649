"""Soft-deleted records of every kind: list, restore, delete for good."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.params import FromQuery, JSONBody

from backend.auth.guards import admin, manager, technician
from backend.context import Caller, DB
from backend.trash import purge, service
from backend.trash.schemas import DeletedOut, RestoredOut, TrashItemOut, TrashPage, TrashRefOut, TrashRequest

KINDS_DOC = ("Kinds: asset, category, location, person, customField, maintenanceSchedule, maintenanceLog, "
             "auditSession.")


@get("/", guards=[manager], summary="List the trash",
     description="Every soft-deleted record of every kind, newest deletion first: `{kind, id, name, deletedAt}` with "
                 "a little context (`tag`, `path`, `key`, `email`, `status` or `assetId`). `kind` filters "
                 f"(comma-separated), `q` searches names and that context; `limit`, `cursor`. {KINDS_DOC}")
async def list_trash(db: DB, principal: Caller, kind: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
                     limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None) -> TrashPage:
    items, next_cursor = await service.list_trash(db, principal.tenant.id, kind=kind, q=q, limit=limit, cursor=cursor)
    return TrashPage(items=[TrashItemOut(**item) for item in items], next_cursor=next_cursor)


@post("/restore", status_code=200, guards=[manager], summary="Restore records from the trash",
      description="`{items: [{kind, id}]}`, 1..200. Each is restored by its own domain's rules (a name or key taken "
                  "meanwhile is a 409, a location whose parent is still deleted too), all or nothing: the first "
                  "failure answers, naming `items[i]`, and nothing is restored. A record not in the trash is a 409, "
                  f"an unknown one a 404. {KINDS_DOC}")
async def restore(data: JSONBody[TrashRequest], db: DB, principal: Caller) -> RestoredOut:
    done = await service.restore(db, principal.tenant.id, [(item.kind, item.id) for item in data.items])
    return RestoredOut(restored=[TrashRefOut(kind=kind, id=record_id) for kind, record_id in done])


@post("/permanent-delete", status_code=200, guards=[admin], summary="Delete records in the trash for good (admin)",
      description="`{items: [{kind, id}]}`, 1..200, each already in the trash (a live record is a 409: delete it "
                  "first). What goes with each kind and what blocks it is in the README; all or nothing, the first "
                  "failure names `items[i]`.")
async def permanent_delete(data: JSONBody[TrashRequest], db: DB, principal: Caller) -> DeletedOut:
    done = await purge.permanent_delete(db, principal.tenant.id, [(item.kind, item.id) for item in data.items])
    return DeletedOut(deleted=[TrashRefOut(kind=kind, id=record_id) for kind, record_id in done])


router = Router("/trash", guards=[technician], tags=["trash"], route_handlers=[list_trash, restore, permanent_delete])
