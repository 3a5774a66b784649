"""Every way a technician can name an asset at the scanner finds that asset, and no code breaks the scan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings as hypothesis_settings, strategies as st

from backend.assets.rules import given_tag_problem, tag_key
from backend.sessions.codes import parse_code
from tests.conftest import make_tenant

pytestmark = pytest.mark.anyio

# Letters that change length or shape once case-folded, among any others.
tricky = st.sampled_from("ßẞKkİıſﬀǅ")
tags = (st.text(st.characters(codec="utf-8") | tricky, min_size=1, max_size=64).map(str.strip)
        .filter(lambda t: given_tag_problem(t) is None))
# A serial as printed on a maker's plate: one line, no control characters; one that reads as a label URL
# (https://…/a/X, /a/X) is taken as that label, so it is left out.
serials = (st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]) | tricky, min_size=1, max_size=40)
           .map(str.strip).filter(lambda s: s != "" and parse_code(s).kind == "text"))
assets = st.lists(st.tuples(tags, serials), min_size=1, max_size=4).filter(
    # Tags and serials are looked up by one key: keep them apart so each code names one asset.
    lambda pairs: len({tag_key(x) for pair in pairs for x in pair}) == 2 * len(pairs))
# NUL is left to its own test below: one failing NUL makes Hypothesis shrink for minutes.
junk = st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=120)
                | st.sampled_from(["/a/", "/l/NOPE", "https://x/t/ZZ", " "]), max_size=5)
ASSET_RESULTS = {"accepted", "already_scanned"}


async def scan(tenant: Any, session_id: str, code: str) -> dict[str, Any]:
    r = await tenant.post(f"/sessions/{session_id}/scan", json={"code": code})
    assert r.status_code == 200, r.text
    return r.json()


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tags_and_serials=assets, junk_codes=junk)
@example(tags_and_serials=[("AST-000001", "SN-ẞK-İ")], junk_codes=[])  # a serial as printed, with case-folding letters
async def test_an_asset_is_found_by_its_label_tag_id_and_serial(app, client, settings, tags_and_serials,
                                                                 junk_codes):
    # A fresh tenant per example: tags stay taken after an example ends, and Hypothesis reuses them.
    tenant = await make_tenant(app, client, settings)
    created = [await tenant.created("/inventory-items", name="Scanned", tag=tag, serial=serial)
               for tag, serial in tags_and_serials]
    assert [a["tag"] for a in created] == [tag for tag, _ in tags_and_serials]
    audit = await tenant.created("/sessions", name="Everything")
    assert audit["progress"]["total"] == len(created)
    locations = {loc["id"] for loc in await tenant.walk("/locations")}

    for code in junk_codes:  # arbitrary text: an unknown code, or something real, never a failure
        answer = await scan(tenant, audit["id"], code)
        if answer["result"] == "location_set":
            assert answer["location"]["id"] in locations
        elif answer["result"] != "unknown_code":
            assert answer["result"] in ASSET_RESULTS, answer
            assert answer["item"]["assetId"] in {a["id"] for a in created}

    for asset in created:
        for code in (asset["qrUrl"], asset["tag"], asset["tag"].lower(), f"  {asset['tag']} \t", asset["id"],
                     asset["serial"], asset["serial"].lower()):
            answer = await scan(tenant, audit["id"], code)
            assert answer["result"] in ASSET_RESULTS, (code, answer)
            assert answer["item"]["assetId"] == asset["id"], (code, answer)
    progress = (await tenant.get(f"/sessions/{audit['id']}/mobile")).json()["progress"]
    assert progress == {"scanned": len(created), "total": len(created)}


async def test_a_code_with_a_nul_character_is_an_unknown_code(tenant):
    # A damaged barcode can decode to a NUL; the scan is recorded as unknown, as on any database.
    audit = await tenant.created("/sessions", name="Everything")
    answer = await scan(tenant, audit["id"], "AST\x00000001")
    assert answer["result"] == "unknown_code"
