"""What a printer's address may be: a hostname or an IP address, nothing more."""

from __future__ import annotations

import ipaddress
import re

MAX_HOST = 253
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def host_problem(host: str) -> str | None:
    """Why `host` is not a printer address (None when it is): a hostname (RFC 1123 labels) or an IPv4/IPv6
    address, with no scheme, port, path or spaces."""
    if not host or len(host) > MAX_HOST:
        return f"between 1 and {MAX_HOST} characters"
    if "://" in host or "/" in host:
        return "a hostname or IP address only, without a scheme or path (such as 10.0.0.20 or zebra-1.local)"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if ":" in host:
        return "a hostname or IP address without a port; the port is its own field"
    labels = host.removesuffix(".").split(".")
    if all(_LABEL.match(label) for label in labels):
        return None
    return "not a valid hostname: letters, digits and hyphens in dot-separated parts of up to 63"


def address(host: str, port: int) -> str:
    """host:port as people write it ([::1]:9100 for IPv6)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
