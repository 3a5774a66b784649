from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.labels.schemas import MAX_COPIES, TemplateName
from backend.printers.models import DEFAULT_PORT, DEFAULT_TEMPLATE
from backend.printers.rules import MAX_HOST
from backend.wire import Name, Out, Page, Wire

Host = Annotated[str, Meta(min_length=1, max_length=MAX_HOST,
                           description="Hostname or IP address, without scheme, port or path; never a loopback, "
                                       "link-local, unspecified, multicast or broadcast address, nor a name "
                                       "resolving to one")]
Port = Annotated[int, Meta(ge=1, le=65535, description="TCP port of raw printing: 9100, or another port the "
                                                       "service allows (FIELDSCAN_PRINTER_PORTS)")]
Copies = Annotated[int, Meta(ge=1, le=MAX_COPIES, description="Labels printed of each")]


class PrinterIn(Wire):
    name: Name
    host: Host
    port: Port = DEFAULT_PORT
    template: TemplateName = DEFAULT_TEMPLATE


class PrinterPatch(Wire):
    name: Name | UnsetType = UNSET
    host: Host | UnsetType = UNSET
    port: Port | UnsetType = UNSET
    template: TemplateName | UnsetType = UNSET


class PrinterOut(Out):
    id: UUID
    name: str
    host: str
    port: int
    template: str
    created_at: datetime


PrinterPage = Page[PrinterOut]


class PrintJobIn(Wire):
    """Exactly one of itemIds, locationIds and blankBatchId names what to print."""

    item_ids: list[UUID] | None = None
    location_ids: list[UUID] | None = None
    blank_batch_id: UUID | None = None
    copies: Copies = 1


class PrintJobOut(Out):
    printer_id: UUID
    labels: int
    bytes: int
