"""The `fieldscan` command, run as the installed console script against a fresh SQLite file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from backend.app import create_app
from backend.assets.models import Asset
from backend.db.engine import open_database
from backend.settings import Settings
from backend.tenancy.service import find_by_slug

pytestmark = pytest.mark.anyio

ADMIN_PASSWORD = "acme-admin-pass"
MANAGER_PASSWORD = "acme-manager-pass"


def _fieldscan() -> str:
    beside_python = Path(sys.executable).parent / "fieldscan"
    found = str(beside_python) if beside_python.exists() else shutil.which("fieldscan")
    assert found, "the fieldscan console script is not installed (pip install -e .)"
    return found


class Cli:
    """Runs `fieldscan` with its own database and data folder, and nothing else from FIELDSCAN_*."""

    def __init__(self, tmp_path: Path, database_url: str | None = None, var_dir: Path | None = None) -> None:
        self.database_url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'fieldscan.sqlite3'}"
        self.var_dir = var_dir or tmp_path / "var"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCAN_")}
        self.env.update(FIELDSCAN_DATABASE_URL=self.database_url, FIELDSCAN_VAR_DIR=str(self.var_dir))
        self.cwd = tmp_path

    def __call__(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([_fieldscan(), *args], env=self.env, cwd=cwd or self.cwd, capture_output=True,
                              text=True, timeout=120)

    def ok(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        result = self(*args, cwd=cwd)
        assert result.returncode == 0, f"fieldscan {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def fails(self, *args: str, message: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        result = self(*args, cwd=cwd)
        assert result.returncode != 0, f"fieldscan {' '.join(args)} should fail:\n{result.stdout}"
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def settings(self) -> Settings:
        return Settings(database_url=self.database_url, secret_key="cli-test-" + "k" * 40, var_dir=str(self.var_dir))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


async def _asset_count(cli: Cli, slug: str) -> int:
    database = open_database(cli.database_url)
    try:
        async with database.read_sessions() as session:
            tenant = await find_by_slug(session, slug)
            assert tenant is not None
            return (await session.execute(select(func.count()).select_from(Asset).where(Asset.tenant_id == tenant.id))
                    ).scalar_one()
    finally:
        await database.dispose()


async def test_a_new_install_creates_a_tenant_users_and_an_api_key_that_work(cli):
    assert cli.ok("migrate").stdout.startswith("created the schema")

    created = cli.ok("tenant", "create", "acme", "--name", "Acme", "--admin-email", "a@acme.example",
                     "--admin-password", ADMIN_PASSWORD)
    assert "acme" in created.stdout and "Acme" in created.stdout
    cli.ok("user", "create", "--tenant", "acme", "--email", "m@acme.example", "--password", MANAGER_PASSWORD,
           "--role", "manager")

    made_key = cli.ok("apikey", "create", "--tenant", "acme", "--name", "ERP", "--role", "manager")
    token = made_key.stdout.strip().splitlines()[-1]
    assert token.startswith("fsk_") and " " not in token
    assert "ApiKey" in made_key.stdout  # says how to send it

    async with AsyncTestClient(create_app(cli.settings()), base_url="http://acme.localhost") as client:
        me = await client.get("/api/v1/me", headers={"authorization": f"ApiKey {token}", "host": "acme.localhost"})
        assert me.status_code == 200, me.text
        assert me.json()["via"] == "apikey"
        assert me.json()["role"] == "manager"
        assert me.json()["tenant"] == {"id": me.json()["tenant"]["id"], "slug": "acme", "name": "Acme"}

        keys = await client.get("/api/v1/api-keys", headers={"authorization": f"ApiKey {token}",
                                                            "host": "acme.localhost"})
        assert keys.status_code == 403  # a manager key cannot manage keys

        for email, password, role in (("a@acme.example", ADMIN_PASSWORD, "admin"),
                                      ("M@acme.example", MANAGER_PASSWORD, "manager")):
            signed_in = await client.post("/api/v1/auth/login", json={"email": email, "password": password},
                                          headers={"host": "acme.localhost"})
            assert signed_in.status_code == 200, signed_in.text
            assert signed_in.json()["user"]["role"] == role

        listed = await client.get("/api/v1/api-keys", headers={"host": "acme.localhost", "authorization": (
            "Bearer " + (await client.post("/api/v1/auth/login", headers={"host": "acme.localhost"},
                                           json={"email": "a@acme.example", "password": ADMIN_PASSWORD})).json()["token"])})
        assert [(k["name"], k["role"], k["prefix"]) for k in listed.json()["items"]] == [("ERP", "manager", token[:12])]
        assert token not in listed.text


async def test_demo_seeds_about_200_assets_once(cli):
    cli.ok("migrate")
    first = cli.ok("demo")
    assert "admin@demo.example" in first.stdout
    assert "fieldscan-demo" in first.stdout
    count = await _asset_count(cli, "demo")
    assert count == 200

    second = cli.ok("demo")
    assert "already exists" in second.stdout
    assert await _asset_count(cli, "demo") == count

    async with AsyncTestClient(create_app(cli.settings()), base_url="http://127.0.0.1") as client:
        signed_in = await client.post("/api/v1/auth/login",
                                      json={"email": "admin@demo.example", "password": "fieldscan-demo"})
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"]["tenant"]["slug"] == "demo"
        auth = {"authorization": f"Bearer {signed_in.json()['token']}"}
        # The lifecycle screens have something to show: a custom field, maintenance due, loans, health.
        fields = (await client.get("/api/v1/custom-fields", headers=auth)).json()["items"]
        assert [f["key"] for f in fields] == ["costCentre"]
        due = (await client.get("/api/v1/maintenance/schedules/due/all", headers=auth,
                                params={"lookaheadDays": 60})).json()
        assert due["counts"]["overdue"] > 0 and due["counts"]["upcoming"] > 0
        riskiest = (await client.get("/api/v1/inventory-items", headers=auth,
                                     params={"healthSort": "risk_first", "limit": 1})).json()["items"][0]
        assert riskiest["health"]["badge"] != "HEALTHY"


def test_commands_refuse_a_missing_or_unmigrated_database_and_say_how_to_fix_it(cli, tmp_path):
    missing = f"no database at {tmp_path / 'fieldscan.sqlite3'}; run `fieldscan migrate` (scripts/run does it)"
    cli.fails("tenant", "create", "acme", message=missing)
    cli.fails("demo", message=missing)
    sqlite3.connect(tmp_path / "fieldscan.sqlite3").close()  # there, but empty
    cli.fails("tenant", "create", "acme", message="the database is not migrated; run `fieldscan migrate` first")
    cli.fails("demo", message="run `fieldscan migrate` first")


def test_mistakes_exit_non_zero_with_a_clear_message(cli):
    cli.ok("migrate")
    assert "(Acme)" in cli.ok("tenant", "create", "acme", "--name", "  ").stdout  # a blank name falls back to the slug's
    cli.fails("tenant", "create", "acme", message="Tenant 'acme' already exists")
    bad_slug = cli.fails("tenant", "create", "Bad_Slug", message="Invalid tenant slug 'Bad_Slug'")
    assert "lower-case letters, digits and hyphens" in bad_slug.stderr
    cli.fails("apikey", "create", "--tenant", "nope", "--name", "ERP",
              message="no tenant 'nope'; create it with `fieldscan tenant create nope`")
    cli.fails("apikey", "create", "--tenant", "acme", "--name", "  ", message="needs a name")
    cli.fails("apikey", "create", "--tenant", "acme", "--name", "ERP", "--role", "owner", message="invalid choice")


@pytest.mark.parametrize("args", [
    pytest.param((), id="fieldscan"),
    pytest.param(("migrate",), id="migrate"),
    pytest.param(("tenant",), id="tenant"),
    pytest.param(("tenant", "create"), id="tenant-create"),
    pytest.param(("user",), id="user"),
    pytest.param(("user", "create"), id="user-create"),
    pytest.param(("apikey",), id="apikey"),
    pytest.param(("apikey", "create"), id="apikey-create"),
    pytest.param(("serve",), id="serve"),
    pytest.param(("demo",), id="demo"),
    pytest.param(("labels",), id="labels"),
])
def test_help_exits_0_and_describes_the_command(cli, args):
    result = cli.ok(*args, "--help")
    assert result.stdout.startswith("usage: fieldscan")
    assert result.stderr == ""


@pytest.fixture
def demo_cli(cli: Cli) -> Cli:
    cli.ok("migrate")
    cli.ok("demo", "--assets", "120")
    cli.env["FIELDSCAN_PUBLIC_URL"] = "https://{tenant}.assets.example"
    return cli


def test_labels_prints_every_asset_to_a_pdf_that_reads_back_with_a_progress_bar(demo_cli, tmp_path):
    from tests.readback import decode, pdf_pages

    result = demo_cli.ok("labels", "--tenant", "demo", "--all", "-o", str(tmp_path / "all.pdf"))
    assert "wrote 120 avery-l7160 labels" in result.stderr
    assert "note: the QR codes carry https://demo.assets.example (from FIELDSCAN_PUBLIC_URL)" in result.stderr
    # Not a terminal: the bar is printed in tenths, ending at the total.
    assert "120/120 labels" in result.stderr and "[#" in result.stderr
    pages = pdf_pages((tmp_path / "all.pdf").read_bytes(), dpi=200)
    assert len(pages) == 6  # 120 labels at 21 a sheet
    urls = {read.text for read in decode(pages[0], 200) if read.format == "QRCode"}
    assert len(urls) == 21 and all(url.startswith("https://demo.assets.example/a/") for url in urls)


def test_labels_prints_chosen_assets_as_zpl_and_locations_as_door_labels(demo_cli, tmp_path):
    from tests.readback import decode, zpl_pages

    demo_cli.ok("labels", "--tenant", "demo", "--template", "thermal-50x25", "--format", "zpl",
                "--ids", "ast-000002", "AST-000001", "-o", str(tmp_path / "two.zpl"))
    zpl = (tmp_path / "two.zpl").read_bytes()
    assert zpl.count(b"^XA") == 2
    texts = [[r.text for r in decode(page, 203.2) if r.format == "QRCode"]
             for page in zpl_pages(zpl, 50, 25)]
    assert texts == [["https://demo.assets.example/a/AST-000002"], ["https://demo.assets.example/a/AST-000001"]]
    demo_cli.ok("labels", "--tenant", "demo", "--locations", "--base-url", "https://assets.example",
                "-o", str(tmp_path / "doors.pdf"))
    assert (tmp_path / "doors.pdf").read_bytes().startswith(b"%PDF")


def test_labels_mistakes_exit_non_zero_with_a_clear_message(demo_cli, tmp_path):
    out = str(tmp_path / "x.pdf")
    demo_cli.fails("labels", "--tenant", "demo", "--ids", "AST-999999", "-o", out,
                   message="no asset with id or tag AST-999999")
    demo_cli.fails("labels", "--tenant", "demo", "--all", "--template", "avery-l7160", "--format", "zpl", "-o", out,
                   message="prints as")
    demo_cli.fails("labels", "--tenant", "demo", "--all", "--template", "nope", "-o", out, message="nope")
    demo_cli.fails("labels", "--tenant", "demo", "--all", "--format", "png", "-o", out, message="one label")
    demo_cli.fails("labels", "--tenant", "nobody", "--all", "-o", out, message="no tenant 'nobody'")
    demo_cli.fails("labels", "--tenant", "demo", "--all", "--base-url", "assets.example", "-o", out,
                   message="--base-url must start with http:// or https://, not 'assets.example'")
    assert not os.path.exists(out)


async def test_a_locked_out_admin_gets_a_one_time_link_from_the_command_line(cli):
    cli.ok("migrate")
    cli.ok("tenant", "create", "acme", "--name", "Acme", "--admin-email", "a@acme.example", "--admin-password", ADMIN_PASSWORD)
    cli.fails("user", "create", "--tenant", "acme", "--email", "w@acme.example", "--password", "password1234",
              message="breaches")
    cli.fails("user", "reset-link", "--tenant", "acme", "--email", "nobody@acme.example", message="no user")
    printed = cli.ok("user", "reset-link", "--tenant", "acme", "--email", "A@acme.example")
    url = printed.stdout.strip().splitlines()[-1]
    assert "/app/set-password#" in url and "password reset" in printed.stdout
    async with AsyncTestClient(create_app(cli.settings()), base_url="http://acme.localhost") as client:
        host = {"host": "acme.localhost"}
        new = "a brand new admin passphrase"
        done = await client.post("/api/v1/auth/set-password", headers=host,
                                 json={"token": url.split("#", 1)[1], "password": new})
        assert done.status_code == 200, done.text
        assert done.json()["user"]["role"] == "admin"
        signed_in = await client.post("/api/v1/auth/login", headers=host, json={"email": "a@acme.example", "password": new})
        assert signed_in.status_code == 200
