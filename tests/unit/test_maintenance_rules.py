"""Maintenance rules: the next due date after a completion, and the due list's classification."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.maintenance import rules

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1))


def test_next_due_in_days_and_months():
    assert rules.next_due(date(2026, 3, 1), 10, "days") == date(2026, 3, 11)
    assert rules.next_due(date(2026, 1, 31), 1, "months") == date(2026, 2, 28)
    assert rules.next_due(date(2024, 1, 31), 1, "months") == date(2024, 2, 29)
    assert rules.next_due(date(2026, 11, 30), 3, "months") == date(2027, 2, 28)
    with pytest.raises(ValueError):
        rules.next_due(date(2026, 1, 1), 1, "weeks")


@given(days, st.integers(1, 3650))
def test_next_due_in_days_is_exactly_the_interval_later(done, interval):
    assert (rules.next_due(done, interval, "days") - done).days == interval


@given(days, st.integers(1, 1200))
def test_next_due_in_months_is_that_many_calendar_months_later_clamped(done, interval):
    due = rules.next_due(done, interval, "months")
    assert (due.year * 12 + due.month) - (done.year * 12 + done.month) == interval
    assert due.day == min(done.day, calendar.monthrange(due.year, due.month)[1])
    assert due > done


def test_only_the_latest_completion_moves_the_schedule():
    t = datetime(2026, 3, 1, tzinfo=UTC)
    assert rules.advances(t, None)
    assert rules.advances(t, t - timedelta(days=1))
    assert not rules.advances(t - timedelta(days=2), t)


def test_a_completion_in_the_future_is_refused_beyond_clock_skew():
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert not rules.completion_in_future(now + timedelta(minutes=4), now)
    assert rules.completion_in_future(now + timedelta(minutes=6), now)


@given(days, st.integers(0, 365), days, st.integers(1, 60))
def test_classification_follows_the_reference(due, reminder, today, lookahead):
    kind = rules.classify(due, reminder, today, lookahead)
    if due < today:
        assert kind == rules.OVERDUE
    elif due == today:
        assert kind == rules.DUE_TODAY
    elif (due - today).days <= reminder and (due - today).days <= lookahead:
        assert kind == rules.UPCOMING
    else:
        assert kind is None


def test_upcoming_respects_both_the_schedule_and_the_lookahead():
    today = date(2026, 3, 1)
    assert rules.classify(today + timedelta(days=7), 7, today, 7) == rules.UPCOMING
    assert rules.classify(today + timedelta(days=8), 7, today, 60) is None  # the schedule reminds 7 days ahead
    assert rules.classify(today + timedelta(days=20), 30, today, 7) is None  # the list looks 7 days ahead
    assert rules.classify(today + timedelta(days=20), 30, today, 30) == rules.UPCOMING
    assert rules.classify(today + timedelta(days=1), 0, today, 7) is None  # reminderDays 0: only once due


def test_lookahead_range():
    assert rules.lookahead_problem("lookaheadDays", 0)
    assert rules.lookahead_problem("lookaheadDays", 61)
    assert rules.lookahead_problem("lookaheadDays", 1) is None
    assert rules.lookahead_problem("lookaheadDays", 60) is None
    assert rules.lookahead_problem("lookaheadDays", None) is None
