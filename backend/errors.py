"""The domain error tree and the one place that renders every error as ``{message, details}``."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, DBAPIError

log = logging.getLogger("fieldscan.errors")


class ErrorBody(msgspec.Struct, frozen=True):
    """Every error on the wire: both keys always present (no default, so the schema marks both required)."""

    message: str
    details: dict[str, Any] | None


class FieldscanError(Exception):
    """An error a user can act on: a message, optional details by field, and an HTTP status."""

    status_code = 400
    headers: dict[str, str] | None = None

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(FieldscanError):
    status_code = 400


class Unauthorized(FieldscanError):
    status_code = 401
    # RFC 9110: a 401 names the schemes that would be accepted.
    headers = {"WWW-Authenticate": 'Bearer realm="fieldscan", ApiKey realm="fieldscan"'}


class Forbidden(FieldscanError):
    status_code = 403


class NotFound(FieldscanError):
    status_code = 404


class Conflict(FieldscanError):
    status_code = 409


class UnsupportedMediaType(FieldscanError):
    status_code = 415


class PayloadTooLarge(FieldscanError):
    status_code = 413


class TooManyRequests(FieldscanError):
    """A rate limit: the headers say which, and Retry-After how long to wait."""

    status_code = 429

    def __init__(self, message: str, details: dict[str, Any] | None = None, *, headers: dict[str, str]) -> None:
        super().__init__(message, details)
        self.headers = headers


class BadGateway(FieldscanError):
    """A device or service this request needed (a network printer) did not answer."""

    status_code = 502


def error_response(status_code: int, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    # JSON even when the route itself answers HTML (pages, the API docs).
    return Response(ErrorBody(message=message, details=details), status_code=status_code, headers=headers,
                    media_type=MediaType.JSON)


def handle_domain_error(_: Request, exc: FieldscanError) -> Response[ErrorBody]:
    return error_response(exc.status_code, exc.message, exc.details, exc.headers)


# msgspec reports the failing location as "$.field", "$.field[0].sub" or "$.field[...]" (a dict value).
_PATH = re.compile(r"\s*-\s*at\s*`\$((?:\.[^.`\[]+|\[\d+\]|\[\.\.\.\])*)`")
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
        reason = "is blank or contains characters that are not allowed here (such as control characters or line breaks)"
    if path:
        return f"Invalid value for '{path}': {reason}", {path: reason}
    if "malformed" in text.lower() or "truncated" in text.lower() or "invalid json" in text.lower():
        return "Malformed JSON body", {"body": reason}
    return f"Invalid request body: {reason}", {"body": reason}


def _field_from_path(text: str) -> str | None:
    m = _PATH.search(text)
    if not m or not m.group(1).startswith("."):
        return None  # no path, or only "[...]": the body as a whole
    # Name the field itself, not msgspec's "[...]" placeholder for a dict entry inside it.
    return m.group(1).lstrip(".").replace(".[", "[").split("[...]", 1)[0]


def handle_http_exception(request: Request, exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException):
        return _validation_response(request, exc)
    if isinstance(exc.__cause__, SerializationException):
        # The body is not JSON at all (or holds a number no type can take): msgspec says where.
        return error_response(400, *describe_decode_error(str(exc.__cause__)))
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


def _validation_response(request: Request, exc: ValidationException) -> Response[ErrorBody]:
    details: dict[str, Any] = {}
    messages: list[str] = []
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(entry, dict):
            continue
        key, source, text = entry.get("key"), entry.get("source"), str(entry.get("message", ""))
        source = getattr(source, "value", source)  # ParamType.QUERY -> "query"
        if source == "body" and key == "data" and text == "'data'":
            # No body at all: Litestar drops the argument and msgspec reports it as a missing key.
            message, body_details = "The request body is empty; send a JSON object", {"body": "required"}
        elif source == "body" and key in (None, "data"):
            # The whole body failed: msgspec's message names the field itself.
            message, body_details = describe_decode_error(text)
        elif source == "body":
            message, body_details = describe_decode_error(f"{text} - at `$.{key}`")
        else:
            reason = _PATH.sub("", text).strip() or "invalid value"
            name = _parameter_name(request, str(key))
            message, body_details = f"Invalid {source or ''} parameter '{name}': {reason}", {name: reason}
        messages.append(message)
        details.update(body_details or {})
    if not messages:
        messages.append(str(exc.detail))
    return error_response(400, "; ".join(messages), details or None)


def _parameter_name(request: Request, key: str) -> str:
    """The name the client sent (``includeSublocations``), not the argument's (``include_sublocations``), whether
    the handler or one of its dependencies (such as the asset list's filters) declares it."""
    try:
        handler = request.route_handler
        signatures = [handler.parsed_fn_signature]
        signatures += [getattr(p, "parsed_fn_signature", None) for p in handler.resolve_dependencies().values()]
    except AttributeError:  # no route matched
        return key
    for signature in signatures:
        parameter = signature.parameters.get(key) if signature is not None else None
        if parameter is not None:
            return getattr(parameter.kwarg_definition, "name", None) or key
    return key


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


# PostgreSQL's class 22 ("data exception"): a value the database cannot store or compare, such as a NUL
# character or text longer than its column. That is the caller's input, never a server fault.
_DATA_EXCEPTIONS = {
    "22001": "a value is longer than the database can store",
    "22003": "a number is out of range",
    "22021": "a value contains a character the database cannot store (such as NUL)",
    "22P05": "a value contains a character the database cannot store (such as NUL)",
}


def handle_database_error(request: Request, exc: DBAPIError) -> Response[ErrorBody]:
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    if not (sqlstate.startswith("22") or isinstance(exc, DataError)):
        return handle_unexpected(request, exc)
    reason = _DATA_EXCEPTIONS.get(sqlstate, "a value is not valid for the database")
    log.warning("Refused input on %s %s: SQLSTATE %s", request.method, request.url.path, sqlstate)
    return error_response(400, f"This request cannot be stored or searched: {reason}", {"value": reason})


def handle_unexpected(request: Request, exc: Exception) -> Response[ErrorBody]:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error", None)


exception_handlers = {
    FieldscanError: handle_domain_error,
    HTTPException: handle_http_exception,
    UnicodeDecodeError: handle_undecodable_body,
    msgspec.DecodeError: handle_undecodable_body,
    DBAPIError: handle_database_error,
    Exception: handle_unexpected,
}
