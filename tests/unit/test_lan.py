"""The local CA and server certificate of `fieldscan serve --lan`, the LAN addresses, and the terminal QR code."""

from __future__ import annotations

import ipaddress
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from PIL import Image

from backend import lan
from backend.tenancy.rules import tenant_slug_for_host

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LAN_V4 = [ipaddress.ip_address("192.168.1.20"), ipaddress.ip_address("10.0.0.7")]


def ip(text: str) -> lan.IPAddress:
    return ipaddress.ip_address(text)


def names_of(cert: x509.Certificate) -> tuple[set[str], set[lan.IPAddress]]:
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(sans.get_values_for_type(x509.DNSName)), set(sans.get_values_for_type(x509.IPAddress))


def verify(ca: x509.Certificate, cert: x509.Certificate, subject: x509.DNSName | x509.IPAddress,
           at: datetime = NOW) -> None:
    verifier = PolicyBuilder().store(Store([ca])).time(at).build_server_verifier(subject)
    chain = verifier.verify(cert, [])
    assert chain[-1] == ca


def test_the_ca_is_made_once_and_then_reused(tmp_path):
    first = lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    again = lan.load_or_create_ca(tmp_path, "another-name", NOW + timedelta(days=400))
    assert first.created and not again.created
    assert again.cert == first.cert
    assert again.key.private_numbers() == first.key.private_numbers()
    assert (tmp_path / "lan" / "ca.pem").is_file() and (tmp_path / "lan" / "ca.key").is_file()


def test_the_ca_is_a_ca_a_person_recognises(tmp_path):
    ca = lan.load_or_create_ca(tmp_path, "Scanner-PC.local", NOW).cert
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Fieldscan local CA (Scanner-PC)"
    assert ca.issuer == ca.subject
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign
    assert ca.not_valid_before_utc <= NOW < ca.not_valid_after_utc
    assert ca.not_valid_after_utc - NOW > timedelta(days=9 * 365)


def test_the_server_certificate_verifies_against_the_ca_for_every_name(tmp_path):
    ca = lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    names = lan.server_names("scanner-pc", [*LAN_V4, ip("fd00::2")])
    cert, made = lan.ensure_server_certificate(tmp_path, ca, names, NOW)
    assert made
    dns, ips = names_of(cert)
    assert dns == {"scanner-pc", "localhost"}
    assert ips == {*LAN_V4, ip("fd00::2"), ip("127.0.0.1"), ip("::1")}
    for name in dns:
        verify(ca.cert, cert, x509.DNSName(name))
    for address in ips:
        verify(ca.cert, cert, x509.IPAddress(address))
    with pytest.raises(VerificationError):
        verify(ca.cert, cert, x509.DNSName("elsewhere"))
    with pytest.raises(VerificationError):
        verify(ca.cert, cert, x509.IPAddress(ip("192.168.1.21")))


def test_the_server_certificate_meets_what_phones_require(tmp_path):
    ca = lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    cert, _ = lan.ensure_server_certificate(tmp_path, ca, lan.server_names("scanner-pc", LAN_V4), NOW)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= timedelta(days=825)
    assert cert.not_valid_before_utc <= NOW
    assert cert.issuer == ca.cert.subject


def test_keys_are_readable_by_their_owner_only(tmp_path):
    lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc", addresses=LAN_V4, now=NOW)
    for name in ("ca.key", "server.key"):
        assert stat.S_IMODE((tmp_path / "lan" / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "lan" / "ca.pem").stat().st_mode) == 0o644


