"""Audit sessions: create with a snapshot of the expected set, scan against it, undo, close.

The scan path keeps its correctness in the database, not in this process: a unique client scan id
makes replays return the first answer, and conditional updates make concurrent scans of one item
count once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, literal, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import rules
from backend.assets.models import Asset
from backend.context import Principal
from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import find_live, get_in_tenant, like_pattern
from backend.db.writer import run_write
from backend.errors import BadRequest, Conflict, NotFound
from backend.events.models import AssetEvent
from backend.events.service import event_row
from backend.locations import service as locations
from backend.locations.models import Location
from backend.sessions import rules as scan_rules
from backend.sessions import scanning
from backend.sessions.models import AuditSession, Scan, ScannerPosition, SessionItem
from backend.sessions.views import item_out, item_rows, progress_of
from backend.sessions.schemas import ItemOut, ScanIn, SessionIn, SessionPatch, UnscanIn
from backend.wire import clamp_limit, decode_cursor, encode_cursor

SORTS = {"createdAt": (AuditSession.created_at, datetime), "name": (AuditSession.name, str),
         "updatedAt": (AuditSession.updated_at, datetime)}
# Counted items: expected ones (seen or not) and extras found on the way; excluded ones are not counted.
COUNTED = ("unscanned", "scanned", "extra")
SEEN = ("scanned", "extra")


async def get(db: AsyncSession, tenant_id: UUID, session_id: UUID, *, for_update: bool = False) -> AuditSession:
    audit = await get_in_tenant(db, AuditSession, tenant_id, session_id, "Session", for_update=for_update)
    if audit.deleted_at is not None:
        raise NotFound(f"Session {session_id} not found")
    return audit


async def list_sessions(db: AsyncSession, tenant_id: UUID, *, status: str | None, q: str | None, sort: str | None,
                        limit: int | None, cursor: str | None):
    stmt = select(AuditSession).where(AuditSession.tenant_id == tenant_id, AuditSession.deleted_at.is_(None))
    if status:
        wanted = [s.strip() for s in status.split(",") if s.strip()]
        if any(s not in ("active", "completed", "cancelled") for s in wanted):
            raise BadRequest("status must be active, completed or cancelled (comma-separated)",
                             {"status": "active, completed or cancelled"})
        stmt = stmt.where(AuditSession.status.in_(wanted))
    if q and q.strip():
        stmt = stmt.where(AuditSession.name.ilike(like_pattern(q), escape="\\"))
    return await listing.page(db, stmt, AuditSession.id, listing.parse_sort(sort, SORTS, "-createdAt"), limit, cursor)


async def create(db: AsyncSession, principal: Principal, data: SessionIn) -> AuditSession:
    """A session and the snapshot of its expected set: every live, not retired asset in scope, each
    expected where it is recorded now."""
    from backend.categories import service as categories

    tenant_id = principal.tenant.id
    if data.location_id is not None:
        await locations.require_live(db, tenant_id, data.location_id)
    for category_id in data.category_ids:
        await categories.require_live(db, tenant_id, category_id, "categoryIds")
    audit = AuditSession(tenant_id=tenant_id, name=data.name.strip(), location_id=data.location_id,
                         include_sublocations=data.include_sublocations,
                         category_ids=[str(c) for c in dict.fromkeys(data.category_ids)], due_date=data.due_date,
                         created_by_id=principal.user_id)
    db.add(audit)
    await db.flush()
    in_scope = select(literal(tenant_id), literal(audit.id), Asset.id, literal("unscanned"), Asset.location_id).where(
        Asset.tenant_id == tenant_id, Asset.deleted_at.is_(None), Asset.status != "retired")
    scope_ids = await _scope_location_ids(db, audit)
    if scope_ids is not None:
        in_scope = in_scope.where(Asset.location_id.in_(scope_ids))
    if data.category_ids:
        in_scope = in_scope.where(Asset.category_id.in_(data.category_ids))
    await db.execute(insert(SessionItem).from_select(
        ["tenant_id", "session_id", "asset_id", "state", "expected_location_id"], in_scope))
    audit.expected_count = (await db.execute(select(func.count()).select_from(SessionItem).where(
        SessionItem.tenant_id == tenant_id, SessionItem.session_id == audit.id))).scalar_one()
    await db.commit()
    return audit


async def _scope_location_ids(db: AsyncSession, audit: AuditSession) -> set[UUID] | None:
    return await db.run_sync(scanning.scope_location_ids, audit)


async def update(db: AsyncSession, principal: Principal, session_id: UUID, data: SessionPatch) -> AuditSession:
    tenant_id = principal.tenant.id
    audit = await get(db, tenant_id, session_id, for_update=True)
    if data.name is not msgspec.UNSET:
        audit.name = data.name.strip()
    if data.due_date is not msgspec.UNSET:
        audit.due_date = data.due_date
    if data.status is not msgspec.UNSET and audit.status != "active":
        # A closed session stays closed: asking again (even for the same status) must not look like it worked.
        raise Conflict(f"This session is {audit.status}; it cannot become {data.status}", {"status": audit.status})
    if data.status is not msgspec.UNSET and data.status != audit.status:
        if data.status == "completed":
            await _complete(db, principal, audit, data.mark_missing)
        audit.status = data.status
        audit.completed_at = utcnow()
    audit.updated_at = utcnow()
    audit.version += 1
    await db.commit()
    return audit


async def _complete(db: AsyncSession, principal: Principal, audit: AuditSession, mark_missing: bool) -> None:
    """Every asset seen gets a VERIFIED event and lastVerifiedAt; every expected one left unseen is marked as
    missed by this audit (a health reason), and with mark_missing becomes missing where the status table allows
    (never a retired one; one in use is taken back from its holder, as leaving in_use always is)."""
    now = utcnow()
    tenant_id = audit.tenant_id
    items = select(SessionItem.asset_id).where(SessionItem.tenant_id == tenant_id, SessionItem.session_id == audit.id)
    seen, unseen = items.where(SessionItem.state.in_(SEEN)), items.where(SessionItem.state == "unscanned")
    by_session = {"sessionId": str(audit.id)}
    seen_ids = list((await db.execute(seen)).scalars())
    if seen_ids:
        await db.execute(sql_update(Asset).where(Asset.tenant_id == tenant_id, Asset.id.in_(seen))
                         .values(last_verified_at=now, missed_last_audit=False)
                         .execution_options(synchronize_session=False))
        await db.execute(insert(AssetEvent), [
            event_row(principal, tenant_id, asset_id, "VERIFIED", by_session, at=now) for asset_id in seen_ids])
    await db.execute(sql_update(Asset).where(Asset.tenant_id == tenant_id, Asset.id.in_(unseen))
                     .values(missed_last_audit=True).execution_options(synchronize_session=False))
    if not mark_missing:
        return
    may_go_missing = (Asset.tenant_id == tenant_id, Asset.id.in_(unseen), Asset.deleted_at.is_(None),
                      Asset.status.in_(rules.statuses_into("missing")))
    rows = (await db.execute(select(Asset.id, Asset.status, Asset.assignee_id).where(*may_go_missing))).all()
    if not rows:
        return
    events = []
    for row in rows:
        if row.status == "in_use" and row.assignee_id is not None:
            events.append(event_row(principal, tenant_id, row.id, "UNASSIGNED",
                                    {"personId": str(row.assignee_id), **by_session}, person_id=row.assignee_id, at=now))
        events.append(event_row(principal, tenant_id, row.id, "STATUS_CHANGED",
                                {"from": row.status, "to": "missing", **by_session}, at=now))
    await db.execute(sql_update(Asset).where(*may_go_missing, Asset.status == "in_use")
                     .values(assignee_id=None, assigned_at=None, due_back_at=None)
                     .execution_options(synchronize_session=False))
    await db.execute(sql_update(Asset).where(*may_go_missing)
                     .values(status="missing", reserved_until=None, updated_at=now)
                     .execution_options(synchronize_session=False))
    await db.execute(insert(AssetEvent), events)


async def delete(db: AsyncSession, tenant_id: UUID, session_id: UUID) -> None:
    audit = await get(db, tenant_id, session_id, for_update=True)
    audit.deleted_at = utcnow()
    await db.commit()


async def restore(db: AsyncSession, tenant_id: UUID, session_id: UUID) -> AuditSession:
    """Back from the trash, as it was (an active session can be scanned again)."""
    audit = await get_in_tenant(db, AuditSession, tenant_id, session_id, "Session", for_update=True)
    if audit.deleted_at is not None:
        audit.deleted_at = None
        audit.updated_at = utcnow()
        await db.commit()
    return audit




# --- items ------------------------------------------------------------------------------------------------




async def list_items(db: AsyncSession, tenant_id: UUID, session_id: UUID, *, state: str | None, q: str | None,
                     limit: int | None, cursor: str | None) -> tuple[list[ItemOut], str | None]:
    await get(db, tenant_id, session_id)
    stmt = item_rows(tenant_id, session_id)
    if state:
        wanted = [s.strip() for s in state.split(",") if s.strip()]
        if any(s not in ("unscanned", "scanned", "excluded", "extra") for s in wanted):
            raise BadRequest("state must be unscanned, scanned, excluded or extra (comma-separated)",
                             {"state": "unscanned, scanned, excluded or extra"})
        stmt = stmt.where(SessionItem.state.in_(wanted))
    if q and q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(Asset.tag.ilike(pattern, escape="\\") | Asset.name.ilike(pattern, escape="\\"))
    size = clamp_limit(limit)
    if cursor:
        (last_tag, last_id) = decode_cursor(cursor, 2)
        try:
            last_id = UUID(str(last_id))
        except ValueError:
            raise BadRequest("cursor is not valid for this list", {"cursor": "invalid"}) from None
        stmt = stmt.where((Asset.tag_key > last_tag) | ((Asset.tag_key == last_tag) & (Asset.id > last_id)))
    rows = (await db.execute(stmt.add_columns(Asset.tag_key).order_by(Asset.tag_key, Asset.id).limit(size + 1))).all()
    next_cursor = encode_cursor([rows[size - 1].tag_key, rows[size - 1][0].asset_id]) if len(rows) > size else None
    return [item_out(r) for r in rows[:size]], next_cursor


async def get_item(db: AsyncSession, tenant_id: UUID, session_id: UUID, asset_id: UUID) -> ItemOut:
    await get(db, tenant_id, session_id)
    row = (await db.execute(item_rows(tenant_id, session_id).where(SessionItem.asset_id == asset_id))).first()
    if row is None:
        raise NotFound(f"Asset {asset_id} is not in this session")
    return item_out(row)


async def set_included(db: AsyncSession, tenant_id: UUID, session_id: UUID, asset_id: UUID, include: bool) -> ItemOut:
    """Exclude takes an item out of the count; include puts an excluded item back, or adds an asset
    that was not in the snapshot."""
    audit = await _active(db, tenant_id, session_id)
    item = (await db.execute(select(SessionItem).where(
        SessionItem.tenant_id == tenant_id, SessionItem.session_id == session_id, SessionItem.asset_id == asset_id)
    )).scalar_one_or_none()
    if include:
        if item is None:
            asset = await find_live(db, Asset, tenant_id, asset_id, "itemId", "asset")
            db.add(SessionItem(tenant_id=tenant_id, session_id=session_id, asset_id=asset_id, state="unscanned",
                               expected_location_id=asset.location_id))
            audit.expected_count += 1
        elif item.state == "excluded":
            item.state = "scanned" if item.scanned_at else "unscanned"
            audit.expected_count += 1
            audit.scanned_count += 1 if item.scanned_at else 0
    else:
        if item is None:
            raise NotFound(f"Asset {asset_id} is not in this session")
        if item.state != "excluded":
            audit.expected_count -= 1
            audit.scanned_count -= 1 if item.state in SEEN else 0
            item.state = "excluded"
    audit.version += 1
    await db.commit()
    return await get_item(db, tenant_id, session_id, asset_id)


async def _active(db: AsyncSession, tenant_id: UUID, session_id: UUID) -> AuditSession:
    return await db.run_sync(scanning.active_session, tenant_id, session_id)


# --- scanning ---------------------------------------------------------------------------------------------


async def scan(db: AsyncSession, principal: Principal, session_id: UUID, data: ScanIn) -> dict[str, Any]:
    """One scan, answered and committed; a replayed clientScanId gets its first answer back."""
    if (data.item_id is None) == (data.code is None):
        raise BadRequest("Send either itemId or code", {"code": "either code or itemId", "itemId": "either code or itemId"})
    if data.replay_only:
        if data.client_scan_id is None:
            raise BadRequest("replayOnly needs the clientScanId of the scan to replay", {"clientScanId": "required"})
        stored = await db.run_sync(scanning.stored_answer, principal.tenant.id, session_id, data)
        if stored is None:
            raise NotFound("This scan never reached the server; nothing was recorded", {"clientScanId": "never received"})
        return stored
    try:
        return await run_write(db, scanning.scan_tx, principal, session_id, data)
    except IntegrityError:
        # PostgreSQL: the same clientScanId committed by a concurrent request; the first answer stands.
        if data.client_scan_id is not None and (
                stored := await db.run_sync(scanning.stored_answer, principal.tenant.id, session_id, data)):
            return stored
        raise


async def _session_item(db: AsyncSession, audit: AuditSession, asset_id: UUID) -> SessionItem | None:
    return (await db.execute(select(SessionItem).where(
        SessionItem.tenant_id == audit.tenant_id, SessionItem.session_id == audit.id, SessionItem.asset_id == asset_id)
    )).scalar_one_or_none()


async def unscan(db: AsyncSession, principal: Principal, session_id: UUID, data: UnscanIn) -> dict[str, Any]:
    """Take back a scan: an expected item is unseen again, an extra leaves the session."""
    tenant_id = principal.tenant.id
    if (data.scan_id is None) == (data.item_id is None):
        raise BadRequest("Send either scanId or itemId", {"scanId": "either scanId or itemId"})
    audit = await _active(db, tenant_id, session_id)
    if data.scan_id is not None:
        scan_row = (await db.execute(select(Scan).where(Scan.tenant_id == tenant_id, Scan.session_id == audit.id,
                                                        Scan.id == data.scan_id))).scalar_one_or_none()
        if scan_row is None:
            raise NotFound(f"Scan {data.scan_id} not found in this session")
        if scan_row.undone_at is not None:
            # Undoing it again would uncount a later scan of the same asset.
            raise Conflict("This scan has already been undone", {"scanId": "already undone"})
        asset_id = scan_row.asset_id
    else:
        asset_id = data.item_id
    item = await _session_item(db, audit, asset_id) if asset_id else None
    if data.scan_id is not None and item is not None and item.scan_id is not None and item.scan_id != data.scan_id:
        # Another scan counts the asset now (another phone's, or a later one): that count is not this scan's to undo.
        raise Conflict("This scan is not the one that counted the asset; nothing to undo", {"scanId": "not the counting scan"})
    # In the snapshot: expected when the session began or included since, so it has an expected location.
    state, in_snapshot = (item.state, item.expected_location_id is not None) if item else (None, False)
    try:
        undo = scan_rules.undo_effect(state, in_snapshot)
    except scan_rules.NothingToUndo:
        raise Conflict("This asset has not been counted in this session; nothing to undo", {"state": state}) from None
    assert item is not None  # undo_effect refuses a missing item
    if item.scan_id is not None:
        await db.execute(sql_update(Scan).where(Scan.tenant_id == tenant_id, Scan.id == item.scan_id).values(
            undone_at=utcnow()))
    if undo.new_state is None:
        await db.execute(sql_delete(SessionItem).where(SessionItem.tenant_id == tenant_id,
                                                       SessionItem.session_id == audit.id,
                                                       SessionItem.asset_id == asset_id))
    else:
        item.state, item.scanned_at, item.scan_id, item.found_location_id = undo.new_state, None, None, None
    audit.scanned_count += undo.counts.scanned
    audit.expected_count += undo.counts.expected
    audit.version += 1
    await db.commit()
    return {"assetId": str(asset_id), "state": undo.new_state or "not_in_session",
            "progress": msgspec.to_builtins(progress_of(audit))}


# --- quick-add during an audit -----------------------------------------------------------------------------


async def quick_add_location(db: AsyncSession, actor: Principal | None, tenant_id: UUID, session_id: UUID
                             ) -> UUID | None:
    """Where an asset quick-added during this session goes when no location is given: where the caller stands
    in it (the last door tag it scanned there), else the session's location; None for the default location.
    A 404 naming sessionId when this tenant has no such session."""
    audit = (await db.execute(select(AuditSession.location_id, AuditSession.deleted_at).where(
        AuditSession.tenant_id == tenant_id, AuditSession.id == session_id))).first()
    if audit is None or audit.deleted_at is not None:
        raise NotFound(f"sessionId: no session with id {session_id}", {"sessionId": "no such session"})
    scanner_id = (actor.user_id or actor.api_key_id) if actor is not None else None
    standing = None
    if scanner_id is not None:
        standing = (await db.execute(select(ScannerPosition.location_id).where(
            ScannerPosition.tenant_id == tenant_id, ScannerPosition.session_id == session_id,
            ScannerPosition.scanner_id == scanner_id))).scalar_one_or_none()
    for location_id in (standing, audit.location_id):
        if location_id is not None and (await db.execute(select(Location.id).where(
                Location.tenant_id == tenant_id, Location.id == location_id, Location.deleted_at.is_(None)))).first():
            return location_id
    return None


async def expect_quick_added(db: AsyncSession, tenant_id: UUID, session_id: UUID, asset_id: UUID,
                             location_id: UUID, category_id: UUID, status: str) -> bool:
    """Add a just-created asset (flushed, not committed) to the session's expected set, unscanned and expected
    where it was put, when the session is active and the asset falls inside its scope, as the snapshot would
    have taken it. Whether it was added; the caller commits."""
    audit = (await db.execute(select(AuditSession).where(AuditSession.tenant_id == tenant_id,
                                                         AuditSession.id == session_id)
                              .with_for_update().execution_options(populate_existing=True))).scalar_one()
    if audit.status != "active" or audit.deleted_at is not None or status == "retired":
        return False
    if audit.category_ids and str(category_id) not in audit.category_ids:
        return False
    scope = await _scope_location_ids(db, audit)
    if scope is not None and location_id not in scope:
        return False
    db.add(SessionItem(tenant_id=tenant_id, session_id=session_id, asset_id=asset_id, state="unscanned",
                       expected_location_id=location_id))
    audit.expected_count += 1
    audit.version += 1
    await db.flush()
    return True
