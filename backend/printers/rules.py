"""What a printer's address may be: a hostname or an IP address, nothing more; and where it may lead.

A printer's host and port are where the service opens a TCP connection and writes bytes. Left open,
that lets whoever sets them reach what only the service can reach: the cloud metadata service
(169.254.169.254), the database on its port, the service itself on loopback. So a printer listens on
9100 or a port the operator names, at an address on the network (private LAN ranges included, as that
is where printers are), never at a loopback, link-local, unspecified, multicast or broadcast address."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection

from backend.printers.models import DEFAULT_PORT

MAX_HOST = 253
PRINTER_PORT = DEFAULT_PORT  # raw TCP printing (JetDirect / AppSocket): always allowed
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # "this host": Linux connects 0.0.0.0 to itself
_BROADCAST = ipaddress.ip_address("255.255.255.255")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
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


def literal(host: str) -> IPAddress | None:
    """host as an IP address when it is written as one (no name to resolve), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


# Cloud metadata and host services outside link-local: Alibaba Cloud, Azure's wire server, AWS over IPv6.
_METADATA = {ipaddress.ip_address(a) for a in ("100.100.100.200", "168.63.129.16", "fd00:ec2::254")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def reached(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address leads to when it carries one (mapped ::ffff:a.b.c.d, NAT64
    64:ff9b::a.b.c.d, 6to4 2002:AABB:CCDD::, the old IPv4-compatible ::a.b.c.d); else `ip` itself."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_problem(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why a printer may not be at `ip` (None when it may). An IPv6 address that carries an IPv4 one
    (::ffff:127.0.0.1, 64:ff9b::a9fe:a9fe) is judged as the IPv4 address it reaches."""
    if ip in _METADATA:
        return "a cloud metadata service"
    ip = reached(ip)
    if ip in _METADATA:
        return "a cloud metadata service"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address (this machine itself)"
    if ip.is_link_local:
        return "a link-local address (such as the cloud metadata service at 169.254.169.254)"
    if ip.is_unspecified or ip in _THIS_NETWORK:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip == _BROADCAST:
        return "the broadcast address"
    return None


def allowed_ports(extra: Collection[int]) -> list[int]:
    return sorted({PRINTER_PORT, *extra})


def port_problem(port: int, extra: Collection[int]) -> str | None:
    """Why a printer may not listen on `port` (None when it may): 9100, or one the operator allowed."""
    allowed = allowed_ports(extra)
    if port in allowed:
        return None
    listed = ", ".join(str(p) for p in allowed)
    return f"one of the printer ports this service allows ({listed}; FIELDSCAN_PRINTER_PORTS adds more)"
