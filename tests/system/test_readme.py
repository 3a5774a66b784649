"""The README works word for word: its walkthrough is docs/walkthrough.sh, run here against a real
`fieldscan serve`; its `fieldscan` examples are run as written; no other shell line goes unchecked."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import _fresh_postgres_database
from tests.readback import decode, pdf_pages
from tests.served import FIELDSCAN, fieldscan_env, served

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
WALKTHROUGH = ROOT / "docs" / "walkthrough.sh"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
# Shell lines the README shows that no test can run, each with the reason.
NOT_RUN = {
    "nc -q1 zebra.local 9100 < tag.zpl": "needs a Zebra printer; tests/api/test_printers.py sends ZPL to a fake one",
    "scripts/run": "CI cannot keep a server running; scripts/run's steps are what the tests' servers do",
    "scripts/run --lan": "as scripts/run; tests/e2e/test_lan.py serves --lan",
    "scripts/test": "this suite is what it runs (.ci/run calls it)",
    "scripts/lock": "needs PyPI; tests/unit/test_lock.py checks its output",
    "source .venv/bin/activate": "a shell convenience; the tests call .venv/bin/fieldscan",
}


def shell_blocks() -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang in ("sh", "bash", "shell")]


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def without_comment(command: str) -> str:
    return re.sub(r"\s+#.*$", "", command)


def program(command: str) -> str | None:
    """The program a command runs, past any VAR=value settings in front of it."""
    words = shlex.split(command, comments=True)
    while words and re.match(r"^[A-Z_]+=", words[0]):
        words = words[1:]
    return words[0] if words else None


def walkthrough_lines() -> set[str]:
    return set(commands(WALKTHROUGH.read_text()))


def readme_fieldscan_commands() -> list[str]:
    """Every `fieldscan …` example outside the walkthrough, in README order, `serve` left out (it never ends)."""
    found = []
    for block in shell_blocks():
        for command in commands(block):
            serve = shlex.split(command, comments=True)[1:2] == ["serve"]
            if program(command) == "fieldscan" and not serve and command not in walkthrough_lines():
                found.append(command)
    return found


def test_the_readme_shows_the_walkthrough_verbatim():
    script = WALKTHROUGH.read_text()
    assert script.startswith("#!/usr/bin/env bash\n")
    assert script.split("\n", 1)[1] in shell_blocks(), "README.md must show docs/walkthrough.sh (after its #! line)"


def test_every_shell_line_in_the_readme_is_run_by_a_test():
    walkthrough = walkthrough_lines()
    unchecked = []
    for block in shell_blocks():
        for command in commands(block):
            runnable = command in walkthrough or program(command) == "fieldscan"
            if not runnable and without_comment(command) not in NOT_RUN:
                unchecked.append(command)
    assert unchecked == [], "README shell lines no test runs: put them in docs/walkthrough.sh, or say why in NOT_RUN"


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_readme_command_line_examples_work_as_written(database, tmp_path, request):
    examples = readme_fieldscan_commands()
    assert len(examples) >= 8, examples
    extra = {}
    if database == "postgres":
        extra["FIELDSCAN_DATABASE_URL"] = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    env = fieldscan_env(tmp_path / "data", **extra)
    env["PATH"] = f"{Path(FIELDSCAN).parent}{os.pathsep}{env['PATH']}"
    (tmp_path / "docs").symlink_to(ROOT / "docs")  # the examples name files of the checkout, e.g. docs/examples/
    for command in examples:
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
    printed = [path for path in tmp_path.iterdir() if path.suffix in (".pdf", ".zpl")]
    assert printed, "the examples print labels to files"
    for path in printed:
        assert path.stat().st_size > 0, path


def test_the_walkthrough_runs_against_a_served_instance(tmp_path):
    with served(tmp_path / "data", demo_assets=30) as server:
        env = server.env | {"FIELDSCAN_URL": server.url}
        done = subprocess.run(["bash", str(WALKTHROUGH)], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    out = done.stdout
    tag = re.search(r"^created (\S+), its label opens (\S+)$", out, re.M)
    assert tag and tag[2] == f"{server.url}/a/{tag[1]}", out
    for line in ("signed in as admin@demo.example (admin) in Demo Company", "scan: accepted, 1 of 1",
                 "resent: accepted, 1 of 1", "undone: 0 of 1", "audit completed"):
        assert line in out.splitlines(), f"{line!r} not in:\n{out}"
    assert '"scanned":1,"missing":0' in out
    assert "WH-0005  maintenance  Forklift battery charger" in out
    files = Path(re.search(r"^files written to (\S+):", out, re.M)[1])  # type: ignore[index]
    try:
        assert (files / "tag.zpl").read_text().startswith("^XA")
        sheet = [r.text for page in pdf_pages((files / "sheet.pdf").read_bytes(), dpi=150) for r in decode(page, 150)]
        assert f"{server.url}/a/{tag[1]}" in sheet, sheet
        assert (files / "report.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        # The PDF the command line printed carries the address the service was served on.
        reads = [r.text for page in pdf_pages((files / "labels.pdf").read_bytes(), dpi=200)
                 for r in decode(page, 200)]
        assert f"{server.url}/a/{tag[1]}" in reads, reads
    finally:
        for file in files.iterdir():
            file.unlink()
        files.rmdir()


def test_the_readmes_blank_tag_examples_are_codes_the_service_accepts():
    from backend.labels import codes

    examples = re.findall(r'"claimCode": "([^"]+)"', README.read_text())
    assert examples
    assert {code: codes.problem(code) for code in examples} == dict.fromkeys(examples)
