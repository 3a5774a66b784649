"""Blank tags through the HTTP stack, on SQLite and PostgreSQL: a batch of codes is reserved and printed,
quick-add claims a code for a new asset, and a scan of the code (its URL or the bare text) finds that asset."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from pypdf import PdfReader

from backend.labels import codes
from tests.api.test_labels_api import png_codes
from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

BATCHES = "/labels/blank-batches"
JSON = {"accept": "application/json"}


async def batch(tenant: TenantClient, count: int = 3, **fields: Any) -> dict[str, Any]:
    r = await tenant.post(BATCHES, json={"count": count, "template": "avery-l7160", **fields}, headers=JSON)
    assert r.status_code == 201, r.text
    return r.json()


async def batch_codes(tenant: TenantClient, count: int = 3) -> list[str]:
    return [entry["code"] for entry in (await batch(tenant, count))["codes"]]


def wrong_check(code: str) -> str:
    return code[:-1] + next(s for s in codes.ALPHABET if s != code[-1])


async def scan(tenant: TenantClient, session_id: str, code: str) -> dict[str, Any]:
    r = await tenant.post(f"/sessions/{session_id}/scan", json={"code": code})
    assert r.status_code == 200, r.text
    return r.json()


# --- batches --------------------------------------------------------------------------------------------------


async def test_a_batch_is_reserved_and_answered_as_a_printable_sheet(tenant):
    r = await tenant.as_role("manager").post(BATCHES, json={"count": 25, "template": "avery-l7160"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    batch_id = r.headers["x-batch-id"]
    assert r.headers["location"] == f"/api/v1/labels/blank-batches/{batch_id}"
    assert r.headers["content-disposition"] == f'attachment; filename="blank-tags-{batch_id}.pdf"'
    stored = (await tenant.get(f"{BATCHES}/{batch_id}")).json()
    assert stored["count"] == 25 and stored["claimed"] == 0 and stored["template"] == "avery-l7160"
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 2  # 21 to a sheet
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    positions = [text.index(entry["code"]) for entry in stored["codes"]]
    assert positions == sorted(positions)  # printed in the batch's order


async def test_with_accept_json_a_batch_answers_its_codes(tenant):
    r = await tenant.post(BATCHES, json={"count": 50, "template": "thermal-50x25", "format": "zpl"}, headers=JSON)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["x-batch-id"] == body["id"] and r.headers["location"].endswith(body["id"])
    assert body["template"] == "thermal-50x25" and body["count"] == 50 and body["createdAt"].endswith("Z")
    found = [entry["code"] for entry in body["codes"]]
    assert len(set(found)) == 50
    assert all(codes.validate(code) == code for code in found)
    assert all(entry["assetId"] is None and entry["claimedAt"] is None for entry in body["codes"])
    assert (await tenant.get(f"{BATCHES}/{body['id']}")).json() == body


async def test_codes_are_unique_across_the_batches_of_a_tenant(tenant):
    seen = [code for _ in range(4) for code in await batch_codes(tenant, 250)]
    assert len(set(seen)) == len(seen) == 1000


async def test_a_single_blank_tag_png_carries_its_url_and_code(tenant):
    r = await tenant.post(BATCHES, json={"count": 1, "template": "thermal-50x25", "format": "png"})
    assert r.status_code == 201, r.text
    code = (await tenant.get(f"{BATCHES}/{r.headers['x-batch-id']}")).json()["codes"][0]["code"]
    assert png_codes(r.content) == {"QRCode": f"http://{tenant.host}/t/{code}", "Code128": code}


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"count": 0}, "count", id="none"),
    pytest.param({"count": 1001}, "count", id="over-a-thousand"),
    pytest.param({"template": "avery-9999"}, "template", id="unknown-template"),
    pytest.param({"format": "zpl"}, "format", id="zpl-on-a-sheet"),
    pytest.param({"format": "png"}, "format", id="png-of-many"),
    pytest.param({"startPosition": 22}, "startPosition", id="beyond-the-sheet"),
])
async def test_a_batch_that_cannot_be_printed_reserves_nothing(tenant, body, field):
    r = await tenant.post(BATCHES, json={"count": 3, "template": "avery-l7160", **body})
    assert_error(r, 400, field)
    assert (await tenant.get(BATCHES)).json() == {"items": [], "nextCursor": None}


async def test_only_a_manager_reserves_blank_tags_and_a_technician_reprints_them(tenant):
    assert_error(await tenant.as_role("technician").post(BATCHES, json={"count": 1, "template": "avery-l7160"}), 403)
    made = await batch(tenant.as_role("manager"), 2)
    technician = tenant.as_role("technician")
    assert (await technician.get(BATCHES)).json()["items"][0]["id"] == made["id"]
    assert (await technician.get(f"{BATCHES}/{made['id']}")).status_code == 200
    assert (await technician.get(f"{BATCHES}/{made['id']}/sheet")).status_code == 200


async def test_batches_are_listed_newest_first_page_by_page_with_claimed_counts(tenant):
    made = [await batch(tenant, n) for n in (1, 2, 3)]
    await tenant.created("/inventory-items", name="Pallet jack", claimCode=made[1]["codes"][0]["code"])
    listed = await tenant.walk(BATCHES, limit=2)
    assert [b["id"] for b in listed] == [b["id"] for b in reversed(made)]
    assert [(b["count"], b["claimed"]) for b in listed] == [(3, 0), (2, 1), (1, 0)]
    oldest_first = await tenant.walk(BATCHES, limit=1, sort="createdAt")
    assert [b["id"] for b in oldest_first] == [b["id"] for b in made]
    assert_error(await tenant.get(BATCHES, params={"sort": "count"}), 400, "sort")
    assert_error(await tenant.get(BATCHES, params={"cursor": "garbage"}), 400, "cursor")


async def test_a_batch_is_reprinted_with_the_same_codes_in_the_same_order(tenant):
    made = await batch(tenant, 4)
    await tenant.created("/inventory-items", name="Pallet jack", claimCode=made["codes"][1]["code"])
    r = await tenant.get(f"{BATCHES}/{made['id']}/sheet", params={"format": "zpl"})
    assert_error(r, 400, "format")  # the batch's template is a sheet: zpl does not print on it
    r = await tenant.get(f"{BATCHES}/{made['id']}/sheet", params={"startPosition": 5})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    positions = [text.index(entry["code"]) for entry in made["codes"]]
    assert positions == sorted(positions)
    rest = await tenant.get(f"{BATCHES}/{made['id']}/sheet", params={"unclaimedOnly": "true"})
    rest_text = PdfReader(io.BytesIO(rest.content)).pages[0].extract_text()
    assert made["codes"][1]["code"] not in rest_text and made["codes"][0]["code"] in rest_text


async def test_a_fully_claimed_batch_has_nothing_left_to_print_unclaimed(tenant):
    (code,) = await batch_codes(tenant, 1)
    await tenant.created("/inventory-items", name="Ladder", claimCode=code)
    made = (await tenant.get(BATCHES)).json()["items"][0]
    assert_error(await tenant.get(f"{BATCHES}/{made['id']}/sheet", params={"unclaimedOnly": "true"}), 400,
                 "unclaimedOnly")


async def test_another_tenants_batch_is_a_404(tenant, other_tenant):
    made = await batch(tenant, 1)
    for path in (f"{BATCHES}/{made['id']}", f"{BATCHES}/{made['id']}/sheet"):
        assert assert_error(await other_tenant.get(path), 404)["message"] == f"Blank batch {made['id']} not found"
    assert (await other_tenant.get(BATCHES)).json()["items"] == []
    assert_error(await tenant.get(f"{BATCHES}/not-an-id"), 400, "batchId")


# --- claims ---------------------------------------------------------------------------------------------------


async def test_quick_add_claims_a_code_and_the_code_becomes_the_tag(tenant):
    made = await batch(tenant, 2)
    code = made["codes"][0]["code"]
    created = await tenant.as_role("technician").created("/inventory-items", name="Pallet jack",
                                                         claimCode=f" {code.lower()[:4]}-{code.lower()[4:]} ")
    assert created["tag"] == code
    assert created["qrUrl"] == f"http://{tenant.host}/a/{code}"
    stored = (await tenant.get(f"{BATCHES}/{made['id']}")).json()
    assert stored["claimed"] == 1
    assert stored["codes"][0]["assetId"] == created["id"] and stored["codes"][0]["claimedAt"].endswith("Z")
    assert stored["codes"][1]["assetId"] is None


async def test_a_claim_with_a_given_tag_keeps_the_tag_and_binds_the_code(tenant):
    made = await batch(tenant, 1)
    code = made["codes"][0]["code"]
    created = await tenant.created("/inventory-items", name="Forklift", tag="FL-7", claimCode=code)
    assert created["tag"] == "FL-7"
    assert (await tenant.get(f"{BATCHES}/{made['id']}")).json()["codes"][0]["assetId"] == created["id"]


async def test_a_code_with_a_wrong_check_character_is_refused_and_creates_nothing(tenant):
    (code,) = await batch_codes(tenant, 1)
    body = assert_error(await tenant.post("/inventory-items", json={"name": "Drill", "claimCode": wrong_check(code)}),
                        400, "claimCode")
    assert body["message"] == (f"'{wrong_check(code)}' is not a valid tag code: its check character is wrong; "
                               "re-scan or re-type it")
    assert (await tenant.get("/inventory-items")).json()["items"] == []


async def test_a_code_the_tenant_does_not_have_is_a_404(tenant, other_tenant):
    (theirs,) = await batch_codes(other_tenant, 1)
    never_printed = next(c for c in iter(codes.generate, None) if c != theirs)
    for code in (theirs, never_printed):
        body = assert_error(await tenant.post("/inventory-items", json={"name": "Drill", "claimCode": code}), 404,
                            "claimCode")
        assert f"No blank tag with code '{code}'" in body["message"]
    assert (await tenant.get("/inventory-items")).json()["items"] == []
    assert (await other_tenant.get(BATCHES)).json()["items"][0]["claimed"] == 0


async def test_a_code_already_claimed_is_a_409_naming_the_asset(tenant):
    (code,) = await batch_codes(tenant, 1)
    first = await tenant.created("/inventory-items", name="Pallet jack", claimCode=code)
    r = await tenant.post("/inventory-items", json={"name": "Another jack", "tag": "PJ-2", "claimCode": code})
    body = assert_error(r, 409, "claimCode")
    assert first["tag"] in body["message"] and "Pallet jack" in body["message"]
    assert body["details"]["assetId"] == first["id"] and body["details"]["tag"] == first["tag"]
    assert [a["id"] for a in (await tenant.get("/inventory-items")).json()["items"]] == [first["id"]]


async def test_a_code_claimed_by_a_deleted_asset_stays_claimed(tenant):
    (code,) = await batch_codes(tenant, 1)
    first = await tenant.created("/inventory-items", name="Pallet jack", tag="PJ-1", claimCode=code)
    assert (await tenant.delete(f"/inventory-items/{first['id']}")).status_code == 204
    body = assert_error(await tenant.post("/inventory-items", json={"name": "Jack", "claimCode": code}), 409,
                        "claimCode")
    assert "PJ-1" in body["message"] and "deleted" in body["message"]


async def test_a_claim_whose_tag_is_taken_binds_nothing(tenant):
    (code,) = await batch_codes(tenant, 1)
    await tenant.created("/inventory-items", name="Ladder", tag="LAD-1")
    r = await tenant.post("/inventory-items", json={"name": "Another ladder", "tag": "lad-1", "claimCode": code})
    assert_error(r, 409, "tag")
    claimed = await tenant.created("/inventory-items", name="Step ladder", claimCode=code)
    assert claimed["tag"] == code


async def test_concurrent_claims_of_one_code_create_exactly_one_asset(tenant):
    (code,) = await batch_codes(tenant, 1)
    answers = await asyncio.gather(*[
        tenant.post("/inventory-items", json={"name": f"Jack {n}", "claimCode": code}) for n in range(6)])
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in answers]
    winner = next(r.json() for r in answers if r.status_code == 201)
    assert all(r.json()["details"]["assetId"] == winner["id"] for r in answers if r.status_code == 409)
    assert [a["id"] for a in (await tenant.get("/inventory-items")).json()["items"]] == [winner["id"]]


async def test_concurrent_claims_with_given_tags_still_bind_the_code_once(tenant):
    (code,) = await batch_codes(tenant, 1)
    answers = await asyncio.gather(*[
        tenant.post("/inventory-items", json={"name": f"Jack {n}", "tag": f"PJ-{n}", "claimCode": code})
        for n in range(4)])
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409], [r.text for r in answers]
    assert len((await tenant.get("/inventory-items")).json()["items"]) == 1


# --- scans of a claimed code -----------------------------------------------------------------------------------


async def test_a_scan_of_a_claimed_code_url_or_text_finds_its_asset(tenant):
    (code, spare) = await batch_codes(tenant, 2)
    jack = await tenant.created("/inventory-items", name="Pallet jack", claimCode=code)
    audit = await tenant.created("/sessions", name="Everything")
    answer = await scan(tenant, audit["id"], f"https://old-domain.example/t/{code}")
    assert answer["result"] == "accepted" and answer["item"]["assetId"] == jack["id"]
    for typed in (code, code.lower(), f"{code[:4]}-{code[4:]}"):
        again = await scan(tenant, audit["id"], typed)
        assert again["result"] == "already_scanned" and again["item"]["assetId"] == jack["id"]
    assert (await scan(tenant, audit["id"], f"http://{tenant.host}/t/{spare}"))["result"] == "unknown_code"


async def test_a_claimed_code_finds_an_asset_that_carries_another_tag(tenant):
    (code,) = await batch_codes(tenant, 1)
    forklift = await tenant.created("/inventory-items", name="Forklift", tag="FL-7", claimCode=code)
    audit = await tenant.created("/sessions", name="Everything")
    answer = await scan(tenant, audit["id"], code)
    assert answer["result"] == "accepted" and answer["item"]["assetId"] == forklift["id"]
    assert (await scan(tenant, audit["id"], f"/t/{code}"))["item"]["assetId"] == forklift["id"]


async def test_the_offline_pack_carries_claimed_codes_so_phones_resolve_them_offline(tenant):
    (code,) = await batch_codes(tenant, 1)
    forklift = await tenant.created("/inventory-items", name="Forklift", tag="FL-7", claimCode=code)
    plain = await tenant.created("/inventory-items", name="Desk")
    audit = await tenant.created("/sessions", name="Everything")
    pack = (await tenant.get(f"/sessions/{audit['id']}/offline-pack")).json()
    rows = {row[0]: dict(zip(pack["fields"], row, strict=True)) for row in pack["items"]}
    assert rows[forklift["id"]]["codes"] == [code]
    assert rows[plain["id"]]["codes"] is None


async def test_a_mistyped_unknown_or_foreign_code_is_an_unknown_code(tenant, other_tenant):
    (code,) = await batch_codes(tenant, 1)
    await tenant.created("/inventory-items", name="Pallet jack", tag="PJ-1", claimCode=code)
    (theirs,) = await batch_codes(other_tenant, 1)
    await other_tenant.created("/inventory-items", name="Their jack", tag="PJ-1", claimCode=theirs)
    audit = await tenant.created("/sessions", name="Everything")
    for scanned in (wrong_check(code), f"/t/{wrong_check(code)}", theirs, f"/t/{theirs}", "/t/"):
        assert (await scan(tenant, audit["id"], scanned))["result"] == "unknown_code", scanned


async def test_the_code_of_a_deleted_asset_is_an_unknown_code(tenant):
    (code,) = await batch_codes(tenant, 1)
    jack = await tenant.created("/inventory-items", name="Pallet jack", tag="PJ-1", claimCode=code)
    assert (await tenant.delete(f"/inventory-items/{jack['id']}")).status_code == 204
    audit = await tenant.created("/sessions", name="Everything")
    assert (await scan(tenant, audit["id"], f"/t/{code}"))["result"] == "unknown_code"
