"""One scan as one synchronous transaction.

The whole scan (replay check, resolution, outcome, writes, commit) runs as plain synchronous
SQLAlchemy on one thread: on SQLite the service's dedicated writer thread, on PostgreSQL through
AsyncSession.run_sync. Each statement then costs a function call instead of a hop between the event
loop and a database thread, which is what the scan budget needs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.assets.models import Asset
from backend.assets.rules import tag_key
from backend.context import Principal
from backend.db.base import utcnow
from backend.errors import BadRequest, Conflict, NotFound
from backend.events.models import AssetEvent
from backend.ids import uuid7
from backend.locations import service as locations
from backend.locations.models import Location
from backend.sessions import rules
from backend.sessions.codes import clean_code, parse_code
from backend.sessions.models import AuditSession, Scan, ScannerPosition, SessionItem
from backend.sessions.schemas import ItemOut, ScanAnswer, ScanIn, ScanRecord
from backend.sessions.views import item_out, item_rows, location_ref, progress_of


def active_session(db: Session, tenant_id: UUID, session_id: UUID) -> AuditSession:
    """The session, locked for the change; 404 if gone, 409 once completed or cancelled."""
    audit = db.execute(select(AuditSession).where(AuditSession.tenant_id == tenant_id, AuditSession.id == session_id)
                       .with_for_update()).scalar_one_or_none()
    if audit is None or audit.deleted_at is not None:
        raise NotFound(f"Session {session_id} not found")
    if audit.status != "active":
        raise Conflict(f"This session is {audit.status}; scans and changes are closed", {"status": audit.status})
    return audit


def _live_location(db: Session, tenant_id: UUID, location_id: UUID) -> Location:
    location = db.execute(select(Location).where(Location.tenant_id == tenant_id, Location.id == location_id)
                          ).scalar_one_or_none()
    if location is None or location.deleted_at is not None:
        raise BadRequest(f"locationId: no location with id {location_id}", {"locationId": "no such location"})
    return location


def scope_location_ids(db: Session, audit: AuditSession) -> set[UUID] | None:
    """The session's location and, unless excluded, every location below it; None when not location-scoped."""
    if audit.location_id is None:
        return None
    if not audit.include_sublocations:
        return {audit.location_id}
    return set(db.execute(locations.subtree_ids(audit.tenant_id, audit.location_id)).scalars())


_answer_encoder = msgspec.json.Encoder()


def stored_answer(db: Session, tenant_id: UUID, client_scan_id: UUID) -> dict[str, Any] | None:
    row = (db.execute(select(Scan.answer).where(Scan.tenant_id == tenant_id,
                                                      Scan.client_scan_id == client_scan_id))).first()
    return row.answer if row else None


