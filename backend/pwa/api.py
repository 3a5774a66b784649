"""/app/: the PWA's files from `pwa/`, its history routes, and its browser packages from `pwa/node_modules`.

Static files hold no data, so no tenant and no sign-in are needed. Every answer is `Cache-Control: no-cache`
with an ETag: the service worker does the caching, and a revalidation is a cheap 304. Only what is meant to
be served is: the app's own files by type, and under /app/vendor/ the packages `pwa/package.json` depends
on; a path that tries to leave `pwa/`, names a hidden file or reaches into node_modules any other way is a 404.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import anyio.to_thread
from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

PWA_ROOT = Path(__file__).resolve().parents[2] / "pwa"
INDEX = "index.html"
NO_CACHE = "no-cache"
# What the app's own files may be, and how each is sent. A last path segment with another (or no) suffix
# is a route of the app (/app/sessions/42, /app/a/LAP.001): it gets index.html. (Litestar adds
# "; charset=utf-8" to every text/* type.)
APP_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
}
VENDOR_TYPES = {suffix: APP_TYPES.get(suffix, "application/json")
                for suffix in (".js", ".mjs", ".wasm", ".json", ".map", ".css")}
# Files of the pwa/ folder that are the project's own bookkeeping, not part of the app.
NOT_SERVED = frozenset({"package.json", "package-lock.json"})


@dataclass(frozen=True, slots=True)
class StaticFile:
    content: bytes
    etag: str


def _not_found(path: str) -> NotFoundException:
    return NotFoundException(f"No file of the app at /app/{path[:200]}")


def _segments(path: str) -> list[str] | None:
    """The parts of a requested path, or None if any of them could name something outside the folder."""
    parts = [part for part in path.split("/") if part != ""]
    for part in parts:
        if part.startswith(".") or "\\" in part or "\x00" in part or ":" in part or "%" in part:
            return None
    return parts


def _inside(root: Path, parts: list[str]) -> Path | None:
    """root/parts, if it is a regular file that really lies under root (symbolic links included)."""
    if not parts:
        return None
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
        if not resolved.is_relative_to(root.resolve(strict=True)) or not resolved.is_file():
            return None
    except (OSError, RuntimeError):
        return None
    return resolved


@functools.lru_cache(maxsize=512)
def _load(path: Path, mtime_ns: int, size: int) -> StaticFile:
    del mtime_ns, size  # part of the cache key: a changed file is read again
    content = path.read_bytes()
    return StaticFile(content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"')


def _read(path: Path) -> StaticFile:
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _dependencies(package_json: Path, mtime_ns: int) -> frozenset[str]:
    del mtime_ns
    try:
        manifest = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
    return frozenset(dependencies) if isinstance(dependencies, dict) else frozenset()


def vendor_packages(root: Path) -> frozenset[str]:
    """The packages the app may load from node_modules: the `dependencies` of pwa/package.json."""
    package_json = root / "package.json"
    try:
        return _dependencies(package_json, package_json.stat().st_mtime_ns)
    except OSError:
        return frozenset()


def resolve(root: Path, path: str) -> tuple[Path, str, dict[str, str]] | None:
    """What /app/{path} answers: (file, media type, extra headers), or None for a 404."""
    parts = _segments(path)
    if parts is None:
        return None
    if parts and parts[0] == "vendor":
        return _vendor(root, parts[1:])
    if "node_modules" in parts:
        return None
    suffix = PurePosixPath(parts[-1]).suffix.lower() if parts else ""
    if suffix not in APP_TYPES:
        index = _inside(root, [INDEX])
        return (index, APP_TYPES[".html"], {}) if index else None
    if len(parts) == 1 and parts[0] in NOT_SERVED:
        return None
    found = _inside(root, parts)
    if found is None:
        return None
    # The worker may claim scope / so that /a/{tag} links open in the app when it is installed.
    extra = {"Service-Worker-Allowed": "/"} if parts == ["sw.js"] else {}
    return found, APP_TYPES[suffix], extra


def _vendor(root: Path, parts: list[str]) -> tuple[Path, str, dict[str, str]] | None:
    if not parts:
        return None
    scoped = parts[0].startswith("@")
    name_length = 2 if scoped else 1
    package, inner = "/".join(parts[:name_length]), parts[name_length:]
    if len(parts) <= name_length or package not in vendor_packages(root) or "node_modules" in inner:
        return None
    suffix = PurePosixPath(inner[-1]).suffix.lower()
    if suffix not in VENDOR_TYPES:
        return None
    modules = root / "node_modules"
    found = _inside(modules, [*parts[:name_length], *inner])
    if found is None:
        return None
    return found, VENDOR_TYPES[suffix], {}


def _matches(request: Request, etag: str) -> bool:
    wanted = {value.strip().removeprefix("W/") for value in request.headers.get("if-none-match", "").split(",")}
    return etag in wanted or "*" in wanted


async def _serve(root: Path, request: Request, path: str) -> Response[bytes]:
    found = resolve(root, path)
    if found is None:
        raise _not_found(path.lstrip("/"))
    file, media_type, extra = found
    static = await anyio.to_thread.run_sync(_read, file)
    headers = {"ETag": static.etag, "Cache-Control": NO_CACHE, "X-Content-Type-Options": "nosniff", **extra}
    if _matches(request, static.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(static.content, media_type=media_type, headers=headers)


def pwa_router(root: Path = PWA_ROOT) -> Router:
    """The /app routes serving the PWA from `root` (the repository's pwa/ folder unless told otherwise),
    and the app's icon at /favicon.ico, where browsers look for it on every page of the service."""

    @get("/app/", include_in_schema=False)
    async def app_shell(request: Request) -> Response[bytes]:
        raw = request.scope.get("raw_path") or b""
        if raw.rstrip(b"?") == b"/app":
            query = request.scope.get("query_string", b"").decode("latin-1")
            return Redirect("/app/" + (f"?{query}" if query else ""), status_code=301)  # type: ignore[return-value]
        return await _serve(root, request, "")

    @get("/app/{path:path}", include_in_schema=False)
    async def app_file(request: Request, path: FromPath[str]) -> Response[bytes]:
        return await _serve(root, request, path)

    @get("/favicon.ico", include_in_schema=False)
    async def favicon(request: Request) -> Response[bytes]:
        return await _serve(root, request, "icons/favicon.ico")

    return Router("/", route_handlers=[app_shell, app_file, favicon], include_in_schema=False)
