"""Unguessable tags (tenant setting tagRandomChars): every generated tag ends in random characters after its
number (AST-000123-K7QF9M), so nobody walks the label pages /a/AST-000001, /a/AST-000002, ... Tags made
before, and tags given by hand, stay as they are; the number still makes each generated tag unique."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from backend.db.engine import open_database
from backend.labels import codes
from backend.tenancy.models import Tenant
from tests.api.test_cli import Cli
from tests.api.test_csv_import import imported
from tests.conftest import TenantClient
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

# Crockford's base 32 without I, L, O and U, upper-case.
RANDOM_TAG = re.compile(r"^AST-(\d{6})-([0-9A-HJKMNP-TV-Z]{6})\Z")


async def random_part_on(tenant: TenantClient, chars: int = 6) -> dict[str, Any]:
    r = await tenant.patch("/tenant", json={"tagRandomChars": chars})
    assert r.status_code == 200, r.text
    return r.json()


def number_of(tag: str) -> int:
    match = RANDOM_TAG.match(tag)
    assert match, f"{tag} is not AST-nnnnnn-XXXXXX"
    return int(match[1])


async def page(tenant: TenantClient, path: str) -> Any:
    return await tenant.client.get(path, headers={"host": tenant.host})


# --- the setting -------------------------------------------------------------------------------------------


async def test_an_admin_turns_the_random_part_on_and_every_role_sees_it(tenant):
    before = (await tenant.get("/tenant")).json()
    assert (before["tagRandomChars"], before["nextTag"]) == (0, "AST-000001")
    body = await random_part_on(tenant, 6)
    # The next tag's random characters are drawn when the asset is made: shown as '?', never as a promise.
    assert (body["tagRandomChars"], body["nextTag"]) == (6, "AST-000001-??????")
    seen = (await tenant.as_role("technician").get("/tenant")).json()
    assert (seen["tagPrefix"], seen["tagPadding"], seen["tagRandomChars"]) == ("AST-", 6, 6)
    off = await random_part_on(tenant, 0)
    assert (off["tagRandomChars"], off["nextTag"]) == (0, "AST-000001")


@pytest.mark.parametrize("chars", [4, 12])
async def test_four_to_twelve_random_characters_are_accepted(tenant, chars):
    assert (await random_part_on(tenant, chars))["nextTag"] == "AST-000001-" + "?" * chars
    assert len((await tenant.created("/inventory-items", name="Pump"))["tag"]) == len("AST-000001-") + chars


@pytest.mark.parametrize("value", [
    pytest.param(1, id="one"),
    pytest.param(3, id="three"),
    pytest.param(13, id="thirteen"),
    pytest.param(-1, id="negative"),
    pytest.param("six", id="text"),
    pytest.param(6.5, id="fraction"),
    pytest.param(None, id="null"),
])
async def test_a_random_length_out_of_range_is_a_400_naming_the_field_and_changes_nothing(tenant, value):
    body = assert_error(await tenant.patch("/tenant", json={"tagRandomChars": value, "name": "Changed"}), 400,
                        "tagRandomChars")
    assert "tagRandomChars" in body["message"]
    after = (await tenant.get("/tenant")).json()
    assert (after["tagRandomChars"], after["name"]) == (0, tenant.slug.title())


@pytest.mark.parametrize("role", ["manager", "technician"])
async def test_only_an_admin_turns_the_random_part_on(tenant, role):
    assert_error(await tenant.as_role(role).patch("/tenant", json={"tagRandomChars": 6}), 403)
    assert (await tenant.get("/tenant")).json()["tagRandomChars"] == 0


# --- generated tags ----------------------------------------------------------------------------------------


async def test_two_hundred_generated_tags_carry_the_random_part_and_never_repeat(tenant):
    await random_part_on(tenant, 6)
    creations = []
    for wave in range(3):  # 150 at once, 50 at a time: the counter is shared by concurrent creators
        answers = await asyncio.gather(*(tenant.post("/inventory-items", json={"name": f"Chair {wave}.{n}"})
                                         for n in range(50)))
        assert [r.status_code for r in answers] == [201] * 50, [r.text for r in answers if r.status_code != 201]
        creations += [r.json()["tag"] for r in answers]
    # Then 50 quick-adds from an audit's scan screen, one after the other.
    technician = tenant.as_role("technician")
    audit = await tenant.created("/sessions", name="Everything")
    quick = [(await technician.created("/inventory-items", name=f"Found {n}", sessionId=audit["id"],
                                       clientId=str(uuid.uuid4())))["tag"] for n in range(50)]
    tags = creations + quick
    assert len(set(tags)) == 200
    assert sorted(number_of(tag) for tag in creations) == list(range(1, 151))
    assert [number_of(tag) for tag in quick] == list(range(151, 201))  # the sequence keeps increasing
    # Drawn, not derived: with 32^6 possible parts, 200 draws all but never repeat one.
    assert len({RANDOM_TAG.match(tag)[2] for tag in tags}) >= 195  # type: ignore[index]
    listed = {asset["tag"] for asset in await tenant.walk("/inventory-items")}
    assert listed == set(tags)


async def test_the_sequence_goes_on_when_the_random_part_is_turned_on_and_off(tenant):
    plain = [(await tenant.created("/inventory-items", name=f"Old {n}"))["tag"] for n in range(2)]
    assert plain == ["AST-000001", "AST-000002"]
    await random_part_on(tenant, 6)
    assert number_of((await tenant.created("/inventory-items", name="New"))["tag"]) == 3
    await random_part_on(tenant, 0)
    assert (await tenant.created("/inventory-items", name="Plain again"))["tag"] == "AST-000004"
    r = await tenant.patch("/tenant", json={"tagPrefix": "EQ.", "tagPadding": 3, "tagRandomChars": 4})
    assert r.status_code == 200, r.text
    assert r.json()["nextTag"] == "EQ.005-????"
    assert re.fullmatch(r"EQ\.005-[0-9A-HJKMNP-TV-Z]{4}", (await tenant.created("/inventory-items", name="Eq"))["tag"])
    # Tags made before keep their form: nothing is re-tagged.
    listed = {asset["tag"] for asset in await tenant.walk("/inventory-items")}
    assert {"AST-000001", "AST-000002", "AST-000004"} <= listed


async def test_tags_given_by_hand_stay_allowed_and_their_numbers_are_skipped(tenant):
    await random_part_on(tenant, 6)
    assert (await tenant.created("/inventory-items", name="Typed", tag="AST-000002"))["tag"] == "AST-000002"
    assert (await tenant.created("/inventory-items", name="Own", tag="LAB-42"))["tag"] == "LAB-42"
    numbers = [number_of((await tenant.created("/inventory-items", name=f"Gen {n}"))["tag"]) for n in range(3)]
    # AST-000002 is someone's tag: no generated tag starts with it.
    assert numbers == [1, 3, 4]


async def test_csv_rows_without_a_tag_get_the_random_part_and_given_tags_stay(tenant):
    await random_part_on(tenant, 6)
    manager = tenant.as_role("manager")
    first = (await manager.created("/inventory-items", name="Quick-added"))["tag"]
    report = await imported(manager, "name,tag\nFirst,\nSecond,\nGiven,AST-000003\n")
    assert (report["created"], report["errors"]) == (3, [])
    by_name = {asset["name"]: asset["tag"] for asset in await manager.walk("/inventory-items")}
    assert by_name["Given"] == "AST-000003"
    assert [number_of(by_name[name]) for name in ("First", "Second")] == [2, 4]  # 3 is the file's own
    assert number_of(first) == 1
    assert number_of((await manager.created("/inventory-items", name="After"))["tag"]) == 5


async def test_a_blank_batch_is_unguessable_already_and_a_claimed_code_stays_the_tag(tenant):
    """Blank tags never drew from the sequence: each code is 7 random characters and a check character.
    Claimed, the code is the asset's tag as printed, with no sequence number in it to walk."""
    await random_part_on(tenant, 6)
    r = await tenant.post("/labels/blank-batches", json={"count": 21, "template": "avery-l7160"},
                          headers={"accept": "application/json"})
    assert r.status_code == 201, r.text
    printed = [entry["code"] for entry in r.json()["codes"]]
    assert len(set(printed)) == 21 and all(codes.problem(code) is None for code in printed)
    assert not any(code.startswith("AST-") for code in printed)
    claimed = await tenant.as_role("technician").created("/inventory-items", name="Pallet jack", claimCode=printed[0])
    assert claimed["tag"] == printed[0]
    assert (await page(tenant, f"/t/{printed[0]}")).headers["location"] == f"/a/{printed[0]}"
    # The claim took no number: the next generated tag is still the first.
    assert number_of((await tenant.created("/inventory-items", name="Chair"))["tag"]) == 1


