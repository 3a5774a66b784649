"""POST /inventory-items/import/csv with the files people really have: Excel's, old Windows ones, bad rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

DATA = Path(__file__).parent.parent / "data" / "csv"


async def upload(client: Any, content: bytes | str, *, filename: str = "assets.csv", data: dict[str, str] | None = None,
                 **params: Any) -> Any:
    if isinstance(content, str):
        content = content.encode()
    return await client.post("/inventory-items/import/csv", files={"file": (filename, content, "text/csv")},
                             data=data or {}, params={k: str(v).lower() for k, v in params.items()})


async def imported(client: Any, content: bytes | str, **params: Any) -> dict[str, Any]:
    r = await upload(client, content, **params)
    assert r.status_code == 200, r.text
    return r.json()


async def by_tag(client: Any) -> dict[str, dict[str, Any]]:
    return {a["tag"]: a for a in await client.walk("/inventory-items")}


async def names(client: Any, path: str, key: str = "name") -> set[str]:
    return {item[key] for item in await client.walk(path)}


async def test_an_excel_file_from_a_german_machine(tenant: Any) -> None:
    """BOM, semicolons, CRLF, a blank line, an empty row, a note across lines, serial and dotted dates, € amounts."""
    manager = tenant.as_role("manager")
    report = await imported(manager, (DATA / "excel_semicolon_bom.csv").read_bytes())
    assert report["errors"] == []
    assert (report["created"], report["updated"], report["encoding"], report["separator"]) == (3, 0, "utf-8-sig",
                                                                                              "semicolon")
    assets = await by_tag(manager)
    laptop = assets["DE-001"]
    assert laptop["name"] == "ThinkPad T14"
    assert laptop["status"] == "in_use"
    assert (laptop["purchaseDate"], laptop["warrantyExpiry"], laptop["purchaseCost"]) == ("2024-03-01", "2027-03-01",
                                                                                          "1450.00")
    assert laptop["notes"] == "Dock fehlt,\r\nbitte bestellen"
    assert assets["DE-002"]["name"] == 'Monitor 27"'
    assert assets["DE-002"]["purchaseCost"] == "1299.99"
    assert assets["de-003"]["status"] == "maintenance"
    assert assets["de-003"]["notes"] == "=1+2"
    locations = {loc["path"]: loc for loc in await manager.walk("/locations")}
    assert {"Berlin", "Berlin > Floor 2"} <= set(locations)
    assert laptop["locationId"] == locations["Berlin > Floor 2"]["id"]
    assert assets["de-003"]["locationId"] == locations["Berlin"]["id"]  # a bare name that is a path's root
    assert {"Laptops", "Monitore", "Drucker"} <= await names(manager, "/categories")
    people = {p["name"]: p["id"] for p in await manager.walk("/people")}
    assert laptop["assigneeId"] == people["Jana Schmidt"]


async def test_a_windows_1252_file_keeps_its_accents_and_euro_sign(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    report = await imported(manager, (DATA / "windows_1252.csv").read_bytes())
    assert (report["created"], report["encoding"], report["errors"]) == (1, "cp1252", [])
    camera = (await by_tag(manager))["FR-1"]
    assert (camera["name"], camera["notes"], camera["purchaseCost"]) == ("Caméra réseau", "Été 2024 – prêt", "99.50")
    assert "Salle Café" in await names(manager, "/locations")
    assert "Jürgen Müller" in await names(manager, "/people")


async def test_a_utf16_tab_separated_file(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    report = await imported(manager, (DATA / "utf16_tabs.txt").read_bytes())
    assert (report["created"], report["encoding"], report["separator"]) == (1, "utf-16", "tab")
    assert (await by_tag(manager))["JP-1"]["name"] == "東京のプリンター"
    assert "プリンター" in await names(manager, "/categories")


async def test_each_bad_row_gets_one_message_and_the_good_rows_are_imported(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    content = (
        "tag,name,status,purchaseDate,purchaseCost,assigneeEmail\n"
        "OK-1,Good one,available,2024-01-31,10,\n"                  # row 2
        "BAD-1,Bad status,in repair shop,,,\n"                      # row 3
        "BAD-2,Ambiguous date,,03/04/2024,,\n"                      # row 4
        "BAD-3,Negative,,,-5,\n"                                    # row 5
        "BAD-4,,,,,\n"                                              # row 6: a new asset needs a name
        "OK-1,Twice,,,,\n"                                          # row 7: the tag again
        "BAD 5,Space in tag,,,,\n"                                  # row 8
        "BAD-6,Bad email,,,,someone\n"                              # row 9
        '"BAD-7","Two\nlines",,,,\n'                                # rows 10-11: a name must be one line
        "OK-2,Good two,,,,\n"                                       # row 12
    )
    report = await imported(manager, content)
    assert (report["created"], report["updated"]) == (2, 0)
    errors = {e["row"]: e["error"] for e in report["errors"]}
    assert errors == {
        3: "column 'status': 'in repair shop' is not a status (available, in_use, reserved, maintenance, missing, "
           "retired)",
        4: "column 'purchaseDate': '03/04/2024' could be day/month or month/day; write it as YYYY-MM-DD",
        5: "column 'purchaseCost': '-5' is negative; a cost is never below 0",
        6: "a new asset needs a name (the name cell is empty)",
        7: "tag 'OK-1' already appeared on row 2; each asset once per file",
        8: "column 'tag': 'BAD 5' is not a valid tag: no spaces, control characters or / ? # % \\ inside a tag",
        9: "column 'assigneeEmail': 'someone' is not an email address",
        10: "column 'name': 'Two\nlines' holds a control character (line breaks only in notes)",
    }
    assert set(await by_tag(manager)) == {"OK-1", "OK-2"}


async def test_atomic_writes_nothing_when_a_row_fails(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    content = "tag,name,category,status\nAT-1,First,Brand new category,\nAT-2,Second,,sideways\nAT-3,,,\n"
    report = await imported(manager, content, atomic=True)
    assert (report["created"], report["rolledBack"], report["atomic"]) == (0, True, True)
    assert [e["row"] for e in report["errors"]] == [3, 4]  # every error, not only the first
    assert await by_tag(manager) == {}
    assert "Brand new category" not in await names(manager, "/categories")
    good = await imported(manager, "tag,name\nAT-1,First\nAT-2,Second\n", data={"atomic": "true"})
    assert (good["created"], good["rolledBack"], good["atomic"]) == (2, False, True)


async def test_a_dry_run_answers_what_would_happen_and_writes_nothing(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    await manager.created("/inventory-items", tag="DRY-1", name="Old name")
    categories_before = await names(manager, "/categories")
    content = "tag,name,category,location,assignee\nDRY-1,New name,,,\nDRY-2,Created,Fresh,Somewhere > Else,Nobody Yet\n"
    for options in ({"params": {"dryRun": True}}, {"data": {"dryRun": "true"}}):
        r = await upload(manager, content, **options.get("params", {}), data=options.get("data"))
        report = r.json()
        assert (report["created"], report["updated"], report["dryRun"]) == (1, 1, True), report
        assert (report["createdCategories"], report["createdLocations"], report["createdPeople"]) == (1, 2, 1)
    assets = await by_tag(manager)
    assert set(assets) == {"DRY-1"} and assets["DRY-1"]["name"] == "Old name"
    assert await names(manager, "/categories") == categories_before
    assert "Else" not in await names(manager, "/locations")
    assert await manager.walk("/people") == []


async def test_rows_update_by_tag_ignoring_case_and_spaces(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    asset = await manager.created("/inventory-items", tag="LAP-001", name="Laptop", serial="S1")
    report = await imported(manager, "Asset Tag,Name,Serial Number\n  lap-001 ,Laptop (renamed),S1\nLAP-002,Other,\n")
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 0)
    updated = (await manager.get(f"/inventory-items/{asset['id']}")).json()
    assert (updated["tag"], updated["name"], updated["serial"]) == ("LAP-001", "Laptop (renamed)", "S1")
    again = await imported(manager, "tag,name\nlap-001,Laptop (renamed)\n")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)


async def test_empty_cells_keep_name_and_category_but_clear_optional_fields(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    asset = await manager.created("/inventory-items", tag="E-1", name="Keep me", serial="S-9", model="X1")
    await imported(manager, "tag,name,category,serial,model\nE-1,,,,X2\n")
    after = (await manager.get(f"/inventory-items/{asset['id']}")).json()
    assert (after["name"], after["categoryId"], after["model"]) == ("Keep me", asset["categoryId"], "X2")
    assert after.get("serial") is None


async def test_rows_without_a_tag_get_the_next_generated_tags(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    await manager.created("/inventory-items", name="Quick-added")  # AST-000001
    report = await imported(manager, "name,tag\nFirst,\nSecond,\nGiven,AST-000003\n")
    assert report["created"] == 3
    assert set(await by_tag(manager)) == {"AST-000001", "AST-000002", "AST-000003", "AST-000004"}
    after = await manager.created("/inventory-items", name="Next quick-add")
    assert after["tag"] == "AST-000005"


async def test_names_resolve_to_existing_records(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    category = await manager.created("/categories", name="Laptops")
    hq = await manager.created("/locations", name="HQ")
    floor = await manager.created("/locations", name="Floor 2", parentId=hq["id"])
    await manager.created("/locations", name="Store")
    depot = await manager.created("/locations", name="Depot")
    await manager.created("/locations", name="Depot", parentId=hq["id"])
    sam = await manager.created("/people", name="Sam Lee", email="sam@example.com")
    await manager.created("/people", name="Alex Kim")
    await manager.created("/people", name="Alex Kim")
    content = ("tag,name,category,location,assignee,assigneeEmail\n"
               "N-1,One,  LAPTOPS ,hq>floor 2,Whoever,SAM@example.com\n"
               "N-2,Two,laptops,Store,,\n"
               "N-3,Three,,Depot,,\n"        # a root 'Depot' and 'HQ > Depot': the root's path is exact
               "N-4,Four,,Floor 2,Alex Kim,\n"  # two people called Alex Kim
               "N-5,Five,,Nowhere,New Person,new@example.com\n")
    report = await imported(manager, content)
    assert report["errors"] == [{"row": 5, "error": "assignee: 2 people are called 'Alex Kim'; add an assigneeEmail "
                                                    "column to say which"}]
    assets = await by_tag(manager)
    assert (assets["N-1"]["categoryId"], assets["N-1"]["locationId"], assets["N-1"]["assigneeId"]) == (
        category["id"], floor["id"], sam["id"])
    assert assets["N-1"]["status"] == "in_use"  # given to someone: in use, as a check-out would make it
    assert assets["N-2"]["categoryId"] == category["id"]
    assert assets["N-3"]["locationId"] == depot["id"]
    people = {p["email"]: p for p in await manager.walk("/people") if p.get("email")}
    assert people["new@example.com"]["name"] == "New Person"
    assert report["createdCategories"] == 0 and report["createdLocations"] == 1 and report["createdPeople"] == 1


async def test_an_ambiguous_location_name_asks_for_its_path(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    for site in ("North", "South"):
        parent = await manager.created("/locations", name=site)
        await manager.created("/locations", name="Stores", parentId=parent["id"])
    report = await imported(manager, "tag,name,location\nA-1,One,stores\n")
    assert report["errors"] == [{"row": 2, "error": "location: 'stores' names 2 locations (North > Stores; "
                                                    "South > Stores); write its path"}]


async def test_status_changes_follow_the_status_table(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    await manager.created("/inventory-items", tag="S-1", name="One")
    await manager.created("/inventory-items", tag="S-2", name="Two")
    report = await imported(manager, "tag,status\nS-1,retired\nS-2,maintenance\n")
    assert report["errors"] == [{"row": 2, "error": "status: 'retired' needs a reason; change it with POST …/status "
                                                    "instead"}]
    assets = await by_tag(manager)
    assert (assets["S-1"]["status"], assets["S-2"]["status"]) == ("available", "maintenance")


async def test_imported_rows_are_on_the_timeline(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    asset = await manager.created("/inventory-items", tag="T-1", name="Before")
    await imported(manager, "tag,name\nT-1,After\nT-2,New\n")
    new_id = (await by_tag(manager))["T-2"]["id"]
    created = (await manager.get(f"/inventory-items/{new_id}/timeline")).json()["items"]
    assert [(e["type"], e["data"]) for e in created] == [("CREATED", {"source": "csv"})]
    updated = (await manager.get(f"/inventory-items/{asset['id']}/timeline", params={"types": "UPDATED"})).json()
    assert [e["data"] for e in updated["items"]] == [
        {"changes": [{"field": "name", "from": "Before", "to": "After"}], "source": "csv"}]


async def test_custom_field_columns(tenant: Any) -> None:
    admin = tenant.as_role("admin")
    await admin.created("/custom-fields", key="cost_center", name="Cost center", type="text")
    await admin.created("/custom-fields", key="insured", name="Insured", type="boolean")
    report = await imported(admin, "tag,name,Cost Center,insured,colour\nC-1,One,CC-7,yes,red\nC-2,Two,,maybe,\n")
    assert report["warnings"] == ["Column 'colour' is neither an asset field nor a custom field; ignored"]
    assert report["errors"] == [{"row": 3, "error": "column 'insured': 'maybe' is not yes or no (write true/false, "
                                                    "yes/no or 1/0)"}]
    assert (await by_tag(admin))["C-1"]["customFields"] == {"cost_center": "CC-7", "insured": True}


async def test_another_tenants_assets_and_names_are_never_touched(tenant: Any, other_tenant: Any) -> None:
    theirs = await other_tenant.created("/inventory-items", tag="SAME-1", name="Theirs")
    await other_tenant.created("/categories", name="Their category")
    report = await imported(tenant.as_role("manager"), "tag,name,category\nSAME-1,Ours,Their category\n")
    assert (report["created"], report["updated"], report["createdCategories"]) == (1, 0, 1)
    assert (await other_tenant.get(f"/inventory-items/{theirs['id']}")).json()["name"] == "Theirs"
    assert (await by_tag(tenant))["SAME-1"]["name"] == "Ours"


async def test_a_10_mb_file(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    note = "Inspected, labelled; " * 100  # ~2 KB of notes a row, as long free-text exports have
    lines = ["tag,name,category,location,notes"]
    lines += [f'BIG-{n:05d},Asset {n},Cat {n % 7},Site {n % 3} > Room {n % 11},"{note}{n}"' for n in range(5_000)]
    content = "\n".join(lines).encode()
    assert len(content) > 10 * 1024 * 1024
    report = await imported(manager, content)
    assert (report["created"], report["errors"]) == (5_000, [])
    page = (await manager.get("/inventory-items", params={"q": "BIG-04999"})).json()["items"]
    assert page[0]["notes"] == f"{note}4999"


async def test_too_large_is_413(tenant: Any) -> None:
    r = await upload(tenant.as_role("manager"), b"x" * (50 * 1024 * 1024 + 1))
    assert_error(r, 413)


async def test_a_body_that_is_not_a_form_upload(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    assert_error(await manager.post("/inventory-items/import/csv", json={"file": "tag,name"}), 415, "contentType")
    r = await manager.post("/inventory-items/import/csv", files={"other": ("a.csv", b"tag,name\n", "text/csv")})
    assert_error(r, 400, "file")
    r = await manager.post("/inventory-items/import/csv", files={"file": (None, "tag,name\nA,B\n")})  # no filename
    assert_error(r, 400, "file")
    r = await manager.post("/inventory-items/import/csv", data={"file": "tag,name\nA,B\n"})  # a urlencoded form
    assert_error(r, 415, "contentType")
    assert_error(await upload(manager, "tag,name\n", data={"dryRun": "perhaps"}), 400, "dryRun")


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"", "The file is empty", id="empty"),
    pytest.param(b"serial,model\nS1,M1\n", "neither a tag nor a name column", id="no tag or name"),
    pytest.param(b"Asset Tag,tag\n", "both mean tag", id="two tag columns"),
    pytest.param(b"\xff\xfet\x00a\x00g\x00\n\x00\x00\xd8", "not valid UTF-16", id="broken utf-16"),
    pytest.param(b"tag,name\nA,B\nC," + b"x" * 200_000 + b"\n", "cannot be read as CSV after row 2", id="huge cell"),
])
async def test_files_that_cannot_be_imported_are_400(tenant: Any, content: bytes, message: str) -> None:
    body = assert_error(await upload(tenant.as_role("manager"), content), 400, "file")
    assert message in body["message"]


async def test_technicians_cannot_import(tenant: Any) -> None:
    assert_error(await upload(tenant.as_role("technician"), "tag,name\nX,Y\n"), 403)
    assert await by_tag(tenant) == {}


async def test_assignee_and_status_move_as_check_out_and_check_in_do(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    asset = await manager.created("/inventory-items", tag="H-1", name="Drill")
    room = await manager.created("/locations", name="Workshop")

    async def timeline() -> list[tuple[str, dict[str, Any]]]:
        items = (await manager.get(f"/inventory-items/{asset['id']}/timeline")).json()["items"]
        return [(e["type"], e["data"]) for e in reversed(items) if e["type"] != "CREATED"]

    assert (await imported(manager, "tag,assignee,location\nH-1,Sam Lee,Workshop\n"))["updated"] == 1
    held = (await by_tag(manager))["H-1"]
    sam = held["assigneeId"]
    assert (held["status"], held["locationId"]) == ("in_use", room["id"])
    assert (await imported(manager, "tag,status\nH-1,maintenance\n"))["updated"] == 1
    after = (await by_tag(manager))["H-1"]
    assert (after["status"], after.get("assigneeId")) == ("maintenance", None)  # leaving in_use takes it back
    moved = [{"field": "locationId", "from": asset["locationId"], "to": room["id"]}]
    assert await timeline() == [
        ("ASSIGNED", {"personId": sam}),
        ("STATUS_CHANGED", {"from": "available", "to": "in_use", "source": "csv"}),
        ("UPDATED", {"changes": [*moved, {"field": "assigneeId", "from": None, "to": sam}], "source": "csv"}),
        ("MOVED", {"from": asset["locationId"], "to": room["id"]}),
        ("UNASSIGNED", {"personId": sam}),
        ("STATUS_CHANGED", {"from": "in_use", "to": "maintenance", "source": "csv"}),
        ("UPDATED", {"changes": [{"field": "assigneeId", "from": sam, "to": None}], "source": "csv"}),
    ]
    report = await imported(manager, "tag,name,status,assignee\nH-1,,,Sam Lee\nH-2,New,deployed,\n")
    assert report["errors"] == [
        {"row": 2, "error": "assignee: an asset that is maintenance has no holder; leave the assignee cell empty or "
                            "make the status in_use"},
        {"row": 3, "error": "status: an asset in use has a holder; fill the assignee (or assigneeEmail) cell"}]
    assert len(await timeline()) == 7  # the failed rows wrote nothing


async def test_an_excel_sep_line_names_the_separator_and_is_not_a_row(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    report = await imported(manager, "\ufeffsep=|\r\ntag|name|purchaseCost\r\nP-1|Pipe, copper|1,50\r\nP-2|Valve|-1\r\n")
    assert (report["separator"], report["created"]) == ("|", 1)
    assert report["errors"] == [{"row": 3, "error": "column 'purchaseCost': '-1' is negative; a cost is never below 0"}]
    assert (await by_tag(manager))["P-1"]["purchaseCost"] == "1.50"