def scan_tx(db: Session, principal: Principal, session_id: UUID, data: ScanIn) -> dict[str, Any]:
    """One scan, answered and committed; a replayed clientScanId gets its first answer back."""
    tenant_id = principal.tenant.id
    if (data.item_id is None) == (data.code is None):
        raise BadRequest("Send either itemId or code", {"code": "either code or itemId", "itemId": "either code or itemId"})
    if data.client_scan_id is not None and (answer := stored_answer(db, tenant_id, data.client_scan_id)):
        return answer
    audit = active_session(db, tenant_id, session_id)
    now = utcnow()
    scanner_id = principal.user_id or principal.api_key_id
    current = _current_location(db, audit, scanner_id, data.location_id)
    code = clean_code(data.code) if data.code is not None else str(data.item_id)
    target = _resolve(db, tenant_id, code if data.code is not None else None, data.item_id)
    scan_row = Scan(tenant_id=tenant_id, id=uuid7(), session_id=audit.id, client_scan_id=data.client_scan_id,
                    code=code, user_id=principal.user_id, api_key_id=principal.api_key_id,
                    scanned_at=data.scanned_at.astimezone(UTC) if data.scanned_at else now, received_at=now)
    extra: dict[str, Any] = {}
    item = None
    if isinstance(target, Location):
        scan_row.result = "location_set"
        scan_row.location_id = target.id
        if scanner_id is not None:
            _remember_position(db, audit, scanner_id, target.id, now)
        extra["location"] = location_ref(target)
        extra["current_location_id"] = target.id
        current = target.id
    elif target is None:
        scan_row.result = "unknown_code"
        scan_row.location_id = current
    else:
        asset = target
        scan_row.asset_id = asset.id
        scan_row.location_id = current
        item = _session_item(db, audit, asset.id)
        scope = rules.Scope(location_id=audit.location_id, location_ids=_scope_frozen(db, audit))
        seen = rules.Sighting(item_state=item.state if item else None, asset_location_id=asset.location_id,
                              current_location_id=current, allow_mark_anyway=data.allow_mark_anyway,
                              allow_rescan=data.allow_rescan, relocate=data.relocate)
        decision = rules.decide(scope, seen)
        decision = _apply(db, principal, audit, asset, item, decision, scan_row, now, current)
        scan_row.result = decision.result
        if decision.result in ("wrong_location", "not_in_session"):
            expected_id = item.expected_location_id if item and item.expected_location_id else asset.location_id
            extra["expected_location"] = location_ref(db.execute(select(Location).where(
                Location.tenant_id == tenant_id, Location.id == expected_id)).scalar_one())
        if current is not None:
            extra["current_location_id"] = current
    audit.version += 1
    answer_item = None
    if scan_row.asset_id is not None:
        answer_item = get_item_or_none(db, tenant_id, audit.id, scan_row.asset_id, asset=target)
    answer = ScanAnswer(result=scan_row.result, item=answer_item, progress=progress_of(audit),
                        scan=_scan_record(scan_row), **extra)
    scan_row.answer = msgspec.json.decode(_answer_encoder.encode(answer))
    db.add(scan_row)
    try:
        db.commit()
    except IntegrityError:
        # The same clientScanId committed by a concurrent request: the first answer stands.
        db.rollback()
        if data.client_scan_id is not None and (stored := stored_answer(db, tenant_id, data.client_scan_id)):
            return stored
        raise
    return scan_row.answer


def get_item_or_none(db: Session, tenant_id: UUID, session_id: UUID, asset_id: UUID,
                           asset: Any) -> ItemOut | None:
    row = (db.execute(item_rows(tenant_id, session_id).where(SessionItem.asset_id == asset_id))).first()
    if row is not None:
        return item_out(row)
    # Not in the session: describe the asset itself so the scanner can show what it is.
    return ItemOut(asset_id=asset.id, tag=asset.tag, name=asset.name, state="not_in_session",
                   expected_location_id=None, location_id=asset.location_id, category_id=asset.category_id,
                   scanned_at=None, found_location_id=None)


def _scan_record(row: Scan) -> ScanRecord:
    return ScanRecord(id=row.id, client_scan_id=row.client_scan_id, code=row.code, result=row.result,
                      asset_id=row.asset_id, scanned_at=row.scanned_at, received_at=row.received_at,
                      undone_at=row.undone_at)


def _scope_frozen(db: Session, audit: AuditSession) -> frozenset[UUID] | None:
    ids = scope_location_ids(db, audit)
    return frozenset(ids) if ids is not None else None


def _current_location(db: Session, audit: AuditSession, scanner_id: UUID | None,
                            sent: UUID | None) -> UUID | None:
    if sent is not None:
        return _live_location(db, audit.tenant_id, sent).id
    if scanner_id is None:
        return None
    return (db.execute(select(ScannerPosition.location_id).where(
        ScannerPosition.tenant_id == audit.tenant_id, ScannerPosition.session_id == audit.id,
        ScannerPosition.scanner_id == scanner_id))).scalar_one_or_none()


def _remember_position(db: Session, audit: AuditSession, scanner_id: UUID, location_id: UUID,
                             now: datetime) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert = postgresql.insert if db.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(ScannerPosition).values(tenant_id=audit.tenant_id, session_id=audit.id,
                                                  scanner_id=scanner_id, location_id=location_id, updated_at=now)
    db.execute(stmt.on_conflict_do_update(
        index_elements=[ScannerPosition.tenant_id, ScannerPosition.session_id, ScannerPosition.scanner_id],
        set_={"location_id": location_id, "updated_at": now}))


