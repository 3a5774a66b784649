"""/people"""

from __future__ import annotations

from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.auth.guards import manager, technician
from backend.context import Caller, DB
from backend.db.records import DeletedFilter
from backend.people import service
from backend.people.schemas import PersonIn, PersonOut, PersonPage, PersonPatch
from backend.wire import from_row, parse_uuid


@get("/", summary="List people")
async def list_people(db: DB, principal: Caller, q: FromQuery[str | None] = None,
                      department: FromQuery[str | None] = None, sort: FromQuery[str | None] = None,
                      deleted: FromQuery[DeletedFilter | None] = None, limit: FromQuery[int | None] = None,
                      cursor: FromQuery[str | None] = None) -> PersonPage:
    rows, next_cursor = await service.list_people(db, principal.tenant.id, q=q, department=department, sort=sort,
                                                  deleted=deleted, limit=limit, cursor=cursor)
    return PersonPage(items=[from_row(PersonOut, r) for r in rows], next_cursor=next_cursor)


@get("/{person_id:str}", summary="Get a person")
async def get_person(person_id: FromPath[str], db: DB, principal: Caller) -> PersonOut:
    return from_row(PersonOut, await service.get(db, principal.tenant.id, parse_uuid(person_id, "personId")))


@post("/", guards=[manager], summary="Add a person")
async def create_person(data: JSONBody[PersonIn], db: DB, principal: Caller) -> PersonOut:
    return from_row(PersonOut, await service.create(db, principal.tenant.id, data))


@patch("/{person_id:str}", guards=[manager], summary="Change a person")
async def update_person(person_id: FromPath[str], data: JSONBody[PersonPatch], db: DB,
                        principal: Caller) -> PersonOut:
    return from_row(PersonOut, await service.update(db, principal.tenant.id, parse_uuid(person_id, "personId"), data))


@delete("/{person_id:str}", guards=[manager], summary="Delete a person (soft; restorable)")
async def delete_person(person_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(person_id, "personId"))


@post("/{person_id:str}/restore", status_code=200, guards=[manager], summary="Restore a deleted person")
async def restore_person(person_id: FromPath[str], db: DB, principal: Caller) -> PersonOut:
    return from_row(PersonOut, await service.restore(db, principal.tenant.id, parse_uuid(person_id, "personId")))


router = Router("/people", guards=[technician], tags=["people"], route_handlers=[
    list_people, get_person, create_person, update_person, delete_person, restore_person,
])
