"""Asset health, one asset or many."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Router, get, post
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from backend.assets.schemas import HealthOut, HealthReasonOut
from backend.auth.guards import technician
from backend.context import Caller, DB
from backend.health import service
from backend.wire import Out, Wire, parse_uuid

HEALTH_DOC = ("`score` 0..100 (100 minus the weights of the reasons that hold), `badge` HEALTHY (90 and above), "
              "ATTENTION (61..89) or AT_RISK (60 and below), and `reasons` (code, message, weight, link to the "
              "resource that explains it). Codes: missing_in_last_audit 40, maintenance_overdue 20, "
              "checkout_overdue 15, past_life_expectancy 10, not_verified_90d 10, warranty_expired 5, "
              "warranty_expiring 3. Retired assets score 100 with the single reason `retired` (weight 0).")


class HealthBatchIn(Wire):
    ids: Annotated[list[UUID], Meta(min_length=1, max_length=200)]


class AssetHealthOut(Out):
    id: UUID
    score: int
    badge: str
    reasons: list[HealthReasonOut]


class HealthBatchOut(Out):
    items: list[AssetHealthOut]


@get("/{asset_id:str}/health", summary="An asset's health", description=HEALTH_DOC)
async def asset_health(asset_id: FromPath[str], db: DB, principal: Caller) -> HealthOut:
    return service.wire(await service.of_asset(db, principal.tenant.id, parse_uuid(asset_id, "inventoryItemId")))


@post("/health/batch", status_code=200, summary="Health of many assets",
      description=f"{HEALTH_DOC} `ids`: 1..200 asset ids; a repeated id is answered once, in the order first given; "
                  "ids that name no asset of this workspace are a 404 listing them (`details.ids`). Deleted assets "
                  "are answered like live ones.")
async def health_batch(data: JSONBody[HealthBatchIn], db: DB, principal: Caller) -> HealthBatchOut:
    found = [(asset_id, service.wire(health)) for asset_id, health in
             await service.of_assets(db, principal.tenant.id, data.ids)]
    return HealthBatchOut(items=[AssetHealthOut(id=asset_id, score=h.score, badge=h.badge, reasons=h.reasons)
                                 for asset_id, h in found])


router = Router("/inventory-items", guards=[technician], tags=["inventory-items"],
                route_handlers=[asset_health, health_batch])
