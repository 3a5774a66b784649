import pytest

from tests.conftest import make_tenant

pytestmark = pytest.mark.anyio


async def test_home_page_names_the_tenant_of_the_host_and_links_the_api_docs(client, tenant):
    r = await client.get("/", headers={"host": f"{tenant.slug}.localhost:8000"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert tenant.slug in r.text
    assert 'href="/schema"' in r.text


async def test_home_page_escapes_the_tenant_name(app, client, settings):
    evil = await make_tenant(app, client, settings, name="<script>alert(1)</script>")
    r = await client.get("/", headers={"host": evil.host})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


async def test_home_page_of_an_unknown_tenant_is_404(client):
    r = await client.get("/", headers={"host": "nosuchtenant.localhost"})
    assert r.status_code == 404
    assert r.json()["message"] == "Unknown tenant 'nosuchtenant'"
