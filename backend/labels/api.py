"""/labels: print many labels at once, label templates and their calibration, blank-tag batches.

Roles, as in Snipe-IT and Shelf, where anyone who handles assets prints their labels but reserving codes
and adjusting the printer setup is for those who run the inventory: a technician prints (one label,
many, a batch's sheet again) and claims blank tags in quick-add; a manager reserves blank-tag batches and
calibrates templates. The label of one asset or location lives with its routes
(`/inventory-items/{id}/label`, `/locations/{id}/label`); so do an asset's public QR images.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

import anyio.to_thread
from litestar import Request, Response, Router, get, post, put
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.auth.guards import manager, technician
from backend.context import Caller, DB, public_origin, settings_of
from backend.labels import service
from backend.labels.qr import qr_png, qr_svg
from backend.labels.schemas import (
    BlankBatchIn, BlankBatchOut, BlankBatchPage, CalibrationIn, CalibrationOut, PrintIn, TemplateOut,
)
from backend.labels.service import DEFAULT_FORMAT, LabelOptions, Sheet
from backend.tenancy.service import TenantInfo
from backend.wire import parse_uuid

# Query parameters shared by every route that prints; camelCase like the JSON keys.
TemplateQuery = Annotated[str, QueryParameter(name="template", max_length=64, description=(
    "avery-l7160 (A4 3×7), avery-5160 (US Letter 3×10), thermal-50x25 or brother-62; see GET /labels/templates"))]
FormatQuery = Annotated[str, QueryParameter(name="format", max_length=16, description=(
    "pdf, png, svg or zpl (zpl: thermal-50x25 only). ZPL is sent as application/x-zpl, UTF-8"))]
ShowTenantQuery = Annotated[bool, QueryParameter(name="showTenant", description="Print the workspace's name")]
BarcodeQuery = Annotated[bool, QueryParameter(name="barcode", description="Add a Code 128 of the tag")]
StartPositionQuery = Annotated[int, QueryParameter(name="startPosition", ge=1, description=(
    "The first free slot of a part-used sheet (1 = top left, row by row)"))]
UnclaimedOnlyQuery = Annotated[bool, QueryParameter(name="unclaimedOnly", description="Leave claimed codes out")]
SizeQuery = Annotated[int, QueryParameter(name="size", ge=64, le=2048, description="Width and height in pixels")]
NO_STORE = "private, no-store"  # a sheet names the workspace's assets: no shared cache keeps it
QR_CACHE = "public, max-age=3600"
QR_VERSION = 1  # part of the ETag: bump when the drawing of QR images changes


SHEET_TYPES = ("application/pdf", "image/png", "image/svg+xml", "application/x-zpl")


def file_answer(*media_types: str, json: bool = False) -> type[Operation]:
    """An OpenAPI operation whose success answer is a file of one of media_types (or, with json, the
    handler's own JSON answer too): Litestar documents a handler's answer in one media type only."""

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            for status, response in (self.responses or {}).items():
                if status.startswith("2") and isinstance(response, OpenAPIResponse):
                    content = dict(response.content or {}) if json else {}
                    for media_type in media_types:
                        content[media_type] = OpenAPIMediaType(
                            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
                    response.content = content

    return FileOperation


def origin_of(request: Request, tenant: TenantInfo) -> str:
    return public_origin(request, settings_of(request.app.state), tenant)


def label_options(template: str, fmt: str, start_position: int, show_tenant: bool, barcode: bool) -> LabelOptions:
    return LabelOptions(template=template, format=fmt, start_position=start_position, show_tenant=show_tenant,
                        barcode=barcode)


def attachment(filename: str) -> str:
    """Content-Disposition for a download: an ASCII name every browser takes, and the exact one (RFC 6266)."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    if plain == filename:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def sheet_response(sheet: Sheet, status_code: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(sheet.content, media_type=sheet.media_type, status_code=status_code, headers={
        "Content-Disposition": attachment(sheet.filename), "Cache-Control": NO_STORE, **(headers or {})})


@post("/print", status_code=200, operation_class=file_answer(*SHEET_TYPES),
      summary="Print labels for many assets or locations",
      description="Exactly one of `itemIds` (labels in the order given; a repeated id prints again), "
                  "`locationIds` or `filter` (the asset list's filters, labels in tag order). At most 2,000 "
                  "labels a request, counting `copies`. The workspace's calibration for the template applies. "
                  "Ids not found (or deleted) are a 404 that names them.")
async def print_labels(data: JSONBody[PrintIn], request: Request, db: DB, principal: Caller) -> Response[bytes]:
    sheet = await service.print_sheet(db, principal.tenant, origin_of(request, principal.tenant), data)
    return sheet_response(sheet)


