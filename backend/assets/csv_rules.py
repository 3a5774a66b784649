"""Reading spreadsheets people actually have: encodings, separators, header names, dates, money, statuses.

Pure functions, no database: the CSV import and export build on them."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO

from backend.assets.rules import cost_problem, stored_cost

# --- encodings -------------------------------------------------------------------------------------------

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
CHUNK = 1 << 20


def detect_encoding(file: IO[bytes]) -> str:
    """How the file is written: a BOM decides (UTF-8 or UTF-16); otherwise UTF-8 if every byte of the file
    decodes strictly as UTF-8, else Windows-1252 (what Excel writes on Western European and US machines;
    it reads Latin-1 too, apart from C1 control codes nobody types), else Latin-1. Leaves the file at 0.
    A BOM followed by bytes its encoding cannot read is a ValueError."""
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    for bom, encoding in BOMS:
        if head.startswith(bom):
            if not _decodes(file, encoding):
                name = encoding.removesuffix("-sig").upper()
                raise ValueError(f"The file starts with a {name} byte-order mark but is not valid {name}; "
                                 "save it again as CSV UTF-8")
            return encoding
    for encoding in ("utf-8", "cp1252"):
        if _decodes(file, encoding):
            return encoding
    return "latin-1"


def _decodes(file: IO[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while chunk := file.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)


# --- separators ------------------------------------------------------------------------------------------

SEPARATORS = (",", ";", "\t")


def sniff_separator(sample: str) -> str:
    """The separator of the header line: the one among `,` `;` tab that splits it into the most cells
    (outside quotes). Excel writes `;` where the decimal mark is a comma; a comma wins a tie."""
    header = _first_record(sample)
    counts = {sep: _count_outside_quotes(header, sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])  # max keeps the first of equals: the comma
    return best if counts[best] else ","


_SEP_LINE = re.compile(r"sep=([^\"\r\n])\r?\n")


def separator_line(sample: str) -> str | None:
    """The separator an Excel `sep=;` first line names (Excel hides that line, so it is not a row)."""
    m = _SEP_LINE.match(sample)
    return m[1] if m else None


def _first_record(sample: str) -> str:
    """The first non-blank line of the sample, quoted newlines included."""
    in_quotes, start = False, None
    for i, char in enumerate(sample):
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            if start is not None:
                return sample[start:i]
            continue
        if start is None and not char.isspace():
            start = i
    return sample[start or 0:]


def _count_outside_quotes(line: str, sep: str) -> int:
    count, in_quotes = 0, False
    for char in line:
        if char == '"':
            in_quotes = not in_quotes
        elif char == sep and not in_quotes:
            count += 1
    return count


def records(text: IO[str], separator: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for each non-blank record; quoted newlines stay in
    their cell, and the row number is where the record starts."""
    reader = csv.reader(text, delimiter=separator, strict=False)
    next_row = 1
    for cells in reader:
        row, next_row = next_row, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        yield row, cells


# --- formula injection -----------------------------------------------------------------------------------

# OWASP: a cell starting with one of these is a formula to a spreadsheet; prefixing a ' makes it text.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def escape_cell(text: str) -> str:
    """A cell safe to open in a spreadsheet. Text already made of quotes and a formula gets one more quote,
    so that unescape_cell gives back exactly what was exported."""
    return f"'{text}" if FORMULA_START.match(text) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and ESCAPED_FORMULA.match(text) else text


# --- headers ---------------------------------------------------------------------------------------------

