"""Status changes, check-out and check-in, and the asset's history."""

from __future__ import annotations

from litestar import Request, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from backend.assets import lifecycle
from backend.assets.api import asset_out
from backend.assets.lifecycle_schemas import AllowedTransitions, CheckinIn, CheckoutIn, StatusIn
from backend.assets.models import Asset
from backend.assets.schemas import AssetOut
from backend.auth.guards import manager, technician
from backend.context import DB, Caller, public_origin, settings_of
from backend.events import history
from backend.events.schemas import AssignmentPage, EventPage, FieldChangePage, PersonAssignmentPage, StatusEventPage
from backend.wire import parse_uuid

PAGING = "Newest first. `limit` 1..100 (default 50; more is a 400), `cursor` from the previous page's `nextCursor`."


def _answer(request: Request, principal: Caller, asset: Asset) -> AssetOut:
    """The asset as GET answers it."""
    return asset_out(public_origin(request, settings_of(request.app.state), principal.tenant), asset)


@get("/{asset_id:str}/allowed-status-transitions", summary="Status moves allowed from the asset's status",
     description="From the one status table: each move with the route that makes it (`via`: status, checkout or "
                 "checkin) and whether it needs a `reason`. A deleted asset allows none until restored.")
async def allowed_status_transitions(asset_id: FromPath[str], db: DB, principal: Caller) -> AllowedTransitions:
    return await lifecycle.allowed_transitions(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))


@post("/{asset_id:str}/status", status_code=200, guards=[manager], summary="Change an asset's status",
      description="Only moves the table makes `via: status` (see allowed-status-transitions); any other, including "
                  "to the same status, is a 409 naming the allowed ones. `reason` is required for `retired`. "
                  "`reserved` takes `meta.reservedUntil` (future ISO date-time). Leaving `in_use` takes the asset "
                  "back from its holder (an UNASSIGNED event). Writes STATUS_CHANGED, or RETIRED for `retired`.")
async def change_status(asset_id: FromPath[str], data: JSONBody[StatusIn], request: Request, db: DB,
                        principal: Caller) -> AssetOut:
    asset = await lifecycle.change_status(db, principal, parse_uuid(asset_id, "inventoryItemId"), data)
    return _answer(request, principal, asset)


@post("/{asset_id:str}/checkout", status_code=200, guards=[manager], summary="Check an asset out to a person",
      description="Only from `available` (else a 409 naming the status and what to do). The asset becomes "
                  "`in_use`, held by `personId`, due back at `dueBackAt` (optional, in the future); after that "
                  "it is `overdue`. Writes ASSIGNED and STATUS_CHANGED.")
async def checkout(asset_id: FromPath[str], data: JSONBody[CheckoutIn], request: Request, db: DB,
                   principal: Caller) -> AssetOut:
    asset = await lifecycle.checkout(db, principal, parse_uuid(asset_id, "inventoryItemId"), data)
    return _answer(request, principal, asset)


@post("/{asset_id:str}/checkin", status_code=200, guards=[manager], summary="Check an asset back in",
      description="Only from `in_use`: the assignee and due date are cleared, the location is kept, and the asset "
                  "is `available` again. An optional `note` is kept on the UNASSIGNED event.")
async def checkin(asset_id: FromPath[str], request: Request, db: DB, principal: Caller,
                  data: JSONBody[CheckinIn | None] = None) -> AssetOut:
    asset = await lifecycle.checkin(db, principal, parse_uuid(asset_id, "inventoryItemId"), data or CheckinIn())
    return _answer(request, principal, asset)


@get("/{asset_id:str}/timeline", summary="Everything that happened to an asset",
     description=f"{PAGING} `types` narrows to comma-separated event types (CREATED, UPDATED, MOVED, ASSIGNED, "
                 "UNASSIGNED, STATUS_CHANGED, RETIRED, VERIFIED, MAINTENANCE_COMPLETED). A deleted asset's history "
                 "stays readable.")
async def timeline(asset_id: FromPath[str], db: DB, principal: Caller, types: FromQuery[str | None] = None,
                   limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None) -> EventPage:
    return await history.timeline(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"), types=types,
                                  limit=limit, cursor=cursor)


@get("/{asset_id:str}/assignment-history", summary="Who held an asset, and when",
     description=f"ASSIGNED and UNASSIGNED events with the person's name. {PAGING}")
async def assignment_history(asset_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                             cursor: FromQuery[str | None] = None) -> AssignmentPage:
    return await history.assignment_history(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"),
                                            limit=limit, cursor=cursor)


@get("/{asset_id:str}/status-events", summary="An asset's status changes",
     description=f"STATUS_CHANGED and RETIRED events, each with `fromStatus`, `toStatus` and `reason`. {PAGING}")
async def status_events(asset_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                        cursor: FromQuery[str | None] = None) -> StatusEventPage:
    return await history.status_events(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"),
                                       limit=limit, cursor=cursor)


@get("/{asset_id:str}/audit", summary="Field-level changes to an asset",
     description="One row per field an edit (PATCH) changed: `field` (camelCase; custom fields as "
                 f"`customFields.<key>`), `from`, `to`, who and when. {PAGING} `limit` counts rows.")
async def audit(asset_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                cursor: FromQuery[str | None] = None) -> FieldChangePage:
    return await history.field_changes(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"),
                                       limit=limit, cursor=cursor)


@get("/{person_id:str}/assignment-history", summary="Assets a person was given and gave back",
     description=f"ASSIGNED and UNASSIGNED events about this person, with each asset's tag and name. {PAGING}")
async def person_assignment_history(person_id: FromPath[str], db: DB, principal: Caller,
                                    limit: FromQuery[int | None] = None,
                                    cursor: FromQuery[str | None] = None) -> PersonAssignmentPage:
    return await history.person_assignments(db, principal.tenant.id, parse_uuid(person_id, "personId"),
                                            limit=limit, cursor=cursor)


router = Router("/inventory-items", guards=[technician], tags=["inventory-items"], route_handlers=[
    allowed_status_transitions, change_status, checkout, checkin, timeline, assignment_history, status_events, audit,
])
people_router = Router("/people", guards=[technician], tags=["people"], route_handlers=[person_assignment_history])
