"""/printers: the workspace's network label printers, and printing labels straight to one.

A technician lists printers and prints on them; a manager adds, changes and removes them (as with
label calibration, the printer setup belongs to whoever runs the inventory)."""

from __future__ import annotations

from litestar import Request, Router, delete, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from backend.auth.guards import manager, technician
from backend.context import Caller, DB, public_origin, settings_of
from backend.errors import ErrorBody
from backend.printers import service
from backend.printers.schemas import PrinterIn, PrinterOut, PrinterPage, PrinterPatch, PrintJobIn, PrintJobOut
from backend.wire import parse_uuid


@get("/", summary="List printers", description="`sort`: name (default) or createdAt; prefix `-` for descending.")
async def list_printers(db: DB, principal: Caller, sort: FromQuery[str | None] = None,
                        limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None) -> PrinterPage:
    items, next_cursor = await service.list_printers(db, principal.tenant.id, sort=sort, limit=limit, cursor=cursor)
    return PrinterPage(items=items, next_cursor=next_cursor)


@post("/", guards=[manager], summary="Add a network label printer",
      description="`host` is a hostname or IP address; `port` defaults to 9100 (raw TCP printing); `template` "
                  "must print ZPL (default thermal-50x25).")
async def create_printer(data: JSONBody[PrinterIn], db: DB, principal: Caller) -> PrinterOut:
    return await service.create(db, principal.tenant.id, data)


@get("/{printer_id:str}", summary="Get a printer")
async def get_printer(printer_id: FromPath[str], db: DB, principal: Caller) -> PrinterOut:
    return service.printer_out(await service.get(db, principal.tenant.id, parse_uuid(printer_id, "printerId")))


@patch("/{printer_id:str}", guards=[manager], summary="Change a printer")
async def update_printer(printer_id: FromPath[str], data: JSONBody[PrinterPatch], db: DB,
                         principal: Caller) -> PrinterOut:
    return await service.update(db, principal.tenant.id, parse_uuid(printer_id, "printerId"), data)


@delete("/{printer_id:str}", guards=[manager], summary="Remove a printer")
async def delete_printer(printer_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(printer_id, "printerId"))


@post("/{printer_id:str}/print", status_code=200, summary="Print labels on this printer",
      responses={502: ResponseSpec(ErrorBody, generate_examples=False,
                                   description="The printer did not answer (off, unreachable, wrong host or port)")},
      description="Exactly one of `itemIds`, `locationIds` or `blankBatchId` (that batch's codes in sheet order), "
                  "each label `copies` times. Rendered in ZPL with the printer's template and the workspace's "
                  "calibration, and sent over raw TCP to host:port (5 s to connect).")
async def print_on_printer(printer_id: FromPath[str], data: JSONBody[PrintJobIn], request: Request, db: DB,
                           principal: Caller) -> PrintJobOut:
    origin = public_origin(request, settings_of(request.app.state), principal.tenant)
    return await service.print_job(db, principal.tenant, origin, parse_uuid(printer_id, "printerId"), data)


router = Router("/printers", guards=[technician], tags=["printers"], route_handlers=[
    list_printers, create_printer, get_printer, update_printer, delete_printer, print_on_printer,
])
