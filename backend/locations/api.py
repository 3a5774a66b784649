"""/locations"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.auth.guards import manager, technician
from backend.context import Caller, DB, public_origin, settings_of
from backend.db.records import DeletedFilter
from backend.labels.api import (
    SHEET_TYPES, BarcodeQuery, FormatQuery, ShowTenantQuery, StartPositionQuery, TemplateQuery, file_answer,
    label_options, sheet_response,
)
from backend.labels.service import DEFAULT_FORMAT, DEFAULT_TEMPLATE, location_sheet, location_url
from backend.locations import service
from backend.locations.models import Location
from backend.locations.schemas import LocationIn, LocationOut, LocationPage, LocationPatch
from backend.wire import from_row, parse_uuid


# Query parameters are camelCase like the JSON keys: `?parentId=…`, not `?parent_id=…`.
ParentIdQuery = Annotated[str | None, QueryParameter(name="parentId")]


def location_out(request: Request, principal: Caller, location: Location) -> LocationOut:
    origin = public_origin(request, settings_of(request.app.state), principal.tenant)
    return from_row(LocationOut, location, qr_url=location_url(origin, location.code))


@get("/", summary="List locations", description="`parentId` is an id or `root`; `sort` defaults to `path`.")
async def list_locations(request: Request, db: DB, principal: Caller, q: FromQuery[str | None] = None,
                         parent_id: ParentIdQuery = None, sort: FromQuery[str | None] = None,
                         deleted: FromQuery[DeletedFilter | None] = None, limit: FromQuery[int | None] = None,
                         cursor: FromQuery[str | None] = None) -> LocationPage:
    rows, next_cursor = await service.list_locations(db, principal.tenant.id, q=q, parent_id=parent_id, sort=sort,
                                                     deleted=deleted, limit=limit, cursor=cursor)
    return LocationPage(items=[location_out(request, principal, r) for r in rows], next_cursor=next_cursor)


@get("/default", summary="The default location")
async def default_location(request: Request, db: DB, principal: Caller) -> LocationOut:
    return location_out(request, principal, await service.default_location(db, principal.tenant.id))


@get("/{location_id:str}", summary="Get a location")
async def get_location(location_id: FromPath[str], request: Request, db: DB, principal: Caller) -> LocationOut:
    location = await service.get(db, principal.tenant.id, parse_uuid(location_id, "locationId"))
    return location_out(request, principal, location)


@post("/", guards=[manager], summary="Create a location")
async def create_location(data: JSONBody[LocationIn], request: Request, db: DB, principal: Caller) -> LocationOut:
    return location_out(request, principal, await service.create(db, principal.tenant.id, data))


@patch("/{location_id:str}", guards=[manager], summary="Rename or move a location",
       description="Moving a location under itself or one of its sub-locations is refused.")
async def update_location(location_id: FromPath[str], data: JSONBody[LocationPatch], request: Request,
                          db: DB, principal: Caller) -> LocationOut:
    location = await service.update(db, principal.tenant.id, parse_uuid(location_id, "locationId"), data)
    return location_out(request, principal, location)


@delete("/{location_id:str}", guards=[manager], summary="Delete a location (soft; restorable)")
async def delete_location(location_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(location_id, "locationId"))


@post("/{location_id:str}/restore", status_code=200, guards=[manager], summary="Restore a deleted location")
async def restore_location(location_id: FromPath[str], request: Request, db: DB, principal: Caller) -> LocationOut:
    location = await service.restore(db, principal.tenant.id, parse_uuid(location_id, "locationId"))
    return location_out(request, principal, location)


@get("/{location_id:str}/label", operation_class=file_answer(*SHEET_TYPES), summary="Print a location's door label",
     description="Its QR code opens the location's page and, scanned in an audit, sets the scanner's current "
                 "location; the label carries the location's code in large type and its path.")
async def location_label(location_id: FromPath[str], request: Request, db: DB, principal: Caller,
                         template: TemplateQuery = DEFAULT_TEMPLATE, fmt: FormatQuery = DEFAULT_FORMAT,
                         start_position: StartPositionQuery = 1, show_tenant: ShowTenantQuery = True,
                         barcode: BarcodeQuery = True) -> Response[bytes]:
    origin = public_origin(request, settings_of(request.app.state), principal.tenant)
    sheet = await location_sheet(db, principal.tenant, origin, parse_uuid(location_id, "locationId"),
                                 label_options(template, fmt, start_position, show_tenant, barcode))
    return sheet_response(sheet)


router = Router("/locations", guards=[technician], tags=["locations"], route_handlers=[
    list_locations, default_location, get_location, create_location, update_location, delete_location,
    restore_location, location_label,
])
