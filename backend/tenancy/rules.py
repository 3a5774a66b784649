"""Which tenant a request is for: the first label of its Host, and nothing else."""

from __future__ import annotations

import ipaddress
import re

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
RESERVED_SLUGS = frozenset({"www", "api", "app", "admin", "static"})


def host_name(host: str | None) -> str:
    """The Host header without its port or trailing dot, lower-cased; IPv6 literals lose their brackets."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    # The port goes first: in "example.com.:443" the trailing dot sits before it.
    return host.rstrip(".")


def tenant_slug_for_host(host: str | None, default_tenant: str, base_domain: str | None = None) -> str:
    """``acme.localhost:8000`` → ``acme``; ``localhost``, an IP, or the base domain → the default tenant."""
    name = host_name(host)
    if not name or "." not in name or _is_ip(name):
        return default_tenant
    base = host_name(base_domain)
    if base and name == base:
        return default_tenant
    return name.split(".", 1)[0]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def slug_problem(slug: str) -> str | None:
    """Why a slug cannot name a tenant, or None when it can."""
    if not SLUG.match(slug):
        return "use 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen"
    if slug in RESERVED_SLUGS:
        return f"'{slug}' is reserved"
    return None