@get("/templates", summary="Label templates, with this workspace's calibration of each")
async def list_templates(db: DB, principal: Caller) -> list[TemplateOut]:
    return await service.templates(db, principal.tenant.id)


@put("/templates/{name:str}/calibration", guards=[manager], summary="Calibrate a template to your printer",
     description="Every label printed with this template is shifted by this much (mm, each within ±10; "
                 "positive x is right, positive y is down).")
async def set_calibration(name: FromPath[str], data: JSONBody[CalibrationIn], db: DB,
                          principal: Caller) -> CalibrationOut:
    return await service.set_calibration(db, principal, name, data)


async def qr_response(request: Request, text: str, fmt: str, size: int) -> Response[bytes]:
    """A QR image of text, cacheable by anyone for an hour (it shows nothing the printed label does not),
    with an ETag so that a revalidation costs one lookup and no drawing."""
    etag = '"' + hashlib.sha256(f"{QR_VERSION}|{fmt}|{size}|{text}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": QR_CACHE}
    wanted = {value.strip().removeprefix("W/") for value in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(b"", status_code=304, headers=headers)
    if fmt == "svg":
        return Response(qr_svg(text).encode(), media_type="image/svg+xml", headers=headers)
    png = await anyio.to_thread.run_sync(functools.partial(qr_png, text, size_px=size))
    return Response(png, media_type="image/png", headers=headers)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "").lower()


@post("/blank-batches", guards=[manager], status_code=201, operation_class=file_answer(*SHEET_TYPES, json=True),
      summary="Reserve and print a batch of blank tags",
      description="Reserves `count` (1..1,000) fresh codes and answers the printable sheet (`X-Batch-Id` and "
                  "`Location` name the batch). With `Accept: application/json` it answers the batch and its "
                  "codes instead. Each label's QR opens /t/{code}; quick-add binds a code to a new asset.")
async def create_blank_batch(data: JSONBody[BlankBatchIn], request: Request, db: DB,
                             principal: Caller) -> Response[BlankBatchOut]:
    wants_json = _wants_json(request)
    batch, sheet = await service.create_blank_batch(db, principal, origin_of(request, principal.tenant), data,
                                                    with_sheet=not wants_json)
    headers = {"Location": f"{request.url.path.rstrip('/')}/{batch.id}", "X-Batch-Id": str(batch.id)}
    if sheet is None:
        return Response(batch, status_code=201, headers=headers)
    return sheet_response(sheet, 201, headers)  # type: ignore[return-value]  # the sheet, as documented


@get("/blank-batches", summary="List blank-tag batches", description="Newest first; `sort`: createdAt or -createdAt.")
async def list_blank_batches(db: DB, principal: Caller, sort: FromQuery[str | None] = None,
                             limit: FromQuery[int | None] = None, cursor: FromQuery[str | None] = None
                             ) -> BlankBatchPage:
    items, next_cursor = await service.list_blank_batches(db, principal.tenant.id, sort=sort, limit=limit,
                                                          cursor=cursor)
    return BlankBatchPage(items=items, next_cursor=next_cursor)


@get("/blank-batches/{batch_id:str}", summary="A blank-tag batch and its codes, with the asset each is bound to")
async def get_blank_batch(batch_id: FromPath[str], db: DB, principal: Caller) -> BlankBatchOut:
    return await service.get_blank_batch(db, principal.tenant.id, parse_uuid(batch_id, "batchId"))


@get("/blank-batches/{batch_id:str}/sheet", operation_class=file_answer(*SHEET_TYPES),
     summary="Print a blank-tag batch again",
     description="The same codes in the same places, on the batch's template.")
async def blank_batch_sheet(batch_id: FromPath[str], request: Request, db: DB, principal: Caller,
                            fmt: FormatQuery = DEFAULT_FORMAT, start_position: StartPositionQuery = 1,
                            show_tenant: ShowTenantQuery = True, unclaimed_only: UnclaimedOnlyQuery = False
                            ) -> Response[bytes]:
    sheet = await service.blank_batch_sheet(db, principal.tenant, origin_of(request, principal.tenant),
                                            parse_uuid(batch_id, "batchId"), fmt, start_position, show_tenant,
                                            unclaimed_only)
    return sheet_response(sheet)


router = Router("/labels", guards=[technician], tags=["labels"], route_handlers=[
    print_labels, list_templates, set_calibration, create_blank_batch, list_blank_batches, get_blank_batch,
    blank_batch_sheet,
])
