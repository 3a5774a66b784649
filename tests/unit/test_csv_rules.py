"""Reading real-world spreadsheets: encodings, separators, headers, dates, money, statuses, formula escaping."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.assets import csv_rules


@pytest.mark.parametrize(("content", "encoding"), [
    pytest.param("tag,name\nA,Café\n".encode(), "utf-8", id="utf-8"),
    pytest.param("\ufefftag,name\nA,Café\n".encode(), "utf-8-sig", id="utf-8 with BOM"),
    pytest.param("tag,name\nA,Café\n".encode("utf-16"), "utf-16", id="utf-16 with BOM"),
    pytest.param("tag;name\nA;Café Müller 5 €\n".encode("cp1252"), "cp1252", id="cp1252 (Excel, Western Europe)"),
    pytest.param(b"tag,name\nA,\x81\x8d\xe9\n", "latin-1", id="bytes cp1252 leaves undefined"),
])
def test_detect_encoding(content: bytes, encoding: str) -> None:
    file = io.BytesIO(content)
    assert csv_rules.detect_encoding(file) == encoding
    assert file.tell() == 0


def test_a_cp1252_file_reads_its_accents_and_euro_sign() -> None:
    content = "name\nCafé Müller 5 €\n".encode("cp1252")
    encoding = csv_rules.detect_encoding(io.BytesIO(content))
    assert content.decode(encoding).splitlines()[1] == "Café Müller 5 €"


@pytest.mark.parametrize(("sample", "separator"), [
    ("tag,name,status\n", ","),
    ("tag;name;status\nA;1,50;x\n", ";"),
    ("tag\tname\tstatus\n", "\t"),
    ('"a;b",c\n', ","),  # the ; is inside quotes
    ("\n\n  \ntag;name\n", ";"),  # blank lines before the header
    ("name\n", ","),
])
def test_sniff_separator(sample: str, separator: str) -> None:
    assert csv_rules.sniff_separator(sample) == separator


def test_records_skip_blank_lines_and_keep_quoted_newlines_with_spreadsheet_row_numbers() -> None:
    text = 'tag,notes\n\nA,"two\nlines"\n,\nB,plain\n'
    assert list(csv_rules.records(io.StringIO(text, newline=""), ",")) == [
        (1, ["tag", "notes"]), (3, ["A", "two\nlines"]), (6, ["B", "plain"])]


@given(st.text())
def test_formula_escape_round_trips(text: str) -> None:
    assert csv_rules.unescape_cell(csv_rules.escape_cell(text)) == text


@given(st.text())
def test_an_escaped_cell_never_starts_a_formula(text: str) -> None:
    assert not csv_rules.escape_cell(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(("text", "escaped"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+1", "'+1"), ("-1", "'-1"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("'=x", "''=x"), ("'plain", "'plain"), ("plain", "plain"), ("", ""),
])
def test_formula_escape_follows_owasp(text: str, escaped: str) -> None:
    assert csv_rules.escape_cell(text) == escaped


@pytest.mark.parametrize("header", ["Asset Tag", "asset_tag", "TAG", " tag ", "\ufefftag", "asset-tag"])
def test_headers_match_ignoring_case_and_spacing(header: str) -> None:
    assert csv_rules.map_headers([header], []) == ([(0, "tag")], [])


def test_header_aliases_custom_keys_and_ignored_columns() -> None:
    headers = ["Serial Number", "Purchase Date", "Warranty", "Assigned To", "Cost Center", "Colour", "id", "createdAt"]
    mapping, warnings = csv_rules.map_headers(headers, ["cost_center"])
    assert mapping == [(0, "serial"), (1, "purchaseDate"), (2, "warrantyExpiry"), (3, "assignee"),
                       (4, "custom:cost_center")]
    assert warnings == ["Column 'Colour' is neither an asset field nor a custom field; ignored"]


def test_two_columns_for_one_field_are_refused() -> None:
    with pytest.raises(ValueError, match="'Asset Tag' and 'tag' both mean tag"):
        csv_rules.map_headers(["Asset Tag", "tag"], [])


@pytest.mark.parametrize(("text", "status"), [
    ("available", "available"), ("In Use", "in_use"), ("in-use", "in_use"), ("DEPLOYED", "in_use"),
    ("Checked out", "in_use"), ("repair", "maintenance"), ("lost", "missing"), ("Disposed", "retired"),
    (" reserved ", "reserved"),
])
def test_statuses_and_their_synonyms(text: str, status: str) -> None:
    assert csv_rules.parse_status(text) == status


def test_an_unknown_status_names_the_six() -> None:
    with pytest.raises(ValueError, match="'broken-ish' is not a status .*available, in_use"):
        csv_rules.parse_status("broken-ish")


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01", date(2024, 3, 1)), ("2024-3-1", date(2024, 3, 1)), ("2024/03/01", date(2024, 3, 1)),
    ("2024-03-01T10:30:00Z", date(2024, 3, 1)), ("2024-03-01 10:30:00+02:00", date(2024, 3, 1)),
    ("45352", date(2024, 3, 1)), ("45352.5", date(2024, 3, 1)),  # Excel serial days (with a time of day)
    ("13/3/2024", date(2024, 3, 13)), ("3/13/2024", date(2024, 3, 13)), ("5/5/2024", date(2024, 5, 5)),
    ("1.3.2024", date(2024, 3, 1)), ("1 Mar 2024", date(2024, 3, 1)), ("Mar 1, 2024", date(2024, 3, 1)),
    ("01-Mar-2024", date(2024, 3, 1)),
])
def test_dates_as_spreadsheets_write_them(text: str, expected: date) -> None:
    assert csv_rules.parse_date(text) == expected


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2173, 10, 14)))
def test_excel_serials_count_from_excels_epoch(day: date) -> None:
    # Excel's serial 1 is 1900-01-01 and it counts a 1900-02-29 that never was, so later days are off by one.
    serial = (day - date(1900, 1, 1)).days + 2
    assert csv_rules.parse_date(str(serial)) == day


@pytest.mark.parametrize(("text", "message"), [
    ("03/04/2024", "could be day/month or month/day; write it as YYYY-MM-DD"),
    ("2024-02-30", "is not a date on the calendar"),
    ("31/31/2024", "is not a date on the calendar"),
    ("2024", "is not a date"),
    ("soon", "is not a date"),
])
def test_dates_that_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        csv_rules.parse_date(text)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_iso_dates_read_back(day: date) -> None:
    assert csv_rules.parse_date(day.isoformat()) == day


@pytest.mark.parametrize(("text", "amount"), [
    ("1450", "1450.00"), ("1,450.00", "1450.00"), ("1.450,00", "1450.00"), ("$1,450.00", "1450.00"),
    ("€ 1.450,00", "1450.00"), ("1 450,50", "1450.50"), ("CHF 1'450", "1450.00"), ("1450 EUR", "1450.00"),
    ("12.5", "12.50"), ("0,5", "0.50"), ("1,450", "1450.00"), ("1,234,567.89", "1234567.89"), ("+3", "3.00"),
])
def test_money_as_people_type_it(text: str, amount: str) -> None:
    assert csv_rules.parse_money(text) == Decimal(amount)


@pytest.mark.parametrize(("text", "message"), [
    ("-5", "is negative"), ("(12.00)", "is negative"), ("$-3", "is negative"), ("abc", "is not an amount"),
    ("1,2,3", "is not an amount"), ("1.234,5,6", "is not an amount"), ("12.345", None), ("1.005", None),
    ("0.001", "at most two decimal places"), ("10000000000000", "must be below"),
])
def test_money_that_is_refused(text: str, message: str | None) -> None:
    if message is None:  # three digits after a lone mark: a thousands separator
        assert csv_rules.parse_money(text) == Decimal(text.replace(".", ""))
        return
    with pytest.raises(ValueError, match=message):
        csv_rules.parse_money(text)


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_money_written_by_the_export_reads_back(amount: Decimal) -> None:
    assert csv_rules.parse_money(csv_rules.cell(amount)) == amount


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5), st.sampled_from(csv_rules.SEPARATORS))
def test_any_cells_survive_a_write_and_read(rows: list[list[str]], separator: str) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows([["tag", "name"], *rows])
    read = [cells for _, cells in csv_rules.records(io.StringIO(out.getvalue(), newline=""), separator)]
    assert read == [["tag", "name"], *[r for r in rows if any(c.strip() for c in r)]]


def test_the_export_writes_dates_times_and_text() -> None:
    from datetime import UTC, datetime

    assert csv_rules.cell(datetime(2024, 3, 1, 9, 30, tzinfo=UTC)) == "2024-03-01T09:30:00Z"
    assert csv_rules.cell(date(2024, 3, 1) + timedelta(days=1)) == "2024-03-02"
    assert csv_rules.cell(None) == ""
    assert csv_rules.cell(True) == "true"
    assert csv_rules.cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"


@given(st.text(max_size=40))
def test_any_text_is_a_date_an_amount_a_status_or_a_clear_refusal(text: str) -> None:
    for parse in (csv_rules.parse_date, csv_rules.parse_money, csv_rules.parse_status):
        try:
            parse(text)
        except ValueError as exc:
            assert str(exc)


@given(st.lists(st.text(max_size=30), min_size=14, max_size=14))
def test_any_row_is_values_or_one_message_naming_its_column(cells: list[str]) -> None:
    from backend.assets.csv_rows import parse_row

    headers = [*csv_rules.ALIASES]
    mapping, _ = csv_rules.map_headers(headers, [])
    try:
        parsed = parse_row(2, cells, mapping, headers)
    except ValueError as exc:
        assert str(exc).startswith("column '")
    else:
        assert parsed.row == 2


@pytest.mark.parametrize(("sample", "separator"), [
    ("sep=;\r\ntag;name\r\n", ";"), ("sep=|\ntag|name\n", "|"), ("sep=\t\n", "\t"), ("tag,name\n", None),
    ("sep=\n", None), ('sep="\n', None),
])
def test_an_excel_sep_line(sample: str, separator: str | None) -> None:
    assert csv_rules.separator_line(sample) == separator
