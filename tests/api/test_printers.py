"""Network label printers: the workspace's list, and labels printed on one as ZPL over raw TCP.

The printer is a TCP listener on 127.0.0.1 that keeps every byte it is sent, like a Zebra on port 9100: the
service here allows printers on loopback and on the fake printer's port. Printer names answer from a table,
never from DNS, so nothing leaves this machine. Where a printer may not be: test_printer_safety.py."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
from tests.helpers import assert_error

from backend.printers import service

pytestmark = pytest.mark.anyio

BLOCK = re.compile(rb"\^XA.*?\^XZ", re.S)


@dataclass
class FakePrinter:
    """What a raw-TCP printer received: one bytes object per connection."""

    port: int
    jobs: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)

    async def next_job(self) -> bytes:
        return await asyncio.wait_for(self.jobs.get(), 5)


@pytest.fixture
async def printer_port() -> AsyncIterator[FakePrinter]:
    fake = FakePrinter(port=0)

    async def receive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fake.jobs.put_nowait(await reader.read())  # everything until the sender closes
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(receive, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    try:
        yield fake
    finally:
        server.close()
        await server.wait_closed()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_port() -> int:
    return closed_port()


@pytest.fixture
def settings(settings: Any, printer_port: FakePrinter, dead_port: int) -> Any:
    return msgspec.structs.replace(settings, printer_allow_loopback=True,
                                   printer_ports=(printer_port.port, dead_port, 6101))


PRINTER_NAMES = {"zebra-1.local": "10.0.0.21", "printer.local": "10.0.0.22", "zebra.local": "10.0.0.23"}


@pytest.fixture(autouse=True)
def printer_names(monkeypatch: pytest.MonkeyPatch) -> None:
    async def lookup(host: str) -> list[Any]:
        return [ipaddress.ip_address(PRINTER_NAMES[host])]

    monkeypatch.setattr(service, "lookup", lookup)


async def add_printer(tenant: Any, port: int, **extra: Any) -> dict[str, Any]:
    return await tenant.created("/printers", name="Zebra at the dock", host="127.0.0.1", port=port, **extra)


def origin(tenant: Any) -> str:
    return f"http://{tenant.host}"


async def test_an_admin_adds_a_printer_with_the_defaults_and_a_technician_sees_it(tenant):
    printer = await tenant.created("/printers", name="Zebra ZD421", host="zebra-1.local")
    assert set(printer) == {"id", "name", "host", "port", "template", "createdAt"}
    assert (printer["host"], printer["port"], printer["template"]) == ("zebra-1.local", 9100, "thermal-50x25")
    technician = tenant.as_role("technician")
    assert (await technician.get(f"/printers/{printer['id']}")).json() == printer
    assert [p["id"] for p in (await technician.get("/printers")).json()["items"]] == [printer["id"]]


async def test_an_admin_changes_and_removes_a_printer(tenant):
    printer = await tenant.created("/printers", name="Dock", host="10.0.0.20", port=6101)
    r = await tenant.patch(f"/printers/{printer['id']}", json={"name": "Dock 2", "host": "fd00::20", "port": 9100})
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("name", "host", "port")} == {"name": "Dock 2", "host": "fd00::20", "port": 9100}
    assert (await tenant.get(f"/printers/{printer['id']}")).json()["name"] == "Dock 2"
    assert (await tenant.delete(f"/printers/{printer['id']}")).status_code == 204
    assert_error(await tenant.get(f"/printers/{printer['id']}"), 404)


async def test_printers_are_listed_by_name_page_by_page(tenant):
    for name in ("Warehouse", "Dock", "Office"):
        await tenant.created("/printers", name=name, host="printer.local")
    assert [p["name"] for p in await tenant.walk("/printers", limit=2)] == ["Dock", "Office", "Warehouse"]
    newest = (await tenant.get("/printers", params={"sort": "-createdAt"})).json()["items"]
    assert [p["name"] for p in newest] == ["Office", "Dock", "Warehouse"]


async def test_a_technician_cannot_change_printers(tenant):
    printer = await tenant.created("/printers", name="Dock", host="printer.local")
    technician = tenant.as_role("technician")
    assert_error(await technician.post("/printers", json={"name": "Mine", "host": "printer.local"}), 403)
    assert_error(await technician.patch(f"/printers/{printer['id']}", json={"port": 9101}), 403)
    assert_error(await technician.delete(f"/printers/{printer['id']}"), 403)
    assert (await technician.get(f"/printers/{printer['id']}")).json()["port"] == 9100


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"host": "tcp://10.0.0.20"}, "host", id="scheme"),
    pytest.param({"host": "10.0.0.20/print"}, "host", id="path"),
    pytest.param({"host": "10.0.0.20:9100"}, "host", id="port-in-host"),
    pytest.param({"host": "zebra dock.local"}, "host", id="space"),
    pytest.param({"host": "-zebra.local"}, "host", id="label-starts-with-hyphen"),
    pytest.param({"host": "a" * 64 + ".local"}, "host", id="label-too-long"),
    pytest.param({"host": ("a" * 60 + ".") * 5 + "local"}, "host", id="host-too-long"),
    pytest.param({"host": ""}, "host", id="empty-host"),
    pytest.param({"host": "zebra.local", "port": 0}, "port", id="port-0"),
    pytest.param({"host": "zebra.local", "port": 65536}, "port", id="port-65536"),
    pytest.param({"host": "zebra.local", "template": "avery-l7160"}, "template", id="template-without-zpl"),
    pytest.param({"host": "zebra.local", "template": "no-such-roll"}, "template", id="unknown-template"),
])
async def test_a_bad_printer_is_a_400_naming_the_field(tenant, body, field):
    assert_error(await tenant.post("/printers", json={"name": "Dock", **body}), 400, field=field)
    assert (await tenant.get("/printers")).json()["items"] == []


async def test_a_patch_is_checked_like_a_new_printer(tenant):
    printer = await tenant.created("/printers", name="Dock", host="printer.local")
    assert_error(await tenant.patch(f"/printers/{printer['id']}", json={"host": "http://x"}), 400, field="host")
    assert_error(await tenant.patch(f"/printers/{printer['id']}", json={"template": "brother-62"}), 400,
                 field="template")
    assert (await tenant.get(f"/printers/{printer['id']}")).json() == printer


async def test_assets_print_as_one_zpl_label_each_with_their_url(tenant, printer_port):
    printer = await add_printer(tenant, printer_port.port)
    drill = await tenant.created("/inventory-items", name="Drill")
    saw = await tenant.created("/inventory-items", name="Saw")
    r = await tenant.as_role("technician").post(f"/printers/{printer['id']}/print",
                                                json={"itemIds": [drill["id"], saw["id"]], "copies": 2})
    assert r.status_code == 200, r.text
    zpl = await printer_port.next_job()
    assert r.json() == {"printerId": printer["id"], "labels": 4, "bytes": len(zpl)}
    blocks = BLOCK.findall(zpl)
    assert len(blocks) == 4 and zpl.count(b"^XA") == 4 and zpl.count(b"^XZ") == 4
    urls = [f"{origin(tenant)}/a/{asset['tag']}".encode() for asset in (drill, drill, saw, saw)]
    assert [re.search(rb"\^FDMA,([^^]*)\^FS", block).group(1) for block in blocks] == urls
    assert drill["tag"].encode() in blocks[0] and saw["tag"].encode() in blocks[3]


async def test_location_tags_print_with_their_url(tenant, printer_port):
    printer = await add_printer(tenant, printer_port.port)
    room = await tenant.created("/locations", name="Room 204")
    r = await tenant.post(f"/printers/{printer['id']}/print", json={"locationIds": [room["id"]]})
    assert r.status_code == 200, r.text
    zpl = await printer_port.next_job()
    assert r.json()["labels"] == 1 and len(BLOCK.findall(zpl)) == 1
    assert f"^FDMA,{origin(tenant)}/l/{room['code']}^FS".encode() in zpl


async def test_a_blank_tag_batch_prints_every_code_in_order(tenant, printer_port):
    printer = await add_printer(tenant, printer_port.port)
    created = await tenant.post("/labels/blank-batches", json={"count": 3, "template": "thermal-50x25"},
                                headers={"accept": "application/json"})
    assert created.status_code == 201, created.text
    batch = created.json()
    r = await tenant.as_role("technician").post(f"/printers/{printer['id']}/print",
                                                json={"blankBatchId": batch["id"]})
    assert r.status_code == 200, r.text
    zpl = await printer_port.next_job()
    assert r.json()["labels"] == 3
    codes = [code["code"] for code in batch["codes"]]
    found = [re.search(rb"\^FDMA,([^^]*)\^FS", block).group(1).decode() for block in BLOCK.findall(zpl)]
    assert found == [f"{origin(tenant)}/t/{code}" for code in codes]


@pytest.mark.parametrize("body", [
    pytest.param({}, id="nothing"),
    pytest.param({"itemIds": [], "locationIds": []}, id="two-kinds"),
    pytest.param({"itemIds": []}, id="empty-list"),
    pytest.param({"itemIds": ["x"]}, id="not-an-id"),
    pytest.param({"itemIds": [str(uuid.uuid4())], "copies": 0}, id="no-copies"),
])
async def test_a_bad_print_request_is_a_400_and_sends_nothing(tenant, printer_port, body):
    printer = await add_printer(tenant, printer_port.port)
    assert_error(await tenant.post(f"/printers/{printer['id']}/print", json=body), 400)
    assert printer_port.jobs.empty()


async def test_another_workspaces_assets_are_a_404_and_nothing_is_printed(tenant, other_tenant, printer_port):
    printer = await add_printer(tenant, printer_port.port)
    foreign = await other_tenant.created("/inventory-items", name="Not yours")
    r = await tenant.post(f"/printers/{printer['id']}/print", json={"itemIds": [foreign["id"]]})
    assert_error(r, 404, field="itemIds")
    assert printer_port.jobs.empty()


async def test_a_printer_that_does_not_answer_is_a_502_naming_it(tenant, dead_port):
    printer = await add_printer(tenant, dead_port)
    asset = await tenant.created("/inventory-items", name="Drill")
    r = await tenant.post(f"/printers/{printer['id']}/print", json={"itemIds": [asset["id"]]})
    body = assert_error(r, 502)
    assert body["message"] == "The printer did not take the job; check that it is on and on the network"
    assert body["details"]["printer"] == {"id": printer["id"], "name": "Zebra at the dock", "host": "127.0.0.1",
                                          "port": dead_port}
    # The failed job held no lock: the workspace goes on working.
    assert (await tenant.created("/inventory-items", name="Saw"))["name"] == "Saw"


async def test_another_workspaces_printer_is_a_404_and_prints_nothing(tenant, other_tenant, printer_port):
    printer = await add_printer(tenant, printer_port.port)
    asset = await other_tenant.created("/inventory-items", name="Drill")
    r = await other_tenant.post(f"/printers/{printer['id']}/print", json={"itemIds": [asset["id"]]})
    assert_error(r, 404)
    assert_error(await other_tenant.get(f"/printers/{printer['id']}"), 404)
    assert (await other_tenant.get("/printers")).json()["items"] == []
    assert printer_port.jobs.empty()


async def test_api_keys_print_like_their_role(tenant, printer_port):
    printer = await add_printer(tenant, printer_port.port)
    asset = await tenant.created("/inventory-items", name="Drill")
    key = await tenant.created("/api-keys", name="Kiosk", role="technician")
    r = await tenant.post(f"/printers/{printer['id']}/print", auth=False, json={"itemIds": [asset["id"]]},
                          headers={"authorization": f"ApiKey {key['token']}"})
    assert r.status_code == 200, r.text
    assert len(BLOCK.findall(await printer_port.next_job())) == 1
