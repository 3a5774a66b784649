"""What a status or assignee change does to one asset, and the events it writes, in the caller's transaction.

Every route that changes a status or an assignee (POST …/status, …/checkout, …/checkin, a PATCH of
assigneeId, creating an asset for someone) goes through these functions, so leaving `in_use` always
takes the asset back from its holder and leaving `reserved` always ends the reservation.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import rules
from backend.assets.models import Asset
from backend.context import Principal
from backend.events.service import record


def hand_to(session: AsyncSession, principal: Principal | None, asset: Asset, person_id: UUID, *, at: datetime,
            due_back_at: datetime | None = None, note: str | None = None) -> None:
    """The asset is now held by `person_id` (an ASSIGNED event); its status is the caller's business."""
    asset.assignee_id, asset.assigned_at, asset.due_back_at = person_id, at, due_back_at
    data: dict[str, Any] = {"personId": str(person_id)}
    if due_back_at is not None:
        data["dueBackAt"] = due_back_at.isoformat()
    if note:
        data["note"] = note
    record(session, principal, asset.tenant_id, asset.id, "ASSIGNED", data, person_id=person_id, at=at)


def take_back(session: AsyncSession, principal: Principal | None, asset: Asset, *, at: datetime,
              note: str | None = None) -> None:
    """Nobody holds the asset any more (an UNASSIGNED event if somebody did)."""
    person_id = asset.assignee_id
    asset.assignee_id, asset.assigned_at, asset.due_back_at = None, None, None
    if person_id is None:
        return
    data: dict[str, Any] = {"personId": str(person_id)}
    if note:
        data["note"] = note
    record(session, principal, asset.tenant_id, asset.id, "UNASSIGNED", data, person_id=person_id, at=at)


def move(session: AsyncSession, principal: Principal | None, asset: Asset, to: str, *, at: datetime,
         reason: str | None = None, meta: dict[str, Any] | None = None, **extra: Any) -> None:
    """The asset's status becomes `to` (the caller has checked the table): a STATUS_CHANGED event, or RETIRED
    (only that one) for `retired`. Leaving in_use takes the asset back; leaving reserved ends the reservation."""
    came_from = asset.status
    if came_from == "in_use" and to != "in_use":
        take_back(session, principal, asset, at=at)
    if came_from == "reserved" and to != "reserved":
        asset.reserved_until = None
    asset.status = to
    asset.updated_at = at
    data: dict[str, Any] = {"from": came_from, "to": to, **extra}
    if reason:
        data["reason"] = reason
    if meta:
        data["meta"] = meta
    record(session, principal, asset.tenant_id, asset.id, "RETIRED" if to == "retired" else "STATUS_CHANGED",
           data, at=at)


def reassign(session: AsyncSession, principal: Principal | None, asset: Asset, person_id: UUID | None, *,
             at: datetime) -> None:
    """A PATCH of assigneeId: hand the asset on (or take it back), moving between available and in_use as the
    table's checkout and checkin edges do. The caller has checked rules.assignment_problem."""
    if person_id == asset.assignee_id:
        return
    to = rules.status_after_assignment(asset.status, person_id is not None)
    if asset.assignee_id is not None:
        take_back(session, principal, asset, at=at)
    if person_id is not None:
        hand_to(session, principal, asset, person_id, at=at)
    if to != asset.status:
        move(session, principal, asset, to, at=at)


# What a PATCH may change, by the camelCase name its UPDATED event gives it.
EDITABLE = {"tag": "tag", "name": "name", "categoryId": "category_id", "locationId": "location_id",
            "assigneeId": "assignee_id", "serial": "serial", "manufacturer": "manufacturer", "model": "model",
            "purchaseDate": "purchase_date", "purchaseCost": "purchase_cost", "warrantyExpiry": "warranty_expiry",
            "notes": "notes"}


def snapshot(asset: Asset) -> dict[str, Any]:
    """The asset's editable fields before an edit, custom fields one by one as `customFields.<key>`."""
    fields = {name: getattr(asset, column) for name, column in EDITABLE.items()}
    fields.update({f"customFields.{key}": value for key, value in (asset.custom_fields or {}).items()})
    return fields


def _json(value: Any) -> Any:
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record_edit(session: AsyncSession, principal: Principal | None, asset: Asset, before: dict[str, Any], *,
                at: datetime) -> None:
    """One UPDATED event listing each changed field from → to (nothing if nothing changed), and MOVED if the
    location changed."""
    after = snapshot(asset)
    changes = [{"field": field, "from": _json(before.get(field)), "to": _json(after.get(field))}
               for field in [*after, *(f for f in before if f not in after)]
               if before.get(field) != after.get(field) or type(before.get(field)) is not type(after.get(field))]
    if not changes:
        return
    record(session, principal, asset.tenant_id, asset.id, "UPDATED", {"changes": changes}, at=at)
    if before["locationId"] != after["locationId"]:
        record(session, principal, asset.tenant_id, asset.id, "MOVED",
               {"from": str(before["locationId"]), "to": str(after["locationId"])}, at=at)
