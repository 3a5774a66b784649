"""Network label printers: the tenant's list, and printing ZPL to one over raw TCP.

A print job renders while reading, ends its transaction, and only then talks to the printer: a printer
that is slow to answer must never hold a database lock (on SQLite, every scan would wait)."""

from __future__ import annotations

import asyncio
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
from backend.tenancy.service import TenantInfo

SORTS = {"name": (Printer.name, str), "createdAt": (Printer.created_at, datetime)}
CONNECT_TIMEOUT_S = 5.0
SEND_TIMEOUT_S = 30.0  # a 2,000-label job is a few hundred KB; a printer takes it in well under this
CLOSE_TIMEOUT_S = 2.0


def printer_out(row: Printer) -> PrinterOut:
    return PrinterOut(id=row.id, name=row.name, host=row.host, port=row.port, template=row.template,
                      created_at=row.created_at)


def _check_host(host: str) -> str:
    host = host.strip()
    if problem := rules.host_problem(host):
        raise BadRequest(f"host '{host[:80]}' is not a printer address: {problem}", {"host": problem})
    return host


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


async def create(db: AsyncSession, tenant_id: UUID, data: PrinterIn) -> PrinterOut:
    now = utcnow()
    row = Printer(tenant_id=tenant_id, name=data.name.strip(), host=_check_host(data.host), port=data.port,
                  template=_check_template(data.template), created_at=now, updated_at=now)
    db.add(row)
    await db.commit()
    return printer_out(row)


async def update(db: AsyncSession, tenant_id: UUID, printer_id: UUID, data: PrinterPatch) -> PrinterOut:
    row = await get(db, tenant_id, printer_id)
    if data.name is not UNSET:
        row.name = data.name.strip()
    if data.host is not UNSET:
        row.host = _check_host(data.host)
    if data.port is not UNSET:
        row.port = data.port
    if data.template is not UNSET:
        row.template = _check_template(data.template)
    row.updated_at = utcnow()
    await db.commit()
    return printer_out(row)


async def delete(db: AsyncSession, tenant_id: UUID, printer_id: UUID) -> None:
    await db.delete(await get(db, tenant_id, printer_id))
    await db.commit()


async def print_job(db: AsyncSession, tenant: TenantInfo, origin: str, printer_id: UUID,
                    data: PrintJobIn) -> PrintJobOut:
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
    await send(host, port, content, printer={"id": str(printer_id), "name": name, "host": host, "port": port})
    return PrintJobOut(printer_id=printer_id, labels=count, bytes=len(content))


async def send(host: str, port: int, payload: bytes, *, printer: dict[str, object]) -> None:
    """The bytes to host:port over raw TCP (what port 9100 printers take); a BadGateway if it fails."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise _unreachable(host, port, f"no connection within {CONNECT_TIMEOUT_S:g} s", printer) from None
    except OSError as exc:
        raise _unreachable(host, port, exc.strerror or str(exc) or type(exc).__name__, printer) from None
    try:
        writer.write(payload)
        await asyncio.wait_for(writer.drain(), SEND_TIMEOUT_S)
    except TimeoutError:
        raise _unreachable(host, port, f"it took no more data for {SEND_TIMEOUT_S:g} s", printer) from None
    except OSError as exc:
        raise _unreachable(host, port, exc.strerror or str(exc) or type(exc).__name__, printer) from None
    finally:
        writer.close()
        with suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), CLOSE_TIMEOUT_S)


def _unreachable(host: str, port: int, reason: str, printer: dict[str, object]) -> BadGateway:
    return BadGateway(f"The printer at {rules.address(host, port)} did not answer: {reason}. Check that it is "
                      "on, on the network, and that the host and port are right.", {"printer": printer})
