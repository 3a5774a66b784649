"""Files in the data folder that other processes read while they are written: whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _temporary(path: Path, content: bytes, mode: int) -> Path:
    """content in a new file beside path (same file system, so it can be renamed or linked there)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, mode)  # mkstemp's 0600, or the umask, must not decide who may read it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def write_atomically(path: Path, content: bytes, mode: int = 0o644) -> None:
    """Replace path with content: a reader sees the old file or the new one, never half of either."""
    temporary = _temporary(path, content, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def create_exclusively(path: Path, content: bytes, mode: int = 0o600) -> bool:
    """Create path with content unless it exists (then False): when two processes race, one file wins whole."""
    temporary = _temporary(path, content, mode)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)
    return True
