"""Assertions the API tests share."""

from __future__ import annotations

from typing import Any


def assert_error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is the one error shape, with this status; ``field`` is named in its details."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"message", "details"}, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert body["details"] is None or isinstance(body["details"], dict), body
    assert "Traceback" not in response.text
    if field is not None:
        assert field in (body["details"] or {}), f"details should name {field!r}: {body}"
    return body


async def scan(client: Any, session_id: str, **body: Any) -> dict[str, Any]:
    """POST /sessions/{id}/scan that must answer 200: its answer."""
    r = await client.post(f"/sessions/{session_id}/scan", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def session_of(client: Any, session_id: str) -> dict[str, Any]:
    """GET /sessions/{id} that must answer 200."""
    r = await client.get(f"/sessions/{session_id}")
    assert r.status_code == 200, r.text
    return r.json()
