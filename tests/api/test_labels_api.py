"""Labels through the HTTP stack, on SQLite and PostgreSQL: an asset's public QR images, one label of an
asset or a location, many at once, templates and their calibration. (Every template × format is read
back by a real renderer in test_label_readback.py; here the routes' behaviour: types, headers, errors.)"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from backend.labels.qr import qr_svg
from tests.conftest import TenantClient, make_tenant
from tests.readback import decode, pdf_pages
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

ITEMS = "/inventory-items"
NO_SUCH_ID = "01900000-0000-7000-8000-000000000000"


def png_codes(data: bytes) -> dict[str, str]:
    """What a PNG's barcodes say, by kind: {"QRCode": text, "Code128": text}."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return {result.format.name: result.text for result in zxingcpp.read_barcodes(image.convert("L"))}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def asset(tenant: TenantClient, **fields: Any) -> dict[str, Any]:
    return await tenant.created(ITEMS, **{"name": "Cordless drill", **fields})


# --- the asset's QR image: public, cacheable ---------------------------------------------------------------


async def test_the_qr_png_needs_no_sign_in_and_decodes_to_the_asset_url(tenant):
    drill = await asset(tenant)
    r = await tenant.get(f"{ITEMS}/{drill['id']}/qr.png", auth=False)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert r.headers["cache-control"] == "public, max-age=3600"
    assert r.headers["etag"].startswith('"')
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "PNG" and image.size == (512, 512)
    assert png_codes(r.content) == {"QRCode": f"http://{tenant.host}/a/AST-000001"} == {"QRCode": drill["qrUrl"]}


@pytest.mark.parametrize("size", [64, 300, 2048])
async def test_the_qr_png_has_the_size_asked_for(tenant, size):
    drill = await asset(tenant)
    r = await tenant.get(f"{ITEMS}/{drill['id']}/qr.png", auth=False, params={"size": size})
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (size, size)
    if size >= 300:
        assert png_codes(r.content)["QRCode"] == drill["qrUrl"]


@pytest.mark.parametrize("size", ["63", "2049", "0", "-5", "big"])
async def test_a_qr_size_out_of_range_is_refused(tenant, size):
    drill = await asset(tenant)
    assert_error(await tenant.get(f"{ITEMS}/{drill['id']}/qr.png", auth=False, params={"size": size}), 400, "size")


async def test_the_qr_svg_is_the_qr_code_of_the_asset_url(tenant):
    drill = await asset(tenant, tag="Küche-1")
    r = await tenant.get(f"{ITEMS}/{drill['id']}/qr.svg", auth=False)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["cache-control"] == "public, max-age=3600"
    assert r.text == qr_svg(f"http://{tenant.host}/a/K%C3%BCche-1")


async def test_a_qr_image_revalidates_with_its_etag_and_changes_with_the_tag(tenant):
    drill = await asset(tenant)
    path = f"{ITEMS}/{drill['id']}/qr.png"
    first = await tenant.get(path, auth=False)
    again = await tenant.get(path, auth=False, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert (await tenant.get(path, auth=False, params={"size": 256})).headers["etag"] != first.headers["etag"]
    assert (await tenant.patch(f"{ITEMS}/{drill['id']}", json={"tag": "LAB-9"})).status_code == 200
    retagged = await tenant.get(path, auth=False, headers={"if-none-match": first.headers["etag"]})
    assert retagged.status_code == 200
    assert png_codes(retagged.content)["QRCode"].endswith("/a/LAB-9")


async def test_the_qr_of_a_deleted_unknown_or_foreign_asset_is_a_404(tenant, other_tenant):
    drill = await asset(tenant)
    foreign = await asset(other_tenant)
    assert (await tenant.delete(f"{ITEMS}/{drill['id']}")).status_code == 204
    for asset_id in (drill["id"], NO_SUCH_ID, foreign["id"]):
        for image in ("qr.png", "qr.svg"):
            body = assert_error(await tenant.get(f"{ITEMS}/{asset_id}/{image}", auth=False), 404)
            assert body["message"] == f"Asset {asset_id} not found"
    assert_error(await tenant.get(f"{ITEMS}/not-an-id/qr.png", auth=False), 400, "inventoryItemId")


async def test_the_qr_follows_the_host_and_an_unknown_host_is_a_404(tenant, client):
    drill = await asset(tenant)
    r = await client.get(f"/api/v1{ITEMS}/{drill['id']}/qr.png", headers={"host": f"{tenant.slug}.localhost:8000"})
    assert png_codes(r.content)["QRCode"] == f"http://{tenant.slug}.localhost:8000/a/AST-000001"
    assert_error(await client.get(f"/api/v1{ITEMS}/{drill['id']}/qr.png", headers={"host": "nosuch.localhost"}), 404)


# --- one label ------------------------------------------------------------------------------------------------


async def test_an_asset_label_is_an_a4_pdf_download_by_default(tenant):
    drill = await asset(tenant, name="Hammer drill")
    r = await tenant.as_role("technician").get(f"{ITEMS}/{drill['id']}/label")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="label-AST-000001.pdf"'
    assert r.headers["cache-control"] == "private, no-store"
    assert r.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 1
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox.upper_right)
    assert (round(width_mm), round(height_mm)) == (210, 297)
    text = pdf_text(r.content)
    assert "AST-000001" in text and "Hammer drill" in text