def test_the_same_names_keep_the_certificate_and_other_names_get_a_new_one_from_the_same_ca(tmp_path):
    first = lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc", addresses=LAN_V4, now=NOW)
    server = Path(first.ssl_certfile).read_bytes()
    same = lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc", addresses=list(reversed(LAN_V4)),
                       now=NOW + timedelta(days=1))
    assert first.certificate_made and not same.certificate_made
    assert Path(same.ssl_certfile).read_bytes() == server

    moved = lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc", addresses=[ip("192.168.5.9")],
                        now=NOW + timedelta(days=2))
    assert moved.certificate_made and not moved.ca_created
    assert moved.ca_fingerprint == first.ca_fingerprint
    cert = x509.load_pem_x509_certificate(Path(moved.ssl_certfile).read_bytes())
    assert ip("192.168.5.9") in names_of(cert)[1] and LAN_V4[0] not in names_of(cert)[1]
    verify(lan.read_ca_certificate(tmp_path), cert, x509.IPAddress(ip("192.168.5.9")), NOW + timedelta(days=2))


def test_a_certificate_near_its_end_is_made_again(tmp_path):
    ca = lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    names = lan.server_names("scanner-pc", LAN_V4)
    cert, _ = lan.ensure_server_certificate(tmp_path, ca, names, NOW)
    still = cert.not_valid_after_utc - lan.RENEW_BEFORE - timedelta(days=1)
    assert lan.ensure_server_certificate(tmp_path, ca, names, still) == (cert, False)
    renewed, made = lan.ensure_server_certificate(tmp_path, ca, names, still + timedelta(days=2))
    assert made and renewed.not_valid_after_utc > cert.not_valid_after_utc


def test_a_certificate_from_another_ca_is_made_again(tmp_path):
    names = lan.server_names("scanner-pc", LAN_V4)
    other = lan.load_or_create_ca(tmp_path / "other", "scanner-pc", NOW)
    lan.ensure_server_certificate(tmp_path, other, names, NOW)  # the server files of tmp_path, from another CA
    ca = lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    cert, made = lan.ensure_server_certificate(tmp_path, ca, names, NOW)
    assert made
    verify(ca.cert, cert, x509.DNSName("scanner-pc"))


def test_half_a_ca_is_refused_rather_than_replaced(tmp_path):
    lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    (tmp_path / "lan" / "ca.key").unlink()
    with pytest.raises(lan.LanError, match="without its pair"):
        lan.load_or_create_ca(tmp_path, "scanner-pc", NOW)
    assert lan.read_ca_certificate(tmp_path) is not None


def test_no_ca_reads_as_none(tmp_path):
    assert lan.read_ca_certificate(tmp_path) is None


def test_usable_addresses_are_those_another_host_can_reach_ipv4_first():
    found = lan.usable_addresses(["fd00::2", "127.0.0.1", "192.168.1.20", "::1", "fe80::1%eth0", "0.0.0.0",
                                  "224.0.0.1", "::ffff:10.0.0.7", "192.168.1.20", "not an address", "2001:db8::5"])
    assert found == [ip("192.168.1.20"), ip("10.0.0.7"), ip("fd00::2"), ip("2001:db8::5")]


def test_a_very_long_host_name_still_makes_a_ca_and_a_certificate(tmp_path):
    name = "a" * 63 + ".example"
    serving = lan.prepare(tmp_path, 8443, tenant="demo", hostname=name, addresses=[ip("192.168.1.20")], now=NOW)
    assert len(serving.ca_name) <= 64 and serving.ca_name.startswith("Fieldscan local CA (aaaa")
    cert = x509.load_pem_x509_certificate((tmp_path / "lan" / "server.pem").read_bytes())
    assert name in names_of(cert)[0]


def test_the_machines_addresses_are_never_loopback():
    found = lan.lan_addresses()
    assert all(not a.is_loopback and not a.is_link_local for a in found)
    assert lan.usable_addresses(found) == found


def test_prepare_serves_every_ipv4_address_on_all_interfaces_and_names_the_bare_host(tmp_path):
    serving = lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc",
                          addresses=[ip("fd00::2"), *LAN_V4], now=NOW)
    assert serving.uvicorn_options() == {"host": "0.0.0.0", "ssl_certfile": str(tmp_path / "lan" / "server.pem"),
                                         "ssl_keyfile": str(tmp_path / "lan" / "server.key")}
    assert serving.urls == ("https://192.168.1.20:8443/app/", "https://10.0.0.7:8443/app/",
                            "https://scanner-pc:8443/app/")
    assert serving.origin == "https://192.168.1.20:8443"
    assert serving.ca_page == "https://192.168.1.20:8443/ca"
    assert ip("fd00::2") not in serving.names.ips  # not listened on: an IPv4 socket


