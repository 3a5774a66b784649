"""Quick-add events: append one, and the TT10 report over a time window."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import service as assets
from backend.auth import service as auth
from backend.context import Principal
from backend.db.base import utcnow
from backend.errors import BadRequest, NotFound
from backend.quickadd import rules
from backend.quickadd.models import QuickAddEvent
from backend.quickadd.schemas import MAX_META_BYTES, QuickAddEventIn, QuickAddEventOut, TT10Report, TT10User
from backend.wire import as_utc

DEFAULT_WINDOW = timedelta(days=30)
_encoder = msgspec.json.Encoder()


def event_out(row: QuickAddEvent) -> QuickAddEventOut:
    return QuickAddEventOut(id=row.id, event=row.event, flow_id=row.flow_id, item_id=row.item_id,
                            user_id=row.user_id, at=row.at)


async def record(db: AsyncSession, principal: Principal, data: QuickAddEventIn) -> QuickAddEventOut:
    assert principal.user_id is not None  # the route takes signed-in users only
    tenant_id = principal.tenant.id
    if data.meta is not None and len(_encoder.encode(data.meta)) > MAX_META_BYTES:
        raise BadRequest(f"meta is larger than {MAX_META_BYTES // 1024} KB as JSON; send less",
                         {"meta": f"at most {MAX_META_BYTES} bytes as JSON"})
    if data.item_id is not None:
        try:
            await assets.get(db, tenant_id, data.item_id)
        except NotFound:
            raise NotFound(f"itemId: no asset with id {data.item_id}", {"itemId": "no such asset"}) from None
    row = QuickAddEvent(tenant_id=tenant_id, event=data.event, flow_id=data.flow_id, item_id=data.item_id,
                        user_id=principal.user_id, at=utcnow(), meta=data.meta)
    db.add(row)
    await db.commit()
    return event_out(row)


def parse_time(value: str | None, field: str) -> datetime | None:
    """An ISO 8601 date or date-time from a query; without an offset it is taken as UTC."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(f"{field} must be an ISO 8601 date or date-time such as 2026-11-01T00:00:00Z, "
                         f"not '{value[:40]}'", {field: "ISO 8601 date-time"}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else as_utc(parsed, field)


def window(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """[from, to): to defaults to now, from to 30 days before to."""
    end = end or now
    start = start or end - DEFAULT_WINDOW
    if start >= end:
        raise BadRequest("from must be before to", {"from": "before to", "to": "after from"})
    return start, end


async def tt10_report(db: AsyncSession, principal: Principal, tenant_id: UUID, start: datetime | None,
                      end: datetime | None) -> TT10Report:
    if tenant_id != principal.tenant.id:
        # Another tenant reads exactly like one that does not exist.
        raise NotFound(f"Tenant {tenant_id} not found")
    start, end = window(start, end, utcnow())
    rows = await db.execute(select(QuickAddEvent.user_id, QuickAddEvent.event, QuickAddEvent.at).where(
        QuickAddEvent.tenant_id == tenant_id, QuickAddEvent.at >= start, QuickAddEvent.at < end))
    users = []
    for entry in rules.tt10(rows.tuples()):
        try:
            user = await auth.get_user(db, tenant_id, entry.user_id)
            email, name = user.email, user.name
        except NotFound:
            email = name = None
        users.append(TT10User(user_id=entry.user_id, email=email, name=name,
                              first_created_at=entry.first_created_at, tenth_assigned_at=entry.tenth_assigned_at,
                              tt10_minutes=entry.tt10_minutes, meets_target=entry.meets_target,
                              assets_created=entry.assets_created, assets_assigned=entry.assets_assigned))
    return TT10Report(tenant_id=tenant_id, from_=start, to=end, target_minutes=rules.TARGET_MINUTES, users=users)
