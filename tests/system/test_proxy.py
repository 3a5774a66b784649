"""Behind a reverse proxy: X-Forwarded-Proto is believed from FIELDSCAN_TRUSTED_PROXIES only, so QR codes
say https when the proxy terminates TLS, and nobody else can make the service print another scheme."""

from __future__ import annotations

import httpx
import pytest

from tests.served import served

DEMO_ADMIN = {"email": "admin@demo.example", "password": "fieldscan-demo"}


def qr_url_seen_through(url: str, forwarded: dict[str, str]) -> str:
    token = httpx.post(f"{url}/api/v1/auth/login", json=DEMO_ADMIN).raise_for_status().json()["token"]
    headers = {"Authorization": f"Bearer {token}", **forwarded}
    asset = httpx.get(f"{url}/api/v1/inventory-items", params={"limit": 1}, headers=headers)
    return asset.raise_for_status().json()["items"][0]["qrUrl"]


@pytest.mark.parametrize(("trusted", "scheme"), [
    pytest.param(None, "https", id="loopback-proxy-trusted-by-default"),
    pytest.param("127.0.0.0/8", "https", id="trusted-network"),
    pytest.param("10.9.9.9", "http", id="untrusted-peer-ignored"),
])
def test_forwarded_proto_is_believed_only_from_trusted_proxies(tmp_path, trusted, scheme):
    env = {"FIELDSCAN_TRUSTED_PROXIES": trusted} if trusted else {}
    with served(tmp_path, demo_assets=3, env=env) as server:
        qr_url = qr_url_seen_through(server.url, {"X-Forwarded-Proto": "https"})
    assert qr_url.startswith(f"{scheme}://127.0.0.1:{server.port}/a/"), qr_url