# --- the label page and the offline pack ---------------------------------------------------------------------


async def test_the_label_page_of_a_random_tag_opens_and_its_number_alone_finds_nothing(tenant):
    await random_part_on(tenant, 6)
    tags = [(await tenant.created("/inventory-items", name=f"Hammer drill {n}"))["tag"] for n in range(3)]
    tag = tags[1]
    for path in (f"/a/{tag}", f"/a/{tag.lower()}"):
        r = await page(tenant, path)
        assert r.status_code == 200, r.text
        assert "Hammer drill 1" in r.text and tag in r.text
    random = RANDOM_TAG.match(tag)[2]  # type: ignore[index]
    other = "".join("Z" if c != "Z" else "Y" for c in random)
    guesses = [f"/a/AST-{n:06d}" for n in range(1, 11)] + [f"/a/{tag[:-1]}", f"/a/{tag[:11]}{other}",
                                                             f"/a/{tags[0][:11]}{random}"]
    for path in guesses:
        r = await page(tenant, path)
        assert r.status_code == 404, path
        assert "Hammer drill" not in r.text


async def test_the_offline_pack_describes_the_random_part(tenant):
    await random_part_on(tenant, 6)
    made = await tenant.created("/inventory-items", name="Pump")
    audit = await tenant.created("/sessions", name="Everything")
    pack = (await tenant.get(f"/sessions/{audit['id']}/offline-pack")).json()
    assert pack["tagFormat"] == {"prefix": "AST-", "digits": 6, "randomChars": 6}
    assert made["tag"] in {row[pack["fields"].index("tag")] for row in pack["items"]}


# --- the command line --------------------------------------------------------------------------------------


async def test_a_tenant_created_from_the_command_line_can_start_with_random_tags(tmp_path):
    cli = Cli(tmp_path)
    cli.ok("migrate")
    cli.ok("tenant", "create", "acme", "--tag-random-chars", "6")
    cli.ok("tenant", "create", "globex")
    result = cli.fails("tenant", "create", "initech", "--tag-random-chars", "3", message="between 4 and 12")
    assert "--tag-random-chars" in result.stderr and result.returncode == 2
    database = open_database(cli.database_url)
    try:
        async with database.read_sessions() as session:
            chars = dict((await session.execute(select(Tenant.slug, Tenant.tag_random_chars))).tuples().all())
    finally:
        await database.dispose()
    assert chars == {"acme": 6, "globex": 0}
