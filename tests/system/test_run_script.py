"""scripts/run as a user runs it (its install step stubbed: the suite runs in that install already), then the
README's label example, as written, against what it served."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from tests.api.test_cli import _fieldscan
from tests.served import READY_TIMEOUT, answers, free_port, wait_for
from tests.readback import decode, pdf_pages

ROOT = Path(__file__).resolve().parents[2]


def _checkout(tmp_path: Path) -> Path:
    """A copy of scripts/run in a folder laid out like the checkout, whose scripts/setup installs nothing."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "run", root / "scripts" / "run")
    setup = root / "scripts" / "setup"
    setup.write_text("#!/usr/bin/env bash\necho 'setup: nothing to install'\n")
    setup.chmod(0o755)
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "fieldscan").symlink_to(_fieldscan())
    return root


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCAN_")}
    return env | {"FIELDSCAN_VAR_DIR": str(data)}


def test_run_serves_on_the_port_it_is_given_and_the_readme_label_example_then_works(tmp_path):
    root, data, port = _checkout(tmp_path), tmp_path / "data", free_port()
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        run = subprocess.Popen([str(root / "scripts" / "run"), "--port", str(port), "--workers", "1"], cwd=tmp_path,
                               env=_env(data), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        # it seeds 200 assets first
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/health"), run, f"scripts/run --port {port}", log,
                 timeout=2 * READY_TIMEOUT)
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=30)
    printed = log.read_text()
    assert f"Open http://127.0.0.1:{port}/app/ to use the app" in printed
    assert "127.0.0.1:8000" not in printed
    assert f"Command line, from any folder: {root}/.venv/bin/fieldscan --help" in printed
    assert f"source {root}/.venv/bin/activate" in printed
    assert "Sign in as admin@demo.example (password fieldscan-demo)" in printed

    # README, Command line: `fieldscan labels --tenant acme --all -o labels.pdf`, with tenant demo, no flags.
    work = tmp_path / "elsewhere"
    work.mkdir()
    done = subprocess.run([str(root / ".venv" / "bin" / "fieldscan"), "labels", "--tenant", "demo", "--all", "-o",
                           "labels.pdf"], cwd=work, env=_env(data), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"note: the QR codes carry http://127.0.0.1:{port} (the address `fieldscan serve` last served on" in done.stderr
    urls = {r.text for r in decode(pdf_pages((work / "labels.pdf").read_bytes(), dpi=200)[0], 200)
            if r.format == "QRCode"}
    assert f"http://127.0.0.1:{port}/a/AST-000001" in urls, urls


def test_run_refuses_a_port_that_is_not_a_number_before_installing_anything(tmp_path):
    root = _checkout(tmp_path)
    done = subprocess.run([str(root / "scripts" / "run"), "--port", "eighty"], cwd=tmp_path, env=_env(tmp_path / "d"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "scripts/run: --port needs a port number, not 'eighty'\n"
    assert done.stdout == ""
    assert not (tmp_path / "d").exists()
