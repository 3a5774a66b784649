"""Maintenance rules: when a schedule is next due after a completion, and how due schedules are classified.

- Next due counts from the completion date, early or late: done a week early, the next one is due a full
  interval after that day; done late, likewise (the missed days are not made up).
- Months are calendar months, clamped to the end of the month: Jan 31 + 1 month = Feb 28 (29 in a leap year).
- A completion can not be in the future (a few minutes of device clock skew aside).
- A completion older than another completion of the same schedule (a record filled in afterwards) does
  not move the schedule: only the latest completion counts.
- Reminders, with "today" the UTC date: overdue when the next due date is before today, due today when it
  is today, upcoming when it is after today by at most the schedule's reminderDays and at most the list's
  lookahead (the lookahead bounds the list; each schedule says how early it wants to be reminded).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from backend.health.rules import add_months

INTERVAL_UNITS = ("days", "months")
CLOCK_SKEW = timedelta(minutes=5)
LOOKAHEAD_DEFAULT = 7
LOOKAHEAD_RANGE = (1, 60)
OVERDUE, DUE_TODAY, UPCOMING = "overdue", "dueToday", "upcoming"


def next_due(completed_on: date, interval_value: int, interval_unit: str) -> date:
    """The next due date after work done on `completed_on`."""
    if interval_value < 1:
        raise ValueError("interval_value must be at least 1")
    if interval_unit == "days":
        return completed_on + timedelta(days=interval_value)
    if interval_unit == "months":
        return add_months(completed_on, interval_value)
    raise ValueError(f"unknown interval unit {interval_unit!r}")


def advances(completed_at: datetime, latest_other: datetime | None) -> bool:
    """Whether a new completion moves its schedule: only if no other completion of it is later."""
    return latest_other is None or completed_at >= latest_other


def completion_in_future(completed_at: datetime, now: datetime) -> bool:
    return completed_at > now + CLOCK_SKEW


def classify(next_due_date: date, reminder_days: int, today: date, lookahead_days: int) -> str | None:
    """overdue, dueToday, upcoming, or None (not due within the window)."""
    if next_due_date < today:
        return OVERDUE
    if next_due_date == today:
        return DUE_TODAY
    if (next_due_date - today).days <= min(reminder_days, lookahead_days):
        return UPCOMING
    return None


def lookahead_problem(name: str, value: int | None) -> str | None:
    low, high = LOOKAHEAD_RANGE
    if value is not None and not low <= value <= high:
        return f"{name} must be between {low} and {high}"
    return None
