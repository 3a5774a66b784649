"""/inventory-items/quick-add/events (the PWA reports each quick-add step) and the admin's TT10 report.

Both need a signed-in user, as in the reference: the events measure people, and an API key is nobody."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.auth.guards import requires
from backend.context import Caller, DB
from backend.quickadd import service
from backend.quickadd.schemas import QuickAddEventIn, QuickAddEventOut, TT10Report
from backend.wire import parse_uuid

FromQuery = Annotated[str | None, QueryParameter(name="from", max_length=64,
                                                 description="ISO 8601; default: 30 days before `to`")]
ToQuery = Annotated[str | None, QueryParameter(name="to", max_length=64, description="ISO 8601; default: now")]


@post("/events", status_code=201, summary="Record a quick-add step",
      description="`event`: quick_add_opened, asset_created_quick, asset_assigned or advanced_opened. `flowId` "
                  "ties the steps of one flow together; `itemId` (an asset of this workspace) names the asset; "
                  "`meta` is any JSON object up to 4 KB. Signed-in users only (Bearer); API keys get a 401.")
async def record_event(data: JSONBody[QuickAddEventIn], db: DB, principal: Caller) -> QuickAddEventOut:
    return await service.record(db, principal, data)


@get("/{tenant_id:str}/tt10-report", summary="TT10: time from a user's first quick-add to their tenth assignment",
     description="Per user with quick-add events in [`from`, `to`) (default: the last 30 days): the first "
                 "asset_created_quick, the tenth asset_assigned after it, `tt10Minutes` between them (null "
                 "before the tenth) and `meetsTarget` (`tt10Minutes < 10`). Admins of this workspace only.")
async def tt10_report(tenant_id: FromPath[str], db: DB, principal: Caller, start: FromQuery = None,
                      end: ToQuery = None) -> TT10Report:
    return await service.tt10_report(db, principal, parse_uuid(tenant_id, "tenantId"),
                                     service.parse_time(start, "from"), service.parse_time(end, "to"))


events_router = Router("/inventory-items/quick-add", guards=[requires("technician", jwt_only=True)],
                       tags=["inventory-items"], route_handlers=[record_event])
admin_router = Router("/admin/tenants", guards=[requires("admin", jwt_only=True)], tags=["admin"],
                      route_handlers=[tt10_report])
