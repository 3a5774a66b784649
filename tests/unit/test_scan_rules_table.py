"""The shared table of scan outcomes and undos (tests/data/scan_rules.json) against the server's rules: the
PWA's offline resolver is held to the same table, so phone and server agree on every case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from backend.sessions.rules import Counts, NothingToUndo, Scope, Sighting, decide, undo_effect

TABLE = json.loads((Path(__file__).resolve().parents[1] / "data" / "scan_rules.json").read_text())
HQ = UUID(int=1)  # the session's location
WAREHOUSE = UUID(int=2)  # outside it


def case_id(case: dict[str, Any]) -> str:
    return case["name"]


def scope_and_sighting(case: dict[str, Any]) -> tuple[Scope, Sighting]:
    """outsideScope: a location-scoped session whose locations leave out the asset's; otherwise a session that
    is not location-scoped (so nothing is outside it by location)."""
    if case["outsideScope"]:
        scope = Scope(location_id=HQ, location_ids=frozenset({HQ}))
    else:
        scope = Scope(location_id=None, location_ids=None)
    seen = Sighting(item_state=case["state"], asset_location_id=WAREHOUSE,
                    allow_mark_anyway=case["allowMarkAnyway"], allow_rescan=case["allowRescan"])
    return scope, seen


def test_the_table_covers_every_item_state_and_every_result_a_sighting_can_have():
    assert {c["state"] for c in TABLE["decide"]} == {None, "unscanned", "scanned", "excluded", "extra"}
    assert {c["result"] for c in TABLE["decide"]} == {"accepted", "already_scanned", "wrong_location",
                                                       "not_in_session"}
    assert {c["state"] for c in TABLE["undo"]} == {"unscanned", "scanned", "excluded", "extra"}


@pytest.mark.parametrize("case", TABLE["decide"], ids=case_id)
def test_decide_gives_the_tables_result_new_state_and_counts(case):
    decision = decide(*scope_and_sighting(case))
    assert decision.result == case["result"]
    assert decision.new_state == case["newState"]
    assert decision.counts == Counts(**case["counts"])


@pytest.mark.parametrize("case", TABLE["undo"], ids=case_id)
def test_undo_effect_gives_the_tables_state_and_counts(case):
    if case["becomes"] == "refused":
        with pytest.raises(NothingToUndo):
            undo_effect(case["state"], case["inSnapshot"])
        assert case["counts"] == {"scanned": 0, "expected": 0}
        return
    undo = undo_effect(case["state"], case["inSnapshot"])
    assert undo.new_state == case["becomes"]
    assert undo.counts == Counts(**case["counts"])


@pytest.mark.parametrize("case", [c for c in TABLE["decide"] if c["newState"] is not None], ids=case_id)
def test_undoing_a_counting_scan_gives_back_exactly_what_it_counted(case):
    decision = decide(*scope_and_sighting(case))
    undo = undo_effect(decision.new_state, case["state"] is not None)
    assert undo.new_state == case["state"]
    assert (decision.counts.scanned + undo.counts.scanned, decision.counts.expected + undo.counts.expected) == (0, 0)


def test_nothing_to_undo_on_an_asset_outside_the_session():
    with pytest.raises(NothingToUndo):
        undo_effect(None, False)
