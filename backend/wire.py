"""What every request and response body is built from: the Wire base, shared field types, list pages."""

from __future__ import annotations

import base64
import hashlib
import os
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from msgspec import Meta

from backend.errors import BadRequest


class Wire(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="camel"):
    """A request body: camelCase keys, unknown keys refused, every date-time one that has a UTC value."""

    def __post_init__(self) -> None:
        # msgspec runs this as it decodes a body, so a time the service could never convert to UTC is
        # refused here, naming its field, for every route at once.
        for name, wire_name in _aware_fields(type(self)):
            value = getattr(self, name)
            if isinstance(value, datetime) and value.tzinfo is not None:
                as_utc(value, wire_name)


@cache
def _aware_fields(cls: type[msgspec.Struct]) -> tuple[tuple[str, str], ...]:
    """The (attribute, camelCase name) of each date-time field of a request body, worked out once per type."""
    def is_datetime(t: Any) -> bool:
        if isinstance(t, msgspec.inspect.Metadata):  # a description or other documentation around the type
            return is_datetime(t.type)
        return isinstance(t, msgspec.inspect.DateTimeType) or (
            isinstance(t, msgspec.inspect.UnionType) and any(is_datetime(u) for u in t.types))

    info = msgspec.inspect.type_info(cls)
    fields = info.fields if isinstance(info, msgspec.inspect.StructType) else ()
    return tuple((f.name, f.encode_name) for f in fields if is_datetime(f.type))


def as_utc(value: datetime, field: str) -> datetime:
    """An aware date-time in UTC, or a 400 naming ``field`` (as the API spells it) when it has no UTC value.

    Python's dates stop at years 1 and 9999, so a valid ISO time such as 9999-12-31T23:59:59-14:00 has no
    UTC value: converting it raises OverflowError. That is the caller's input, a 400, never a 500."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise BadRequest(f"{field} is outside the years 1 to 9999 once converted to UTC",
                         {field: "must be between years 1 and 9999 in UTC"}) from None


class Out(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True, rename="camel"):
    """A response body."""


# The end of the text, spelled so that Python (msgspec) and JavaScript (OpenAPI clients) agree: "\Z" is
# Python-only (a literal "Z" in JavaScript), and "$" also matches before a final line break in Python.
END = r"(?![\s\S])"
# C0 and C1 control characters, and the Unicode line and paragraph separators.
_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
# One line of text: no control characters, no line breaks.
_LINE = rf"^[^{_CONTROL}]*{END}"
# A name: one line with something visible in it (it is stored trimmed, and "" names nothing).
_NAME = rf"^(?=[^{_CONTROL}]*[^\s{_CONTROL}])[^{_CONTROL}]*{END}"
# Free text: line breaks and tabs allowed, other control characters not.
_TEXT = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]*{END}"

Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=_NAME)]
ShortText = Annotated[str, Meta(max_length=200, pattern=_LINE)]
LongText = Annotated[str, Meta(max_length=10_000, pattern=_TEXT)]
FieldText = Annotated[str, Meta(max_length=2000, pattern=_TEXT)]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=rf"^[^\s@\x00-\x1f]+@[^\s@\x00-\x1f]+{END}")]

T = TypeVar("T")


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return 50
    if not 1 <= limit <= 200:
        raise BadRequest("limit must be between 1 and 200", {"limit": "between 1 and 200"})
    return limit


_cursor_encoder = msgspec.json.Encoder()

# Cursors are sealed (AES-GCM): opaque (the sort values of the last row are not readable), and bound to the
# list and sort they came from (the request's path and `sort` are the associated data), so a cursor of one
# list, audit or sort is refused by any other, and none can be made up. The key comes from the service's
# secret key; the request sets it and the scope (see app.check_request). Outside a request (the CLI, a
# test calling a service directly) a key made up for this process is used, with no scope.
_CURSOR_INFO = b"fieldscan cursor v1"
_cursor_keys: dict[str, AESGCM] = {}
_process_key = AESGCM(os.urandom(32))
_cursor_scope: ContextVar[tuple[AESGCM, bytes] | None] = ContextVar("cursor_scope", default=None)


def set_cursor_scope(secret_key: str, path: str, sort: str | None) -> None:
    """Cursors made or read from now on in this request are sealed with the service's key, for this list."""
    key = _cursor_keys.get(secret_key)
    if key is None:
        key = _cursor_keys[secret_key] = AESGCM(hashlib.sha256(_CURSOR_INFO + secret_key.encode()).digest())
    _cursor_scope.set((key, f"{path}|{sort or ''}".encode()))


def encode_cursor(values: list[Any]) -> str:
    key, scope = _cursor_scope.get() or (_process_key, b"")
    nonce = os.urandom(12)
    sealed = nonce + key.encrypt(nonce, _cursor_encoder.encode([_plain(v) for v in values]), scope)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """Back to the list encode_cursor was given (as JSON scalars); a cursor not sealed here for this list and
    sort is a 400."""
    key, scope = _cursor_scope.get() or (_process_key, b"")
    try:
        sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = msgspec.json.decode(key.decrypt(sealed[:12], sealed[12:], scope))
    except (ValueError, msgspec.DecodeError, InvalidTag):
        values = None
    # A NUL can never have come from a stored row, and PostgreSQL cannot even compare it.
    if not isinstance(values, list) or len(values) != size or any(isinstance(v, str) and "\x00" in v for v in values):
        raise BadRequest("cursor is not valid for this list; start again without it", {"cursor": "invalid"})
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, (UUID,)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def parse_uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise BadRequest(f"'{value[:80]}' is not a valid id", {field: "must be a UUID"}) from None


S = TypeVar("S", bound=msgspec.Struct)


def from_row(cls: type[S], row: Any, **extra: Any) -> S:
    """A response Struct filled from a row's attributes of the same (snake_case) names."""
    values = {name: getattr(row, name) for name in cls.__struct_fields__ if name not in extra}
    return cls(**values, **extra)
