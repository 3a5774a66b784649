"""One CSV row as asset values: what each cell means, and what it changes on an asset. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from backend.assets import csv_rules
from backend.assets import rules as asset_rules
from backend.assets.csv_names import MAX_EMAIL, MAX_NAME, Wanted, path_parts

TEXT_LIMITS = {"name": MAX_NAME, "serial": 200, "manufacturer": 200, "model": 200, "notes": 10_000,
               "category": MAX_NAME, "assignee": MAX_NAME, "assigneeEmail": MAX_EMAIL}
# As the API's Name and ShortText: one line, no control characters; notes may hold line breaks and tabs.
ONE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Plain asset columns: (CSV field, model attribute). Empty cells clear them.
PLAIN = (("serial", "serial"), ("manufacturer", "manufacturer"), ("model", "model"),
         ("purchaseDate", "purchase_date"), ("purchaseCost", "purchase_cost"), ("warrantyExpiry", "warranty_expiry"),
         ("notes", "notes"))


@dataclass
class ParsedRow:
    """A row's values. `given` holds the fields whose columns the file has; an empty cell of name, status,
    category or location keeps what the asset has (a new asset gets the default), other empty cells clear."""

    row: int
    tag: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)  # key -> cell text, parsed later against its definition
    wanted: Wanted = field(default_factory=Wanted)


def parse_row(row: int, cells: list[str], mapping: list[tuple[int, str]], headers: list[str]) -> ParsedRow:
    """The row's values; ValueError with one message naming the column and the value at the first problem."""
    parsed = ParsedRow(row)
    for index, name in mapping:
        raw = cells[index] if index < len(cells) else ""
        if "\x00" in raw:
            raise ValueError(f"{_column(headers, index)}: contains a NUL character")
        text = csv_rules.unescape_cell(raw)
        try:
            _take(parsed, name, text)
        except ValueError as exc:
            raise ValueError(f"{_column(headers, index)}: {exc}") from None
    return parsed


def _column(headers: list[str], index: int) -> str:
    return f"column '{headers[index].strip()[:60]}'"


def _take(parsed: ParsedRow, name: str, text: str) -> None:
    stripped = text.strip()
    if name.startswith("custom:"):
        parsed.custom[name.removeprefix("custom:")] = text
        return
    limit = TEXT_LIMITS.get(name)
    if limit is not None and len(stripped) > limit:
        raise ValueError(f"'{stripped[:30]}…' is longer than {limit} characters")
    if stripped and (TEXT_BAD if name == "notes" else ONE_LINE_BAD).search(stripped):
        raise ValueError(f"'{stripped[:30]}' holds a control character (line breaks only in notes)")
    if name == "tag":
        if stripped:
            if problem := asset_rules.given_tag_problem(stripped):
                raise ValueError(f"'{stripped[:40]}' is not a valid tag: {problem}")
            parsed.tag = stripped
    elif name == "name":
        if stripped:
            parsed.values["name"] = stripped
    elif name == "status":
        if stripped:
            parsed.values["status"] = csv_rules.parse_status(stripped)
    elif name == "category":
        parsed.wanted.category = stripped or None
    elif name == "location":
        if stripped:
            path_parts(stripped)
            parsed.wanted.location = stripped
    elif name == "assignee":
        parsed.wanted.assignee = stripped or None
        parsed.values.setdefault("assignee", None)
    elif name == "assigneeEmail":
        if stripped and ("@" not in stripped or " " in stripped):
            raise ValueError(f"'{stripped[:60]}' is not an email address")
        parsed.wanted.assignee_email = stripped or None
        parsed.values.setdefault("assignee", None)
    elif name in ("purchaseDate", "warrantyExpiry"):
        parsed.values[name] = csv_rules.parse_date(stripped) if stripped else None
    elif name == "purchaseCost":
        parsed.values[name] = csv_rules.parse_money(stripped) if stripped else None
    elif name == "notes":
        parsed.values[name] = text  # notes keep their own spacing and line breaks
    else:
        parsed.values[name] = stripped or None


def json_safe(value: Any) -> Any:
    if isinstance(value, (date, Decimal, UUID)):
        return str(value)
    return value


@dataclass
class Resolved:
    """The ids a row's names resolved to (None: the cell was absent or blank)."""

    category_id: UUID | None = None
    location_id: UUID | None = None
    assignee_id: UUID | None = None
    status: str = "available"


