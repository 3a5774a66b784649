"""Network label printers: the tenant's list, and printing ZPL to one over raw TCP.

A print job renders while reading, ends its transaction, and only then talks to the printer: a printer
that is slow to answer must never hold a database lock (on SQLite, every scan would wait).

Where a printer may be (rules.py) is checked when it is saved, and again right before each job: a name
resolves anew every time, and the job connects to the addresses just checked, never to the name, so a
DNS answer that changes in between cannot lead the connection elsewhere. A job that fails says only
that the printer did not take it, the same words whatever went wrong, so that printing cannot tell a
closed port from a filtered one; the reason goes to the log for whoever runs the service."""

from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import suppress
from datetime import datetime
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import get_in_tenant
from backend.errors import BadGateway, BadRequest
from backend.labels import service as labels
from backend.labels.schemas import PrintIn
from backend.printers import rules
from backend.printers.models import Printer
from backend.printers.schemas import PrinterIn, PrinterOut, PrinterPatch, PrintJobIn, PrintJobOut
from backend.settings import Settings
from backend.tenancy.service import TenantInfo

log = logging.getLogger("fieldscan.printers")

SORTS = {"name": (Printer.name, str), "createdAt": (Printer.created_at, datetime)}
CONNECT_TIMEOUT_S = 5.0
SEND_TIMEOUT_S = 30.0  # a 2,000-label job is a few hundred KB; a printer takes it in well under this
CLOSE_TIMEOUT_S = 2.0
RESOLVE_TIMEOUT_S = 5.0
DID_NOT_TAKE = "The printer did not take the job; check that it is on and on the network"


class Refused(Exception):
    """A printer's host or port leads where a printer may not be; `field` and `problem` say which and why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def printer_out(row: Printer) -> PrinterOut:
    return PrinterOut(id=row.id, name=row.name, host=row.host, port=row.port, template=row.template,
                      created_at=row.created_at)


def _check_host(host: str) -> str:
    host = host.strip()
    if problem := rules.host_problem(host):
        raise BadRequest(f"host '{host[:80]}' is not a printer address: {problem}", {"host": problem})
    return host


async def lookup(host: str) -> list[rules.IPAddress]:
    """Every address `host` resolves to, in the resolver's order. getaddrinfo blocks, so it runs in the
    loop's worker threads; an OSError (or TimeoutError) when the name does not resolve."""
    loop = asyncio.get_running_loop()
    answers = await asyncio.wait_for(loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_S)
    found: list[rules.IPAddress] = []
    for *_, sockaddr in answers:
        if (ip := rules.literal(str(sockaddr[0]))) is not None and ip not in found:
            found.append(ip)
    if not found:
        raise OSError(f"{host} resolves to no IP address")
    return found


async def reachable(host: str, port: int, settings: Settings) -> list[rules.IPAddress]:
    """The addresses a printer at host:port may be reached at: all that `host` is or resolves to, each
    checked. A Refused when the port or any one address is not a printer's (a name with one bad answer
    could be steered to it); an OSError or TimeoutError when the name does not resolve."""
    if problem := rules.port_problem(port, settings.printer_ports):
        raise Refused("port", problem)
    literal = rules.literal(host)
    addresses = [literal] if literal is not None else await lookup(host)
    for ip in addresses:
        if problem := rules.address_problem(ip, allow_loopback=settings.printer_allow_loopback):
            raise Refused("host", problem if literal is not None else f"it resolves to {ip}, {problem}")
    return addresses


def _check_port(port: int, settings: Settings) -> int:
    if problem := rules.port_problem(port, settings.printer_ports):
        raise BadRequest(f"port {port} is not a printer port: {problem}", {"port": problem})
    return port


async def _check_addresses(host: str, settings: Settings) -> None:
    """A 400 naming host when it is, or resolves to, an address where a printer may not be. A name that
    does not resolve yet is let through (the printer may be off, its name not yet registered): every
    print resolves and checks it again. Called before the request's transaction begins, so that a slow
    resolver never holds the database's write lock."""
    try:
        await reachable(host, rules.PRINTER_PORT, settings)
    except Refused as exc:
        raise BadRequest(f"host '{host[:80]}' is not where a printer may be: {exc.problem}",
                         {"host": exc.problem}) from None
    except (OSError, TimeoutError):
        pass


def _check_template(name: str) -> str:
    """A template the printer can print: it must have a ZPL form."""
    try:
        return labels.template_for(name, "zpl").name
    except BadRequest as exc:
        raise BadRequest(exc.message, {"template": "a template that prints ZPL, such as thermal-50x25"}) from None


async def get(db: AsyncSession, tenant_id: UUID, printer_id: UUID) -> Printer:
    return await get_in_tenant(db, Printer, tenant_id, printer_id, "Printer")


async def list_printers(db: AsyncSession, tenant_id: UUID, *, sort: str | None, limit: int | None,
                        cursor: str | None) -> tuple[list[PrinterOut], str | None]:
    stmt = select(Printer).where(Printer.tenant_id == tenant_id)
    rows, next_cursor = await listing.page(db, stmt, Printer.id, listing.parse_sort(sort, SORTS, "name"), limit,
                                           cursor)
    return [printer_out(row) for row in rows], next_cursor


