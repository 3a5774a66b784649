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