def test_every_address_a_phone_is_given_reaches_the_default_tenant(tmp_path):
    serving = lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc", addresses=LAN_V4, now=NOW)
    for url in (*serving.urls, serving.ca_page, "https://[fd00::2]:8443/app/"):
        host = url.removeprefix("https://").split("/", 1)[0]
        assert tenant_slug_for_host(host, "demo") == "demo", url


@pytest.mark.parametrize(("asked", "listens"), [(None, "0.0.0.0"), ("127.0.0.1", "0.0.0.0"), ("localhost", "0.0.0.0"),
                                               ("::1", "0.0.0.0"), ("0.0.0.0", "0.0.0.0"), ("10.0.0.7", "10.0.0.7")])
def test_lan_listens_where_phones_reach_it(asked, listens):
    assert lan.listen_host(asked) == listens


def test_prepare_on_one_address_offers_only_that_address(tmp_path):
    serving = lan.prepare(tmp_path, 8443, tenant="demo", host="10.0.0.7", hostname="scanner-pc", addresses=LAN_V4,
                          now=NOW)
    assert serving.host == "10.0.0.7"
    assert serving.urls == ("https://10.0.0.7:8443/app/", "https://scanner-pc:8443/app/")


def test_prepare_leaves_a_dotted_host_name_out_of_the_addresses_and_the_default_port_out_of_urls(tmp_path):
    serving = lan.prepare(tmp_path, 443, tenant="demo", hostname="scanner-pc.office.example", addresses=[], now=NOW)
    assert serving.urls == ("https://localhost/app/",)  # scanner-pc.office.example would name tenant scanner-pc
    assert not serving.found_address
    assert {"scanner-pc.office.example", "scanner-pc", "localhost"} == set(serving.names.dns)


def read_qr(rendering: str) -> list[list[bool]]:
    """The modules drawn by terminal_qr, two rows per line."""
    top = {char: pair for pair, char in lan.HALF_BLOCKS.items()}
    rows: list[list[bool]] = []
    for line in rendering.splitlines():
        pairs = [top[char] for char in line]
        rows += [[a for a, _ in pairs], [b for _, b in pairs]]
    return rows


def test_the_terminal_qr_code_reads_back_as_the_address():
    url = "https://192.168.1.20:8443/app/"
    rows = read_qr(lan.terminal_qr(url))
    scale = 8
    image = Image.new("L", (len(rows[0]) * scale, len(rows) * scale), 255)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    decoded = zxingcpp.read_barcodes(image)
    assert [code.text for code in decoded] == [url]


def test_the_coloured_terminal_qr_code_is_black_on_white_line_by_line():
    plain = lan.terminal_qr("https://10.0.0.7:8000/app/")
    coloured = lan.terminal_qr("https://10.0.0.7:8000/app/", color=True)
    assert coloured.splitlines() == [f"{lan.BLACK_ON_WHITE}{line}{lan.RESET}" for line in plain.splitlines()]


def test_the_banner_gives_the_addresses_the_qr_code_and_the_ca_to_check(tmp_path):
    serving = lan.prepare(tmp_path, 8443, tenant="demo", hostname="scanner-pc", addresses=LAN_V4, now=NOW)
    banner = serving.banner()
    assert "https://192.168.1.20:8443/app/" in banner and "https://10.0.0.7:8443/app/" in banner
    assert lan.terminal_qr("https://192.168.1.20:8443/app/") in banner
    assert "https://192.168.1.20:8443/ca" in banner
    assert serving.ca_fingerprint in banner and "Fieldscan local CA (scanner-pc)" in banner
    assert "tenant 'demo'" in banner
