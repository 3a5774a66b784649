"""The published API description matches the app (every route, its body, its answers, its error shape),
and the probes that load balancers and monitors call answer without a tenant or a sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.routes import HTTPRoute

pytestmark = pytest.mark.anyio

API = "/api/v1"
ANY_HOSTS = ["localhost", "127.0.0.1", "[::1]:8000", "nobody.example.com", "no-such-tenant.localhost:8000"]


async def fetch_spec(client: Any, host: str = "localhost") -> dict[str, Any]:
    r = await client.get("/schema/openapi.json", headers={"host": host})
    assert r.status_code == 200, r.text
    return r.json()


def api_operations(app: Any) -> dict[tuple[str, str], Any]:
    """(method, path) -> route handler, for every documented /api/v1 operation of the app itself."""
    operations = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(f"{API}/"):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                operations[(method, route.path_format)] = handler
    return operations


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        assert name in spec["components"]["schemas"], f"dangling reference {schema['$ref']}"
        schema = spec["components"]["schemas"][name]
    return schema


def json_schema(spec: dict[str, Any], holder: dict[str, Any], what: str) -> dict[str, Any]:
    content = holder.get("content") or {}
    assert "application/json" in content, f"{what} has no JSON content: {holder}"
    schema = resolve(spec, content["application/json"]["schema"])
    assert schema.get("properties") or schema.get("type") or schema.get("oneOf"), f"{what} has an empty schema"
    return schema


async def test_the_schema_lists_every_api_route_and_nothing_else(client, app):
    spec = await fetch_spec(client)
    documented = {(method.upper(), path) for path, item in spec["paths"].items() if path.startswith(f"{API}/")
                  for method in item if method in {"get", "post", "put", "patch", "delete"}}
    expected = set(api_operations(app))
    assert expected, "the app should have /api/v1 routes"
    assert documented == expected


async def test_every_body_taking_route_documents_its_json_body_and_no_other_claims_one(client, app):
    spec = await fetch_spec(client)
    for (method, path), handler in api_operations(app).items():
        operation = spec["paths"][path][method.lower()]
        what = f"{method} {path}"
        if "data" in handler.parsed_fn_signature.parameters:
            body = operation.get("requestBody")
            optional = handler.parsed_fn_signature.parameters["data"].is_optional  # e.g. check-in's note
            assert body and (body.get("required") or optional), f"{what} takes a body but documents none"
            if set(body.get("content") or {}) == {"multipart/form-data"}:  # a file upload (the CSV import)
                body = {"content": {"application/json": body["content"]["multipart/form-data"]}}
            schema = json_schema(spec, body, f"{what} request body")
            if optional:  # documented as "the body, or nothing"
                schema = resolve(spec, next(s for s in schema.get("oneOf", [schema]) if s.get("type") != "null"))
            assert schema.get("properties"), f"{what} request body has no fields"
            assert all("_" not in name for name in schema["properties"]), f"{what} body keys should be camelCase"
        else:
            assert "requestBody" not in operation, f"{what} takes no body but documents one"
        # Actions named by their path (restore, include, exclude, a password reset link) need nothing more;
        # every other write takes a body.
        if method in {"POST", "PATCH"} and not path.endswith(("/restore", "/include", "/exclude", "/password-reset")):
            assert "requestBody" in operation, f"{what} should take a body"


async def test_every_route_documents_its_success_answer(client, app):
    spec = await fetch_spec(client)
    for (method, path), handler in api_operations(app).items():
        what = f"{method} {path}"
        responses = spec["paths"][path][method.lower()]["responses"]
        success = str(handler.status_code)
        assert success in responses, f"{what} does not document its {success} answer"
        if handler.status_code == 204:
            assert not responses[success].get("content"), f"{what} answers 204 but documents a body"
            continue
        # A route that answers a file (a label sheet, a QR image) documents each file type as binary.
        content = responses[success].get("content") or {}
        files = {media: entry["schema"] for media, entry in content.items() if media != "application/json"}
        for media, schema in files.items():
            assert schema == {"type": "string", "format": "binary"}, f"{what} {media}: {schema}"
        if "application/json" in content or not files:
            schema = json_schema(spec, responses[success], f"{what} {success} answer")
            assert all("_" not in name for name in schema.get("properties", {})), f"{what} keys should be camelCase"


async def test_every_route_documents_errors_as_message_and_details(client, app):
    spec = await fetch_spec(client)
    for (method, path), _ in api_operations(app).items():
        responses = spec["paths"][path][method.lower()]["responses"]
        expected = ["400", "401", "403", "404", "429"]  # every route is rate-limited
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            expected.append("409")
        if method in ("POST", "PUT", "PATCH"):
            expected += ["413", "415"]
        for status in expected:
            assert status in responses, f"{method} {path} does not document {status}"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                schema = json_schema(spec, response, f"{method} {path} {status}")
                assert set(schema["properties"]) == {"message", "details"}, f"{method} {path} {status}: {schema}"
                assert set(schema["required"]) == {"message", "details"}


async def test_documented_text_patterns_mean_the_same_in_javascript(client):
    # JSON Schema patterns are ECMAScript regexes: Python's "\Z" is a literal "Z" there, so a client that
    # validates with the published schema would refuse every name not containing a Z.
    spec = await fetch_spec(client)
    schemas = spec["components"]["schemas"]
    for component, field in [("AssetIn", "name"), ("AssetIn", "serial"), ("AssetIn", "notes"), ("AssetPatch", "name"),
                             ("CategoryIn", "name"), ("LocationIn", "name"), ("PersonIn", "name"),
                             ("PersonIn", "email"), ("ApiKeyIn", "name")]:
        pattern = schemas[component]["properties"][field].get("pattern")
        assert pattern, f"{component}.{field} should publish the characters it allows"
        assert "\\Z" not in pattern and "\\A" not in pattern, f"{component}.{field}: {pattern}"


@pytest.mark.parametrize("host", ANY_HOSTS)
async def test_the_schema_is_served_on_any_host_without_signing_in(client, host):
    spec = await fetch_spec(client, host)
    assert spec["info"]["title"] and spec["paths"]


@pytest.mark.parametrize("host", ANY_HOSTS)
async def test_health_needs_no_auth_on_any_host(client, host):
    for headers in ({"host": host}, {"host": host, "authorization": "Bearer not-a-token"}):
        r = await client.get("/health", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ok"}


async def test_health_needs_no_auth_on_a_tenant_host(tenant):
    r = await tenant.client.get("/health", headers=tenant.headers(auth=False))
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_ready_says_ok_on_a_migrated_database(client, database_url):
    r = await client.get("/ready", headers={"host": "nobody.example.com"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert body["schemaRevision"] == body["expectedRevision"] and body["schemaRevision"]
    assert body["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
