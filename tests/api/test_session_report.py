"""The audit report, the missing list and the unknown codes through HTTP (CONTRACT §5): every total and
breakdown of a session scanned by two people, the CSV download, the printable page, roles and tenants."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import make_tenant
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

TENANT_NAME = "Acme & Sons <Ltd>"
FORMULA_NAME = '=HYPERLINK("http://evil.example","Click")'
MARKUP_NAME = "<b>x</b>"
CSV_HEADER = ["Tag", "Name", "Category", "Expected location", "State", "Scanned at", "Found at"]


@dataclass
class Audit:
    """A session over HQ (with Room 204 and Room 205) after a morning of scanning by a technician and the admin.

    Expected: LAP-1, LAP-2 (Room 204), LAP-3 (Room 205), CHR-1, CHR-2 (HQ); STL-1 (HQ) is excluded.
    Seen: LAP-1 (technician), CHR-1 and LAP-3 (admin, at the Room 205 door); LAP-2 and CHR-2 are missing.
    MON-1 (Warehouse) answered wrong_location to both, then the technician relocated it to HQ (an extra);
    the admin marked KBD-1 (Warehouse) anyway at Room 205 (an extra, not moved). NOPE-1 was scanned by both,
    NOPE-2 by the technician.
    """

    tenant: Any
    technician: Any
    session_id: str
    admin_email: str
    technician_email: str
    ids: dict[str, str]


async def scan(client: Any, session_id: str, code: str, at: str, **options: Any) -> str:
    r = await client.post(f"/sessions/{session_id}/scan", json={"code": code, "scannedAt": f"2024-01-01T{at}:00Z",
                                                                **options})
    assert r.status_code == 200, r.text
    return r.json()["result"]


@pytest.fixture
async def audit(app, client, settings) -> Audit:
    tenant = await make_tenant(app, client, settings, name=TENANT_NAME)
    technician = tenant.as_role("technician")
    hq = await tenant.created("/locations", name="HQ")
    room204 = await tenant.created("/locations", name="Room 204", parentId=hq["id"])
    room205 = await tenant.created("/locations", name="Room 205", parentId=hq["id"])
    warehouse = await tenant.created("/locations", name="Warehouse")
    laptops = await tenant.created("/categories", name="Laptops")
    chairs = await tenant.created("/categories", name="Chairs")
    ids = {}
    for tag, name, category, location in (
        ("LAP-1", "Laptop one", laptops, room204), ("LAP-2", FORMULA_NAME, laptops, room204),
        ("LAP-3", "Laptop three", laptops, room205), ("CHR-1", "Chair one", chairs, hq),
        ("CHR-2", MARKUP_NAME, chairs, hq), ("STL-1", "Stool", chairs, hq),
        ("MON-1", "Monitor", laptops, warehouse), ("KBD-1", "Keyboard", laptops, warehouse),
    ):
        ids[tag] = (await tenant.created("/inventory-items", name=name, tag=tag, categoryId=category["id"],
                                         locationId=location["id"]))["id"]
    sid = (await tenant.created("/sessions", name="Spring <audit>", locationId=hq["id"]))["id"]
    assert (await tenant.post(f"/sessions/{sid}/items/{ids['STL-1']}/exclude")).status_code == 200

    outcomes = [
        await scan(technician, sid, "LAP-1", "09:00"),
        await scan(technician, sid, "NOPE-1", "09:05"),
        await scan(tenant, sid, "LAP-1", "09:10"),
        await scan(tenant, sid, room205["code"], "09:15"),
        await scan(tenant, sid, "CHR-1", "09:20"),
        await scan(tenant, sid, "LAP-3", "09:25"),
        await scan(tenant, sid, "MON-1", "09:30"),
        await scan(technician, sid, "MON-1", "09:35"),
        await scan(technician, sid, "MON-1", "09:40", allowMarkAnyway=True, relocate=True),
        await scan(tenant, sid, "KBD-1", "09:45", allowMarkAnyway=True),
        await scan(technician, sid, "NOPE-2", "09:47"),
        await scan(tenant, sid, "NOPE-1", "09:50"),
    ]
    assert outcomes == ["accepted", "unknown_code", "already_scanned", "location_set", "accepted", "accepted",
                        "wrong_location", "wrong_location", "accepted", "accepted", "unknown_code", "unknown_code"]
    return Audit(tenant, technician, sid, f"admin@{tenant.slug}.example", f"technician@{tenant.slug}.example", ids)


async def report_of(client: Any, session_id: str) -> dict[str, Any]:
    r = await client.get(f"/sessions/{session_id}/report")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["content-disposition"].endswith('.csv"')
    return list(csv.reader(io.StringIO(response.text)))


# --- JSON -----------------------------------------------------------------------------------------------------


async def test_the_report_totals_count_each_kind_of_finding_once(audit):
    report = await report_of(audit.tenant, audit.session_id)
    assert next(iter(report)) == "totals"
    assert report["totals"] == {"expected": 5, "scanned": 3, "missing": 2, "extras": 2, "wrongLocation": 1,
                                "moved": 1, "unknownCodes": 2}


async def test_the_report_breaks_the_expected_set_down_by_category_and_expected_location(audit):
    report = await report_of(audit.tenant, audit.session_id)
    assert [{k: row[k] for k in ("name", "expected", "scanned", "missing")} for row in report["byCategory"]] == [
        {"name": "Chairs", "expected": 2, "scanned": 1, "missing": 1},
        {"name": "Laptops", "expected": 3, "scanned": 2, "missing": 1},
    ]
    assert [{k: row[k] for k in ("name", "path", "expected", "scanned", "missing")} for row in report["byLocation"]] == [
        {"name": "HQ", "path": "HQ", "expected": 2, "scanned": 1, "missing": 1},
        {"name": "Room 204", "path": "HQ > Room 204", "expected": 2, "scanned": 1, "missing": 1},
        {"name": "Room 205", "path": "HQ > Room 205", "expected": 1, "scanned": 1, "missing": 0},
    ]


async def test_the_report_says_who_scanned_how_many_and_who_counted_what(audit):
    report = await report_of(audit.tenant, audit.session_id)
    # Door tags are not asset scans; a wrong-location or unknown answer is still a scan someone made.
    assert [(s["name"], s["scans"], s["counted"]) for s in report["scanners"]] == [
        (audit.admin_email, 6, 3), (audit.technician_email, 5, 2)]
    assert {s["userId"] for s in report["scanners"]} == {str(audit.tenant.user_ids["admin"]),
                                                         str(audit.tenant.user_ids["technician"])}


async def test_a_scan_made_with_an_api_key_is_credited_to_the_keys_name(audit):
    key = await audit.tenant.created("/api-keys", name="Dock scanner")
    r = await audit.tenant.post(f"/sessions/{audit.session_id}/scan", auth=False, json={"code": "LAP-2"},
                                headers={"authorization": f"ApiKey {key['token']}"})
    assert r.status_code == 200 and r.json()["result"] == "accepted", r.text
    scanners = (await report_of(audit.tenant, audit.session_id))["scanners"]
    assert {(s["name"], s["apiKeyId"], s["userId"], s["scans"], s["counted"]) for s in scanners} >= {
        ("Dock scanner", key["id"], None, 1, 1)}
    rows = csv_rows(await audit.tenant.get(f"/sessions/{audit.session_id}/report", params={"format": "csv"}))
    assert [row[4] for row in rows if row[0] == "LAP-2"] == ["scanned"]


async def test_the_report_gives_the_scanning_time_span_and_the_sessions_dates(audit):
    tenant, sid = audit.tenant, audit.session_id
    session = (await tenant.get(f"/sessions/{sid}")).json()
    duration = (await report_of(tenant, sid))["duration"]
    assert duration == {"createdAt": session["createdAt"], "completedAt": None,
                        "firstScanAt": "2024-01-01T09:00:00Z", "lastScanAt": "2024-01-01T09:50:00Z"}
    done = await tenant.patch(f"/sessions/{sid}", json={"status": "completed"})
    assert done.status_code == 200, done.text
    after = await report_of(tenant, sid)
    assert after["duration"]["completedAt"] == done.json()["completedAt"] is not None
    assert after["session"]["status"] == "completed"
    assert after["totals"] == (await report_of(tenant, sid))["totals"]


async def test_the_report_lists_the_missing_the_extras_the_moves_and_the_unknown_codes(audit):
    report = await report_of(audit.tenant, audit.session_id)
    assert [{k: v for k, v in row.items() if k != "assetId"} for row in report["missing"]] == [
        {"tag": "CHR-2", "name": MARKUP_NAME, "category": "Chairs", "expectedLocation": "HQ"},
        {"tag": "LAP-2", "name": FORMULA_NAME, "category": "Laptops", "expectedLocation": "HQ > Room 204"},
    ]
    assert [{k: v for k, v in row.items() if k != "assetId"} for row in report["extras"]] == [
        {"tag": "KBD-1", "name": "Keyboard", "category": "Laptops", "foundLocation": "HQ > Room 205",
         "scannedAt": "2024-01-01T09:45:00Z", "scannedBy": audit.admin_email},
        {"tag": "MON-1", "name": "Monitor", "category": "Laptops", "foundLocation": "HQ",
         "scannedAt": "2024-01-01T09:40:00Z", "scannedBy": audit.technician_email},
    ]
    assert [(m["tag"], m["fromLocation"], m["toLocation"]) for m in report["moves"]] == [("MON-1", "Warehouse", "HQ")]
    assert report["unknownCodes"] == [
        {"code": "NOPE-1", "count": 2, "firstSeenAt": "2024-01-01T09:05:00Z", "lastSeenAt": "2024-01-01T09:50:00Z",
         "scannedBy": [audit.technician_email, audit.admin_email]},
        {"code": "NOPE-2", "count": 1, "firstSeenAt": "2024-01-01T09:47:00Z", "lastSeenAt": "2024-01-01T09:47:00Z",
         "scannedBy": [audit.technician_email]},
    ]
    assert report["session"] == {"id": audit.session_id, "name": "Spring <audit>", "status": "active",
                                 "location": "HQ", "tenant": TENANT_NAME}


async def test_the_unknown_codes_list_has_each_code_once_with_its_count_times_and_scanners(audit):
    r = await audit.technician.get(f"/sessions/{audit.session_id}/unknown-codes")
    assert r.status_code == 200, r.text
    assert r.json() == {"items": (await report_of(audit.tenant, audit.session_id))["unknownCodes"], "nextCursor": None}
    assert [(u["code"], u["count"]) for u in r.json()["items"]] == [("NOPE-1", 2), ("NOPE-2", 1)]


async def test_a_fresh_session_reports_everything_missing_and_nothing_else(audit):
    sid = (await audit.tenant.created("/sessions", name="Again", categoryIds=[]))["id"]
    report = await report_of(audit.tenant, sid)
    assert report["totals"] == {"expected": 8, "scanned": 0, "missing": 8, "extras": 0, "wrongLocation": 0,
                                "moved": 0, "unknownCodes": 0}
    assert report["scanners"] == [] and report["extras"] == [] and report["unknownCodes"] == []
    assert report["duration"]["firstScanAt"] is None and report["duration"]["lastScanAt"] is None
    assert (await audit.tenant.get(f"/sessions/{sid}/unknown-codes")).json() == {"items": [], "nextCursor": None}


# --- CSV ------------------------------------------------------------------------------------------------------


async def test_the_report_csv_has_a_header_and_one_row_per_item(audit):
    rows = csv_rows(await audit.tenant.get(f"/sessions/{audit.session_id}/report", params={"format": "csv"}))
    assert rows[0] == CSV_HEADER
    assert rows[1:] == [
        ["CHR-1", "Chair one", "Chairs", "HQ", "scanned", "2024-01-01T09:20:00Z", "HQ > Room 205"],
        ["CHR-2", MARKUP_NAME, "Chairs", "HQ", "unscanned", "", ""],
        ["KBD-1", "Keyboard", "Laptops", "", "extra", "2024-01-01T09:45:00Z", "HQ > Room 205"],
        ["LAP-1", "Laptop one", "Laptops", "HQ > Room 204", "scanned", "2024-01-01T09:00:00Z", ""],
        ["LAP-2", "'" + FORMULA_NAME, "Laptops", "HQ > Room 204", "unscanned", "", ""],
        ["LAP-3", "Laptop three", "Laptops", "HQ > Room 205", "scanned", "2024-01-01T09:25:00Z", "HQ > Room 205"],
        ["MON-1", "Monitor", "Laptops", "", "extra", "2024-01-01T09:40:00Z", "HQ"],
        ["STL-1", "Stool", "Chairs", "HQ", "excluded", "", ""],
    ]


@pytest.mark.parametrize("name", [
    pytest.param("=1+2", id="equals"),
    pytest.param("+1+2", id="plus"),
    pytest.param("-1+2", id="minus"),
    pytest.param("@SUM(A1)", id="at"),
])
async def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(audit, name):
    await audit.tenant.created("/inventory-items", name=name, tag="EVIL-1")
    sid = (await audit.tenant.created("/sessions", name="Everything"))["id"]
    for path in ("report", "missing"):
        rows = csv_rows(await audit.tenant.get(f"/sessions/{sid}/{path}", params={"format": "csv"}))
        assert [row[1] for row in rows if row[0] == "EVIL-1"] == [f"'{name}"], path


async def test_the_missing_list_as_csv_has_the_missing_items_only(audit):
    rows = csv_rows(await audit.technician.get(f"/sessions/{audit.session_id}/missing", params={"format": "csv"}))
    assert rows == [CSV_HEADER, ["CHR-2", MARKUP_NAME, "Chairs", "HQ", "unscanned", "", ""],
                    ["LAP-2", "'" + FORMULA_NAME, "Laptops", "HQ > Room 204", "unscanned", "", ""]]


async def test_the_missing_list_is_still_json_by_default(audit):
    r = await audit.tenant.get(f"/sessions/{audit.session_id}/missing")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    # By expected location path (HQ before HQ > Room 204), then tag.
    assert [item["tag"] for item in r.json()["items"]] == ["CHR-2", "LAP-2"] and r.json()["nextCursor"] is None
    assert r.json() == (await audit.tenant.get(f"/sessions/{audit.session_id}/missing",
                                               params={"format": "json"})).json()


# --- HTML -----------------------------------------------------------------------------------------------------


async def test_the_printable_report_shows_totals_breakdowns_and_lists_with_names_escaped(audit):
    r = await audit.tenant.get(f"/sessions/{audit.session_id}/report", params={"format": "html"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    for total, value in (("expected", 5), ("scanned", 3), ("missing", 2), ("extras", 2), ("wrong-location", 1),
                         ("moved", 1), ("unknown-codes", 2)):
        assert f'id="total-{total}">{value}<' in page, total
    assert '<link rel="stylesheet" href="/app/report.css">' in page  # printed on A4 (a file: the CSP allows no inline style)
    sheet = await audit.tenant.client.get("/app/report.css")
    assert sheet.status_code == 200 and "@page" in sheet.text and "size: A4" in sheet.text
    for text in ("CHR-2", "LAP-2", "KBD-1", "MON-1", "NOPE-1", "Laptops", "HQ &gt; Room 204", audit.admin_email):
        assert text in page, text
    assert page.index('id="total-expected"') < page.index("By category") < page.index("LAP-2")
    assert MARKUP_NAME not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "Spring &lt;audit&gt;" in page and "Acme &amp; Sons &lt;Ltd&gt;" in page
    assert "<Ltd>" not in page


async def test_the_printable_missing_list_names_the_missing_items_escaped(audit):
    r = await audit.technician.get(f"/sessions/{audit.session_id}/missing", params={"format": "html"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert 'id="total-missing">2<' in r.text
    assert "CHR-2" in r.text and "LAP-2" in r.text and "LAP-1" not in r.text
    assert MARKUP_NAME not in r.text and "&lt;b&gt;x&lt;/b&gt;" in r.text


# --- errors, roles, tenants -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["report", "missing"])
async def test_an_unknown_format_is_a_400_naming_format(audit, path):
    body = assert_error(await audit.tenant.get(f"/sessions/{audit.session_id}/{path}", params={"format": "xlsx"}), 400)
    assert "format" in body["details"]


async def test_a_technician_reads_the_report_in_every_format(audit):
    for params in ({}, {"format": "csv"}, {"format": "html"}):
        r = await audit.technician.get(f"/sessions/{audit.session_id}/report", params=params)
        assert r.status_code == 200, (params, r.text)
    assert (await report_of(audit.technician, audit.session_id))["totals"]["expected"] == 5


@pytest.mark.parametrize(("path", "params"), [
    pytest.param("report", {}, id="report"),
    pytest.param("report", {"format": "csv"}, id="report-csv"),
    pytest.param("report", {"format": "html"}, id="report-html"),
    pytest.param("missing", {"format": "csv"}, id="missing-csv"),
    pytest.param("missing", {"format": "html"}, id="missing-html"),
    pytest.param("unknown-codes", {}, id="unknown-codes"),
])
async def test_another_tenants_session_is_a_404_in_every_form(audit, other_tenant, path, params):
    body = assert_error(await other_tenant.get(f"/sessions/{audit.session_id}/{path}", params=params), 404)
    assert "NOPE" not in str(body) and "LAP" not in str(body)


async def test_a_deleted_sessions_report_is_a_404(audit):
    assert (await audit.tenant.delete(f"/sessions/{audit.session_id}")).status_code == 204
    assert_error(await audit.tenant.get(f"/sessions/{audit.session_id}/report"), 404)
    assert_error(await audit.tenant.get(f"/sessions/{audit.session_id}/unknown-codes"), 404)