async def create(db: AsyncSession, tenant_id: UUID, data: PrinterIn, settings: Settings) -> PrinterOut:
    host, port, template = _check_host(data.host), _check_port(data.port, settings), _check_template(data.template)
    await _check_addresses(host, settings)
    now = utcnow()
    row = Printer(tenant_id=tenant_id, name=data.name.strip(), host=host, port=port, template=template,
                  created_at=now, updated_at=now)
    db.add(row)
    await db.commit()
    return printer_out(row)


async def update(db: AsyncSession, tenant_id: UUID, printer_id: UUID, data: PrinterPatch,
                 settings: Settings) -> PrinterOut:
    host = UNSET if data.host is UNSET else _check_host(data.host)
    port = UNSET if data.port is UNSET else _check_port(data.port, settings)
    template = UNSET if data.template is UNSET else _check_template(data.template)
    if host is not UNSET:
        await _check_addresses(host, settings)
    row = await get(db, tenant_id, printer_id)
    if data.name is not UNSET:
        row.name = data.name.strip()
    if host is not UNSET:
        row.host = host
    if port is not UNSET:
        row.port = port
    if template is not UNSET:
        row.template = template
    row.updated_at = utcnow()
    await db.commit()
    return printer_out(row)


async def delete(db: AsyncSession, tenant_id: UUID, printer_id: UUID) -> None:
    await db.delete(await get(db, tenant_id, printer_id))
    await db.commit()


async def print_job(db: AsyncSession, tenant: TenantInfo, origin: str, printer_id: UUID, data: PrintJobIn,
                    settings: Settings) -> PrintJobOut:
    """Render the named labels in ZPL with the printer's template and send them to it."""
    printer = await get(db, tenant.id, printer_id)
    host, port, name = printer.host, printer.port, printer.name
    template = labels.template_for(printer.template, "zpl")
    labels.one_source({"itemIds": data.item_ids, "locationIds": data.location_ids,
                       "blankBatchId": data.blank_batch_id})
    if data.blank_batch_id is not None:
        batch = await labels.get_blank_batch(db, tenant.id, data.blank_batch_id)
        batch_labels = [labels.blank_label(origin, tenant, code.code, True) for code in batch.codes]
        labels.check_count(len(batch_labels), data.copies, "blankBatchId")
        sheet = await labels.draw(db, tenant.id, template, batch_labels,
                                  labels.LabelOptions(template.name, "zpl", copies=data.copies), "blank-tags")
        content, count = sheet.content, len(batch_labels) * data.copies
    else:
        ids = data.item_ids if data.item_ids is not None else data.location_ids
        assert ids is not None
        sheet = await labels.print_sheet(db, tenant, origin, PrintIn(
            template=template.name, format="zpl", item_ids=data.item_ids, location_ids=data.location_ids,
            copies=data.copies))  # ends the transaction before drawing
        content, count = sheet.content, len(ids) * data.copies
    printer_details = {"id": str(printer_id), "name": name, "host": host, "port": port}
    try:
        addresses = await reachable(host, port, settings)
    except (Refused, OSError, TimeoutError) as exc:
        raise _did_not_take(printer_details, f"{rules.address(host, port)} is not reachable as a printer: "
                                             f"{_reason(exc)}") from None
    await send(addresses, port, content, printer=printer_details)
    return PrintJobOut(printer_id=printer_id, labels=count, bytes=len(content))


async def send(addresses: list[rules.IPAddress], port: int, payload: bytes, *, printer: dict[str, object]) -> None:
    """The bytes over raw TCP (what port 9100 printers take) to the first of `addresses` that answers on
    `port`, all within CONNECT_TIMEOUT_S; a BadGateway, the same whatever failed, if the job did not go."""
    target = "/".join(rules.address(str(ip), port) for ip in addresses)
    try:
        _, writer = await asyncio.wait_for(_connect(addresses, port), CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise _did_not_take(printer, f"no connection to {target}: {_reason(exc)}") from None
    try:
        writer.write(payload)
        await asyncio.wait_for(writer.drain(), SEND_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise _did_not_take(printer, f"{target} stopped taking data: {_reason(exc)}") from None
    finally:
        writer.close()
        with suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), CLOSE_TIMEOUT_S)


async def _connect(addresses: list[rules.IPAddress], port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to the first address that takes one, by address: nothing is resolved here."""
    failure: OSError = OSError(f"no address to connect to on port {port}")
    for ip in addresses:
        try:
            return await asyncio.open_connection(str(ip), port)
        except OSError as exc:
            failure = exc
    raise failure


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, Refused):
        return f"{exc.field}: {exc.problem}"
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__


def _did_not_take(printer: dict[str, object], reason: str) -> BadGateway:
    """The one answer to a job that did not go. Its words never depend on why (the reason is logged): a
    closed port, a filtered one, a timeout and a refused address must read alike to whoever prints."""
    log.warning("Printer %s (%s) did not take a job: %s", printer["id"], printer["name"], reason)
    return BadGateway(DID_NOT_TAKE, {"printer": printer})