async def test_a_thermal_png_label_carries_the_qr_of_the_asset_and_a_code_128_of_its_tag(tenant):
    drill = await asset(tenant)
    r = await tenant.get(f"{ITEMS}/{drill['id']}/label", params={"template": "thermal-50x25", "format": "png"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"] == 'attachment; filename="label-AST-000001.png"'
    assert png_codes(r.content) == {"QRCode": drill["qrUrl"], "Code128": "AST-000001"}


async def test_without_the_barcode_the_label_has_the_qr_code_only(tenant):
    drill = await asset(tenant)
    r = await tenant.get(f"{ITEMS}/{drill['id']}/label",
                         params={"template": "thermal-50x25", "format": "png", "barcode": "false"})
    assert png_codes(r.content) == {"QRCode": drill["qrUrl"]}


async def test_the_tenant_name_is_printed_unless_turned_off(app, client, settings):
    acme = await make_tenant(app, client, settings, name="Acme Facilities")
    drill = await asset(acme)
    shown = await acme.get(f"{ITEMS}/{drill['id']}/label")
    hidden = await acme.get(f"{ITEMS}/{drill['id']}/label", params={"showTenant": "false"})
    assert "Acme Facilities" in pdf_text(shown.content)
    assert "Acme Facilities" not in pdf_text(hidden.content) and "AST-000001" in pdf_text(hidden.content)


async def test_a_zpl_label_is_utf8_text_for_a_zebra_printer(tenant):
    drill = await asset(tenant, name="Kühlschrank")
    r = await tenant.get(f"{ITEMS}/{drill['id']}/label", params={"template": "thermal-50x25", "format": "zpl"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-zpl; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="label-AST-000001.zpl"'
    assert r.text.startswith("^XA") and r.text.rstrip().endswith("^XZ")
    assert drill["qrUrl"] in r.text and "Kühlschrank" in r.text


async def test_a_tag_beyond_ascii_downloads_under_an_ascii_name_and_its_exact_one(tenant):
    drill = await asset(tenant, tag='Küche"1')
    r = await tenant.get(f"{ITEMS}/{drill['id']}/label", params={"format": "svg"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"label-K_che_1.svg\"; filename*=UTF-8''label-K%C3%BCche%221.svg")


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"template": "avery-9999"}, "template", id="unknown-template"),
    pytest.param({"format": "bmp"}, "format", id="unknown-format"),
    pytest.param({"template": "avery-l7160", "format": "zpl"}, "format", id="zpl-on-a-sheet"),
    pytest.param({"showTenant": "perhaps"}, "showTenant", id="not-a-boolean"),
])
async def test_a_label_that_cannot_be_printed_is_a_400_naming_the_parameter(tenant, params, field):
    drill = await asset(tenant)
    assert_error(await tenant.get(f"{ITEMS}/{drill['id']}/label", params=params), 400, field)


async def test_the_label_of_a_deleted_unknown_or_foreign_asset_is_a_404(tenant, other_tenant):
    drill = await asset(tenant)
    foreign = await asset(other_tenant)
    assert (await tenant.delete(f"{ITEMS}/{drill['id']}")).status_code == 204
    assert "restore it" in assert_error(await tenant.get(f"{ITEMS}/{drill['id']}/label"), 404)["message"]
    for asset_id in (NO_SUCH_ID, foreign["id"]):
        assert assert_error(await tenant.get(f"{ITEMS}/{asset_id}/label"), 404)["message"] == \
            f"Asset {asset_id} not found"


async def test_printing_needs_a_sign_in(tenant):
    drill = await asset(tenant)
    assert_error(await tenant.get(f"{ITEMS}/{drill['id']}/label", auth=False), 401)
    body = {"itemIds": [drill["id"]], "template": "avery-l7160", "format": "pdf"}
    assert_error(await tenant.post("/labels/print", auth=False, json=body), 401)


async def test_a_location_label_carries_its_door_url_code_and_path(tenant):
    building = await tenant.created("/locations", name="HQ")
    room = await tenant.created("/locations", name="Room 204", parentId=building["id"], code="R-204")
    r = await tenant.as_role("technician").get(f"/locations/{room['id']}/label",
                                               params={"template": "thermal-50x25", "format": "png"})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="label-R-204.png"'
    assert png_codes(r.content) == {"QRCode": f"http://{tenant.host}/l/R-204", "Code128": "R-204"}
    pdf = await tenant.get(f"/locations/{room['id']}/label")
    assert "R-204" in pdf_text(pdf.content) and "HQ > Room 204" in pdf_text(pdf.content)


async def test_the_label_of_a_deleted_or_foreign_location_is_a_404(tenant, other_tenant):
    room = await tenant.created("/locations", name="Room 204")
    foreign = await other_tenant.created("/locations", name="Their room")
    assert (await tenant.delete(f"/locations/{room['id']}")).status_code == 204
    for location_id in (room["id"], foreign["id"], NO_SUCH_ID):
        assert_error(await tenant.get(f"/locations/{location_id}/label"), 404)


# --- many labels ---------------------------------------------------------------------------------------------


def print_body(**fields: Any) -> dict[str, Any]:
    return {"template": "avery-l7160", "format": "pdf", **fields}


async def test_labels_for_many_assets_come_in_the_order_given(tenant):
    made = [await asset(tenant, name=f"Chair {n}") for n in range(3)]
    order = [made[2]["id"], made[0]["id"], made[1]["id"], made[2]["id"]]
    r = await tenant.as_role("technician").post("/labels/print", json=print_body(itemIds=order))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="labels-avery-l7160.pdf"'
    text = pdf_text(r.content)
    positions = [text.index(tag) for tag in ("AST-000003", "AST-000001", "AST-000002")]
    assert positions == sorted(positions)
    assert text.count("AST-000003") == 2  # a repeated id prints again


async def test_labels_by_filter_come_in_tag_order_and_leave_the_rest_out(tenant):
    tools = await tenant.created("/categories", name="Tools")
    for tag, name, category in (("T-3", "Saw", tools["id"]), ("T-1", "Drill", tools["id"]), ("T-2", "Desk", None)):
        await asset(tenant, tag=tag, name=name, **({"categoryId": category} if category else {}))
    deleted = await asset(tenant, tag="T-0", name="Old saw", categoryId=tools["id"])
    assert (await tenant.delete(f"{ITEMS}/{deleted['id']}")).status_code == 204
    r = await tenant.post("/labels/print", json=print_body(filter={"categoryId": tools["id"]}, format="zpl",
                                                           template="thermal-50x25"))
    assert r.status_code == 200, r.text
    blocks = r.text.split("^XZ")[:-1]
    assert ["T-1" in blocks[0], "T-3" in blocks[1], len(blocks)] == [True, True, 2]
    searched = await tenant.post("/labels/print", json=print_body(filter={"q": "desk"}, format="zpl",
                                                                  template="thermal-50x25"))
    assert searched.text.count("^XA") == 1 and "/a/T-2" in searched.text


async def test_locations_print_in_the_order_given(tenant):
    first = await tenant.created("/locations", name="Annex", code="ANNEX")
    second = await tenant.created("/locations", name="Basement", code="BASE")
    r = await tenant.post("/labels/print", json=print_body(locationIds=[second["id"], first["id"]], format="zpl",
                                                           template="thermal-50x25"))
    assert r.status_code == 200, r.text
    assert r.text.index("/l/BASE") < r.text.index("/l/ANNEX")


async def test_copies_and_start_position_are_passed_to_the_sheet(tenant):
    drill = await asset(tenant)
    r = await tenant.post("/labels/print", json=print_body(itemIds=[drill["id"]], copies=3, startPosition=20))
    assert r.status_code == 200, r.text
    pages = pdf_pages(r.content, dpi=150)
    assert len(pages) == 2  # slots 20 and 21 of the first sheet, then the top left of a second
    assert [len([read for read in decode(page, 150) if read.format == "QRCode"]) for page in pages] == [2, 1]


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({}, "itemIds", id="nothing-named"),
    pytest.param({"itemIds": [NO_SUCH_ID], "filter": {}}, "filter", id="ids-and-filter"),
    pytest.param({"itemIds": [NO_SUCH_ID], "locationIds": [NO_SUCH_ID]}, "locationIds", id="items-and-locations"),
    pytest.param({"itemIds": []}, "itemIds", id="empty-ids"),
    pytest.param({"itemIds": ["nope"]}, "itemIds[0]", id="not-a-uuid"),
    pytest.param({"itemIds": [NO_SUCH_ID], "template": "avery-9999"}, "template", id="unknown-template"),
    pytest.param({"itemIds": [NO_SUCH_ID], "format": "docx"}, "format", id="unknown-format"),
    pytest.param({"itemIds": [NO_SUCH_ID], "copies": 0}, "copies", id="no-copies"),
    pytest.param({"itemIds": [NO_SUCH_ID], "copies": 101}, "copies", id="too-many-copies"),
    pytest.param({"itemIds": [NO_SUCH_ID], "startPosition": 0}, "startPosition", id="position-zero"),
    pytest.param({"filter": {"status": "broken"}}, "status", id="unknown-status"),
    pytest.param({"filter": {"shape": "round"}}, "filter", id="unknown-filter-field"),
])
async def test_a_print_request_that_cannot_be_met_is_a_400_naming_the_field(tenant, body, field):
    assert_error(await tenant.post("/labels/print", json=print_body(**body)), 400, field)


