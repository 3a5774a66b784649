"""Phones on the local network: what `fieldscan serve --lan` needs to serve HTTPS they can trust.

A browser gives a page a service worker and the camera only in a secure context, and a phone reaches this
machine by a LAN address, never by localhost: so the service speaks HTTPS there, with a certificate signed
by a local certificate authority that each phone is taught to trust once (the /ca page says how).

Under <var>/lan/: ca.pem and ca.key, made once and kept, so phones that trust the CA keep working;
server.pem and server.key, made again when the machine's names or addresses change or the certificate
nears its end. Keys are readable by their owner only.

Finding the addresses sends nothing: a UDP socket's connect() only asks the routing table which address
would be used, and on Linux the interfaces are read from the kernel.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from backend.files import write_atomically

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

FOLDER = "lan"
CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY = "ca.pem", "ca.key", "server.pem", "server.key"
# Long, because every phone has to be taught to trust it again when it changes.
CA_LIFETIME = timedelta(days=3650)
# iOS refuses a TLS server certificate valid for more than 825 days; the margin absorbs leap days.
SERVER_LIFETIME = timedelta(days=800)
RENEW_BEFORE = timedelta(days=30)
# A phone whose clock runs a little behind still accepts a certificate made a moment ago.
BACKDATE = timedelta(hours=1)
# IPv4 only: every phone on a LAN has IPv4, and uvicorn's "::" socket is IPv6-only (asyncio sets V6ONLY).
BIND_HOST = "0.0.0.0"
CA_MEDIA_TYPE = "application/x-x509-ca-cert"
CA_FILENAME = "fieldscan-local-ca.crt"
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
# Documentation addresses (RFC 5737, RFC 3849): connect() on a UDP socket picks the route, sends nothing.
ROUTE_PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))
SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address
# /proc/net/if_inet6 flags of addresses a phone should not be sent to: temporary, DAD failed, deprecated, tentative.
IPV6_SKIP_FLAGS = 0x01 | 0x08 | 0x20 | 0x40
DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")


class LanError(Exception):
    """The local CA or certificate cannot be used as it is; the message says what to do."""


# --- addresses and names


def usable_addresses(candidates: Iterable[str | IPAddress]) -> list[IPAddress]:
    """The addresses another host on the network could reach, once each, in the order given, IPv4 first."""
    found: list[IPAddress] = []
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(str(candidate).split("%", 1)[0])
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if (address.is_loopback or address.is_link_local or address.is_unspecified or address.is_multicast
                or address.is_reserved or address in found):
            continue
        found.append(address)
    return sorted(found, key=lambda a: a.version)  # stable: the default route's address stays first


def lan_addresses() -> list[IPAddress]:
    """This machine's addresses on its networks, the default route's first. Sends no packet."""
    return usable_addresses([*_route_sources(), *_interface_addresses()])


def _route_sources() -> list[str]:
    """The source address the routing table picks for the default route, per family."""
    found = []
    for family, probe in ROUTE_PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.append(s.getsockname()[0])
        except OSError:  # no route in this family
            continue
    return found


def _interface_addresses() -> list[str]:
    """Every interface's IPv4 and stable IPv6 addresses, from the kernel (Linux; elsewhere none)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl

    found = []
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                answer = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:  # no IPv4 address on this interface
                continue
        found.append(socket.inet_ntoa(answer[20:24]))
    try:
        lines = Path("/proc/net/if_inet6").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 6 and not int(fields[4], 16) & IPV6_SKIP_FLAGS:
            found.append(str(ipaddress.IPv6Address(bytes.fromhex(fields[0]))))
    return found


def machine_name() -> str:
    return socket.gethostname().strip().lower().rstrip(".")


@dataclass(frozen=True)
class Names:
    """What a server certificate is for: DNS names and IP addresses, each once."""

    dns: tuple[str, ...]
    ips: tuple[IPAddress, ...]

    @classmethod
    def of(cls, dns: Iterable[str], ips: Iterable[str | IPAddress]) -> Names:
        names = [n for n in dict.fromkeys(n.strip().lower().rstrip(".") for n in dns) if _dns_name(n)]
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(a)) for a in ips))
        return cls(tuple(names), tuple(addresses))

    def key(self) -> tuple[frozenset[str], frozenset[IPAddress]]:
        return frozenset(self.dns), frozenset(self.ips)


def server_names(hostname: str, addresses: Iterable[IPAddress]) -> Names:
    """The host name (and its first label), the LAN addresses, and loopback."""
    hostname = hostname.strip().lower().rstrip(".")
    return Names.of([hostname, hostname.split(".", 1)[0], *LOOPBACK_NAMES], [*addresses, *LOOPBACK_IPS])


