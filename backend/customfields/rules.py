"""What a custom field's value may be: one place for the API's values, the CSV's cells and the list filter."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol

FIELD_TYPES = ("text", "number", "date", "boolean", "select")
MAX_TEXT = 2000
MAX_OPTIONS = 200
# Numbers are exact in every JSON reader (JavaScript's doubles included) up to 2**53.
MAX_SAFE_INTEGER = 2**53 - 1
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


class Definition(Protocol):
    key: str
    type: str
    options: list[Any]
    required: bool


def key_lower(key: str) -> str:
    return key.casefold()


def _number(value: int | float) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if abs(value) > MAX_SAFE_INTEGER:
        raise ValueError(f"must be between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}")
    return value


def _date(text: str) -> str:
    if not _DATE.match(text):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date on the calendar") from None
    return text


def _option(options: list[str], text: str) -> str:
    wanted = text.strip().casefold()
    for option in options:
        if option.casefold() == wanted:
            return option
    raise ValueError(f"must be one of: {', '.join(options[:20])}{' …' if len(options) > 20 else ''}")


def _text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise ValueError(f"must be at most {MAX_TEXT} characters")
    return text


def parse_cell(field_type: str, options: list[str], text: str) -> Any:
    """A CSV cell (or a list filter's text) as the field's value; blank is None. ValueError says what is wrong."""
    text = text.strip()
    if not text:
        return None
    if field_type == "text":
        return _text(text)
    if field_type == "number":
        if len(text) > 40 or not _NUMBER.match(text):
            raise ValueError(f"'{text[:40]}' is not a number (write it like 12, 12.5 or -3)")
        return _number(int(text) if text.lstrip("+-").isdigit() else float(text))
    if field_type == "boolean":
        lowered = text.casefold()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"'{text[:40]}' is not yes or no (write true/false, yes/no or 1/0)")
    if field_type == "date":
        return _date(text)
    if field_type == "select":
        return _option(options, text)
    raise ValueError(f"unknown field type '{field_type}'")


def clean_value(field_type: str, options: list[str], value: Any) -> Any:
    """A JSON value sent for the field, in its stored form (a select option in its own spelling); None stays None."""
    if value is None:
        return None
    if field_type == "text":
        if not isinstance(value, str):
            raise ValueError("must be text")
        return _text(value)
    if field_type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("must be a number")
        return _number(value)
    if field_type == "boolean":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if field_type == "date":
        if not isinstance(value, str):
            raise ValueError("must be a date written YYYY-MM-DD")
        return _date(value)
    if field_type == "select":
        if not isinstance(value, str):
            raise ValueError("must be one of the field's options (text)")
        return _option(options, value)
    raise ValueError(f"unknown field type '{field_type}'")


def _by_key(definitions: Iterable[Definition]) -> dict[str, Definition]:
    return {d.key: d for d in definitions}


def check_values(definitions: Iterable[Definition], values: Mapping[str, Any], *, creating: bool,
                 current: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Problems with an asset's whole set of values, keyed ``customFields.<key>``; empty when all is well.

    A key without a live definition is refused unless the asset already holds that very value under it (values
    of a deleted definition stay on the asset and may be sent back unchanged). A required field must have a
    value when the asset is created, and a change may not take away a required value the asset has."""
    by_key = _by_key(definitions)
    by_lower = {key_lower(k): k for k in by_key}
    current = current or {}
    problems: dict[str, str] = {}
    for key, value in values.items():
        definition = by_key.get(key)
        if definition is None:
            # Compared with the type: False == 0 and 1 == 1.0 in Python, but they are other values in JSON.
            if key in current and type(current[key]) is type(value) and current[key] == value:
                continue
            known = by_lower.get(key_lower(key))
            problems[f"customFields.{key}"] = (f"unknown field; did you mean '{known}'?" if known
                                               else "unknown field; define it under /custom-fields first")
            continue
        try:
            clean_value(definition.type, definition.options, value)
        except ValueError as exc:
            problems[f"customFields.{key}"] = str(exc)
    for key, definition in by_key.items():
        if not definition.required or values.get(key) is not None:
            continue
        if creating or current.get(key) is not None:
            problems.setdefault(f"customFields.{key}", "required")
    return problems


def cleaned(definitions: Iterable[Definition], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values in stored form; call after check_values found no problem."""
    by_key = _by_key(definitions)
    return {key: clean_value(by_key[key].type, by_key[key].options, value) if key in by_key else value
            for key, value in values.items()}


def options_problem(field_type: str, options: list[str] | None) -> str | None:
    """What is wrong with a definition's options, or None: a select has 1..200 distinct non-blank ones."""
    if field_type != "select":
        return "only select fields have options" if options else None
    if not options:
        return "a select field needs at least one option"
    if len(options) > MAX_OPTIONS:
        return f"at most {MAX_OPTIONS} options"
    stripped = [o.strip() for o in options]
    if any(not o for o in stripped):
        return "options may not be blank"
    seen: set[str] = set()
    for option in stripped:
        if option.casefold() in seen:
            return f"'{option}' is listed twice (options are compared ignoring case)"
        seen.add(option.casefold())
    return None


def removed_options(old: list[str], new: list[str]) -> list[str]:
    """Options no longer offered; a new spelling of an option counts as removing the old one."""
    return [o for o in old if o not in set(new)]
