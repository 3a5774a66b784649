"""The scan outcome rules (CONTRACT §5) and their undo, as pure functions: no database, no HTTP.

Given what the session expects and what was scanned, decide the result, what to write and how the
session's counters move; given what a scan made of an item, say what undoing it leaves.
tests/data/scan_rules.json is the table both this module and the PWA's offline resolver are held to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

Result = Literal["accepted", "already_scanned", "wrong_location", "not_in_session", "unknown_code", "location_set"]
RESULTS: tuple[Result, ...] = ("accepted", "already_scanned", "wrong_location", "not_in_session", "unknown_code",
                               "location_set")
ItemState = Literal["unscanned", "scanned", "excluded", "extra"]
# A device clock this far ahead of the server's is wrong, not early: its scan is placed at the server's time.
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a session counts. location_ids is the scope's location and, if chosen, every one below it;
    None means the session is not location-scoped (categories only, or everything)."""

    location_id: UUID | None
    location_ids: frozenset[UUID] | None


@dataclass(frozen=True, slots=True)
class Sighting:
    """One asset seen by a scanner."""

    item_state: ItemState | None  # None: the asset is not in the session's expected set
    asset_location_id: UUID
    current_location_id: UUID | None = None  # the scanner's location (a door tag scanned, or sent)
    allow_mark_anyway: bool = False
    allow_rescan: bool = False
    relocate: bool = False


@dataclass(frozen=True, slots=True)
class Counts:
    """How a session's counters move: scanned (items seen) and expected (the progress total)."""

    scanned: int = 0
    expected: int = 0


# What the counters do when an item becomes this state by a scan: seen, or seen on top of the expected set.
_SCAN_COUNTS: dict[ItemState | None, Counts] = {"scanned": Counts(scanned=1), "extra": Counts(scanned=1, expected=1)}


@dataclass(frozen=True, slots=True)
class Decision:
    result: Result
    # What the session item becomes: None leaves it as it is.
    new_state: ItemState | None = None
    # True when an already counted item's scan is rewritten (new time and scanner).
    rewrite: bool = False
    # Where the asset moves to (a MOVED event), or None.
    move_to: UUID | None = None

    @property
    def counts(self) -> Counts:
        return _SCAN_COUNTS.get(self.new_state, Counts())


def decide(scope: Scope, seen: Sighting) -> Decision:
    state = seen.item_state
    if state == "unscanned":
        return Decision("accepted", new_state="scanned")
    if state in ("scanned", "extra"):
        if seen.allow_rescan:
            return Decision("accepted", rewrite=True)
        return Decision("already_scanned")
    # Not expected here (never in the set, or excluded from it).
    outside_scope = (state is None and scope.location_ids is not None
                     and seen.asset_location_id not in scope.location_ids)
    if not seen.allow_mark_anyway:
        return Decision("wrong_location" if outside_scope else "not_in_session")
    move_to = relocation_target(scope, seen) if seen.relocate else None
    return Decision("accepted", new_state="extra", move_to=move_to)


def relocation_target(scope: Scope, seen: Sighting) -> UUID | None:
    """The scanner's current location when it is inside the scope, else the session's location; None
    when neither is known or the asset is already there."""
    target = seen.current_location_id
    if target is None or (scope.location_ids is not None and target not in scope.location_ids):
        target = scope.location_id
    if target is None or target == seen.asset_location_id:
        return None
    return target


def scan_time(device_time: datetime | None, now: datetime) -> tuple[datetime, float | None]:
    """When a scan happened: the device's time (an offline scan is synced later) unless it lies more than
    CLOCK_SKEW_TOLERANCE in the future, then the server's; and the seconds the device was ahead, or None."""
    if device_time is None:
        return now, None
    ahead = device_time - now
    if ahead > CLOCK_SKEW_TOLERANCE:
        return now, round(ahead.total_seconds(), 3)
    return device_time, None


class NothingToUndo(ValueError):
    """The item has not been counted in this session: there is no scan to take back."""

    def __init__(self, state: str | None) -> None:
        super().__init__(f"an item that is {state or 'not in the session'} has no counted scan to undo")
        self.state = state


@dataclass(frozen=True, slots=True)
class Undo:
    """What undoing an item's counting scan leaves: its new state (None: it leaves the session) and the
    counters' move."""

    new_state: ItemState | None
    counts: Counts


def undo_effect(state: ItemState | None, in_snapshot: bool) -> Undo:
    """Undo a counted scan. An expected item is unseen again; an extra leaves the session, unless it was
    part of the snapshot (excluded, then marked anyway), which goes back to excluded. Anything else raises
    NothingToUndo. in_snapshot: the item was in the expected set before it was marked."""
    if state == "scanned":
        return Undo("unscanned", Counts(scanned=-1))
    if state == "extra":
        return Undo("excluded" if in_snapshot else None, Counts(scanned=-1, expected=-1))
    raise NothingToUndo(state)