def _dns_name(name: str) -> bool:
    return 0 < len(name) <= 253 and all(DNS_LABEL.match(label) for label in name.split("."))


# --- the CA and the server certificate


@dataclass(frozen=True)
class Authority:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    created: bool


def folder(var_dir: str | Path) -> Path:
    return Path(var_dir) / FOLDER


def read_ca_certificate(var_dir: str | Path) -> x509.Certificate | None:
    """The local CA's certificate, or None when `fieldscan serve --lan` has not made one here."""
    try:
        return x509.load_pem_x509_certificate(folder(var_dir).joinpath(CA_CERT).read_bytes())
    except FileNotFoundError:
        return None
    except ValueError:
        raise LanError(f"{folder(var_dir) / CA_CERT} is not a certificate") from None
    except OSError as exc:  # unreadable, or a folder in its place
        raise LanError(f"{folder(var_dir) / CA_CERT} cannot be read: {exc.strerror}") from None


def load_or_create_ca(var_dir: str | Path, hostname: str | None = None, now: datetime | None = None) -> Authority:
    """The CA of this data folder; made on first use, then always the same one."""
    lan = folder(var_dir)
    cert_path, key_path = lan / CA_CERT, lan / CA_KEY
    present = cert_path.exists(), key_path.exists()
    now = now or datetime.now(UTC)
    if present == (False, False):
        return _create_ca(lan, hostname or machine_name(), now)
    fix = f"remove the folder {lan} to make a new CA (every phone must then trust the new one)"
    if present != (True, True):
        raise LanError(f"{cert_path if present[0] else key_path} is there without its pair; {fix}")
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except ValueError:
        raise LanError(f"the local CA in {lan} cannot be read; {fix}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise LanError(f"{key_path} is not the key of {cert_path}; {fix}")
    if cert.not_valid_after_utc <= now + RENEW_BEFORE:
        raise LanError(f"the local CA in {lan} expires on {cert.not_valid_after_utc:%Y-%m-%d}; {fix}")
    return Authority(cert, key, created=False)


def _create_ca(lan: Path, hostname: str, now: datetime) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name(hostname)),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fieldscan")])
    start = now - BACKDATE
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    lan.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(lan / CA_KEY, _key_pem(key), private=True)
    _write(lan / CA_CERT, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return Authority(cert, key, created=True)


def ca_name(hostname: str) -> str:
    # A common name holds at most 64 characters; the prefix takes 20 of them.
    return f"Fieldscan local CA ({(hostname.split('.', 1)[0] or 'this computer')[:42]})"


def ensure_server_certificate(var_dir: str | Path, ca: Authority, names: Names,
                              now: datetime | None = None) -> tuple[x509.Certificate, bool]:
    """The server certificate for exactly these names, signed by this CA: the one on disk while it still
    fits and has a month to run, else a new one. Also says whether it was made now."""
    lan = folder(var_dir)
    now = now or datetime.now(UTC)
    current = _current_server_certificate(lan, ca, names, now)
    if current is not None:
        return current, False
    key = ec.generate_private_key(ec.SECP256R1())
    start = now - BACKDATE
    end = min(start + SERVER_LIFETIME, ca.cert.not_valid_after_utc)
    ca_ski = ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names.dns[0][:64])]))
        .issuer_name(ca.cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([*(x509.DNSName(n) for n in names.dns),
                                                    *(x509.IPAddress(a) for a in names.ips)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    lan.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(lan / SERVER_KEY, _key_pem(key), private=True)
    _write(lan / SERVER_CERT, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return cert, True


def _current_server_certificate(lan: Path, ca: Authority, names: Names, now: datetime) -> x509.Certificate | None:
    try:
        cert = x509.load_pem_x509_certificate((lan / SERVER_CERT).read_bytes())
        key = serialization.load_pem_private_key((lan / SERVER_KEY).read_bytes(), password=None)
        cert.verify_directly_issued_by(ca.cert)
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return None  # missing, unreadable, or from another CA: make a new one
    has = frozenset(sans.get_values_for_type(x509.DNSName)), frozenset(sans.get_values_for_type(x509.IPAddress))
    if has != names.key() or not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return None
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return None
    return cert


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, content: bytes, *, private: bool) -> None:
    """Whole or not at all; a key is readable by its owner only."""
    write_atomically(path, content, 0o600 if private else 0o644)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate as phones show it: AB:CD:…"""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# --- a QR code in the terminal

# Two rows of modules per line of text: (top dark, bottom dark) -> character.
HALF_BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
BLACK_ON_WHITE, RESET = "\x1b[30;107m", "\x1b[0m"


def terminal_qr(text: str, *, color: bool = False) -> str:
    """The QR code of text in half blocks, dark modules drawn. With color, black on white whatever the
    terminal's own colours (a phone reads an inverted code badly); without, for logs and light terminals."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    code.add_data(text)
    code.make(fit=True)
    rows = [list(row) for row in code.get_matrix()]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = ["".join(HALF_BLOCKS[pair] for pair in zip(top, bottom, strict=True))
             for top, bottom in zip(rows[::2], rows[1::2], strict=True)]
    return "\n".join(f"{BLACK_ON_WHITE}{line}{RESET}" if color else line for line in lines)


# --- what `fieldscan serve --lan` needs


@dataclass(frozen=True)
class LanServing:
    """Where and how to serve, and what to tell the person at the terminal."""

    host: str
    port: int
    ssl_certfile: str
    ssl_keyfile: str
    urls: tuple[str, ...]
    ca_page: str
    ca_name: str
    ca_fingerprint: str
    ca_created: bool
    certificate_made: bool
    names: Names
    tenant: str
    found_address: bool

    @property
    def origin(self) -> str:
        """The origin phones open, e.g. https://192.168.1.20:8000."""
        return self.urls[0].removesuffix("/app/")

    def uvicorn_options(self) -> dict[str, str]:
        return {"host": self.host, "ssl_certfile": self.ssl_certfile, "ssl_keyfile": self.ssl_keyfile}

    def banner(self, *, color: bool = False) -> str:
        lines = [f"Phones on your network (HTTPS, tenant '{self.tenant}'): open"]
        lines += [f"  {url}" for url in self.urls]
        if not self.found_address:
            lines.append("  (no network address found: only this computer reaches it until it joins a network)")
        lines += [terminal_qr(self.urls[0], color=color),
                  f"First visit on a phone: open {self.ca_page} (accept the warning this once), install and trust",
                  f"'{self.ca_name}', SHA-256 {self.ca_fingerprint}"]
        if self.ca_created:
            lines.append("A new local CA was made: every phone has to trust it once.")
        if self.certificate_made:
            shown = [*self.names.dns, *(str(a) for a in self.names.ips)]
            lines.append(f"New server certificate for {', '.join(shown)}")
        return "\n".join(lines)


def prepare(var_dir: str | Path, port: int, *, tenant: str, host: str | None = None, hostname: str | None = None,
            addresses: Iterable[IPAddress] | None = None, now: datetime | None = None) -> LanServing:
    """Make or reuse the CA and the server certificate for this machine's names; where to listen, what to print."""
    host = listen_host(host)
    hostname = hostname or machine_name()
    found = [a for a in (lan_addresses() if addresses is None else usable_addresses(addresses))
             if _listened_on(host, a)]
    names = server_names(hostname, found)
    ca = load_or_create_ca(var_dir, hostname, now)
    _, made = ensure_server_certificate(var_dir, ca, names, now)
    suffix = "" if port == 443 else f":{port}"
    hosts = [f"[{a}]" if a.version == 6 else str(a) for a in found]
    if "." not in hostname and _dns_name(hostname) and hostname not in LOOPBACK_NAMES:
        hosts.append(hostname)  # a bare name: the default tenant, where the network resolves it
    if not hosts:
        hosts = ["localhost"]
    lan = folder(var_dir)
    return LanServing(
        host=host, port=port, ssl_certfile=str(lan / SERVER_CERT), ssl_keyfile=str(lan / SERVER_KEY),
        urls=tuple(f"https://{h}{suffix}/app/" for h in hosts), ca_page=f"https://{hosts[0]}{suffix}/ca",
        ca_name=str(ca.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),
        ca_fingerprint=fingerprint(ca.cert), ca_created=ca.created, certificate_made=made, names=names,
        tenant=tenant, found_address=bool(found),
    )


def listen_host(requested: str | None) -> str:
    """Every IPv4 interface, unless asked for an address phones can reach (loopback is what --lan is not)."""
    if not requested or requested.strip().lower() == "localhost":
        return BIND_HOST
    try:
        return BIND_HOST if ipaddress.ip_address(requested).is_loopback else requested
    except ValueError:
        return requested


def _listened_on(host: str, address: IPAddress) -> bool:
    """Whether a socket bound to host answers on address."""
    if host in ("0.0.0.0", ""):
        return address.version == 4
    if host == "::":
        return address.version == 6
    try:
        return ipaddress.ip_address(host) == address
    except ValueError:
        return True
