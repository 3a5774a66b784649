"""Deleting records from the trash for good: what goes with each kind, and what stops it (see the README)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, distinct, func, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets.models import Asset
from backend.customfields import service as customfields
from backend.errors import Conflict, FieldscanError
from backend.events.models import AssetEvent
from backend.labels.models import BlankTag
from backend.locations.models import Location
from backend.maintenance.models import MaintenanceLog, MaintenanceSchedule
from backend.sessions.models import AuditSession, ScannerPosition, SessionItem
from backend.sessions.service import COUNTED, SEEN
from backend.trash import rules
from backend.trash.service import depth, item_error, one_transaction, trashed_row


async def _count(session: AsyncSession, stmt: Any) -> int:
    return (await session.execute(stmt)).scalar_one()


def _blocked(what: str, counts: dict[str, int]) -> Conflict:
    listed = ", ".join(f"{n} {name}" for name, n in counts.items())
    return Conflict(f"This {what} is still used by {listed} (live or in the trash); change or delete those first",
                    dict(counts))


async def _asset(session: AsyncSession, tenant_id: UUID, asset: Asset) -> None:
    """Its events, maintenance, and places in audit sessions go with it; its blank tags become unclaimed."""
    items = (await session.execute(select(SessionItem).where(
        SessionItem.tenant_id == tenant_id, SessionItem.asset_id == asset.id))).scalars().all()
    for item in items:  # the sessions' progress stops counting it
        counted, seen = int(item.state in COUNTED), int(item.state in SEEN)
        await session.execute(update(AuditSession).where(
            AuditSession.tenant_id == tenant_id, AuditSession.id == item.session_id).values(
            expected_count=AuditSession.expected_count - counted, scanned_count=AuditSession.scanned_count - seen,
            version=AuditSession.version + 1))
    await session.execute(update(BlankTag).where(BlankTag.tenant_id == tenant_id, BlankTag.asset_id == asset.id).values(
        asset_id=None, claimed_at=None, claimed_by_user_id=None, claimed_by_api_key_id=None))
    # Explicitly, child tables first: a log's key to its schedule has no delete rule (see maintenance.models).
    for model in (AssetEvent, MaintenanceLog, MaintenanceSchedule, SessionItem):
        await session.execute(delete(model).where(model.tenant_id == tenant_id, model.asset_id == asset.id))
    await session.execute(delete(Asset).where(Asset.tenant_id == tenant_id, Asset.id == asset.id))


async def _category(session: AsyncSession, tenant_id: UUID, category: Any) -> None:
    counts = {"assets": await _count(session, select(func.count()).select_from(Asset).where(
        Asset.tenant_id == tenant_id, Asset.category_id == category.id))}
    scopes = (await session.execute(select(AuditSession.category_ids).where(AuditSession.tenant_id == tenant_id))).scalars()
    counts["sessions"] = sum(1 for ids in scopes if str(category.id) in (ids or []))
    if any(counts.values()):
        raise _blocked("category", {k: v for k, v in counts.items() if v})
    await session.delete(category)


async def _location(session: AsyncSession, tenant_id: UUID, location: Any) -> None:
    sessions_using = union(
        select(AuditSession.id).where(AuditSession.tenant_id == tenant_id, AuditSession.location_id == location.id),
        select(SessionItem.session_id).where(SessionItem.tenant_id == tenant_id,
                                             SessionItem.expected_location_id == location.id),
        select(ScannerPosition.session_id).where(ScannerPosition.tenant_id == tenant_id,
                                                 ScannerPosition.location_id == location.id),
    ).subquery()
    counts = {
        "subLocations": await _count(session, select(func.count()).select_from(Location).where(
            Location.tenant_id == tenant_id, Location.parent_id == location.id)),
        "assets": await _count(session, select(func.count()).select_from(Asset).where(
            Asset.tenant_id == tenant_id, Asset.location_id == location.id)),
        "sessions": await _count(session, select(func.count(distinct(sessions_using.c.id)))),
    }
    if any(counts.values()):
        raise _blocked("location", {k: v for k, v in counts.items() if v})
    await session.delete(location)


async def _person(session: AsyncSession, tenant_id: UUID, person: Any) -> None:
    assets = await _count(session, select(func.count()).select_from(Asset).where(
        Asset.tenant_id == tenant_id, Asset.assignee_id == person.id))
    if assets:
        raise _blocked("person", {"assets": assets})
    await session.delete(person)


async def _schedule(session: AsyncSession, tenant_id: UUID, schedule: Any) -> None:
    """Its logs stay, no longer tied to a schedule."""
    await session.execute(update(MaintenanceLog).where(
        MaintenanceLog.tenant_id == tenant_id, MaintenanceLog.schedule_id == schedule.id).values(schedule_id=None))
    await session.delete(schedule)


async def _plain(session: AsyncSession, tenant_id: UUID, row: Any) -> None:
    await session.delete(row)  # a log; a session, with its items, scans and scanner positions (cascade)


async def _custom_field(session: AsyncSession, tenant_id: UUID, field: Any) -> None:
    await customfields.purge(session, tenant_id, field)


PURGERS = {"asset": _asset, "category": _category, "location": _location, "person": _person,
           "customField": _custom_field, "maintenanceSchedule": _schedule, "maintenanceLog": _plain,
           "auditSession": _plain}


async def permanent_delete(session: AsyncSession, tenant_id: UUID,
                           refs: list[tuple[str, UUID]]) -> list[tuple[str, UUID]]:
    """Delete trashed records for good, all or nothing; dependents first, so one request can empty a branch."""
    async with one_transaction(session):
        work = []
        for index, kind, record_id in rules.ordered(refs, rules.PURGE_ORDER):
            row = await trashed_row(session, tenant_id, index, kind, record_id)
            work.append((index, kind, record_id, row, -depth(row) if kind == "location" else 0))
        work.sort(key=lambda w: (rules.PURGE_ORDER.index(w[1]), w[4]))  # sub-locations before their parents
        for index, kind, record_id, row, _ in work:
            try:
                await PURGERS[kind](session, tenant_id, row)
                await session.flush()
            except FieldscanError as exc:
                raise item_error(exc, index, kind, record_id) from None
    return [(kind, record_id) for _, kind, record_id, _, _ in work]
