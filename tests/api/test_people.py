"""/people through HTTP: who assets are assigned to; emails unique among live people, lists, soft delete."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest


pytestmark = pytest.mark.anyio

MISSING_ID = "01890000-0000-7000-8000-000000000000"


async def make(tenant: Any, name: str, **fields: Any) -> dict:
    return await tenant.created("/people", name=name, **fields)


async def fetch(tenant: Any, person: dict) -> dict:
    r = await tenant.get(f"/people/{person['id']}")
    assert r.status_code == 200, r.text
    return r.json()


async def walk(tenant: Any, limit: int = 200, **params: Any) -> list[dict]:
    return await tenant.walk("/people", limit=limit, **params)


def names(items: list[dict]) -> list[str]:
    return [item["name"] for item in items]


async def assign(tenant: Any, person: dict, name: str = "Laptop") -> dict:
    r = await tenant.post("/inventory-items", json={"name": name, "assigneeId": person["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["assigneeId"] == person["id"]
    return r.json()


# --- create and change ----------------------------------------------------------------------------------


async def test_a_person_needs_only_a_name(tenant):
    ada = await make(tenant, "  Ada Lovelace ")
    assert ada["name"] == "Ada Lovelace"
    assert (ada["email"], ada["employeeNumber"], ada["department"], ada["notes"]) == (None, None, None, "")
    assert ada["deletedAt"] is None and ada["createdAt"].endswith("Z")
    assert await fetch(tenant, ada) == ada
    assert names(await walk(tenant)) == ["Ada Lovelace"]


async def test_a_person_with_every_field(tenant):
    grace = await make(tenant, "Grace Hopper", email="Grace@Navy.example", employeeNumber="E-1906",
                       department="Engineering", notes="Keeps a nanosecond\non her desk")
    assert grace["email"] == "Grace@Navy.example"
    assert (grace["employeeNumber"], grace["department"]) == ("E-1906", "Engineering")
    assert grace["notes"] == "Keeps a nanosecond\non her desk"
    assert await fetch(tenant, grace) == grace


@pytest.mark.parametrize("body", [
    pytest.param({"name": ""}, id="empty-name"),
    pytest.param({"name": "   "}, id="blank-name"),
    pytest.param({"name": "Ada\nLovelace"}, id="name-with-line-break"),
    pytest.param({"name": "x" * 201}, id="name-too-long"),
    pytest.param({"name": "Ada", "email": "ada"}, id="email-without-at"),
    pytest.param({"name": "Ada", "email": "ada @example.com"}, id="email-with-space"),
    pytest.param({"name": "Ada", "department": "R&D\n"}, id="department-with-line-break"),
    pytest.param({"name": "Ada", "employeeNumber": "1" * 201}, id="employee-number-too-long"),
    pytest.param({"name": "Ada", "manager": "Charles"}, id="unknown-field"),
])
async def test_bad_fields_are_400_naming_the_field(tenant, body):
    r = await tenant.post("/people", json=body)
    assert r.status_code == 400, r.text
    field = next(k for k in ("manager", "employeeNumber", "department", "email", "name") if k in body)
    assert field in r.json()["details"]
    assert await walk(tenant) == []


async def test_a_missing_name_is_400(tenant):
    r = await tenant.post("/people", json={"email": "ada@example.com"})
    assert r.status_code == 400, r.text
    assert r.json()["details"] == {"name": "required"}


@pytest.mark.parametrize("spelling", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.Com"])
async def test_emails_are_unique_ignoring_case(tenant, spelling):
    ada = await make(tenant, "Ada", email="ada@example.com")
    r = await tenant.post("/people", json={"name": "Impostor", "email": spelling})
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"email": "taken", "existingId": ada["id"]}
    assert names(await walk(tenant)) == ["Ada"]


async def test_many_people_may_have_no_email(tenant):
    for name in ("Ada", "Grace", "Linus"):
        await make(tenant, name)
    await make(tenant, "Margaret", email=None)
    assert len(await walk(tenant)) == 4


async def test_patch_into_a_taken_email_is_409_and_changes_nothing(tenant):
    await make(tenant, "Ada", email="ada@example.com")
    grace = await make(tenant, "Grace", email="grace@example.com")
    r = await tenant.patch(f"/people/{grace['id']}", json={"email": "ADA@example.com", "department": "Navy"})
    assert r.status_code == 409, r.text
    after = await fetch(tenant, grace)
    assert (after["email"], after["department"]) == ("grace@example.com", None)


async def test_a_person_can_change_the_case_of_their_own_email(tenant):
    ada = await make(tenant, "Ada", email="ada@example.com")
    r = await tenant.patch(f"/people/{ada['id']}", json={"email": "Ada@Example.com"})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "Ada@Example.com"


async def test_patch_email_to_null_frees_it(tenant):
    ada = await make(tenant, "Ada", email="ada@example.com", department="Maths")
    r = await tenant.patch(f"/people/{ada['id']}", json={"email": None})
    assert r.status_code == 200, r.text
    assert (r.json()["email"], r.json()["department"], r.json()["name"]) == (None, "Maths", "Ada")
    assert (await fetch(tenant, ada))["email"] is None
    await make(tenant, "Another Ada", email="ADA@example.com")


async def test_patch_changes_only_what_it_names(tenant):
    ada = await make(tenant, "Ada", email="ada@example.com", employeeNumber="1815", department="Maths", notes="n")
    r = await tenant.patch(f"/people/{ada['id']}", json={"department": "Computing", "employeeNumber": None})
    assert r.status_code == 200, r.text
    after = r.json()
    assert (after["name"], after["email"], after["notes"]) == ("Ada", "ada@example.com", "n")
    assert (after["department"], after["employeeNumber"]) == ("Computing", None)
    r = await tenant.patch(f"/people/{ada['id']}", json={"name": " Ada King ", "notes": ""})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["notes"], r.json()["department"]) == ("Ada King", "", "Computing")
    assert await fetch(tenant, ada) == r.json()


@pytest.mark.parametrize("body", [
    pytest.param({"name": None}, id="null-name"),
    pytest.param({"name": "   "}, id="blank-name"),
    pytest.param({"email": "not-an-email"}, id="bad-email"),
    pytest.param({"notes": None}, id="null-notes"),
])
async def test_a_bad_patch_is_400_and_changes_nothing(tenant, body):
    ada = await make(tenant, "Ada", email="ada@example.com")
    r = await tenant.patch(f"/people/{ada['id']}", json=body)
    assert r.status_code == 400, r.text
    assert set(body) <= set(r.json()["details"])
    assert await fetch(tenant, ada) == ada


async def test_the_same_email_sent_at_once_makes_one_person(tenant, settings):
    send = tenant.request
    for i in range(4):
        body = {"name": "Ada", "email": f"ada{i}@example.com"}
        answers = await asyncio.gather(*(send("POST", "/people", json=body) for _ in range(3)))
        assert sorted(r.status_code for r in answers) == [201, 409, 409], [r.text for r in answers]
        assert all(r.json()["details"]["email"] == "taken" for r in answers if r.status_code == 409)
    assert len(await walk(tenant)) == 4


# --- delete and restore ---------------------------------------------------------------------------------


async def test_a_person_with_assigned_assets_cannot_be_deleted(tenant):
    ada = await make(tenant, "Ada")
    laptop = await assign(tenant, ada)
    await assign(tenant, ada, "Phone")
    r = await tenant.delete(f"/people/{ada['id']}")
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"assets": 2}
    assert (await fetch(tenant, ada))["deletedAt"] is None
    assert (await tenant.patch(f"/inventory-items/{laptop['id']}", json={"assigneeId": None})).status_code == 200
    r = await tenant.delete(f"/people/{ada['id']}")
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"assets": 1}


async def test_assets_in_the_trash_do_not_keep_a_person(tenant):
    ada = await make(tenant, "Ada")
    laptop = await assign(tenant, ada)
    assert (await tenant.delete(f"/inventory-items/{laptop['id']}")).status_code == 204
    assert (await tenant.delete(f"/people/{ada['id']}")).status_code == 204


async def test_delete_hides_a_person_and_restore_brings_them_back(tenant):
    ada = await make(tenant, "Ada", email="ada@example.com")
    await make(tenant, "Grace")
    r = await tenant.delete(f"/people/{ada['id']}")
    assert r.status_code == 204, r.text
    assert names(await walk(tenant)) == ["Grace"]
    deleted = await walk(tenant, deleted="only")
    assert names(deleted) == ["Ada"] and deleted[0]["deletedAt"] is not None
    assert names(await walk(tenant, deleted="include")) == ["Ada", "Grace"]
    assert (await fetch(tenant, ada))["deletedAt"] is not None
    r = await tenant.post(f"/people/{ada['id']}/restore")
    assert r.status_code == 200, r.text
    assert r.json()["deletedAt"] is None and r.json()["email"] == "ada@example.com"
    assert names(await walk(tenant)) == ["Ada", "Grace"]


async def test_a_deleted_persons_email_can_be_reused_but_then_not_restored(tenant):
    old = await make(tenant, "Ada", email="ada@example.com")
    assert (await tenant.delete(f"/people/{old['id']}")).status_code == 204
    new = await make(tenant, "Ada (new)", email="Ada@example.com")
    r = await tenant.post(f"/people/{old['id']}/restore")
    assert r.status_code == 409, r.text
    assert r.json()["details"] == {"email": "taken", "existingId": new["id"]}
    assert (await fetch(tenant, old))["deletedAt"] is not None
    assert (await tenant.patch(f"/people/{new['id']}", json={"email": None})).status_code == 200
    assert (await tenant.post(f"/people/{old['id']}/restore")).status_code == 200


async def test_a_deleted_person_cannot_be_changed_or_assigned(tenant):
    ada = await make(tenant, "Ada")
    assert (await tenant.delete(f"/people/{ada['id']}")).status_code == 204
    r = await tenant.patch(f"/people/{ada['id']}", json={"name": "Ada King"})
    assert r.status_code == 409, r.text
    assert (await fetch(tenant, ada))["name"] == "Ada"
    r = await tenant.post("/inventory-items", json={"name": "Laptop", "assigneeId": ada["id"]})
    assert r.status_code == 400, r.text
    assert "assigneeId" in r.json()["details"]


async def test_deleting_or_restoring_twice_is_harmless(tenant):
    ada = await make(tenant, "Ada")
    assert (await tenant.delete(f"/people/{ada['id']}")).status_code == 204
    deleted_at = (await fetch(tenant, ada))["deletedAt"]
    assert (await tenant.delete(f"/people/{ada['id']}")).status_code == 204
    assert (await fetch(tenant, ada))["deletedAt"] == deleted_at
    assert (await tenant.post(f"/people/{ada['id']}/restore")).status_code == 200
    assert (await tenant.post(f"/people/{ada['id']}/restore")).json()["deletedAt"] is None


# --- lists ----------------------------------------------------------------------------------------------


async def crew(tenant: Any) -> None:
    await make(tenant, "Ada Lovelace", email="ada@analytical.example", employeeNumber="E-1815", department="Maths")
    await make(tenant, "Grace Hopper", email="grace@navy.example", employeeNumber="N-1906", department="Navy")
    await make(tenant, "Alan Turing", email="alan@bletchley.example", employeeNumber="B-1912", department="Maths")
    await make(tenant, "Katherine Johnson", employeeNumber="NASA-1918", department="Flight")
    await make(tenant, "Linus", department="Mathematics")


async def test_search_by_name_email_or_employee_number(tenant):
    await crew(tenant)
    assert names(await walk(tenant, q="hopper")) == ["Grace Hopper"]
    assert names(await walk(tenant, q="BLETCHLEY")) == ["Alan Turing"]
    assert names(await walk(tenant, q="nasa-19")) == ["Katherine Johnson"]
    assert names(await walk(tenant, q="19")) == ["Alan Turing", "Grace Hopper", "Katherine Johnson"]
    assert names(await walk(tenant, q="a")) == ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson"]
    assert await walk(tenant, q="maths") == []  # departments have their own filter
    assert await walk(tenant, q="%") == []
    assert len(await walk(tenant, q=" ")) == 5


async def test_filter_by_department(tenant):
    await crew(tenant)
    assert names(await walk(tenant, department="Maths")) == ["Ada Lovelace", "Alan Turing"]  # not "Mathematics"
    assert names(await walk(tenant, department="Mathematics")) == ["Linus"]
    assert names(await walk(tenant, department="Navy")) == ["Grace Hopper"]
    assert await walk(tenant, department="Sales") == []
    assert names(await walk(tenant, department="Maths", q="turing")) == ["Alan Turing"]


async def test_sort_by_name_either_way_ignoring_case(tenant):
    for name in ("bravo", "Charlie", "alpha", "Delta"):
        await make(tenant, name)
    assert names(await walk(tenant)) == ["alpha", "bravo", "Charlie", "Delta"]
    assert names(await walk(tenant, sort="name")) == ["alpha", "bravo", "Charlie", "Delta"]
    assert names(await walk(tenant, sort="-name")) == ["Delta", "Charlie", "bravo", "alpha"]


async def test_sort_by_creation_and_change_time(tenant):
    zulu = await make(tenant, "Zulu")
    await make(tenant, "Alpha")
    await make(tenant, "Mike")
    assert names(await walk(tenant, sort="createdAt")) == ["Zulu", "Alpha", "Mike"]
    assert names(await walk(tenant, sort="-createdAt")) == ["Mike", "Alpha", "Zulu"]
    assert (await tenant.patch(f"/people/{zulu['id']}", json={"notes": "moved desks"})).status_code == 200
    assert names(await walk(tenant, sort="-updatedAt"))[0] == "Zulu"


@pytest.mark.parametrize("params", [
    pytest.param({"sort": "email"}, id="unknown-sort"),
    pytest.param({"limit": 0}, id="limit-0"),
    pytest.param({"limit": 201}, id="limit-201"),
    pytest.param({"cursor": "!!!"}, id="garbled-cursor"),
    pytest.param({"deleted": "all"}, id="unknown-deleted"),
])
async def test_bad_list_parameters_are_400_naming_the_parameter(tenant, params):
    r = await tenant.get("/people", params=params)
    assert r.status_code == 400, r.text
    assert set(params) <= set(r.json()["details"])


@pytest.mark.parametrize("sort", ["name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt"])
async def test_paging_visits_every_person_exactly_once_in_order(tenant, sort):
    await crew(tenant)
    for _ in range(3):
        await make(tenant, "Sam")  # the same name three times: the id breaks the tie
    await make(tenant, "sam")
    everything = [p["id"] for p in await walk(tenant, sort=sort)]
    assert len(everything) == 9 == len(set(everything))
    for limit in (1, 2, 4):
        assert [p["id"] for p in await walk(tenant, limit=limit, sort=sort)] == everything


async def test_paging_keeps_the_filters(tenant):
    await crew(tenant)
    for i in range(4):
        await make(tenant, f"Mathematician {i}", department="Maths")
    paged = await walk(tenant, limit=2, department="Maths")
    assert names(paged) == ["Ada Lovelace", "Alan Turing"] + [f"Mathematician {i}" for i in range(4)]


# --- roles ----------------------------------------------------------------------------------------------


async def test_a_technician_can_look_people_up_but_not_change_them(tenant):
    ada = await make(tenant, "Ada")
    tech = tenant.as_role("technician")
    assert names((await tech.get("/people")).json()["items"]) == ["Ada"]
    assert (await tech.get(f"/people/{ada['id']}")).status_code == 200
    for r in (await tech.post("/people", json={"name": "Mallory"}),
              await tech.patch(f"/people/{ada['id']}", json={"name": "Mallory"}),
              await tech.delete(f"/people/{ada['id']}"),
              await tech.post(f"/people/{ada['id']}/restore")):
        assert r.status_code == 403, r.text
        assert r.json()["details"] == {"role": "manager"}
    assert names(await walk(tenant, deleted="include")) == ["Ada"]


async def test_a_manager_can_manage_people(tenant):
    manager = tenant.as_role("manager")
    r = await manager.post("/people", json={"name": "Ada"})
    assert r.status_code == 201, r.text
    ada = r.json()
    assert (await manager.patch(f"/people/{ada['id']}", json={"department": "Maths"})).status_code == 200
    assert (await manager.delete(f"/people/{ada['id']}")).status_code == 204
    assert (await manager.post(f"/people/{ada['id']}/restore")).status_code == 200


async def test_without_a_token_it_is_401(tenant):
    assert (await tenant.get("/people", auth=False)).status_code == 401
    assert (await tenant.post("/people", json={"name": "Ada"}, auth=False)).status_code == 401


# --- tenancy and ids ------------------------------------------------------------------------------------


async def test_another_tenants_person_is_not_found(tenant, other_tenant):
    theirs = await make(other_tenant, "Their Ada", email="ada@example.com")
    path = f"/people/{theirs['id']}"
    for r in (await tenant.get(path), await tenant.patch(path, json={"name": "Ours"}),
              await tenant.delete(path), await tenant.post(f"{path}/restore")):
        assert r.status_code == 404, r.text
    assert await fetch(other_tenant, theirs) == theirs
    assert await walk(tenant, deleted="include") == []
    r = await tenant.post("/inventory-items", json={"name": "Laptop", "assigneeId": theirs["id"]})
    assert r.status_code == 400, r.text
    assert "assigneeId" in r.json()["details"]


async def test_emails_are_unique_per_tenant_only(tenant, other_tenant):
    await make(tenant, "Ada", email="ada@example.com")
    await make(other_tenant, "Ada", email="ada@example.com")


async def test_a_missing_person_is_404(tenant):
    for r in (await tenant.get(f"/people/{MISSING_ID}"),
              await tenant.patch(f"/people/{MISSING_ID}", json={"name": "x"}),
              await tenant.delete(f"/people/{MISSING_ID}"),
              await tenant.post(f"/people/{MISSING_ID}/restore")):
        assert r.status_code == 404, r.text


async def test_an_id_that_is_not_a_uuid_is_400(tenant):
    for r in (await tenant.get("/people/ada"),
              await tenant.patch("/people/ada", json={"name": "x"}),
              await tenant.delete("/people/ada"),
              await tenant.post("/people/ada/restore")):
        assert r.status_code == 400, r.text
        assert r.json()["details"] == {"personId": "must be a UUID"}


async def test_deleting_a_person_while_an_asset_is_assigned_to_them_never_strands_the_asset(tenant):
    for i in range(6):
        person = await make(tenant, f"Temp {i}")
        deleted, created = await asyncio.gather(
            tenant.delete(f"/people/{person['id']}"),
            tenant.post("/inventory-items", json={"name": f"Badge {i}", "assigneeId": person["id"]}))
        outcome = (deleted.status_code, created.status_code)
        assert outcome in ((204, 400), (409, 201)), [deleted.text, created.text]
        live = await tenant.walk("/inventory-items", assigneeId=person["id"])
        assert len(live) == (1 if outcome == (409, 201) else 0)