async def test_a_png_holds_one_label_only(tenant):
    made = [await asset(tenant, name=f"Chair {n}") for n in range(2)]
    r = await tenant.post("/labels/print", json=print_body(itemIds=[a["id"] for a in made], format="png"))
    assert_error(r, 400, "format")
    single = await tenant.post("/labels/print", json=print_body(itemIds=[made[0]["id"]], format="png"))
    assert single.status_code == 200 and png_codes(single.content)["QRCode"] == made[0]["qrUrl"]


async def test_a_start_position_beyond_the_sheet_is_refused(tenant):
    drill = await asset(tenant)
    assert_error(await tenant.post("/labels/print", json=print_body(itemIds=[drill["id"]], startPosition=22)), 400,
                 "startPosition")


async def test_more_than_2000_labels_in_one_request_are_refused_before_any_lookup(tenant):
    r = await tenant.post("/labels/print", json=print_body(itemIds=[str(uuid.uuid4()) for _ in range(2001)]))
    body = assert_error(r, 400, "itemIds")
    assert "at most 2,000 labels" in body["message"] and "2,001" in body["message"]
    with_copies = await tenant.post("/labels/print", json=print_body(itemIds=[NO_SUCH_ID] * 21, copies=100))
    assert "2,100" in assert_error(with_copies, 400, "itemIds")["message"]


