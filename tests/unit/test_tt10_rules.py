"""TT10: minutes from a user's first quick-created asset to their tenth assignment after it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, UTC
from uuid import UUID

from hypothesis import given, strategies as st

from backend.quickadd.rules import ASSIGNED, CREATED, tt10

ADA, GRACE = UUID(int=1), UUID(int=2)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_ten_assignments_in_nine_and_a_half_minutes_meet_the_target():
    events = [(ADA, CREATED, at(0)), *[(ADA, ASSIGNED, at(n + 0.5)) for n in range(10)]]
    [ada] = tt10(events)
    assert (ada.first_created_at, ada.tenth_assigned_at) == (at(0), at(9.5))
    assert ada.tt10_minutes == 9.5 and ada.meets_target


def test_exactly_ten_minutes_misses_the_target():
    [ada] = tt10([(ADA, CREATED, at(0)), *[(ADA, ASSIGNED, at(n + 1)) for n in range(10)]])
    assert ada.tt10_minutes == 10.0 and not ada.meets_target


def test_nine_assignments_have_no_tt10_yet():
    [ada] = tt10([(ADA, CREATED, at(0)), *[(ADA, ASSIGNED, at(n + 1)) for n in range(9)]])
    assert ada.tenth_assigned_at is None and ada.tt10_minutes is None and not ada.meets_target
    assert ada.assets_assigned == 9


def test_assignments_before_the_first_quick_add_are_not_onboarding():
    events = [(ADA, ASSIGNED, at(-5)), (ADA, CREATED, at(0)), *[(ADA, ASSIGNED, at(n + 1)) for n in range(9)]]
    [ada] = tt10(events)
    assert ada.tt10_minutes is None and ada.assets_assigned == 10


def test_without_a_quick_add_there_is_no_start():
    [ada] = tt10([(ADA, "quick_add_opened", at(0)), *[(ADA, ASSIGNED, at(n)) for n in range(12)]])
    assert ada.first_created_at is None and ada.tt10_minutes is None and not ada.meets_target


def test_users_are_reported_apart():
    events = [(GRACE, CREATED, at(0)), (ADA, CREATED, at(3)),
              *[(GRACE, ASSIGNED, at(n + 1)) for n in range(10)], *[(ADA, ASSIGNED, at(30 + n)) for n in range(10)]]
    ada, grace = tt10(events)
    assert (ada.user_id, grace.user_id) == (ADA, GRACE)
    assert (ada.tt10_minutes, grace.tt10_minutes) == (36.0, 10.0)


def test_no_events_no_users():
    assert tt10([]) == []


minutes = st.floats(min_value=0, max_value=60 * 24 * 30, allow_nan=False, allow_infinity=False)
kinds = st.sampled_from([CREATED, ASSIGNED, "quick_add_opened", "advanced_opened"])
user_events = st.lists(st.tuples(st.sampled_from([ADA, GRACE]), kinds, minutes), max_size=60)


@given(user_events, st.randoms(use_true_random=False))
def test_the_order_of_the_events_does_not_matter(events, shuffler: random.Random):
    timed = [(user, kind, at(m)) for user, kind, m in events]
    shuffled = list(timed)
    shuffler.shuffle(shuffled)
    assert tt10(shuffled) == tt10(timed)


@given(user_events)
def test_tt10_agrees_with_counting_by_hand(events):
    timed = [(user, kind, at(m)) for user, kind, m in events]
    for entry in tt10(timed):
        mine = [(when, kind) for user, kind, when in timed if user == entry.user_id]
        created = sorted(when for when, kind in mine if kind == CREATED)
        assert entry.assets_created == len(created)
        assert entry.assets_assigned == sum(kind == ASSIGNED for _, kind in mine)
        assert entry.first_created_at == (created[0] if created else None)
        if entry.tt10_minutes is None:
            assert not entry.meets_target
            assert not created or sum(kind == ASSIGNED and when >= created[0] for when, kind in mine) < 10
            continue
        assert entry.tenth_assigned_at is not None and entry.first_created_at is not None
        after = sorted(when for when, kind in mine if kind == ASSIGNED and when >= entry.first_created_at)
        assert entry.tenth_assigned_at == after[9]
        assert entry.tt10_minutes >= 0
        assert abs(entry.tt10_minutes - (after[9] - created[0]).total_seconds() / 60) <= 0.005
        assert entry.meets_target == (entry.tt10_minutes < 10)
