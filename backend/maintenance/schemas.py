from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.wire import END, LongText, Name, Out, Page, Wire

Kind = Annotated[str, Meta(min_length=1, max_length=64, pattern=rf"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?{END}",
                               description="What kind of work: service, inspection, repair, calibration, …")]
IntervalValue = Annotated[int, Meta(ge=1, le=3650)]
IntervalUnit = Literal["days", "months"]
ReminderDays = Annotated[int, Meta(ge=0, le=365, description="How many days before the due date it is upcoming")]
CompletedAt = Annotated[datetime, Meta(tz=True, description="When the work was done (ISO 8601 with a time zone); "
                                                            "not in the future")]
Cost = Annotated[Decimal, Meta(description="At most two decimal places, not negative")]


class ScheduleIn(Wire):
    item_id: UUID
    title: Name
    interval_value: IntervalValue
    interval_unit: IntervalUnit
    next_due_date: date
    type: Kind = "service"
    reminder_days: ReminderDays = 7
    notes: LongText = ""


class SchedulePatch(Wire):
    title: Name | UnsetType = UNSET
    type: Kind | UnsetType = UNSET
    interval_value: IntervalValue | UnsetType = UNSET
    interval_unit: IntervalUnit | UnsetType = UNSET
    next_due_date: date | UnsetType = UNSET
    reminder_days: ReminderDays | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET


class ScheduleOut(Out):
    id: UUID
    item_id: UUID
    title: str
    type: str
    interval_value: int
    interval_unit: str
    next_due_date: date
    reminder_days: int
    notes: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class LogIn(Wire):
    item_id: UUID
    type: Kind
    completed_date: CompletedAt
    schedule_id: UUID | None = None
    cost: Cost | None = None
    notes: LongText = ""


class LogPatch(Wire):
    type: Kind | UnsetType = UNSET
    cost: Cost | None | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET


class LogOut(Out):
    id: UUID
    item_id: UUID
    schedule_id: UUID | None
    type: str
    completed_date: datetime
    cost: Decimal | None
    notes: str
    performed_by_user_id: UUID | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class DueScheduleOut(Out):
    id: UUID
    item_id: UUID
    item_tag: str
    item_name: str
    title: str
    type: str
    next_due_date: date
    reminder_days: int
    days_until_due: int  # negative when overdue


class DueCounts(Out):
    overdue: int
    due_today: int
    upcoming: int


class DueOut(Out):
    today: date
    lookahead_days: int
    overdue: list[DueScheduleOut]
    due_today: list[DueScheduleOut]
    upcoming: list[DueScheduleOut]
    counts: DueCounts


SchedulePage = Page[ScheduleOut]
LogPage = Page[LogOut]
