import pytest

pytestmark = pytest.mark.anyio


async def test_health_answers_on_any_host(client):
    r = await client.get("/health", headers={"host": "nobody.example.com"})
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_me(tenant):
    r = await tenant.get("/me")
    assert r.status_code == 200, r.text
    assert r.json()["tenant"]["slug"] == tenant.slug
