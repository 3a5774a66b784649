"""Status changes, check-out and check-in: each checked against the one table (rules.TRANSITIONS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import rules, transitions
from backend.assets.lifecycle_schemas import AllowedMove, AllowedTransitions, CheckinIn, CheckoutIn, StatusIn
from backend.assets.models import Asset
from backend.context import Principal
from backend.db.base import utcnow
from backend.db.records import get_in_tenant
from backend.errors import BadRequest, Conflict
from backend.people import service as people
from backend.wire import as_utc

ROUTES = {"status": "POST …/status", "checkout": "POST …/checkout", "checkin": "POST …/checkin"}


def allowed_of(asset: Asset) -> list[AllowedMove]:
    """The moves the table allows from the asset's status; none for a deleted asset (restore it first)."""
    if asset.deleted_at is not None:
        return []
    return [AllowedMove(to_status=to, via=via, reason_required=to in rules.REASON_REQUIRED)
            for to, via in rules.allowed_moves(asset.status).items()]


async def allowed_transitions(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> AllowedTransitions:
    asset = await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset")
    return AllowedTransitions(status=asset.status, allowed=allowed_of(asset))


async def _changeable(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> Asset:
    """The asset, locked for this change; a deleted one is a 409 as for a PATCH."""
    asset = await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset", for_update=True)
    if asset.deleted_at is not None:
        raise Conflict("This asset is deleted; restore it before changing it")
    return asset


def _moves_text(status: str) -> str:
    moves = rules.allowed_moves(status)
    if not moves:
        return "none"
    return ", ".join(f"{to} (via {ROUTES[via]})" for to, via in moves.items())


def _illegal(asset: Asset, to: str, message: str) -> Conflict:
    allowed = [{"toStatus": m.to_status, "via": m.via} for m in allowed_of(asset)]
    return Conflict(f"{message}. From {asset.status} the allowed moves are: {_moves_text(asset.status)}",
                    {"toStatus": f"not allowed from {asset.status}", "status": asset.status, "allowed": allowed})


def _reserved_until(meta: dict[str, Any] | None, to: str, now: datetime) -> datetime | None:
    raw = (meta or {}).get("reservedUntil")
    if raw is None:
        return None
    if to != "reserved":
        raise BadRequest("meta.reservedUntil only goes with toStatus 'reserved'",
                         {"meta.reservedUntil": "only for reserved"})
    try:
        until = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        until = None
    if until is None or until.tzinfo is None:
        raise BadRequest("meta.reservedUntil must be an ISO date and time with a time zone, "
                         "such as 2026-03-01T09:00:00Z", {"meta.reservedUntil": "ISO date-time with time zone"})
    if until <= now:
        raise BadRequest("meta.reservedUntil must be in the future", {"meta.reservedUntil": "must be in the future"})
    return as_utc(until, "meta.reservedUntil")


async def change_status(session: AsyncSession, principal: Principal, asset_id: UUID, data: StatusIn) -> Asset:
    """POST …/status: a move the table makes through this route, with a reason where the table needs one."""
    asset = await _changeable(session, principal.tenant.id, asset_id)
    to = data.to_status
    via = rules.allowed_moves(asset.status).get(to)
    if to == asset.status:
        raise _illegal(asset, to, f"The asset is already {to}")
    if via is None:
        raise _illegal(asset, to, f"An asset that is {asset.status} cannot become {to}")
    if via != "status":
        raise _illegal(asset, to, f"Moving from {asset.status} to {to} is a {via}; use {ROUTES[via]}")
    reason = data.reason.strip() if data.reason else None
    if to in rules.REASON_REQUIRED and not reason:
        raise BadRequest(f"A reason is required to make an asset {to}", {"reason": "required"})
    now = utcnow()
    until = _reserved_until(data.meta, to, now)
    transitions.move(session, principal, asset, to, at=now, reason=reason, meta=data.meta)
    if until is not None:
        asset.reserved_until = until
    await session.commit()
    return asset


async def checkout(session: AsyncSession, principal: Principal, asset_id: UUID, data: CheckoutIn) -> Asset:
    """POST …/checkout: an available asset goes to a person, in use until checked in."""
    tenant_id = principal.tenant.id
    asset = await _changeable(session, tenant_id, asset_id)
    now = utcnow()
    if data.due_back_at is not None and data.due_back_at <= now:
        raise BadRequest("dueBackAt must be in the future", {"dueBackAt": "must be in the future"})
    if rules.allowed_moves(asset.status).get("in_use") != "checkout":
        hint = "check it in first" if asset.status == "in_use" else "make it available first (POST …/status)"
        raise Conflict(f"Only an available asset can be checked out; this one is {asset.status}: {hint}",
                       {"status": asset.status, "allowed": [m.to_status for m in allowed_of(asset)]})
    await people.require_live(session, tenant_id, data.person_id, "personId")
    note = data.note.strip() if data.note else None
    transitions.hand_to(session, principal, asset, data.person_id, at=now, due_back_at=data.due_back_at, note=note)
    transitions.move(session, principal, asset, "in_use", at=now)
    await session.commit()
    return asset


async def checkin(session: AsyncSession, principal: Principal, asset_id: UUID, data: CheckinIn) -> Asset:
    """POST …/checkin: the holder gives the asset back; it stays where it is and becomes available."""
    asset = await _changeable(session, principal.tenant.id, asset_id)
    if rules.allowed_moves(asset.status).get("available") != "checkin":
        raise Conflict(f"Only an asset in use can be checked in; this one is {asset.status}",
                       {"status": asset.status, "allowed": [m.to_status for m in allowed_of(asset)]})
    now = utcnow()
    transitions.take_back(session, principal, asset, at=now, note=data.note.strip() if data.note else None)
    transitions.move(session, principal, asset, "available", at=now)
    await session.commit()
    return asset
