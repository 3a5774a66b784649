"""/inventory-items"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Request, Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.assets import service
from backend.assets.models import Asset
from backend.assets.schemas import AssetIn, AssetOut, AssetPage, AssetPatch
from backend.auth.guards import manager, technician
from backend.context import Caller, DB, public_origin, settings_of
from backend.db.records import DeletedFilter
from backend.wire import from_row, parse_uuid


# Query parameters are camelCase like the JSON keys: `?categoryId=…`, not `?category_id=…`.
CategoryIdQuery = Annotated[str | None, QueryParameter(name="categoryId")]
LocationIdQuery = Annotated[str | None, QueryParameter(name="locationId")]
IncludeSublocationsQuery = Annotated[bool, QueryParameter(name="includeSublocations")]
AssigneeIdQuery = Annotated[str | None, QueryParameter(name="assigneeId")]


def asset_url(origin: str, tag: str) -> str:
    """What the asset's QR code encodes: {origin}/a/{tag}."""
    return f"{origin}/a/{quote(tag, safe='')}"


def _origin(request: Request, principal: Caller) -> str:
    return public_origin(request, settings_of(request.app.state), principal.tenant)


def asset_out(origin: str, asset: Asset) -> AssetOut:
    return from_row(AssetOut, asset, qr_url=asset_url(origin, asset.tag))


@get("/", summary="List assets",
     description="Filters: `q` (tag, name, serial, model, manufacturer), `status` (comma-separated), `categoryId`, "
                 "`locationId` with `includeSublocations`, `assigneeId` (an id or `none`), `deleted`. "
                 "`sort`: tag, name, status, createdAt, updatedAt; prefix `-` for descending.")
async def list_assets(request: Request, db: DB, principal: Caller, q: FromQuery[str | None] = None,
                      status: FromQuery[str | None] = None, category_id: CategoryIdQuery = None,
                      location_id: LocationIdQuery = None, include_sublocations: IncludeSublocationsQuery = False,
                      assignee_id: AssigneeIdQuery = None, sort: FromQuery[str | None] = None,
                      deleted: FromQuery[DeletedFilter | None] = None, limit: FromQuery[int | None] = None,
                      cursor: FromQuery[str | None] = None) -> AssetPage:
    rows, next_cursor = await service.list_assets(
        db, principal.tenant.id, q=q, status=status, category_id=category_id, location_id=location_id,
        include_sublocations=include_sublocations, assignee_id=assignee_id, sort=sort, deleted=deleted,
        limit=limit, cursor=cursor)
    origin = _origin(request, principal)
    return AssetPage(items=[asset_out(origin, r) for r in rows], next_cursor=next_cursor)


@get("/{asset_id:str}", summary="Get an asset")
async def get_asset(asset_id: FromPath[str], request: Request, db: DB, principal: Caller) -> AssetOut:
    asset = await service.get(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))
    return asset_out(_origin(request, principal), asset)


@post("/", summary="Create an asset",
      description="Only `name` is required: category and location fall back to the defaults and the tag is "
                  "generated from the tenant's sequence. Technicians may create (quick-add).")
async def create_asset(data: JSONBody[AssetIn], request: Request, db: DB, principal: Caller) -> AssetOut:
    return asset_out(_origin(request, principal), await service.create(db, principal.tenant.id, data))


@patch("/{asset_id:str}", guards=[manager], summary="Change an asset")
async def update_asset(asset_id: FromPath[str], data: JSONBody[AssetPatch], request: Request, db: DB,
                       principal: Caller) -> AssetOut:
    asset = await service.update(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"), data)
    return asset_out(_origin(request, principal), asset)


@delete("/{asset_id:str}", guards=[manager], summary="Delete an asset (soft; restorable)")
async def delete_asset(asset_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))


@post("/{asset_id:str}/restore", status_code=200, guards=[manager], summary="Restore a deleted asset")
async def restore_asset(asset_id: FromPath[str], request: Request, db: DB, principal: Caller) -> AssetOut:
    asset = await service.restore(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId"))
    return asset_out(_origin(request, principal), asset)


router = Router("/inventory-items", guards=[technician], tags=["inventory-items"], route_handlers=[
    list_assets, get_asset, create_asset, update_asset, delete_asset, restore_asset,
])
