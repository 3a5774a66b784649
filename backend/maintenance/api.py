"""Maintenance schedules and logs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.auth.guards import manager, technician
from backend.context import Caller, DB
from backend.maintenance import service
from backend.maintenance.schemas import (
    DueCounts, DueOut, DueScheduleOut, LogIn, LogOut, LogPage, LogPatch, ScheduleIn, ScheduleOut, SchedulePage,
    SchedulePatch,
)
from backend.wire import from_row, parse_uuid

LookaheadQuery = Annotated[int | None, QueryParameter(name="lookaheadDays")]
ReminderDaysQuery = Annotated[int | None, QueryParameter(name="reminderDays")]
PAGING = "`limit` 1..200 (default 50), `cursor` from the previous page's `nextCursor`."
ADVANCE_DOC = ("With a `scheduleId` (a live schedule of the same asset), the schedule's next due date becomes the "
               "completion's date (UTC) plus its interval, whether the work was early or late; months are calendar "
               "months clamped to the month's end. A completion older than another one of the schedule leaves it "
               "as is. `completedDate` must not be in the future. Writes a MAINTENANCE_COMPLETED event.")


def schedule_out(row: Any) -> ScheduleOut:
    return from_row(ScheduleOut, row, item_id=row.asset_id)


def log_out(row: Any) -> LogOut:
    return from_row(LogOut, row, item_id=row.asset_id)


@post("/schedules", guards=[manager], summary="Schedule recurring maintenance for an asset",
      description="`intervalUnit` days or months, `intervalValue` 1..3650, `reminderDays` 0..365 (default 7): how "
                  "early the schedule shows as upcoming. `itemId` must be a live asset.")
async def create_schedule(data: JSONBody[ScheduleIn], db: DB, principal: Caller) -> ScheduleOut:
    return schedule_out(await service.create_schedule(db, principal.tenant.id, data))


@get("/schedules/due/all", summary="Schedules overdue, due today and upcoming",
     description="Today is the UTC date. overdue: next due date before today; dueToday: today; upcoming: after "
                 "today by at most the schedule's `reminderDays` and at most `lookaheadDays` (1..60, default 7; "
                 "`reminderDays` is accepted as its alias). Schedules of deleted or retired assets are left out. "
                 "Each list is soonest first, with the asset's tag and name.")
async def due_schedules(db: DB, principal: Caller, lookahead_days: LookaheadQuery = None,
                        reminder_days: ReminderDaysQuery = None) -> DueOut:
    window = service.lookahead(lookahead_days, reminder_days)
    today, found = await service.due(db, principal.tenant.id, window)
    lists = {kind: [from_row(DueScheduleOut, s, item_id=s.asset_id, item_tag=tag, item_name=name, days_until_due=days)
                    for s, tag, name, days in rows] for kind, rows in found.items()}
    return DueOut(today=today, lookahead_days=window, overdue=lists["overdue"], due_today=lists["dueToday"],
                  upcoming=lists["upcoming"], counts=DueCounts(overdue=len(lists["overdue"]),
                                                               due_today=len(lists["dueToday"]),
                                                               upcoming=len(lists["upcoming"])))


@get("/schedules/item/{item_id:str}", summary="An asset's maintenance schedules",
     description=f"Live schedules, soonest due first. {PAGING}")
async def item_schedules(item_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                         cursor: FromQuery[str | None] = None) -> SchedulePage:
    rows, next_cursor = await service.schedules_of_asset(db, principal.tenant.id, parse_uuid(item_id, "itemId"),
                                                         limit, cursor)
    return SchedulePage(items=[schedule_out(r) for r in rows], next_cursor=next_cursor)


@get("/schedules/{schedule_id:str}", summary="Get a maintenance schedule")
async def get_schedule(schedule_id: FromPath[str], db: DB, principal: Caller) -> ScheduleOut:
    return schedule_out(await service.get_schedule(db, principal.tenant.id, parse_uuid(schedule_id, "id")))


@patch("/schedules/{schedule_id:str}", guards=[manager], summary="Change a maintenance schedule")
async def update_schedule(schedule_id: FromPath[str], data: JSONBody[SchedulePatch], db: DB,
                          principal: Caller) -> ScheduleOut:
    return schedule_out(await service.update_schedule(db, principal.tenant.id, parse_uuid(schedule_id, "id"), data))


@delete("/schedules/{schedule_id:str}", guards=[manager], summary="Delete a maintenance schedule (soft; see the trash)",
        description="Its logs stay. Restore it from the trash.")
async def delete_schedule(schedule_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete_schedule(db, principal.tenant.id, parse_uuid(schedule_id, "id"))


@post("/logs", guards=[manager], summary="Record maintenance done on an asset", description=ADVANCE_DOC)
async def create_log(data: JSONBody[LogIn], db: DB, principal: Caller) -> LogOut:
    return log_out(await service.create_log(db, principal, data))


@get("/logs/item/{item_id:str}", summary="An asset's maintenance logs",
     description=f"Live logs, most recently completed first. {PAGING}")
async def item_logs(item_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                    cursor: FromQuery[str | None] = None) -> LogPage:
    rows, next_cursor = await service.logs_of_asset(db, principal.tenant.id, parse_uuid(item_id, "itemId"),
                                                    limit, cursor)
    return LogPage(items=[log_out(r) for r in rows], next_cursor=next_cursor)


@get("/logs/schedule/{schedule_id:str}", summary="A schedule's maintenance logs",
     description=f"Live logs, most recently completed first. {PAGING}")
async def schedule_logs(schedule_id: FromPath[str], db: DB, principal: Caller, limit: FromQuery[int | None] = None,
                        cursor: FromQuery[str | None] = None) -> LogPage:
    rows, next_cursor = await service.logs_of_schedule(db, principal.tenant.id,
                                                       parse_uuid(schedule_id, "scheduleId"), limit, cursor)
    return LogPage(items=[log_out(r) for r in rows], next_cursor=next_cursor)


@get("/logs/{log_id:str}", summary="Get a maintenance log")
async def get_log(log_id: FromPath[str], db: DB, principal: Caller) -> LogOut:
    return log_out(await service.get_log(db, principal.tenant.id, parse_uuid(log_id, "id")))


@patch("/logs/{log_id:str}", guards=[manager], summary="Change a maintenance log",
       description="`type`, `cost` and `notes`; the completion date and schedule are fixed (delete the log and "
                   "record it again). Changing a log never moves its schedule.")
async def update_log(log_id: FromPath[str], data: JSONBody[LogPatch], db: DB, principal: Caller) -> LogOut:
    return log_out(await service.update_log(db, principal.tenant.id, parse_uuid(log_id, "id"), data))


@delete("/logs/{log_id:str}", guards=[manager], summary="Delete a maintenance log (soft; see the trash)",
        description="The schedule it advanced keeps its next due date (change that with PATCH on the schedule).")
async def delete_log(log_id: FromPath[str], db: DB, principal: Caller) -> None:
    await service.delete_log(db, principal.tenant.id, parse_uuid(log_id, "id"))


router = Router("/maintenance", guards=[technician], tags=["maintenance"], route_handlers=[
    create_schedule, due_schedules, item_schedules, get_schedule, update_schedule, delete_schedule,
    create_log, item_logs, schedule_logs, get_log, update_log, delete_log,
])
