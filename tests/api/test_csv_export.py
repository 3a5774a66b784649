"""GET /inventory-items/export/csv: the list's filters, a spreadsheet-safe file, and a lossless round trip."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.api.test_csv_import import imported
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

HEADER = ["tag", "name", "status", "category", "location", "assignee", "assigneeEmail", "serial", "manufacturer",
          "model", "purchaseDate", "purchaseCost", "warrantyExpiry", "notes"]
TRAILER = ["lastVerifiedAt", "createdAt", "updatedAt", "id"]


async def export(client: Any, **params: Any) -> tuple[Any, list[dict[str, str]]]:
    r = await client.get("/inventory-items/export/csv", params=params)
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return r, list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


async def test_the_export_is_a_dated_spreadsheet_download_with_names_not_ids(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    hq = await manager.created("/locations", name="HQ")
    floor = await manager.created("/locations", name="Floor 2", parentId=hq["id"])
    category = await manager.created("/categories", name="Laptops")
    sam = await manager.created("/people", name="Sam Lee", email="sam@example.com")
    asset = await manager.created("/inventory-items", tag="X-1", name="ThinkPad", categoryId=category["id"],
                                  locationId=floor["id"], assigneeId=sam["id"], purchaseCost="1450.5",
                                  purchaseDate="2024-03-01", notes="Two\nlines, \"quoted\"")
    r, rows = await export(manager)
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith('attachment; filename="assets-')
    assert r.headers["content-disposition"].endswith('.csv"')
    assert "content-length" not in r.headers  # streamed, not built in memory first
    assert list(rows[0]) == HEADER + TRAILER
    assert rows == [{
        "tag": "X-1", "name": "ThinkPad", "status": "in_use", "category": "Laptops", "location": "HQ > Floor 2",
        "assignee": "Sam Lee", "assigneeEmail": "sam@example.com", "serial": "", "manufacturer": "", "model": "",
        "purchaseDate": "2024-03-01", "purchaseCost": "1450.50", "warrantyExpiry": "", "notes": "Two\nlines, \"quoted\"",
        "lastVerifiedAt": "", "createdAt": asset["createdAt"], "updatedAt": asset["updatedAt"], "id": asset["id"]}]


async def test_the_export_takes_the_lists_filters(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    printers = await manager.created("/categories", name="Printers")
    await manager.created("/inventory-items", tag="P-1", name="Printer", categoryId=printers["id"])
    await manager.created("/inventory-items", tag="P-2", name="Printer two", categoryId=printers["id"])
    await manager.created("/inventory-items", tag="O-1", name="Other")
    gone = await manager.created("/inventory-items", tag="D-1", name="Deleted one")
    assert (await manager.delete(f"/inventory-items/{gone['id']}")).status_code == 204
    assert [row["tag"] for row in (await export(manager))[1]] == ["O-1", "P-1", "P-2"]
    assert [row["tag"] for row in (await export(manager, categoryId=printers["id"]))[1]] == ["P-1", "P-2"]
    assert [row["tag"] for row in (await export(manager, q="two"))[1]] == ["P-2"]
    assert [row["tag"] for row in (await export(manager, deleted="only"))[1]] == ["D-1"]
    assert_error(await manager.get("/inventory-items/export/csv", params={"status": "sideways"}), 400, "status")
    assert_error(await manager.get("/inventory-items/export/csv", params={"categoryId": "nope"}), 400, "categoryId")


async def test_more_rows_than_one_batch_come_out_once_each_in_tag_order(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    await imported(manager, "tag,name\n" + "".join(f"B-{n:05d},Asset {n}\n" for n in range(2_345, 0, -1)))
    tags = [row["tag"] for row in (await export(manager))[1]]
    assert tags == [f"B-{n:05d}" for n in range(1, 2_346)]


async def test_custom_fields_have_a_column_each(tenant: Any) -> None:
    admin = tenant.as_role("admin")
    await admin.created("/custom-fields", key="cost_center", name="Cost center", type="text")
    await admin.created("/custom-fields", key="insured", name="Insured", type="boolean")
    await admin.created("/inventory-items", tag="C-1", name="One", customFields={"cost_center": "CC-1", "insured": True})
    _, rows = await export(admin)
    assert list(rows[0]) == [*HEADER, "cost_center", "insured", *TRAILER]
    assert (rows[0]["cost_center"], rows[0]["insured"]) == ("CC-1", "true")


async def test_formulas_are_escaped_and_the_import_takes_the_escape_off(tenant: Any) -> None:
    manager = tenant.as_role("manager")
    evil = "=HYPERLINK(\"http://evil.example\",\"click\")"
    asset = await manager.created("/inventory-items", tag="F-1", name=evil, notes="-2+3+cmd|' /C calc'!A0",
                                  manufacturer="@SUM(1)", model="'=already quoted")
    _, rows = await export(manager)
    assert (rows[0]["name"], rows[0]["notes"], rows[0]["manufacturer"], rows[0]["model"]) == (
        f"'{evil}", "'-2+3+cmd|' /C calc'!A0", "'@SUM(1)", "''=already quoted")
    r, _ = await export(manager)
    report = await imported(manager, r.content)
    assert (report["updated"], report["unchanged"]) == (0, 1)
    after = (await manager.get(f"/inventory-items/{asset['id']}")).json()
    assert (after["name"], after["model"]) == (evil, "'=already quoted")


async def test_an_export_imported_again_changes_nothing(tenant: Any) -> None:
    admin = tenant.as_role("admin")
    await admin.created("/custom-fields", key="floor", name="Floor", type="number")
    hq = await admin.created("/locations", name="HQ")
    room = await admin.created("/locations", name="Room 1", parentId=hq["id"])
    person = await admin.created("/people", name="Ana Díaz", email="ana@example.com")
    await admin.created("/inventory-items", tag="R-1", name="Zoë's laptop", locationId=room["id"],
                        assigneeId=person["id"], serial="SN 1", purchaseCost="0.5", purchaseDate="2023-12-31",
                        warrantyExpiry="2026-01-01", notes="line one\r\nline two", customFields={"floor": -2})
    await admin.created("/inventory-items", tag="R-2", name="Plain")
    before = {a["tag"]: a for a in await admin.walk("/inventory-items")}
    r, _ = await export(admin)
    report = await imported(admin, r.content)
    assert (report["created"], report["updated"], report["unchanged"], report["errors"]) == (0, 0, 2, [])
    assert report["warnings"] == []
    assert {a["tag"]: a for a in await admin.walk("/inventory-items")} == before


async def test_technicians_cannot_export(tenant: Any) -> None:
    assert_error(await tenant.as_role("technician").get("/inventory-items/export/csv"), 403)


async def test_another_tenants_assets_are_not_exported(tenant: Any, other_tenant: Any) -> None:
    await other_tenant.created("/inventory-items", tag="THEIRS-1", name="Theirs")
    await tenant.created("/inventory-items", tag="OURS-1", name="Ours")
    assert [row["tag"] for row in (await export(tenant))[1]] == ["OURS-1"]
