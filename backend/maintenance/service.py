"""Maintenance schedules and logs: writes, lists, the due list; a completion advances its schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from msgspec import UNSET
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets.models import Asset
from backend.assets.rules import cost_problem, stored_cost
from backend.context import Principal
from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import find_live, get_in_tenant, mark_deleted
from backend.errors import BadRequest, Conflict
from backend.events import service as events
from backend.maintenance import rules
from backend.maintenance.models import MaintenanceLog, MaintenanceSchedule
from backend.maintenance.schemas import LogIn, LogPatch, ScheduleIn, SchedulePatch

Schedule, Log = MaintenanceSchedule, MaintenanceLog
BY_DUE = listing.Sort(Schedule.next_due_date, False, listing.PARSERS[date])
NEWEST_FIRST = listing.Sort(Log.completed_date, True, listing.PARSERS[datetime])


async def _live_asset(session: AsyncSession, tenant_id: UUID, asset_id: UUID) -> Asset:
    return await find_live(session, Asset, tenant_id, asset_id, "itemId", "asset")


async def get_schedule(session: AsyncSession, tenant_id: UUID, schedule_id: UUID) -> Schedule:
    return await get_in_tenant(session, Schedule, tenant_id, schedule_id, "Maintenance schedule")


async def get_log(session: AsyncSession, tenant_id: UUID, log_id: UUID) -> Log:
    return await get_in_tenant(session, Log, tenant_id, log_id, "Maintenance log")


def _cost(cost: Decimal | None) -> Decimal | None:
    if cost is not None and (problem := cost_problem(cost)):
        raise BadRequest(f"cost {problem}", {"cost": problem})
    return stored_cost(cost) if cost is not None else None


async def create_schedule(session: AsyncSession, tenant_id: UUID, data: ScheduleIn) -> Schedule:
    await _live_asset(session, tenant_id, data.item_id)
    schedule = Schedule(tenant_id=tenant_id, asset_id=data.item_id, title=data.title.strip(), type=data.type.strip(),
                        interval_value=data.interval_value, interval_unit=data.interval_unit,
                        next_due_date=data.next_due_date, reminder_days=data.reminder_days, notes=data.notes)
    session.add(schedule)
    await session.commit()
    return schedule


async def update_schedule(session: AsyncSession, tenant_id: UUID, schedule_id: UUID, data: SchedulePatch) -> Schedule:
    schedule = await get_schedule(session, tenant_id, schedule_id)
    if schedule.deleted_at is not None:
        raise Conflict("This maintenance schedule is deleted; restore it before changing it")
    for field in ("title", "type"):
        value = getattr(data, field)
        if value is not UNSET:
            setattr(schedule, field, value.strip())
    for field in ("interval_value", "interval_unit", "next_due_date", "reminder_days", "notes"):
        value = getattr(data, field)
        if value is not UNSET:
            setattr(schedule, field, value)
    schedule.updated_at = utcnow()
    await session.commit()
    return schedule


async def delete_schedule(session: AsyncSession, tenant_id: UUID, schedule_id: UUID) -> None:
    mark_deleted(await get_schedule(session, tenant_id, schedule_id))
    await session.commit()


async def restore_schedule(session: AsyncSession, tenant_id: UUID, schedule_id: UUID) -> Schedule:
    return await _restore(session, await get_schedule(session, tenant_id, schedule_id))


async def restore_log(session: AsyncSession, tenant_id: UUID, log_id: UUID) -> Log:
    return await _restore(session, await get_log(session, tenant_id, log_id))


async def _restore(session: AsyncSession, row: Any) -> Any:
    if row.deleted_at is not None:
        row.deleted_at = None
        row.updated_at = utcnow()
        await session.commit()
    return row


async def schedules_of_asset(session: AsyncSession, tenant_id: UUID, asset_id: UUID, limit: int | None,
                             cursor: str | None):
    await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset")
    stmt = select(Schedule).where(Schedule.tenant_id == tenant_id, Schedule.asset_id == asset_id,
                                  Schedule.deleted_at.is_(None))
    return await listing.page(session, stmt, Schedule.id, BY_DUE, limit, cursor)


async def logs_of_asset(session: AsyncSession, tenant_id: UUID, asset_id: UUID, limit: int | None, cursor: str | None):
    await get_in_tenant(session, Asset, tenant_id, asset_id, "Asset")
    stmt = select(Log).where(Log.tenant_id == tenant_id, Log.asset_id == asset_id, Log.deleted_at.is_(None))
    return await listing.page(session, stmt, Log.id, NEWEST_FIRST, limit, cursor)


async def logs_of_schedule(session: AsyncSession, tenant_id: UUID, schedule_id: UUID, limit: int | None,
                           cursor: str | None):
    await get_schedule(session, tenant_id, schedule_id)
    stmt = select(Log).where(Log.tenant_id == tenant_id, Log.schedule_id == schedule_id, Log.deleted_at.is_(None))
    return await listing.page(session, stmt, Log.id, NEWEST_FIRST, limit, cursor)


async def create_log(session: AsyncSession, principal: Principal, data: LogIn) -> Log:
    """Record work done; for a schedule of the same asset, move its next due date on (rules.next_due)."""
    tenant_id = principal.tenant.id
    if rules.completion_in_future(data.completed_date, utcnow()):
        raise BadRequest("completedDate is in the future; record work once it is done",
                         {"completedDate": "must not be in the future"})
    cost = _cost(data.cost)
    await _live_asset(session, tenant_id, data.item_id)
    schedule = None
    if data.schedule_id is not None:
        schedule = await find_live(session, Schedule, tenant_id, data.schedule_id, "scheduleId", "maintenance schedule")
        if schedule.asset_id != data.item_id:
            raise BadRequest("scheduleId: that schedule is for another asset", {"scheduleId": "belongs to another asset"})
    log = Log(tenant_id=tenant_id, asset_id=data.item_id, schedule_id=data.schedule_id, type=data.type.strip(),
              completed_date=data.completed_date, cost=cost, notes=data.notes, performed_by_user_id=principal.user_id)
    if schedule is not None:
        latest = (await session.execute(select(func.max(Log.completed_date)).where(
            Log.tenant_id == tenant_id, Log.schedule_id == schedule.id, Log.deleted_at.is_(None)))).scalar_one()
        if rules.advances(data.completed_date, latest):
            completed_on = data.completed_date.astimezone(UTC).date()
            schedule.next_due_date = rules.next_due(completed_on, schedule.interval_value, schedule.interval_unit)
            schedule.updated_at = utcnow()
    session.add(log)
    await session.flush()  # the log's id, for the event
    event: dict[str, Any] = {"logId": str(log.id), "type": log.type}
    if schedule is not None:
        event["scheduleId"] = str(schedule.id)
    events.record(session, principal, tenant_id, data.item_id, "MAINTENANCE_COMPLETED", event, at=data.completed_date)
    await session.commit()
    return log


async def update_log(session: AsyncSession, tenant_id: UUID, log_id: UUID, data: LogPatch) -> Log:
    log = await get_log(session, tenant_id, log_id)
    if log.deleted_at is not None:
        raise Conflict("This maintenance log is deleted; restore it before changing it")
    if data.type is not UNSET:
        log.type = data.type.strip()
    if data.cost is not UNSET:
        log.cost = _cost(data.cost)
    if data.notes is not UNSET:
        log.notes = data.notes
    log.updated_at = utcnow()
    await session.commit()
    return log


async def delete_log(session: AsyncSession, tenant_id: UUID, log_id: UUID) -> None:
    mark_deleted(await get_log(session, tenant_id, log_id))
    await session.commit()


def lookahead(lookahead_days: int | None, reminder_days: int | None) -> int:
    """The due list's window from `lookaheadDays` or its alias `reminderDays`."""
    for name, value in (("lookaheadDays", lookahead_days), ("reminderDays", reminder_days)):
        if problem := rules.lookahead_problem(name, value):
            raise BadRequest(problem, {name: problem})
    if lookahead_days is not None and reminder_days is not None and lookahead_days != reminder_days:
        raise BadRequest("lookaheadDays and reminderDays are the same setting; give one",
                         {"lookaheadDays": "differs from reminderDays", "reminderDays": "differs from lookaheadDays"})
    return lookahead_days or reminder_days or rules.LOOKAHEAD_DEFAULT


async def due(session: AsyncSession, tenant_id: UUID, window: int) -> tuple[Any, dict[str, list[Any]]]:
    """Today (UTC) and the live schedules of live, unretired assets by rules.classify, soonest first."""
    today = utcnow().date()
    rows = await session.execute(
        select(Schedule, Asset.tag, Asset.name)
        .join(Asset, (Asset.tenant_id == Schedule.tenant_id) & (Asset.id == Schedule.asset_id))
        .where(Schedule.tenant_id == tenant_id, Schedule.deleted_at.is_(None), Asset.deleted_at.is_(None),
               Asset.status != "retired", Schedule.next_due_date <= today + timedelta(days=window))
        .order_by(Schedule.next_due_date, Asset.tag_key, Schedule.id))
    found: dict[str, list[Any]] = {rules.OVERDUE: [], rules.DUE_TODAY: [], rules.UPCOMING: []}
    for schedule, tag, name in rows:
        if kind := rules.classify(schedule.next_due_date, schedule.reminder_days, today, window):
            found[kind].append((schedule, tag, name, (schedule.next_due_date - today).days))
    return today, found
