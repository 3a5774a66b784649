"""The status table: what a manager can do with an asset in each status, and through which route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backend.assets import rules
from backend.assets.models import STATUSES

statuses = st.sampled_from(STATUSES)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def reachable_from(start: str) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        for to in rules.allowed_moves(frontier.pop()):
            if to not in seen:
                seen.add(to)
                frontier.append(to)
    return seen


def test_the_table_covers_every_status_and_only_known_ones() -> None:
    assert set(rules.TRANSITIONS) == set(STATUSES)
    for moves in rules.TRANSITIONS.values():
        assert set(moves) <= set(STATUSES)
        assert set(moves.values()) <= {"status", "checkout", "checkin"}


@given(statuses)
def test_every_status_can_be_reached_from_every_other(status: str) -> None:
    # Nothing is a dead end: even a retired asset can be brought back.
    assert reachable_from(status) == set(STATUSES)


@given(statuses)
def test_no_status_moves_to_itself(status: str) -> None:
    assert status not in rules.allowed_moves(status)


def test_check_out_is_the_only_way_into_use_and_only_from_available() -> None:
    into_use = {(s, moves["in_use"]) for s, moves in rules.TRANSITIONS.items() if "in_use" in moves}
    assert into_use == {("available", "checkout")}


def test_check_in_is_the_only_way_from_use_back_to_available() -> None:
    assert rules.allowed_moves("in_use")["available"] == "checkin"
    assert [via for moves in rules.TRANSITIONS.values() for via in moves.values()].count("checkin") == 1


def test_retiring_needs_a_reason_and_a_retired_asset_can_only_come_back_as_available() -> None:
    assert "retired" in rules.REASON_REQUIRED
    assert rules.allowed_moves("retired") == {"available": "status"}


@given(statuses)
def test_every_status_but_retired_itself_can_be_retired(status: str) -> None:
    assert ("retired" in rules.allowed_moves(status)) == (status != "retired")


def test_an_audit_can_mark_missing_everything_but_retired_and_missing_assets() -> None:
    assert set(rules.statuses_into("missing")) == {"available", "in_use", "reserved", "maintenance"}


def test_an_unknown_status_allows_nothing() -> None:
    assert rules.allowed_moves("lost_in_space") == {}


@given(statuses)
def test_only_available_or_in_use_assets_can_be_given_to_someone(status: str) -> None:
    assert (rules.assignment_problem(status, True) is None) == (status in ("available", "in_use"))


@given(statuses)
def test_taking_an_asset_back_is_always_allowed(status: str) -> None:
    assert rules.assignment_problem(status, False) is None


@given(statuses, st.integers(min_value=-10_000, max_value=10_000))
def test_only_a_checked_out_asset_past_its_due_date_is_overdue(status: str, minutes: int) -> None:
    due = NOW + timedelta(minutes=minutes)
    assert rules.is_overdue(status, due, NOW) == (status == "in_use" and minutes < 0)


@given(statuses)
def test_without_a_due_date_nothing_is_overdue(status: str) -> None:
    assert not rules.is_overdue(status, None, NOW)
