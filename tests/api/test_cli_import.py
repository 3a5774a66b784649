"""`fieldscan import FILE --tenant SLUG`, run as the installed console script on each database."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.api.test_cli import _fieldscan


def fieldscan(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCAN_")}
    env.update(FIELDSCAN_DATABASE_URL=database_url, FIELDSCAN_VAR_DIR=str(tmp_path / "var"))
    return subprocess.run([_fieldscan(), *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.fixture
def slug(database_url: str, tmp_path: Path) -> str:
    name = f"cli{secrets.token_hex(4)}"
    assert fieldscan(database_url, tmp_path, "tenant", "create", name).returncode == 0
    return name


def test_import_shows_progress_and_a_summary(database_url: str, tmp_path: Path, slug: str) -> None:
    file = tmp_path / "assets.csv"
    file.write_text("Asset Tag;Name;Category\n" + "".join(f"CLI-{n:04d};Asset {n};Tools\n" for n in range(1, 251)))
    dry = fieldscan(database_url, tmp_path, "import", str(file), "--tenant", slug, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(f"would import 250 rows of {file} into '{slug}' (utf-8): 250 created")
    result = fieldscan(database_url, tmp_path, "import", str(file), "--tenant", slug)
    assert result.returncode == 0, result.stderr
    assert "] 250/250 rows" in result.stderr  # the progress bar, on standard error
    assert result.stdout.splitlines() == [
        f"imported 250 rows of {file} into '{slug}' (utf-8): 250 created, 0 updated, 0 unchanged, 0 failed",
        "new: 1 category"]
    again = fieldscan(database_url, tmp_path, "import", str(file), "--tenant", slug)
    assert "0 created, 0 updated, 250 unchanged, 0 failed" in again.stdout


def test_a_failed_row_is_listed_and_exits_1(database_url: str, tmp_path: Path, slug: str) -> None:
    file = tmp_path / "assets.csv"
    file.write_text("tag,name,purchaseCost\nOK-1,Fine,10\nBAD-1,Broken,-3\n")
    result = fieldscan(database_url, tmp_path, "import", str(file), "--tenant", slug, "--atomic")
    assert result.returncode == 1
    assert "row 3: column 'purchaseCost': '-3' is negative; a cost is never below 0" in result.stderr
    assert "atomic: nothing was written because rows failed" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["missing.csv", "--tenant", "{slug}"], "cannot read missing.csv", id="no such file"),
    pytest.param(["{file}", "--tenant", "nobody"], "no tenant 'nobody'", id="no such tenant"),
])
def test_what_cannot_be_imported_is_said_plainly(database_url: str, tmp_path: Path, slug: str, args: list[str],
                                                  message: str) -> None:
    file = tmp_path / "assets.csv"
    file.write_text("tag,name\nA,B\n")
    result = fieldscan(database_url, tmp_path, "import", *(a.format(slug=slug, file=file) for a in args))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
