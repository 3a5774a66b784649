"""The addresses the commands use and print: `serve` on FIELDSCAN_HOST/PORT, recording where it serves; the
origin `labels` puts in QR codes (read back from the printed label); the address `tenant create` names."""

from __future__ import annotations

import json
import socket
import os
import secrets
import signal
import subprocess
from pathlib import Path

import pytest

from backend.served import SERVED_FILE, record_served_origin
from tests.api.test_cli import Cli, _fieldscan
from tests.readback import decode, png_pages
from tests.served import answers, free_port, wait_for



@pytest.fixture(scope="module")
def tenant_slug(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo tenant with two assets (AST-000001, AST-000002) in each database."""
    slug = f"lbl{secrets.token_hex(4)}"
    Cli(tmp_path_factory.mktemp("seed"), database_url=database_url).ok("demo", "--tenant", slug, "--assets", "2")
    return slug


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """Runs in tmp_path/cwd, with its data folder elsewhere."""
    (tmp_path / "cwd").mkdir()
    return Cli(tmp_path / "cwd", database_url=database_url, var_dir=tmp_path / "data")


def _qr(cli: Cli, *args: str) -> tuple[str, str]:
    """Print AST-000001's thermal label as a PNG with `fieldscan labels`; the URL its QR code reads as, and the
    command's standard error."""
    out = cli.cwd / "label.png"
    result = cli.ok("labels", *args, "--template", "thermal-50x25", "--format", "png", "--ids", "AST-000001",
                    "-o", str(out))
    texts = [read.text for read in decode(png_pages(out.read_bytes())[0], 300) if read.format == "QRCode"]
    assert len(texts) == 1, texts
    out.unlink()
    return texts[0], result.stderr


def test_serve_listens_on_fieldscan_port_and_labels_and_tenant_create_then_use_that_address(cli, tenant_slug):
    port = free_port()
    cli.env.update(FIELDSCAN_PORT=str(port), FIELDSCAN_HOST="127.0.0.1")
    log = cli.cwd.parent / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([_fieldscan(), "serve"], env=cli.env, cwd=cli.cwd, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/health"), server, f"fieldscan serve on FIELDSCAN_PORT {port}",
                 log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    printed = log.read_text()
    assert f"Open http://127.0.0.1:{port}/app/ to use the app; API docs at http://127.0.0.1:{port}/schema" in printed
    data = cli.var_dir
    assert json.loads((data / SERVED_FILE).read_text())["origin"] == f"http://127.0.0.1:{port}"
    assert (data / "secret_key").is_file()  # the served app keeps its key in the data folder

    # The server has stopped: the address it served on is still the one to print.
    del cli.env["FIELDSCAN_PORT"]
    created = cli.ok("tenant", "create", f"t{tenant_slug}").stdout
    assert f"it answers on t{tenant_slug}.<your domain> and http://t{tenant_slug}.localhost:{port}\n" in created
    url, note = _qr(cli, "--tenant", tenant_slug)
    assert url == f"http://{tenant_slug}.localhost:{port}/a/AST-000001"  # not the default tenant: its own host name
    assert f"the address `fieldscan serve` last served on, recorded in {data / SERVED_FILE}" in note
    cli.env["FIELDSCAN_DEFAULT_TENANT"] = tenant_slug
    url, note = _qr(cli, "--tenant", tenant_slug)
    assert url == f"http://127.0.0.1:{port}/a/AST-000001"
    assert note.startswith(f"note: the QR codes carry http://127.0.0.1:{port} (the address `fieldscan serve` last")
    assert sorted(p.name for p in cli.cwd.iterdir()) == []  # no ./var


def test_labels_without_a_recorded_address_use_fieldscan_port_and_say_so(cli, tenant_slug):
    cli.env["FIELDSCAN_PORT"] = "9123"
    url, note = _qr(cli, "--tenant", tenant_slug)
    assert url == f"http://{tenant_slug}.localhost:9123/a/AST-000001"
    assert note.count("note:") == 1
    assert f"no address recorded by `fieldscan serve` in {cli.var_dir} yet, so FIELDSCAN_HOST and FIELDSCAN_PORT" in note
    assert "set FIELDSCAN_PUBLIC_URL (e.g. https://{tenant}.assets.example) or pass --base-url" in note
    cli.env["FIELDSCAN_DEFAULT_TENANT"] = tenant_slug
    assert _qr(cli, "--tenant", tenant_slug)[0] == "http://127.0.0.1:9123/a/AST-000001"
    del cli.env["FIELDSCAN_PORT"]
    assert _qr(cli, "--tenant", tenant_slug)[0] == "http://127.0.0.1:8000/a/AST-000001"
    created = cli.ok("tenant", "create", f"u{tenant_slug}").stdout
    assert f"http://u{tenant_slug}.localhost:8000\n" in created
    assert not cli.var_dir.exists()  # printing labels writes nothing to the data folder


def test_public_url_and_base_url_come_before_the_recorded_address(cli, tenant_slug):
    record_served_origin(cli.var_dir, "https://192.168.1.20:8443")  # as `serve --lan` would
    # That address opens the default tenant: this tenant's labels would open the wrong assets.
    cli.fails("labels", "--tenant", tenant_slug, "--all", "-o", str(cli.cwd / "labels.pdf"),
              message="https://192.168.1.20:8443 (the address `fieldscan serve` last served on")
    assert not (cli.cwd / "labels.pdf").exists()
    created = cli.ok("tenant", "create", f"v{tenant_slug}").stdout
    assert f"it answers on v{tenant_slug}.<your domain>\n" in created
    cli.env["FIELDSCAN_PUBLIC_URL"] = "https://{tenant}.assets.example"
    url, note = _qr(cli, "--tenant", tenant_slug)
    assert url == f"https://{tenant_slug}.assets.example/a/AST-000001"
    assert f"note: the QR codes carry https://{tenant_slug}.assets.example (from FIELDSCAN_PUBLIC_URL)" in note
    url, note = _qr(cli, "--tenant", tenant_slug, "--base-url", "https://labels.example/")
    assert url == "https://labels.example/a/AST-000001"
    assert "(given by --base-url)" in note


def test_serve_on_a_taken_port_says_so_and_records_nothing(cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cli.fails("serve", "--port", str(port), message=f"cannot listen on 127.0.0.1:{port}")
    # Labels printed afterwards must not carry the address of a server that never ran.
    assert not (cli.var_dir / SERVED_FILE).exists()
