"""The lock files that scripts/setup installs from agree with pyproject.toml's ranges."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    found = {}
    for line in text.splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match[1])] = match[2]
    return found


def hashed(lock: str) -> bool:
    """Every pinned requirement is followed by at least one --hash line."""
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", (ROOT / "requirements" / lock).read_text())
    return all("--hash=sha256:" in block for block in blocks if PIN.match(block))


def project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"base.txt": data["dependencies"], "dev.txt": data["dependencies"] + data["optional-dependencies"]["dev"]}


@pytest.mark.parametrize("lock", ["base.txt", "dev.txt"])
def test_every_dependency_is_pinned_within_its_range_with_hashes(lock: str) -> None:
    pinned = pins(lock)
    for line in project()[lock]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is in pyproject.toml but not in requirements/{lock}: run scripts/lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pinned[name]}, outside {requirement.specifier}: run scripts/lock")
    assert hashed(lock), f"requirements/{lock} has a requirement without a hash: run scripts/lock"


def test_the_service_lock_is_the_test_lock_without_the_test_tools() -> None:
    base, dev = pins("base.txt"), pins("dev.txt")
    assert {name: dev.get(name) for name in base} == base
