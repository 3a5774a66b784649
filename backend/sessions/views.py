"""How session rows read on the wire: shared by the service, the scan path and the report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Select, select

from backend.assets.models import Asset
from backend.locations.models import Location
from backend.sessions.models import AuditSession, SessionItem
from backend.sessions.schemas import ItemOut, LocationRef, Progress


def progress_of(audit: AuditSession) -> Progress:
    return Progress(scanned=audit.scanned_count, total=audit.expected_count)


def location_ref(location: Location) -> LocationRef:
    return LocationRef(id=location.id, name=location.name, path=location.path, code=location.code)


def item_rows(tenant_id: UUID, session_id: UUID) -> Select[Any]:
    return (select(SessionItem, Asset.tag, Asset.name, Asset.location_id, Asset.category_id)
            .join(Asset, (Asset.tenant_id == SessionItem.tenant_id) & (Asset.id == SessionItem.asset_id))
            .where(SessionItem.tenant_id == tenant_id, SessionItem.session_id == session_id))


def item_out(row: Any) -> ItemOut:
    item = row[0]
    return ItemOut(asset_id=item.asset_id, tag=row.tag, name=row.name, state=item.state,
                   expected_location_id=item.expected_location_id, location_id=row.location_id,
                   category_id=row.category_id, scanned_at=item.scanned_at, found_location_id=item.found_location_id)
