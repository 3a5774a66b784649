"""/printers: the workspace's network label printers, and printing labels straight to one.

A technician lists printers and prints on them; only an admin adds, changes and removes them: a printer's
host and port are where the service itself opens connections, so choosing them is the service's trust,
not the inventory's. Even then only 9100 (and FIELDSCAN_PRINTER_PORTS) at an address on the network
(rules.py) is accepted."""

from __future__ import annotations

from litestar import Request, Router, delete, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from backend.auth.guards import admin, technician
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


@post("/", guards=[admin], summary="Add a network label printer",
      description="Admins only. `host` is a hostname or IP address on the network: loopback, link-local "
                  "(169.254.0.0/16, fe80::/10), unspecified, multicast and broadcast addresses are refused, and "
                  "so is a name that resolves to any of them. `port` defaults to 9100 (raw TCP printing); other "
                  "ports only when the service allows them (FIELDSCAN_PRINTER_PORTS). `template` must print ZPL "
                  "(default thermal-50x25).")
async def create_printer(data: JSONBody[PrinterIn], request: Request, db: DB, principal: Caller) -> PrinterOut:
    return await service.create(db, principal.tenant.id, data, settings_of(request.app.state))


@get("/{printer_id:str}", summary="Get a printer")
async def get_printer(printer_id: FromPath[str], db: DB, principal: Caller) -> PrinterOut:
    return service.printer_out(await service.get(db, principal.tenant.id, parse_uuid(printer_id, "printerId")))


@patch("/{printer_id:str}", guards=[admin], summary="Change a printer",
       description="Admins only; `host` and `port` are checked as when the printer is added.")
async def update_printer(printer_id: FromPath[str], data: JSONBody[PrinterPatch], request: Request, db: DB,
                         principal: Caller) -> PrinterOut:
    return await service.update(db, principal.tenant.id, parse_uuid(printer_id, "printerId"), data,
                                settings_of(request.app.state))


@delete("/{printer_id:str}", guards=[admin], summary="Remove a printer", description="Admins only.")
async def delete_printer(printer_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(printer_id, "printerId"))


@post("/{printer_id:str}/print", status_code=200, summary="Print labels on this printer",
      responses={502: ResponseSpec(ErrorBody, generate_examples=False,
                                   description="The printer did not take the job (off, unreachable, or its host no "
                                               "longer resolves to an address a printer may have); the same "
                                               "message whatever the cause, with the printer in `details`")},
      description="Exactly one of `itemIds`, `locationIds` or `blankBatchId` (that batch's codes in sheet order), "
                  "each label `copies` times. Rendered in ZPL with the printer's template and the workspace's "
                  "calibration, and sent over raw TCP to host:port (5 s to connect). The host is resolved and "
                  "checked again before each job, and the job goes to the address just checked.")
async def print_on_printer(printer_id: FromPath[str], data: JSONBody[PrintJobIn], request: Request, db: DB,
                           principal: Caller) -> PrintJobOut:
    settings = settings_of(request.app.state)
    origin = public_origin(request, settings, principal.tenant)
    return await service.print_job(db, principal.tenant, origin, parse_uuid(printer_id, "printerId"), data, settings)


router = Router("/printers", guards=[technician], tags=["printers"], route_handlers=[
    list_printers, create_printer, get_printer, update_printer, delete_printer, print_on_printer,
])
