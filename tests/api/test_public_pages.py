"""The pages a label's QR code opens on any phone, signed in or not: /a/{tag}, /l/{code}, /t/{code}.
They show what the label already tells, never more, escape everything, and are never cached."""

from __future__ import annotations

from typing import Any

import pytest

from backend.labels import codes
from tests.conftest import TenantClient, make_tenant

pytestmark = pytest.mark.anyio

JSON = {"accept": "application/json"}


async def page(tenant: TenantClient, path: str, **headers: str) -> Any:
    return await tenant.client.get(path, headers={"host": tenant.host, **headers})


def assert_page(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    # Nothing loaded from elsewhere: no scripts, no external styles, fonts or images.
    assert "<script" not in r.text.lower() and "http://" not in r.text and "https://" not in r.text
    assert '<meta name="viewport"' in r.text
    return r.text


async def blank_code(tenant: TenantClient) -> str:
    r = await tenant.post("/labels/blank-batches", json={"count": 1, "template": "avery-l7160"}, headers=JSON)
    assert r.status_code == 201, r.text
    return r.json()["codes"][0]["code"]


async def test_an_asset_page_shows_what_a_finder_needs_and_nothing_more(tenant):
    hq = await tenant.created("/locations", name="HQ")
    room = await tenant.created("/locations", name="Room 204", parentId=hq["id"])
    person = await tenant.created("/people", name="Amara Okafor")
    drill = await tenant.created("/inventory-items", name="Hammer drill", tag="LAB-42", locationId=room["id"],
                                 assigneeId=person["id"], serial="SN-SECRET-1", notes="Key in drawer 3",
                                 purchaseCost="1234.56", manufacturer="Bosch")
    text = assert_page(await page(tenant, "/a/LAB-42"), 200)
    assert "Hammer drill" in text and "LAB-42" in text and tenant.slug.title() in text
    # Where it belongs and its status are for signed-in users: a walk through the tags maps nothing.
    for private in ("Room 204", "HQ", "In use", "SN-SECRET-1", "drawer 3", "1234", "Amara", drill["id"], room["id"],
                    person["id"]):
        assert private not in text, private


async def test_an_asset_page_finds_the_tag_in_any_case_and_escaped_in_the_url(tenant):
    await tenant.created("/inventory-items", name="Kettle", tag="Küche-1")
    for path in ("/a/K%C3%BCche-1", "/a/K%C3%9CCHE-1", "/a/k%C3%BCche-1"):
        assert "Kettle" in assert_page(await page(tenant, path), 200)


async def test_an_asset_named_like_a_script_is_shown_as_text(tenant):
    await tenant.created("/inventory-items", name="<script>alert(1)</script>", tag="XSS-1")
    text = assert_page(await page(tenant, "/a/XSS-1"), 200)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


async def test_the_tenant_name_is_escaped_too(app, client, settings):
    evil = await make_tenant(app, client, settings, name='"><img src=x onerror=alert(1)>')
    await evil.created("/inventory-items", name="Drill", tag="D-1")
    text = assert_page(await page(evil, "/a/D-1"), 200)
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


async def test_a_deleted_or_unknown_asset_is_a_404_page(tenant):
    drill = await tenant.created("/inventory-items", name="Drill", tag="D-1")
    assert (await tenant.delete(f"/inventory-items/{drill['id']}")).status_code == 204
    for path in ("/a/D-1", "/a/NOPE", "/a/%3Cb%3Ebold%3C%2Fb%3E"):
        text = assert_page(await page(tenant, path), 404)
        assert "Nothing here" in text and "Drill" not in text and "<b>" not in text


async def test_another_tenants_asset_is_a_404_page_on_this_host(tenant, other_tenant):
    await other_tenant.created("/inventory-items", name="Their secret prototype", tag="PROTO-1")
    text = assert_page(await page(tenant, "/a/PROTO-1"), 404)
    assert "prototype" not in text


async def test_an_unknown_host_is_a_404_page(client):
    r = await client.get("/a/AST-000001", headers={"host": "nosuchtenant.localhost"})
    assert "nosuchtenant" in assert_page(r, 404)


async def test_a_location_page_shows_its_path_and_nothing_of_what_it_holds(tenant):
    hq = await tenant.created("/locations", name="HQ", code="HQ")
    room = await tenant.created("/locations", name="Room <204>", parentId=hq["id"], code="R-204")
    for n in range(3):
        await tenant.created("/inventory-items", name=f"Chair {n}", locationId=room["id"])
    gone = await tenant.created("/inventory-items", name="Old chair", locationId=room["id"])
    assert (await tenant.delete(f"/inventory-items/{gone['id']}")).status_code == 204
    await tenant.created("/inventory-items", name="Reception desk", locationId=hq["id"])

    text = assert_page(await page(tenant, "/l/r-204"), 200)
    assert "Room &lt;204&gt;" in text and "HQ &gt; Room &lt;204&gt;" in text
    for held in ("Chair", "Assets", "<dd>3</dd>"):
        assert held not in text, held
    assert "Reception desk" not in assert_page(await page(tenant, "/l/HQ"), 200)


async def test_a_deleted_unknown_or_foreign_location_is_a_404_page(tenant, other_tenant):
    room = await tenant.created("/locations", name="Room 9", code="R-9")
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    await other_tenant.created("/locations", name="Their room", code="THEIRS")
    for path in ("/l/R-9", "/l/NOPE", "/l/THEIRS"):
        assert "Nothing here" in assert_page(await page(tenant, path), 404)


async def test_an_unclaimed_blank_tag_says_so_and_links_to_quick_add(tenant):
    code = await blank_code(tenant)
    text = assert_page(await page(tenant, f"/t/{code}"), 200)
    assert "unclaimed" in text
    assert f'href="/app/quick-add?code={code}"' in text
    typed = assert_page(await page(tenant, f"/t/{code.lower()[:4]}-{code.lower()[4:]}"), 200)
    assert f"?code={code}" in typed


async def test_a_claimed_blank_tag_redirects_to_its_asset_page(tenant):
    code = await blank_code(tenant)
    await tenant.created("/inventory-items", name="Forklift", tag="FL 7".replace(" ", "-"), claimCode=code)
    r = await page(tenant, f"/t/{code}")
    assert r.status_code == 302
    assert r.headers["location"] == "/a/FL-7"
    assert r.headers["cache-control"] == "no-store"
    assert "Forklift" in assert_page(await page(tenant, r.headers["location"]), 200)


async def test_a_blank_tag_with_a_wrong_check_character_says_so(tenant):
    code = await blank_code(tenant)
    wrong = code[:-1] + next(s for s in codes.ALPHABET if s != code[-1])
    text = assert_page(await page(tenant, f"/t/{wrong}"), 400)
    assert "check character is wrong" in text and wrong in text
    assert "quick-add" not in text
    junk = assert_page(await page(tenant, "/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E"), 400)
    assert "&lt;script&gt;" in junk


async def test_an_unknown_or_foreign_blank_tag_is_a_404_page(tenant, other_tenant):
    theirs = await blank_code(other_tenant)
    never_printed = next(c for c in iter(codes.generate, None) if c != theirs)
    for code in (theirs, never_printed):
        assert "Nothing here" in assert_page(await page(tenant, f"/t/{code}"), 404)


async def test_the_blank_tag_of_a_deleted_asset_is_a_404_page(tenant):
    code = await blank_code(tenant)
    asset = await tenant.created("/inventory-items", name="Forklift", claimCode=code)
    assert (await tenant.delete(f"/inventory-items/{asset['id']}")).status_code == 204
    assert "Forklift" not in assert_page(await page(tenant, f"/t/{code}"), 404)


async def test_label_pages_need_no_sign_in_and_ignore_credentials(tenant, other_tenant):
    await tenant.created("/inventory-items", name="Drill", tag="D-1")
    # Another tenant's token changes nothing: the Host alone names the tenant.
    r = await page(tenant, "/a/D-1", authorization=f"Bearer {other_tenant.tokens['admin']}")
    assert "Drill" in assert_page(r, 200)
