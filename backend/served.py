"""The address `fieldscan serve` last served on, kept in the data folder, and the addresses derived from it:
the origin `fieldscan labels` prints into QR codes and the one `tenant create` names."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from backend.files import write_atomically
from backend.settings import Settings
from backend.tenancy.rules import tenant_slug_for_host

SERVED_FILE = "served.json"
CHANGE_IT = "set FIELDSCAN_PUBLIC_URL (e.g. https://{tenant}.assets.example) or pass --base-url"


def record_served_origin(var_dir: str | Path, origin: str) -> None:
    """Remember the origin serve answers on (e.g. http://127.0.0.1:8000 or https://192.168.1.20:8000)."""
    folder = Path(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"origin": origin.rstrip("/"), "recordedAt": datetime.now(UTC).isoformat(timespec="seconds")})
    write_atomically(folder / SERVED_FILE, (body + "\n").encode())


def served_origin(var_dir: str | Path) -> str | None:
    """The origin serve last recorded in this data folder, or None (never served, or the file is unreadable)."""
    try:
        recorded = json.loads((Path(var_dir) / SERVED_FILE).read_text())
    except (OSError, ValueError):
        return None
    origin = recorded.get("origin") if isinstance(recorded, dict) else None
    if not isinstance(origin, str) or not origin.startswith(("http://", "https://")):
        return None
    return origin.rstrip("/")


def origin_for(scheme: str, host: str, port: int) -> str:
    """The origin of a listening address; one listening on every interface is reached on loopback."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"{scheme}://{host}:{port}"


def local_origin(settings: Settings) -> tuple[str, str]:
    """Where this machine's service answers, and why: the origin serve recorded, else FIELDSCAN_HOST/PORT's."""
    recorded = served_origin(settings.var_dir)
    if recorded:
        return recorded, f"the address `fieldscan serve` last served on, recorded in {Path(settings.var_dir) / SERVED_FILE}"
    return (origin_for("http", settings.host, settings.port),
            f"no address recorded by `fieldscan serve` in {settings.var_dir} yet, so FIELDSCAN_HOST and "
            "FIELDSCAN_PORT, default 127.0.0.1:8000")


def tenant_local_origin(origin: str, slug: str) -> str:
    """``http://acme.localhost:8000`` for tenant acme served on ``origin``: the tenant is the Host's first label."""
    parts = urlsplit(origin)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{slug}.localhost:{port}"


def _is_loopback(origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tenant_of(origin: str, settings: Settings) -> str:
    return tenant_slug_for_host(urlsplit(origin).netloc, settings.default_tenant, settings.base_domain)


class OriginError(ValueError):
    """No address this machine knows opens the tenant's labels; the message says what to set."""


def label_origin(settings: Settings, slug: str, base_url: str | None = None) -> tuple[str, str]:
    """The origin QR codes of tenant `slug` carry, and a note saying which, why, and how to change it.
    In order: --base-url, FIELDSCAN_PUBLIC_URL, the origin serve recorded, FIELDSCAN_HOST and FIELDSCAN_PORT.
    A served origin that would open another tenant is corrected on plain-HTTP loopback (<slug>.localhost),
    and refused anywhere else: a label that opens another tenant's asset of the same tag is worse than none."""
    if base_url:
        origin, why = base_url, "given by --base-url"
    elif settings.public_url:
        origin, why = settings.public_url, "from FIELDSCAN_PUBLIC_URL"
    else:
        origin, why = local_origin(settings)
        opens = _tenant_of(origin, settings)
        if opens != slug:
            if urlsplit(origin).scheme != "http" or not _is_loopback(origin):
                raise OriginError(f"{origin} ({why}) opens tenant '{opens}', not '{slug}'; for labels of '{slug}', "
                                  f"{CHANGE_IT}")
            origin = tenant_local_origin(origin, slug)
            why += f"; tenant '{slug}' answers on {slug}.localhost"
    origin = origin.replace("{tenant}", slug).rstrip("/")
    return origin, f"note: the QR codes carry {origin} ({why}); to print another address, {CHANGE_IT}"
