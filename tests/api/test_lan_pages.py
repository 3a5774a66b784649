"""/ca and /ca.crt: the local CA of `fieldscan serve --lan` for phones, on any host, without a sign-in."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from backend import lan
from backend.lan_api import NO_CA

pytestmark = pytest.mark.anyio

HOSTS = ["192.168.1.20:8443", "scanner-pc:8443", "no-such-tenant.localhost:8000"]


@pytest.fixture
def ca(settings) -> x509.Certificate:
    lan.prepare(settings.var_dir, 8443, tenant=settings.default_tenant, hostname="scanner-pc",
                addresses=[ipaddress.ip_address("192.168.1.20")])
    cert = lan.read_ca_certificate(settings.var_dir)
    assert cert is not None
    return cert


@pytest.mark.parametrize("host", HOSTS)
async def test_the_ca_certificate_is_its_der_for_any_host(client, ca, host):
    r = await client.get("/ca.crt", headers={"host": host})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-x509-ca-cert"
    assert r.headers["content-disposition"] == 'inline; filename="fieldscan-local-ca.crt"'
    assert x509.load_der_x509_certificate(r.content) == ca


async def test_the_ca_certificate_is_never_the_private_key(client, ca, settings):
    r = await client.get("/ca.crt")
    key = serialization.load_pem_private_key((lan.folder(settings.var_dir) / "ca.key").read_bytes(), None)
    scalar = key.private_numbers().private_value.to_bytes(32, "big")  # the secret itself, in any encoding
    served = x509.load_der_x509_certificate(r.content)
    assert served.public_key() == key.public_key()  # the CA's own certificate, whose key stays home
    assert scalar not in r.content


async def test_an_unreadable_ca_is_a_clear_404_not_a_500(client, settings):
    (lan.folder(settings.var_dir) / "ca.pem").mkdir(parents=True)  # a folder where the certificate should be
    r = await client.get("/ca.crt")
    assert r.status_code == 404
    assert "cannot be read" in r.json()["message"]
    page = await client.get("/ca")
    assert page.status_code == 404 and "cannot be read" in page.text


async def test_without_a_ca_the_certificate_is_a_json_404(client):
    r = await client.get("/ca.crt", headers={"host": "scanner-pc:8443"})
    assert r.status_code == 404
    assert r.json() == {"message": NO_CA, "details": None}


@pytest.mark.parametrize("host", HOSTS)
async def test_the_ca_page_names_the_ca_and_its_fingerprint_and_says_how_to_trust_it(client, ca, host):
    r = await client.get("/ca", headers={"host": host})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    assert "Fieldscan local CA (scanner-pc)" in page
    assert lan.fingerprint(ca) in page
    assert 'href="/ca.crt"' in page and 'href="/app/"' in page
    assert "Certificate Trust Settings" in page  # iOS
    assert "Encryption &amp; credentials" in page and "CA certificate" in page  # Android


async def test_without_a_ca_the_page_says_how_to_make_one(client):
    r = await client.get("/ca", headers={"host": "192.168.1.20:8443"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "fieldscan serve --lan" in r.text


async def test_the_certificate_is_documented_and_the_page_is_not(client):
    spec = (await client.get("/schema/openapi.json")).json()
    assert "/ca.crt" in spec["paths"] and "/ca" not in spec["paths"]

