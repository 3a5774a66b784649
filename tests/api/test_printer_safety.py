"""Where a printer may be: only admins set a printer's host and port, the port is 9100 or one the service
allows, the address is on the network (never loopback, link-local, unspecified, multicast or broadcast),
checked again before each job, and a job that fails reads the same whatever the reason.

Nothing here leaves this machine: host names answer from a table (or, for `localhost`, from the hosts
file), refused addresses are never connected to, and the only printers are listeners on 127.0.0.1."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from tests.helpers import assert_error

from backend.printers import service
from backend.settings import Settings, SettingsError

pytestmark = pytest.mark.anyio

DID_NOT_TAKE = "The printer did not take the job; check that it is on and on the network"
LOOPBACK = pytest.param({"loopback": True}, id="loopback-allowed")

REFUSED = [
    pytest.param("127.0.0.1", id="loopback"),
    pytest.param("127.8.9.10", id="loopback-range"),
    pytest.param("::1", id="loopback-v6"),
    pytest.param("::ffff:127.0.0.1", id="loopback-as-v6"),
    pytest.param("169.254.169.254", id="cloud-metadata"),
    pytest.param("169.254.10.20", id="link-local"),
    pytest.param("fe80::1", id="link-local-v6"),
    pytest.param("::ffff:169.254.169.254", id="link-local-as-v6"),
    pytest.param("64:ff9b::a9fe:a9fe", id="metadata-through-nat64"),
    pytest.param("::127.0.0.1", id="loopback-ipv4-compatible"),
    pytest.param("2002:7f00:1::1", id="loopback-through-6to4"),
    pytest.param("fd00:ec2::254", id="aws-metadata-v6"),
    pytest.param("100.100.100.200", id="alibaba-metadata"),
    pytest.param("168.63.129.16", id="azure-wire-server"),
    pytest.param("0.0.0.0", id="unspecified"),
    pytest.param("0.1.2.3", id="this-network"),
    pytest.param("::", id="unspecified-v6"),
    pytest.param("224.0.0.1", id="multicast"),
    pytest.param("239.255.255.250", id="multicast-ssdp"),
    pytest.param("ff02::1", id="multicast-v6"),
    pytest.param("255.255.255.255", id="broadcast"),
]


class Printer:
    """A raw-TCP printer on 127.0.0.1 that keeps what each connection sent."""

    def __init__(self) -> None:
        self.jobs: asyncio.Queue[bytes] = asyncio.Queue()
        self.port = 0

    async def receive(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.jobs.put_nowait(await reader.read())
        writer.close()
        await writer.wait_closed()


@pytest.fixture
async def fake_printer() -> AsyncIterator[Printer]:
    printer = Printer()
    server = await asyncio.start_server(printer.receive, "127.0.0.1", 0)
    printer.port = server.sockets[0].getsockname()[1]
    try:
        yield printer
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def dead_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def printer_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """What a test changes of the printer settings (parametrize it indirectly): loopback, ports."""
    return getattr(request, "param", {})


@pytest.fixture
def settings(settings: Any, printer_settings: dict[str, Any], fake_printer: Printer, dead_port: int) -> Any:
    """The fake printer's and the dead port are printer ports, so loopback tests reach them; loopback
    itself stays refused unless the test allows it."""
    ports = (fake_printer.port, dead_port, *printer_settings.get("ports", ()))
    return msgspec.structs.replace(settings, printer_ports=ports,
                                   printer_allow_loopback=printer_settings.get("loopback", False))


@pytest.fixture(autouse=True)
def names(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Host name → the addresses it resolves to (or the OSError it raises); `localhost` and numbers
    resolve for real (hosts file, no DNS); any other name fails the test rather than query DNS."""
    table: dict[str, Any] = {}
    real = service.lookup

    async def lookup(host: str) -> list[Any]:
        if host in table:
            if isinstance(table[host], BaseException):
                raise table[host]
            return [ipaddress.ip_address(a) for a in table[host]]
        assert host == "localhost" or host.replace(".", "").isdigit(), f"{host} would be looked up in DNS"
        return await real(host)

    monkeypatch.setattr(service, "lookup", lookup)
    return table


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (host, port) a print job connects to, in order; the connections themselves are real."""
    made: list[tuple[str, int]] = []
    real = asyncio.open_connection

    async def spy(host: str, port: int, **kwargs: Any) -> Any:
        made.append((host, port))
        assert ipaddress.ip_address(host).is_loopback, f"a test must not connect to {host}"
        return await real(host, port, **kwargs)

    monkeypatch.setattr(asyncio, "open_connection", spy)
    return made


async def add(tenant: Any, **body: Any) -> Any:
    return await tenant.post("/printers", json={"name": "Dock", **body})


async def print_one(tenant: Any, printer: dict[str, Any]) -> Any:
    asset = await tenant.created("/inventory-items", name="Drill")
    return await tenant.as_role("technician").post(f"/printers/{printer['id']}/print", json={"itemIds": [asset["id"]]})


# ---- who sets printers ----------------------------------------------------------------------------------

async def test_a_manager_may_not_add_change_or_remove_a_printer(tenant):
    printer = await tenant.created("/printers", name="Dock", host="10.0.0.20")
    manager = tenant.as_role("manager")
    assert_error(await add(manager, host="10.0.0.21"), 403)
    assert_error(await manager.patch(f"/printers/{printer['id']}", json={"host": "10.0.0.22"}), 403)
    assert_error(await manager.delete(f"/printers/{printer['id']}"), 403)
    assert (await manager.get(f"/printers/{printer['id']}")).json() == printer
    assert [p["id"] for p in (await manager.get("/printers")).json()["items"]] == [printer["id"]]


# ---- where a printer may be -----------------------------------------------------------------------------

@pytest.mark.parametrize("host", REFUSED)
async def test_a_printer_at_a_refused_address_is_a_400_naming_host(tenant, host):
    assert_error(await add(tenant, host=host), 400, field="host")
    printer = await tenant.created("/printers", name="Dock", host="10.0.0.20")
    assert_error(await tenant.patch(f"/printers/{printer['id']}", json={"host": host}), 400, field="host")
    assert (await tenant.get("/printers")).json()["items"] == [printer]


@pytest.mark.parametrize("host", ["10.1.2.3", "172.16.0.9", "172.31.255.1", "192.168.1.20", "fd00::20",
                                  "100.64.0.7", "8.8.8.8"])
async def test_lan_and_other_network_addresses_are_printers(tenant, host):
    assert (await tenant.created("/printers", name="Dock", host=host))["host"] == host


@pytest.mark.parametrize("host", ["localhost", "127.1", "2130706433"])
async def test_a_name_that_resolves_to_loopback_is_refused(tenant, host):
    body = assert_error(await add(tenant, host=host), 400, field="host")
    assert "loopback" in body["details"]["host"]


async def test_every_address_a_name_resolves_to_is_checked(tenant, names):
    names["zebra.example"] = ["10.0.0.20", "169.254.169.254"]
    body = assert_error(await add(tenant, host="zebra.example"), 400, field="host")
    assert "169.254.169.254" in body["details"]["host"]
    names["zebra.example"] = ["10.0.0.20", "fd00::20"]
    assert (await tenant.created("/printers", name="Dock", host="zebra.example"))["host"] == "zebra.example"


async def test_a_name_that_does_not_resolve_yet_is_kept_for_later(tenant, names):
    names["zebra-off.example"] = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert (await tenant.created("/printers", name="Dock", host="zebra-off.example"))["host"] == "zebra-off.example"


@pytest.mark.parametrize("printer_settings", [LOOPBACK], indirect=True)
async def test_allowing_loopback_lifts_that_rule_alone(tenant):
    for host in ("127.0.0.1", "::1", "localhost"):
        assert (await tenant.created("/printers", name="Here", host=host))["host"] == host
    for host in ("169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255"):
        assert_error(await add(tenant, host=host), 400, field="host")


@pytest.mark.parametrize("port", [5432, 8000, 22, 80, 9101])
async def test_a_port_other_than_9100_is_a_400_naming_port(tenant, port):
    body = assert_error(await add(tenant, host="10.0.0.20", port=port), 400, field="port")
    assert "9100" in body["details"]["port"]
    printer = await tenant.created("/printers", name="Dock", host="10.0.0.20")
    assert_error(await tenant.patch(f"/printers/{printer['id']}", json={"port": port}), 400, field="port")
    assert (await tenant.get(f"/printers/{printer['id']}")).json()["port"] == 9100


@pytest.mark.parametrize("printer_settings", [pytest.param({"ports": (6101, 9101)}, id="6101+9101")],
                         indirect=True)
async def test_the_ports_the_service_allows_are_printer_ports(tenant):
    for port in (9100, 6101, 9101):
        assert (await tenant.created("/printers", name="Dock", host="10.0.0.20", port=port))["port"] == port
    assert_error(await add(tenant, host="10.0.0.20", port=6102), 400, field="port")


# ---- printing -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("printer_settings", [LOOPBACK], indirect=True)
async def test_a_print_reaches_an_allowed_printer_at_the_address_just_checked(tenant, fake_printer, names,
                                                                               connections):
    names["zebra-dock.example"] = ["127.0.0.1"]
    printer = await tenant.created("/printers", name="Dock", host="zebra-dock.example", port=fake_printer.port)
    r = await print_one(tenant, printer)
    assert r.status_code == 200, r.text
    job = await asyncio.wait_for(fake_printer.jobs.get(), 5)
    assert r.json()["bytes"] == len(job) and job.startswith(b"^XA")
    assert connections == [("127.0.0.1", fake_printer.port)]  # the address, never the name


async def test_a_name_that_now_resolves_to_a_refused_address_prints_nothing(tenant, names, connections):
    names["zebra-dock.example"] = ["10.0.0.20"]
    printer = await tenant.created("/printers", name="Dock", host="zebra-dock.example")
    for now in (["127.0.0.1"], ["10.0.0.20", "169.254.169.254"]):
        names["zebra-dock.example"] = now
        body = assert_error(await print_one(tenant, printer), 502)
        assert body["message"] == DID_NOT_TAKE
    assert connections == []


@pytest.mark.parametrize("printer_settings", [LOOPBACK], indirect=True)
async def test_a_job_that_did_not_go_reads_the_same_whatever_the_reason(tenant, names, dead_port, monkeypatch):
    names["zebra-dock.example"] = ["127.0.0.1"]
    printer = await tenant.created("/printers", name="Dock", host="zebra-dock.example", port=dead_port)
    real = asyncio.open_connection

    async def hang(host: str, port: int, **kwargs: Any) -> Any:
        await asyncio.sleep(3600)  # a filtered port: no answer at all

    async def unreachable(host: str, port: int, **kwargs: Any) -> Any:
        raise OSError(errno.EHOSTUNREACH, "No route to host")

    async def timed_out(host: str, port: int, **kwargs: Any) -> Any:
        raise TimeoutError

    bodies = {"closed": assert_error(await print_one(tenant, printer), 502)}  # a real refused connection
    monkeypatch.setattr(service, "CONNECT_TIMEOUT_S", 0.05)
    for reason, connect in (("filtered", hang), ("unreachable", unreachable), ("timed-out", timed_out)):
        monkeypatch.setattr(asyncio, "open_connection", connect)
        bodies[reason] = assert_error(await print_one(tenant, printer), 502)
    monkeypatch.setattr(asyncio, "open_connection", real)
    names["zebra-dock.example"] = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    bodies["no-name"] = assert_error(await print_one(tenant, printer), 502)
    names["zebra-dock.example"] = ["169.254.169.254"]
    bodies["refused"] = assert_error(await print_one(tenant, printer), 502)

    expected = {"message": DID_NOT_TAKE, "details": {"printer": {
        "id": printer["id"], "name": "Dock", "host": "zebra-dock.example", "port": dead_port}}}
    assert bodies == dict.fromkeys(bodies, expected)


async def test_the_502_is_in_the_openapi_document(app):
    schema = app.openapi_schema.to_schema()
    responses = schema["paths"]["/api/v1/printers/{printer_id}/print"]["post"]["responses"]
    assert "502" in responses


def test_the_printer_settings_are_read_from_the_environment():
    settings = Settings.from_env({"FIELDSCAN_PRINTER_PORTS": "9101, 6101,9101",
                                  "FIELDSCAN_PRINTER_ALLOW_LOOPBACK": "true"}, store_secret=False)
    assert (settings.printer_ports, settings.printer_allow_loopback) == ((6101, 9101), True)
    default = Settings.from_env({}, store_secret=False)
    assert (default.printer_ports, default.printer_allow_loopback) == ((), False)
    for name, value in (("PRINTER_PORTS", "9101,postgres"), ("PRINTER_PORTS", "70000"), ("PRINTER_PORTS", "6101,"),
                        ("PRINTER_ALLOW_LOOPBACK", "maybe")):
        with pytest.raises(SettingsError, match=f"FIELDSCAN_{name}"):
            Settings.from_env({f"FIELDSCAN_{name}": value}, store_secret=False)
