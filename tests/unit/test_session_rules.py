"""The scan outcome table (CONTRACT §5): what a scan answers and what it writes, for every kind of sighting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given, strategies as st

from backend.sessions.rules import (
    CLOCK_SKEW_TOLERANCE, RESULTS, Decision, Scope, Sighting, decide, relocation_target, scan_time,
)

HQ = UUID(int=1)  # the session's location
ROOM = UUID(int=2)  # below HQ, inside the scope
WAREHOUSE = UUID(int=3)  # outside the scope
GARAGE = UUID(int=4)  # outside the scope too
SCOPED = Scope(location_id=HQ, location_ids=frozenset({HQ, ROOM}))
EVERYTHING = Scope(location_id=None, location_ids=None)  # an unscoped (or categories-only) session


def seen(state, at, current=None, *, mark=False, rescan=False, relocate=False) -> Sighting:
    return Sighting(item_state=state, asset_location_id=at, current_location_id=current, allow_mark_anyway=mark,
                    allow_rescan=rescan, relocate=relocate)


OUTCOMES = [
    # First scan of an expected item: counted, wherever it is recorded and whatever the flags say.
    pytest.param(SCOPED, seen("unscanned", ROOM), Decision("accepted", new_state="scanned"), id="expected-first-scan"),
    pytest.param(EVERYTHING, seen("unscanned", WAREHOUSE), Decision("accepted", new_state="scanned"),
                 id="expected-first-scan-unscoped"),
    pytest.param(SCOPED, seen("unscanned", WAREHOUSE), Decision("accepted", new_state="scanned"),
                 id="expected-but-moved-out-since-the-snapshot-still-counts"),
    pytest.param(SCOPED, seen("unscanned", WAREHOUSE, ROOM, mark=True, rescan=True, relocate=True),
                 Decision("accepted", new_state="scanned"), id="expected-first-scan-ignores-relocate"),
    # Counted before: nothing changes, unless a rescan is asked for.
    pytest.param(SCOPED, seen("scanned", ROOM), Decision("already_scanned"), id="scanned-again"),
    pytest.param(SCOPED, seen("scanned", ROOM, mark=True, relocate=True), Decision("already_scanned"),
                 id="scanned-again-mark-anyway-changes-nothing"),
    pytest.param(SCOPED, seen("scanned", ROOM, rescan=True), Decision("accepted", rewrite=True),
                 id="scanned-again-rescan-rewrites"),
    pytest.param(EVERYTHING, seen("scanned", WAREHOUSE, rescan=True), Decision("accepted", rewrite=True),
                 id="scanned-again-rescan-rewrites-unscoped"),
    pytest.param(SCOPED, seen("extra", WAREHOUSE), Decision("already_scanned"), id="extra-again"),
    pytest.param(SCOPED, seen("extra", WAREHOUSE, ROOM, mark=True, relocate=True), Decision("already_scanned"),
                 id="extra-again-is-not-moved-twice"),
    pytest.param(SCOPED, seen("extra", WAREHOUSE, rescan=True), Decision("accepted", rewrite=True),
                 id="extra-again-rescan-rewrites"),
    # Not in the set, recorded outside a location scope: wrong location.
    pytest.param(SCOPED, seen(None, WAREHOUSE), Decision("wrong_location"), id="outside-scope"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, ROOM), Decision("wrong_location"),
                 id="outside-scope-with-current-location"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, relocate=True), Decision("wrong_location"),
                 id="outside-scope-relocate-needs-mark-anyway"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, rescan=True), Decision("wrong_location"),
                 id="outside-scope-rescan-does-not-accept"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, mark=True), Decision("accepted", new_state="extra"),
                 id="outside-scope-mark-anyway-is-extra-not-moved"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, mark=True, relocate=True),
                 Decision("accepted", new_state="extra", move_to=HQ), id="outside-scope-relocate-to-session-location"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, ROOM, mark=True, relocate=True),
                 Decision("accepted", new_state="extra", move_to=ROOM), id="outside-scope-relocate-to-current-location"),
    pytest.param(SCOPED, seen(None, WAREHOUSE, GARAGE, mark=True, relocate=True),
                 Decision("accepted", new_state="extra", move_to=HQ),
                 id="outside-scope-current-location-outside-too-relocates-to-session-location"),
    # Not in the set for another reason (a category scope, created after the snapshot): not in session.
    pytest.param(SCOPED, seen(None, ROOM), Decision("not_in_session"), id="inside-scope-not-expected"),
    pytest.param(SCOPED, seen(None, ROOM, mark=True), Decision("accepted", new_state="extra"),
                 id="inside-scope-not-expected-mark-anyway"),
    pytest.param(SCOPED, seen(None, HQ, ROOM, mark=True, relocate=True),
                 Decision("accepted", new_state="extra", move_to=ROOM), id="inside-scope-relocate-to-current-location"),
    pytest.param(SCOPED, seen(None, HQ, mark=True, relocate=True), Decision("accepted", new_state="extra"),
                 id="inside-scope-relocate-already-at-session-location"),
    pytest.param(SCOPED, seen(None, ROOM, ROOM, mark=True, relocate=True), Decision("accepted", new_state="extra"),
                 id="inside-scope-relocate-already-at-current-location"),
    pytest.param(EVERYTHING, seen(None, WAREHOUSE), Decision("not_in_session"), id="unscoped-not-expected"),
    pytest.param(EVERYTHING, seen(None, WAREHOUSE, GARAGE), Decision("not_in_session"),
                 id="unscoped-current-location-changes-no-outcome"),
    pytest.param(EVERYTHING, seen(None, WAREHOUSE, mark=True), Decision("accepted", new_state="extra"),
                 id="unscoped-mark-anyway"),
    pytest.param(EVERYTHING, seen(None, WAREHOUSE, GARAGE, mark=True, relocate=True),
                 Decision("accepted", new_state="extra", move_to=GARAGE), id="unscoped-relocate-to-current-location"),
    pytest.param(EVERYTHING, seen(None, WAREHOUSE, mark=True, relocate=True), Decision("accepted", new_state="extra"),
                 id="unscoped-relocate-without-current-location-moves-nothing"),
    pytest.param(EVERYTHING, seen(None, WAREHOUSE, WAREHOUSE, mark=True, relocate=True),
                 Decision("accepted", new_state="extra"), id="unscoped-relocate-already-there"),
    # Excluded from the set: not in session (the exclusion is the reason), included again as an extra with mark anyway.
    pytest.param(SCOPED, seen("excluded", ROOM), Decision("not_in_session"), id="excluded"),
    pytest.param(SCOPED, seen("excluded", WAREHOUSE), Decision("not_in_session"), id="excluded-recorded-outside-scope"),
    pytest.param(EVERYTHING, seen("excluded", WAREHOUSE), Decision("not_in_session"), id="excluded-unscoped"),
    pytest.param(SCOPED, seen("excluded", ROOM, rescan=True), Decision("not_in_session"),
                 id="excluded-rescan-does-not-accept"),
    pytest.param(SCOPED, seen("excluded", ROOM, mark=True), Decision("accepted", new_state="extra"),
                 id="excluded-mark-anyway"),
    pytest.param(SCOPED, seen("excluded", WAREHOUSE, ROOM, mark=True, relocate=True),
                 Decision("accepted", new_state="extra", move_to=ROOM), id="excluded-relocate-to-current-location"),
    pytest.param(EVERYTHING, seen("excluded", WAREHOUSE, mark=True, relocate=True),
                 Decision("accepted", new_state="extra"), id="excluded-unscoped-relocate-without-current-location"),
]


@pytest.mark.parametrize(("scope", "sighting", "expected"), OUTCOMES)
def test_the_scan_outcome_table(scope: Scope, sighting: Sighting, expected: Decision) -> None:
    assert decide(scope, sighting) == expected


places = st.sampled_from([HQ, ROOM, WAREHOUSE, GARAGE, UUID(int=5)])
scopes = st.one_of(
    st.just(EVERYTHING),
    st.builds(lambda here, below: Scope(here, frozenset({here, *below})), places, st.frozensets(places)),
)
sightings = st.builds(Sighting, item_state=st.sampled_from([None, "unscanned", "scanned", "excluded", "extra"]),
                      asset_location_id=places, current_location_id=st.none() | places,
                      allow_mark_anyway=st.booleans(), allow_rescan=st.booleans(), relocate=st.booleans())


@given(scope=scopes, sighting=sightings)
def test_every_sighting_gets_a_coherent_decision(scope: Scope, sighting: Sighting) -> None:
    decision = decide(scope, sighting)
    assert decision.result in RESULTS
    # Something is written exactly when the scan is accepted.
    assert (decision.result == "accepted") == (decision.new_state is not None or decision.rewrite)
    if decision.move_to is not None:
        assert sighting.relocate and sighting.allow_mark_anyway
        assert decision.move_to != sighting.asset_location_id
    if decision.result == "wrong_location":
        assert scope.location_ids is not None and sighting.asset_location_id not in scope.location_ids


@given(scope=scopes, sighting=sightings, elsewhere=st.none() | places)
def test_the_current_location_changes_no_outcome_only_where_a_relocation_goes(
        scope: Scope, sighting: Sighting, elsewhere: UUID | None) -> None:
    here, there = decide(scope, sighting), decide(scope, replace(sighting, current_location_id=elsewhere))
    assert (here.result, here.new_state, here.rewrite) == (there.result, there.new_state, there.rewrite)


@given(scope=scopes, sighting=sightings)
def test_a_relocation_stays_inside_the_scope(scope: Scope, sighting: Sighting) -> None:
    target = relocation_target(scope, sighting)
    if target is None:
        return
    assert target != sighting.asset_location_id
    if scope.location_ids is not None:
        assert target in scope.location_ids or target == scope.location_id
    else:
        assert target == sighting.current_location_id


# --- the device's clock ----------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("sent", "kept", "skew"), [
    pytest.param(None, NOW, None, id="no-device-time"),
    pytest.param(NOW - timedelta(days=3), NOW - timedelta(days=3), None, id="an-offline-scan-synced-later"),
    pytest.param(NOW + CLOCK_SKEW_TOLERANCE, NOW + CLOCK_SKEW_TOLERANCE, None, id="five-minutes-ahead-is-kept"),
    pytest.param(NOW + CLOCK_SKEW_TOLERANCE + timedelta(seconds=1), NOW, 301.0, id="just-over-is-replaced"),
    pytest.param(NOW + timedelta(days=365), NOW, 365 * 86400.0, id="a-year-ahead"),
])
def test_a_device_time_too_far_ahead_is_replaced_by_the_servers(sent, kept, skew):
    assert scan_time(sent, NOW) == (kept, skew)


@given(ahead=st.timedeltas(min_value=timedelta(days=-3650), max_value=timedelta(days=3650)))
def test_a_scan_is_never_placed_after_the_tolerance(ahead: timedelta) -> None:
    at, skew = scan_time(NOW + ahead, NOW)
    assert at <= NOW + CLOCK_SKEW_TOLERANCE
    assert (skew is None) == (at == NOW + ahead)
    if skew is not None:
        assert skew == round(ahead.total_seconds(), 3) and at == NOW
