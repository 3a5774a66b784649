"""/inventory-items"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.ratelimit.guards import public_limit
from backend.assets import rules, service
from backend.assets.service import AssetFilters
from backend.assets.models import Asset
from backend.assets.schemas import AssetIn, AssetOut, AssetPage, AssetPatch, HealthOut
from backend.auth.guards import manager, technician
from backend.context import Caller, DB, public_origin, settings_of
from backend.customfields import service as customfields
from backend.db.base import utcnow
from backend.db.records import DeletedFilter
from backend.errors import ErrorBody, NotFound
from backend.health import service as health
from backend.labels.api import (
    SHEET_TYPES, BarcodeQuery, FormatQuery, ShowTenantQuery, SizeQuery, StartPositionQuery, TemplateQuery, file_answer,
    label_options, qr_response, sheet_response,
)
from backend.labels.service import DEFAULT_FORMAT, DEFAULT_TEMPLATE, asset_sheet, asset_url
from backend.wire import from_row, parse_uuid


# Query parameters are camelCase like the JSON keys: `?categoryId=…`, not `?category_id=…`.
CategoryIdQuery = Annotated[str | None, QueryParameter(name="categoryId")]
LocationIdQuery = Annotated[str | None, QueryParameter(name="locationId")]
IncludeSublocationsQuery = Annotated[bool, QueryParameter(name="includeSublocations")]
AssigneeIdQuery = Annotated[str | None, QueryParameter(name="assigneeId")]
HealthBadgeQuery = Annotated[str | None, QueryParameter(name="healthBadge")]
HealthSortQuery = Annotated[str | None, QueryParameter(name="healthSort")]


def _origin(request: Request, principal: Caller) -> str:
    return public_origin(request, settings_of(request.app.state), principal.tenant)


def asset_out(origin: str, asset: Asset, health: HealthOut | None = None) -> AssetOut:
    return from_row(AssetOut, asset, qr_url=asset_url(origin, asset.tag), health=health,
                    overdue=rules.is_overdue(asset.status, asset.due_back_at, utcnow()))


async def asset_answer(request: Request, db: DB, principal: Caller, asset: Asset) -> AssetOut:
    """The asset as GET answers it, with its health."""
    found = await health.assess_assets(db, principal.tenant.id, [asset])
    return asset_out(_origin(request, principal), asset, health.wire(found[asset.id]))


async def asset_filters(request: Request, db: DB, principal: Caller,
                        q: FromQuery[str | None] = None, status: FromQuery[str | None] = None,
                        category_id: CategoryIdQuery = None, location_id: LocationIdQuery = None,
                        include_sublocations: IncludeSublocationsQuery = False, assignee_id: AssigneeIdQuery = None,
                        deleted: FromQuery[DeletedFilter | None] = None, health_badge: HealthBadgeQuery = None,
                        overdue: FromQuery[bool | None] = None) -> AssetFilters:
    """The list's filters from the query string; the list and the CSV export take the same ones."""
    return AssetFilters(
        q=q, status=status, category_id=parse_uuid(category_id, "categoryId") if category_id else None,
        location_id=parse_uuid(location_id, "locationId") if location_id else None,
        include_sublocations=include_sublocations,
        assignee_id=parse_uuid(assignee_id, "assigneeId") if assignee_id and assignee_id != "none" else None,
        unassigned=assignee_id == "none",
        deleted=deleted, overdue=overdue,
        health_badge=await health.badge_filter(db, principal.tenant.id, health_badge) if health_badge else None,
        custom_fields=await customfields.resolve_filters(db, principal.tenant.id, [
            (name.removeprefix(customfields.FILTER_PREFIX), value) for name, value in request.query_params.multi_items()
            if name.startswith(customfields.FILTER_PREFIX)]))


FILTERS = {"filters": Provide(asset_filters)}
Filters = NamedDependency[AssetFilters]
FILTERS_DOC = ("Filters: `q` (tag, name, serial, model, manufacturer), `status` (comma-separated), `categoryId`, "
               "`locationId` with `includeSublocations`, `assigneeId` (an id or `none`), `deleted`, "
               "`healthBadge` (HEALTHY, ATTENTION, AT_RISK), `overdue` (true: checked out and past due; false: not), "
               "`cf.<key>=value` (a custom field's value, read as the field's type; blank: no value; several AND).")


@get("/", summary="List assets", dependencies=FILTERS,
     description=f"{FILTERS_DOC} `sort`: tag, name, status, createdAt, updatedAt; prefix `-` for descending. "
                 "`healthSort`: risk_first (lowest score first) or healthy_first, ties by tag; it wins over `sort`. "
                 "Each item carries its `health`.")
async def list_assets(request: Request, db: DB, principal: Caller, filters: Filters,
                      sort: FromQuery[str | None] = None, limit: FromQuery[int | None] = None,
                      cursor: FromQuery[str | None] = None, health_sort: HealthSortQuery = None) -> AssetPage:
    rows, next_cursor = await service.list_assets(db, principal.tenant.id, filters, sort=sort, limit=limit,
                                                  cursor=cursor, health_sort=health_sort)
    origin = _origin(request, principal)
    found = await health.assess_assets(db, principal.tenant.id, rows)
    return AssetPage(items=[asset_out(origin, r, health.wire(found[r.id])) for r in rows], next_cursor=next_cursor)


