"""One data folder whatever the current directory, a database only `fieldscan migrate` creates, and what
migrate says it did: the console script, run as a user would, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from backend.db.migrate import alembic_config, head_revision, upgrade
from backend.settings import SOURCE_ROOT
from tests.api.test_cli import Cli
from tests.conftest import DATABASES, _fresh_postgres_database


@pytest.fixture(params=DATABASES)
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """Makes empty databases of each kind: new_database(name) is its URL (for SQLite: no file yet)."""
    if request.param == "sqlite":
        return lambda name: f"sqlite+aiosqlite:///{tmp_path / 'db' / f'{name}.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    return lambda name: _fresh_postgres_database(server)


@pytest.fixture
def empty_database_url(new_database: Callable[[str], str]) -> str:
    return new_database("fresh")


def _folders(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def test_commands_from_any_folder_share_one_data_folder_and_never_make_var(tmp_path):
    data, here, there = tmp_path / "data", tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    cli = Cli(tmp_path, var_dir=data)
    del cli.env["FIELDSCAN_DATABASE_URL"]  # the default database, in the data folder
    assert cli.ok("migrate", cwd=here).stdout.startswith(f"created the schema (revision {head_revision()}) in "
                                                         f"{data / 'fieldscan.sqlite3'}")
    cli.ok("tenant", "create", "acme", cwd=there)
    cli.ok("demo", "--assets", "3", cwd=here)
    cli.ok("labels", "--tenant", "demo", "--all", "-o", "labels.pdf", cwd=there)
    assert "the schema is up to date" in cli.ok("migrate", cwd=there).stdout
    assert _folders(here) == []
    assert _folders(there) == ["labels.pdf"]
    assert (data / "fieldscan.sqlite3").is_file()


def test_without_var_dir_the_data_folder_is_the_checkouts_var_from_any_folder(tmp_path):
    cli = Cli(tmp_path)
    del cli.env["FIELDSCAN_VAR_DIR"]
    shown = cli.ok("--help", cwd=tmp_path).stdout
    assert f"\n  {SOURCE_ROOT / 'var'}\n" in shown
    assert _folders(tmp_path) == []


@pytest.mark.parametrize("command", [
    pytest.param(("tenant", "create", "acme"), id="tenant-create"),
    pytest.param(("user", "create", "--tenant", "acme", "--email", "a@acme.example", "--password", "p" * 10),
                 id="user-create"),
    pytest.param(("apikey", "create", "--tenant", "acme", "--name", "ERP"), id="apikey-create"),
    pytest.param(("demo",), id="demo"),
    pytest.param(("labels", "--tenant", "acme", "--all", "-o", "labels.pdf"), id="labels"),
    pytest.param(("import", "assets.csv", "--tenant", "acme"), id="import"),
    pytest.param(("serve",), id="serve"),
])
def test_a_command_on_a_missing_sqlite_file_refuses_and_creates_nothing(tmp_path, command):
    (tmp_path / "assets.csv").write_text("tag,name\nA-1,Chair\n")
    data = tmp_path / "data"
    cli = Cli(tmp_path, var_dir=data)
    del cli.env["FIELDSCAN_DATABASE_URL"]
    result = cli.fails(*command, message=f"no database at {data / 'fieldscan.sqlite3'}; run `fieldscan migrate` "
                                         "(scripts/run does it)")
    assert result.returncode == 1
    assert _folders(tmp_path) == ["assets.csv"]  # no data folder, no ./var, no labels file

    elsewhere = tmp_path / "elsewhere" / "mine.sqlite3"
    cli.env["FIELDSCAN_DATABASE_URL"] = f"sqlite+aiosqlite:///{elsewhere}"
    cli.fails(*command, message=f"no database at {elsewhere}; run `fieldscan migrate`")
    assert _folders(tmp_path) == ["assets.csv"]


def test_var_dir_moves_the_default_database(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    cli = Cli(tmp_path, var_dir=one)
    del cli.env["FIELDSCAN_DATABASE_URL"]
    cli.ok("migrate")
    cli.ok("tenant", "create", "acme")
    assert _folders(one) == ["fieldscan.sqlite3"]  # the key is the served app's to create (test_cli_addresses)
    cli.env["FIELDSCAN_VAR_DIR"] = str(two)
    cli.fails("tenant", "create", "acme", message=f"no database at {two / 'fieldscan.sqlite3'}")
    assert not two.exists()
    cli.env["FIELDSCAN_VAR_DIR"] = "one"  # relative: to the current directory
    cli.fails("tenant", "create", "acme", message="Tenant 'acme' already exists")


def test_migrate_says_whether_it_created_upgraded_or_left_the_schema(new_database, empty_database_url,
                                                                      tmp_path):
    cli = Cli(tmp_path, database_url=empty_database_url)
    head = head_revision()
    where = str(tmp_path / "db" / "fresh.sqlite3") if empty_database_url.startswith("sqlite") else "postgresql"
    created = cli.ok("migrate").stdout
    assert created.startswith(f"created the schema (revision {head}) in ") and where in created
    assert cli.ok("migrate").stdout.startswith(f"the schema is up to date (revision {head}) in ")

    previous = ScriptDirectory.from_config(alembic_config("")).get_revision(head).down_revision
    assert isinstance(previous, str)
    older = new_database("older")
    upgrade(older, previous)
    other = Cli(tmp_path, database_url=older)
    assert other.ok("migrate").stdout.startswith(f"upgraded the schema from revision {previous} to {head} in ")
    assert other.ok("migrate").stdout.startswith("the schema is up to date")


def test_commands_refuse_an_unmigrated_database(empty_database_url, tmp_path):
    if empty_database_url.startswith("sqlite"):
        (tmp_path / "db").mkdir()
        sqlite3.connect(tmp_path / "db" / "fresh.sqlite3").close()
    cli = Cli(tmp_path, database_url=empty_database_url)
    cli.fails("tenant", "create", "acme", message="the database is not migrated; run `fieldscan migrate` first")
    cli.fails("serve", message="the database is not migrated; run `fieldscan migrate` first")


def test_a_bad_port_is_a_configuration_error_that_names_the_variable(tmp_path):
    cli = Cli(tmp_path)
    cli.env["FIELDSCAN_PORT"] = "70000"
    result = cli.fails("migrate", message="configuration error: FIELDSCAN_PORT must be a port number from 1 to 65535, "
                                          "not 70000")
    assert result.returncode == 2
    del cli.env["FIELDSCAN_PORT"]
    assert cli.fails("serve", "--port", "0", message="a port is from 1 to 65535, not 0").returncode == 2
    assert _folders(tmp_path) == []