# The export's header names (also understood by the import) and the other names spreadsheets use for them.
ALIASES: dict[str, tuple[str, ...]] = {
    "tag": ("tag", "asset tag", "asset tag number", "asset number", "asset no", "tag number"),
    "name": ("name", "asset name", "item name", "item", "title"),
    "status": ("status", "state", "asset status"),
    "category": ("category", "category name", "asset type", "type"),
    "location": ("location", "location path", "location name", "site"),
    "assignee": ("assignee", "assigned to", "assignee name", "checked out to", "user", "owner", "employee"),
    "assigneeEmail": ("assignee email", "assigned to email", "email", "user email", "employee email"),
    "serial": ("serial", "serial number", "serial no", "sn", "s/n"),
    "manufacturer": ("manufacturer", "make", "brand"),
    "model": ("model", "model name", "model number", "model no"),
    "purchaseDate": ("purchase date", "purchased", "date of purchase", "purchased on"),
    "purchaseCost": ("purchase cost", "cost", "price", "purchase price", "value"),
    "warrantyExpiry": ("warranty expiry", "warranty", "warranty expires", "warranty end", "warranty expiry date",
                       "warranty expiration", "warranty until"),
    "notes": ("notes", "note", "comments", "comment", "description"),
}
# Export columns the import reads past: they are the record's own bookkeeping, not something to set.
READ_ONLY = ("lastVerifiedAt", "createdAt", "updatedAt", "id")


def header_key(name: str) -> str:
    """What header names are compared by: case, spaces, '_', '-', '.' and a BOM do not count."""
    return re.sub(r"[\s_\-.\ufeff]+", "", name).casefold()


_BY_HEADER = {header_key(alias): field for field, aliases in ALIASES.items() for alias in (field, *aliases)}
_READ_ONLY = {header_key(name) for name in READ_ONLY}


def map_headers(headers: list[str], custom_keys: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """[(column index, field)] for the columns the import uses, where a field is an asset field's name or
    ``custom:<key>``, and warnings about columns it ignores. Two columns for one field is a ValueError."""
    custom = {header_key(key): key for key in custom_keys}
    used: dict[str, str] = {}
    mapping: list[tuple[int, str]] = []
    warnings: list[str] = []
    for index, header in enumerate(headers):
        key = header_key(header)
        field = _BY_HEADER.get(key) or (f"custom:{custom[key]}" if key in custom else None)
        if field is None:
            if key and key not in _READ_ONLY:
                warnings.append(f"Column '{header.strip()[:60]}' is neither an asset field nor a custom field; ignored")
            continue
        if field in used:
            raise ValueError(f"Columns '{used[field]}' and '{header.strip()}' both mean {field}; keep one")
        used[field] = header.strip()
        mapping.append((index, field))
    return mapping, warnings


# --- statuses --------------------------------------------------------------------------------------------

STATUS_ALIASES = {
    "available": "available", "ready": "available", "in_stock": "available", "instock": "available",
    "spare": "available", "ready_to_deploy": "available",
    "in_use": "in_use", "inuse": "in_use", "deployed": "in_use", "checked_out": "in_use", "assigned": "in_use",
    "reserved": "reserved", "booked": "reserved",
    "maintenance": "maintenance", "in_maintenance": "maintenance", "under_maintenance": "maintenance",
    "repair": "maintenance", "in_repair": "maintenance", "broken": "maintenance",
    "missing": "missing", "lost": "missing", "stolen": "missing",
    "retired": "retired", "disposed": "retired", "archived": "retired", "scrapped": "retired",
}


def parse_status(text: str) -> str:
    """One of the six statuses, from any case and spacing or a common synonym ('In Use', 'deployed')."""
    key = re.sub(r"[\s\-]+", "_", text.strip().casefold())
    if key not in STATUS_ALIASES:
        raise ValueError(f"'{text[:40]}' is not a status (available, in_use, reserved, maintenance, missing, retired)")
    return STATUS_ALIASES[key]


# --- dates -----------------------------------------------------------------------------------------------

EXCEL_SERIALS = range(10_000, 100_000)  # 1927-05-18 … 2173-10-14: a bare 4-digit number is a year, not a date
_EXCEL_EPOCH = date(1899, 12, 30)  # serials above 60; Excel counts a 1900-02-29 that never was
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.,]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}
_NAMED = re.compile(r"^(\d{1,2})[\s\-]+([A-Za-z]{3,9})\.?,?[\s\-]+(\d{4})$|^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")


