"""The scan outcome rules (CONTRACT §5), in one pure function: no database, no HTTP.

Given what the session expects and what was scanned, decide the result and what to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

Result = Literal["accepted", "already_scanned", "wrong_location", "not_in_session", "unknown_code", "location_set"]
RESULTS: tuple[Result, ...] = ("accepted", "already_scanned", "wrong_location", "not_in_session", "unknown_code",
                               "location_set")
ItemState = Literal["unscanned", "scanned", "excluded", "extra"]


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
class Decision:
    result: Result
    # What the session item becomes: None leaves it as it is.
    new_state: ItemState | None = None
    # True when an already counted item's scan is rewritten (new time and scanner).
    rewrite: bool = False
    # Where the asset moves to (a MOVED event), or None.
    move_to: UUID | None = None


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