def holding(current: dict[str, Any] | None, status: str | None, assignee_given: bool, assignee: UUID | None,
            assignee_named: bool) -> tuple[str, UUID | None]:
    """The (status, assignee) a row leaves the asset with, as the API's own moves would: a new assignee puts an
    available asset in use, clearing it makes it available, and leaving in_use takes the asset back. Only an asset
    in use has a holder; a row that would break that, or a status change the table forbids, is a ValueError.
    `assignee` is None for a named person not created yet (`assignee_named` says a person is named)."""
    old_status = current["status"] if current else "available"
    old_assignee = current["assignee_id"] if current else None
    holder = (assignee if assignee is not None else _NEW_PERSON) if assignee_named else None
    new_holder = holder if assignee_given else old_assignee
    if status is not None and status != old_status and current is not None:
        check_move(old_status, status)
    if status is None:
        status = asset_rules.status_after_assignment(old_status, new_holder is not None) \
            if new_holder != old_assignee else old_status
    elif old_status == "in_use" and status != "in_use" and not assignee_given:
        new_holder = None  # leaving in_use takes the asset back from its holder
    if (status, new_holder) != (old_status, old_assignee) and (new_holder is not None) != (status == "in_use"):
        if new_holder is None:
            raise ValueError("status: an asset in use has a holder; fill the assignee (or assigneeEmail) cell")
        raise ValueError(f"assignee: an asset that is {status} has no holder; leave the assignee cell empty or make "
                         "the status in_use")
    return status, (assignee if new_holder is _NEW_PERSON else new_holder)


_NEW_PERSON = UUID(int=0)  # a named person the import will add: someone, just not anyone yet


def check_move(old: str, new: str) -> None:
    """A status change a row asks for, against the status table (the one place for it)."""
    if new == old:
        return
    allowed = asset_rules.allowed_moves(old)
    if new in asset_rules.REASON_REQUIRED:
        raise ValueError(f"status: '{new}' needs a reason; change it with POST …/status instead")
    if new not in allowed:
        raise ValueError(f"status: an asset cannot go from {old} to {new} (from {old}: {', '.join(sorted(allowed))})")


def changes(current: dict[str, Any], parsed: ParsedRow, resolved: Resolved,
            custom_fields: dict[str, Any] | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the row changes on an existing asset: (column values to write, UPDATED event changes). Status and
    assignee come from `resolved` (see `holding`); the status has events of its own, so it is not listed."""
    written: dict[str, Any] = {}
    described: list[dict[str, Any]] = []

    def put(attribute: str, wire_name: str | None, value: Any) -> None:
        if current[attribute] != value:
            written[attribute] = value
            if wire_name:
                described.append({"field": wire_name, "from": json_safe(current[attribute]), "to": json_safe(value)})

    if "name" in parsed.values:
        put("name", "name", parsed.values["name"])
    if resolved.category_id is not None:
        put("category_id", "categoryId", resolved.category_id)
    if resolved.location_id is not None:
        put("location_id", "locationId", resolved.location_id)
    put("assignee_id", "assigneeId", resolved.assignee_id)
    put("status", None, resolved.status)
    for wire_name, attribute in PLAIN:
        if wire_name in parsed.values:
            value = parsed.values[wire_name]
            if attribute == "notes":
                value = value or ""
            put(attribute, wire_name, value)
    if "serial" in written:
        written["serial_key"] = asset_rules.tag_key(written["serial"]) if written["serial"] else None
    if custom_fields is not None:
        before = {k: v for k, v in (current["custom_fields"] or {}).items() if v is not None}
        if custom_fields != before:
            written["custom_fields"] = custom_fields
            for key in sorted(set(before) | set(custom_fields)):
                if before.get(key) != custom_fields.get(key):
                    described.append({"field": f"customFields.{key}", "from": before.get(key),
                                      "to": custom_fields.get(key)})
    return written, described


def merged_custom(definitions: list[Any], current: dict[str, Any] | None, cells: dict[str, str]) -> dict[str, Any]:
    """The asset's custom values after the row's cells (blank clears); ValueError names the first bad cell."""
    from backend.customfields.rules import parse_cell

    by_key = {d.key: d for d in definitions}
    values = {k: v for k, v in (current or {}).items() if v is not None}
    for key, text in cells.items():
        definition = by_key[key]
        try:
            value = parse_cell(definition.type, list(definition.options or []), text)
        except ValueError as exc:
            raise ValueError(f"column '{key}': {exc}") from None
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values