def _resolve(db: Session, tenant_id: UUID, code: str | None, item_id: UUID | None) -> Asset | Location | None:
    """The asset or location a code names, or None for an unknown code."""
    live = (Asset.tenant_id == tenant_id) & Asset.deleted_at.is_(None)
    if item_id is not None:
        return (db.execute(select(Asset).where(live, Asset.id == item_id))).scalar_one_or_none()
    parsed = parse_code(code or "")
    if parsed.kind == "location":
        return _location_by_code(db, tenant_id, parsed.value)
    if parsed.kind == "blank":
        return None  # blank tags are bound to assets by the labels feature; until then unknown
    key = tag_key(parsed.value)
    asset = (db.execute(select(Asset).where(live, Asset.tag_key == key))).scalar_one_or_none()
    if asset is not None or parsed.kind == "asset":
        return asset
    try:
        asset_id = UUID(parsed.value)
    except ValueError:
        asset_id = None
    if asset_id is not None:
        asset = (db.execute(select(Asset).where(live, Asset.id == asset_id))).scalar_one_or_none()
        if asset is not None:
            return asset
    by_serial = (db.execute(select(Asset).where(live, Asset.serial_key == key).limit(2))).scalars().all()
    if len(by_serial) == 1:  # a serial shared by two assets names neither
        return by_serial[0]
    return _location_by_code(db, tenant_id, parsed.value)


def _location_by_code(db: Session, tenant_id: UUID, code: str) -> Location | None:
    return (db.execute(select(Location).where(
        Location.tenant_id == tenant_id, Location.code == code.strip().upper(), Location.deleted_at.is_(None))
    )).scalar_one_or_none()


def _session_item(db: Session, audit: AuditSession, asset_id: UUID) -> SessionItem | None:
    return (db.execute(select(SessionItem).where(
        SessionItem.tenant_id == audit.tenant_id, SessionItem.session_id == audit.id, SessionItem.asset_id == asset_id)
    )).scalar_one_or_none()


def _apply(db: Session, principal: Principal, audit: AuditSession, asset: Asset, item: SessionItem | None,
                 decision: rules.Decision, scan_row: Scan, now: datetime, current: UUID | None) -> rules.Decision:
    """Write what the decision says. Conditional updates keep concurrent scans of one item to one count:
    a scan that loses the race is answered already_scanned."""
    tenant_id = audit.tenant_id
    where_item = ((SessionItem.tenant_id == tenant_id) & (SessionItem.session_id == audit.id)
                  & (SessionItem.asset_id == asset.id))
    found_at = decision.move_to or current
    if decision.new_state == "scanned":
        changed = (db.execute(sql_update(SessionItem).where(where_item, SessionItem.state == "unscanned").values(
            state="scanned", scanned_at=scan_row.scanned_at, scan_id=scan_row.id, found_location_id=found_at)
        )).rowcount
        if not changed:
            return rules.Decision("already_scanned")
        audit.scanned_count += 1
    elif decision.new_state == "extra":
        if item is None:
            try:
                with db.begin_nested():
                    db.add(SessionItem(tenant_id=tenant_id, session_id=audit.id, asset_id=asset.id, state="extra",
                                       expected_location_id=None, scanned_at=scan_row.scanned_at, scan_id=scan_row.id,
                                       found_location_id=found_at))
            except IntegrityError:
                return rules.Decision("already_scanned")
        else:
            changed = (db.execute(sql_update(SessionItem).where(where_item, SessionItem.state == "excluded").values(
                state="extra", scanned_at=scan_row.scanned_at, scan_id=scan_row.id, found_location_id=found_at)
            )).rowcount
            if not changed:
                return rules.Decision("already_scanned")
        audit.scanned_count += 1
        audit.expected_count += 1
    elif decision.rewrite:
        db.execute(sql_update(SessionItem).where(where_item).values(
            scanned_at=scan_row.scanned_at, scan_id=scan_row.id, found_location_id=found_at))
    if decision.move_to is not None and decision.move_to != asset.location_id:
        db.add(AssetEvent(tenant_id=tenant_id, asset_id=asset.id, type="MOVED", at=now,
                          actor_user_id=principal.user_id, actor_api_key_id=principal.api_key_id,
                          data={"from": str(asset.location_id), "to": str(decision.move_to),
                                "sessionId": str(audit.id)}))
        asset.location_id = decision.move_to
        asset.updated_at = now
    return decision