async def test_a_filter_matching_more_than_a_request_prints_is_refused(tenant):
    for n in range(21):
        await asset(tenant, name=f"Chair {n}")
    r = await tenant.post("/labels/print", json=print_body(filter={"q": "chair"}, copies=100))
    body = assert_error(r, 400, "filter")
    assert "More than 20 assets match" in body["message"]
    assert_error(await tenant.post("/labels/print", json=print_body(filter={"q": "no such thing"})), 400, "filter")


async def test_ids_not_found_are_a_404_that_names_them(tenant, other_tenant):
    mine = await asset(tenant)
    gone = await asset(tenant, name="Old")
    assert (await tenant.delete(f"{ITEMS}/{gone['id']}")).status_code == 204
    theirs = await asset(other_tenant)
    r = await tenant.post("/labels/print", json=print_body(itemIds=[mine["id"], theirs["id"], gone["id"], NO_SUCH_ID]))
    body = assert_error(r, 404, "itemIds")
    assert body["details"]["itemIds"] == [theirs["id"], gone["id"], NO_SUCH_ID]
    assert mine["id"] not in body["message"] and theirs["id"] in body["message"]
    foreign_room = await other_tenant.created("/locations", name="Their room")
    r = await tenant.post("/labels/print", json=print_body(locationIds=[foreign_room["id"]]))
    assert assert_error(r, 404, "locationIds")["details"]["locationIds"] == [foreign_room["id"]]


async def test_a_filter_never_prints_another_tenants_assets(tenant, other_tenant):
    theirs = await asset(other_tenant, name="Secret prototype")
    their_room = (await other_tenant.get("/locations/default")).json()
    r = await tenant.post("/labels/print", json=print_body(filter={"locationId": their_room["id"]}))
    assert_error(r, 400, "filter")
    mine = await asset(tenant, name="Prototype")
    r = await tenant.post("/labels/print", json=print_body(filter={"q": "prototype"}, format="zpl",
                                                           template="thermal-50x25"))
    assert r.text.count("^XA") == 1 and mine["qrUrl"] in r.text and theirs["qrUrl"] not in r.text