@get("/{asset_id:str}", summary="Get an asset")
async def get_asset(asset_id: FromPath[str], request: Request, db: DB, principal: Caller) -> AssetOut:
    asset = await service.get(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))
    return await asset_answer(request, db, principal, asset)


@post("/", summary="Create an asset",
      description="Only `name` is required: category and location fall back to the defaults and the tag is "
                  "generated from the tenant's sequence (with random characters after the number when the tenant's "
                  "`tagRandomChars` is set). Technicians may create (quick-add). `claimCode` binds a "
                  "blank tag to the new asset (its code becomes the tag unless `tag` is given): a wrong check "
                  "character is a 400, a code this workspace does not have a 404, a code already claimed a 409 "
                  "naming `claimCode` and the asset that holds it. `clientId` makes a resend create nothing twice; "
                  "`sessionId` adds the asset during an audit (see the fields).",
      responses={409: ResponseSpec(ErrorBody, generate_examples=False,
                                   description="The tag or the claim code is already taken; details name it and "
                                               "the asset that holds it")})
async def create_asset(data: JSONBody[AssetIn], request: Request, db: DB, principal: Caller) -> AssetOut:
    asset = await service.create(db, principal.tenant.id, data, actor=principal)
    return await asset_answer(request, db, principal, asset)


@patch("/{asset_id:str}", guards=[manager], summary="Change an asset")
async def update_asset(asset_id: FromPath[str], data: JSONBody[AssetPatch], request: Request, db: DB,
                       principal: Caller) -> AssetOut:
    asset = await service.update(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"), data,
                                 actor=principal)
    return await asset_answer(request, db, principal, asset)


@delete("/{asset_id:str}", guards=[manager], summary="Delete an asset (soft; restorable)")
async def delete_asset(asset_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))


@post("/{asset_id:str}/restore", status_code=200, guards=[manager], summary="Restore a deleted asset")
async def restore_asset(asset_id: FromPath[str], request: Request, db: DB, principal: Caller) -> AssetOut:
    asset = await service.restore(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))
    return await asset_answer(request, db, principal, asset)


@get("/{asset_id:str}/label", operation_class=file_answer(*SHEET_TYPES), summary="Print an asset's label",
     description="One label: its QR code opens the asset's page, with the tag in large type, the name, and "
                 "optionally the workspace's name and a Code 128 of the tag. The workspace's calibration for "
                 "the template applies. A download (Content-Disposition: attachment).")
async def asset_label(asset_id: FromPath[str], request: Request, db: DB, principal: Caller,
                      template: TemplateQuery = DEFAULT_TEMPLATE, fmt: FormatQuery = DEFAULT_FORMAT,
                      start_position: StartPositionQuery = 1, show_tenant: ShowTenantQuery = True,
                      barcode: BarcodeQuery = True) -> Response[bytes]:
    sheet = await asset_sheet(db, principal.tenant, _origin(request, principal),
                              parse_uuid(asset_id, "inventoryItemId"),
                              label_options(template, fmt, start_position, show_tenant, barcode))
    return sheet_response(sheet)


async def _public_asset_url(request: Request, db: DB, asset_id: str) -> str:
    """The URL an asset's QR code encodes; a deleted asset reads as a missing one (no sign-in here)."""
    tenant = request.state.tenant
    asset_uuid = parse_uuid(asset_id, "inventoryItemId")
    asset = await service.get(db, tenant.id, asset_uuid)
    if asset.deleted_at is not None:
        raise NotFound(f"Asset {asset_uuid} not found")
    return asset_url(public_origin(request, settings_of(request.app.state), tenant), asset.tag)


@get("/{asset_id:str}/qr.png", operation_class=file_answer("image/png"),
     summary="The asset's QR code as PNG (no sign-in)",
     description="Encodes the asset's URL. Needs no credentials, like the printed label it copies; cacheable "
                 "for an hour, with an ETag.")
async def asset_qr_png(asset_id: FromPath[str], request: Request, db: DB, size: SizeQuery = 512) -> Response[bytes]:
    return await qr_response(request, await _public_asset_url(request, db, asset_id), "png", size)


@get("/{asset_id:str}/qr.svg", operation_class=file_answer("image/svg+xml"),
     summary="The asset's QR code as SVG (no sign-in)",
     description="Encodes the asset's URL. Needs no credentials; cacheable for an hour, with an ETag.")
async def asset_qr_svg(asset_id: FromPath[str], request: Request, db: DB) -> Response[bytes]:
    return await qr_response(request, await _public_asset_url(request, db, asset_id), "svg", 0)


router = Router("/inventory-items", guards=[technician], tags=["inventory-items"], route_handlers=[
    list_assets, get_asset, create_asset, update_asset, delete_asset, restore_asset, asset_label,
])
# The QR images need no credentials (the tenant still comes from the Host): a router without the role guard.
public_router = Router("/inventory-items", guards=[public_limit], tags=["inventory-items"],
                       route_handlers=[asset_qr_png, asset_qr_svg])