def parse_date(text: str) -> date:
    """A date as spreadsheets write them: 2024-03-01 (or an ISO date-time: its date), an Excel serial day
    (45352), 1/3/2024 when it can only mean one thing, 1.3.2024 (day first, as in Germany), 1 Mar 2024,
    Mar 1, 2024. 03/04/2024 could be 3 April or 4 March: refused, with the way to write it."""
    value = text.strip()
    if m := _ISO.match(value) or _YMD.match(value):
        return _calendar(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _SERIAL.match(value):
        serial = int(m[1])
        if serial in EXCEL_SERIALS:
            return _EXCEL_EPOCH + timedelta(days=serial)
    if m := _SLASHED.match(value):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if m[2] == ".":  # 1.3.2024: only day-first countries write dots
            return _calendar(year, second, first, value)
        if first > 12 >= second:
            return _calendar(year, second, first, value)
        if second > 12 >= first or first == second:
            return _calendar(year, first, second, value)
        if first > 12 and second > 12:
            raise ValueError(f"'{value}' is not a date on the calendar")
        raise ValueError(f"'{value}' could be day/month or month/day; write it as YYYY-MM-DD")
    if m := _NAMED.match(value):
        day, month, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        number = _MONTHS.get(month[:3].casefold())
        if number is not None:
            return _calendar(int(year), number, int(day), value)
    raise ValueError(f"'{value[:40]}' is not a date (write it as YYYY-MM-DD)")


def _calendar(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a date on the calendar") from None


# --- money -----------------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"[$€£¥₹₽₩₺₪฿¢]|\b[A-Za-z]{3}\b|[\s\u00a0\u202f']")
_GROUPED = re.compile(r"^[1-9]\d{0,2}(?:[,.]\d{3})+$")


def parse_money(text: str) -> Decimal:
    """An amount as people type it: 1450, 1,450.00, 1.450,00, $1,450.00, € 1.450,00, 1 450,50, CHF 1'450.
    The last of ',' and '.' is the decimal mark when both appear; alone, it is a thousands separator when
    exactly three digits follow it (1,450 and 1.450 are 1450), else the decimal mark. Never negative."""
    value = text.strip()
    negative = value.startswith("(") and value.endswith(")")
    cleaned = _CURRENCY.sub("", value.strip("()"))
    if cleaned.startswith("-") or cleaned.endswith("-") or negative:
        raise ValueError(f"'{value[:40]}' is negative; a cost is never below 0")
    cleaned = cleaned.lstrip("+")
    if not cleaned or not re.fullmatch(r"[\d.,]+", cleaned) or not any(c.isdigit() for c in cleaned):
        raise ValueError(f"'{value[:40]}' is not an amount of money (write it like 1450.00)")
    marks = [c for c in cleaned if c in ",."]
    if not marks:
        number = cleaned
    elif len(set(marks)) == 2:
        decimal_mark = marks[-1]
        whole, _, fraction = cleaned.rpartition(decimal_mark)
        if whole.count(decimal_mark) or not _grouped(whole) or not fraction:
            raise ValueError(f"'{value[:40]}' is not an amount of money (write it like 1450.00)")
        number = f"{re.sub(r'[,.]', '', whole)}.{fraction}"
    elif _GROUPED.match(cleaned):
        number = re.sub(r"[,.]", "", cleaned)
    elif len(marks) > 1:
        raise ValueError(f"'{value[:40]}' is not an amount of money (write it like 1450.00)")
    else:
        number = cleaned.replace(",", ".")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"'{value[:40]}' is not an amount of money (write it like 1450.00)") from None
    if problem := cost_problem(amount):
        raise ValueError(f"'{value[:40]}' {problem}")
    return stored_cost(amount)


def _grouped(whole: str) -> bool:
    return bool(re.fullmatch(r"\d+", whole) or _GROUPED.match(whole))


# --- the export's cells ----------------------------------------------------------------------------------

def cell(value: object) -> str:
    """A value as the export writes it: dates ISO, times ISO in UTC with a Z, amounts with two decimals."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, Decimal, int, float)):
        return str(value)
    return escape_cell(str(value))