# --- templates and calibration --------------------------------------------------------------------------------


async def test_the_templates_list_their_media_formats_and_calibration(tenant):
    r = await tenant.as_role("technician").get("/labels/templates")
    assert r.status_code == 200, r.text
    templates = {t["name"]: t for t in r.json()}
    assert set(templates) == {"avery-l7160", "avery-5160", "thermal-50x25", "brother-62"}
    l7160 = templates["avery-l7160"]
    assert (l7160["pageWidthMm"], l7160["pageHeightMm"]) == (210.0, 297.0)
    assert (l7160["labelWidthMm"], l7160["labelHeightMm"], l7160["columns"], l7160["rows"], l7160["slots"]) == \
        (63.5, 38.1, 3, 7, 21)
    assert "zpl" not in l7160["formats"] and "zpl" in templates["thermal-50x25"]["formats"]
    assert templates["avery-5160"]["slots"] == 30
    assert all(t["calibration"] == {"template": name, "offsetXMm": 0.0, "offsetYMm": 0.0, "updatedAt": None}
               for name, t in templates.items())


async def test_a_manager_calibrates_a_template_for_this_tenant_only(tenant, other_tenant):
    r = await tenant.as_role("manager").request("PUT", "/labels/templates/avery-5160/calibration",
                                                json={"offsetXMm": -2.5, "offsetYMm": 10})
    assert r.status_code == 200, r.text
    assert r.json()["offsetXMm"] == -2.5 and r.json()["offsetYMm"] == 10.0 and r.json()["updatedAt"].endswith("Z")
    again = await tenant.request("PUT", "/labels/templates/avery-5160/calibration",
                                 json={"offsetXMm": 1, "offsetYMm": 0})
    assert again.status_code == 200
    mine = {t["name"]: t["calibration"] for t in (await tenant.get("/labels/templates")).json()}
    theirs = {t["name"]: t["calibration"] for t in (await other_tenant.get("/labels/templates")).json()}
    assert (mine["avery-5160"]["offsetXMm"], mine["avery-5160"]["offsetYMm"]) == (1.0, 0.0)
    assert mine["avery-l7160"]["offsetXMm"] == 0.0
    assert theirs["avery-5160"] == {"template": "avery-5160", "offsetXMm": 0.0, "offsetYMm": 0.0, "updatedAt": None}


async def test_a_technician_cannot_calibrate(tenant):
    r = await tenant.as_role("technician").request("PUT", "/labels/templates/avery-5160/calibration",
                                                   json={"offsetXMm": 1, "offsetYMm": 1})
    assert_error(r, 403)


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"offsetXMm": 10.01, "offsetYMm": 0}, "offsetXMm", id="x-too-far"),
    pytest.param({"offsetXMm": 0, "offsetYMm": -11}, "offsetYMm", id="y-too-far"),
    pytest.param({"offsetXMm": "left", "offsetYMm": 0}, "offsetXMm", id="not-a-number"),
    pytest.param({"offsetXMm": 1}, "offsetYMm", id="missing"),
])
async def test_a_calibration_beyond_ten_mm_or_malformed_is_refused(tenant, body, field):
    assert_error(await tenant.request("PUT", "/labels/templates/avery-5160/calibration", json=body), 400, field)
    calibration = {t["name"]: t["calibration"] for t in (await tenant.get("/labels/templates")).json()}["avery-5160"]
    assert calibration["updatedAt"] is None


async def test_calibrating_an_unknown_template_is_a_404(tenant):
    r = await tenant.request("PUT", "/labels/templates/avery-9999/calibration", json={"offsetXMm": 1, "offsetYMm": 1})
    assert "avery-9999" in assert_error(r, 404)["message"]


async def test_the_calibration_moves_a_printed_label(tenant):
    drill = await asset(tenant)

    async def qr_left_edge() -> float:
        r = await tenant.get(f"{ITEMS}/{drill['id']}/label", params={"template": "thermal-50x25", "format": "png"})
        (qr,) = [read for read in decode(Image.open(io.BytesIO(r.content)), 300) if read.format == "QRCode"]
        return qr.x_mm

    before = await qr_left_edge()
    assert (await tenant.request("PUT", "/labels/templates/thermal-50x25/calibration",
                                 json={"offsetXMm": 3, "offsetYMm": 0})).status_code == 200
    assert abs(await qr_left_edge() - before - 3) < 0.3
