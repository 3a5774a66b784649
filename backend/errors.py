"""The domain error tree and the one place that renders every error as ``{message, details}``."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger("fieldscan.errors")


class ErrorBody(msgspec.Struct, frozen=True):
    message: str
    details: dict[str, Any] | None = None


class FieldscanError(Exception):
    """An error a user can act on: a message, optional details by field, and an HTTP status."""

    status_code = 400

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(FieldscanError):
    status_code = 400


class Unauthorized(FieldscanError):
    status_code = 401


class Forbidden(FieldscanError):
    status_code = 403


class NotFound(FieldscanError):
    status_code = 404


class Conflict(FieldscanError):
    status_code = 409


class PayloadTooLarge(FieldscanError):
    status_code = 413


def error_response(status_code: int, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    return Response(ErrorBody(message=message, details=details), status_code=status_code, headers=headers)


def handle_domain_error(_: Request, exc: FieldscanError) -> Response[ErrorBody]:
    return error_response(exc.status_code, exc.message, exc.details)


# msgspec reports the failing location as "$.field" or "$.field[0].sub"; the first key names the field.
_PATH = re.compile(r"\s*-\s*at\s*`\$((?:\.[^.`\[]+|\[\d+\])*)`")
_UNKNOWN = re.compile(r"Object contains unknown field `([^`]+)`")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")


def describe_decode_error(text: str) -> tuple[str, dict[str, Any] | None]:
    """Turn a msgspec message into (message, details naming the field)."""
    if m := _UNKNOWN.search(text):
        field = _field_from_path(text) or m.group(1)
        return f"Unknown field '{field}'", {field: "unknown field; check the spelling (fields are camelCase)"}
    if m := _MISSING.search(text):
        prefix = _field_from_path(text)
        field = f"{prefix}.{m.group(1)}" if prefix else m.group(1)
        return f"Missing required field '{field}'", {field: "required"}
    path = _field_from_path(text)
    reason = _PATH.sub("", text).strip()
    if "matching regex" in reason:
        reason = "contains characters that are not allowed here (control characters or line breaks)"
    if path:
        return f"Invalid value for '{path}': {reason}", {path: reason}
    if "malformed" in text.lower() or "truncated" in text.lower() or "invalid json" in text.lower():
        return "Malformed JSON body", {"body": reason}
    return f"Invalid request body: {reason}", {"body": reason}


def _field_from_path(text: str) -> str | None:
    m = _PATH.search(text)
    if not m or not m.group(1):
        return None
    return m.group(1).lstrip(".").replace(".[", "[")


def handle_http_exception(request: Request, exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException):
        return _validation_response(exc)
    if status == 404:
        message = f"No route for {request.method} {request.url.path}"
        if exc.detail and exc.detail != "Not Found":
            message = exc.detail
        return error_response(404, message, None, headers)
    if status == 405:
        allowed = headers.get("allow") or headers.get("Allow")
        details = {"allowed": sorted(m.strip() for m in allowed.split(","))} if allowed else None
        return error_response(405, f"Method {request.method} is not allowed on {request.url.path}", details, headers)
    if status == 413:
        return error_response(413, "Request body is too large", None, headers)
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
        return error_response(status, "Internal server error", None)
    return error_response(status, str(exc.detail), _extra_as_details(exc.extra), headers)


def _validation_response(exc: ValidationException) -> Response[ErrorBody]:
    details: dict[str, Any] = {}
    messages: list[str] = []
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(entry, dict):
            continue
        key, source, text = entry.get("key"), entry.get("source"), str(entry.get("message", ""))
        if source == "body" and key in (None, "data"):
            # The whole body failed: msgspec's message names the field itself.
            message, body_details = describe_decode_error(text)
        elif source == "body":
            message, body_details = describe_decode_error(f"{text} - at `$.{key}`")
        else:
            reason = _PATH.sub("", text).strip() or "invalid value"
            message, body_details = f"Invalid {source or ''} parameter '{key}': {reason}", {str(key): reason}
        messages.append(message)
        details.update(body_details or {})
    if not messages:
        messages.append(str(exc.detail))
    return error_response(400, "; ".join(messages), details or None)


def _extra_as_details(extra: Any) -> dict[str, Any] | None:
    if isinstance(extra, dict):
        return extra
    if extra:
        return {"errors": extra}
    return None


def handle_undecodable_body(_: Request, exc: Exception) -> Response[ErrorBody]:
    if isinstance(exc, UnicodeDecodeError):
        return error_response(400, "Request body is not valid UTF-8", {"body": str(exc)})
    message, details = describe_decode_error(str(exc))
    return error_response(400, message, details)


def handle_unexpected(request: Request, exc: Exception) -> Response[ErrorBody]:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error", None)


exception_handlers = {
    FieldscanError: handle_domain_error,
    HTTPException: handle_http_exception,
    UnicodeDecodeError: handle_undecodable_body,
    msgspec.DecodeError: handle_undecodable_body,
    Exception: handle_unexpected,
}
