"""The printable report and missing pages as a phone reads them: on a narrow screen each list row is stacked,
so every cell after the tag and name must say which column it was; tags and codes stay whole; and the page
names its audit for the app that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

pytestmark = pytest.mark.anyio

AUDIT_NAME = 'Bay "3" <night> count'
LONG_CODE = "https://vendor.example/qr/pallet-wrapper-outbound-0001"


@dataclass
class ListTable:
    headings: list[str] = field(default_factory=list)
    rows: list[list[dict[str, str]]] = field(default_factory=list)  # each cell: its attributes and "text"


class Page(HTMLParser):
    """The page's list tables (class "list") and the element naming the audit."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[ListTable] = []
        self.audit_name: str | None = None
        self._table: ListTable | None = None
        self._cell: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "data-audit-name" in attributes:
            self.audit_name = attributes["data-audit-name"]
        if tag == "table" and "list" in attributes.get("class", "").split():
            self._table = ListTable()
            self.tables.append(self._table)
        elif self._table is not None and tag == "tr":
            self._table.rows.append([])
        elif self._table is not None and tag in ("th", "td"):
            self._cell = {**attributes, "text": "", "kind": tag}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._table is not None:
            cell, self._cell = self._cell, None
            if cell["kind"] == "th":
                self._table.headings.append(cell["text"].strip())
            else:
                self._table.rows[-1].append(cell)
        elif tag == "table":
            self._table = None


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture
async def audit(tenant) -> dict[str, Any]:
    """An audit of one bay: one asset seen, two missing (one with a tag too long for a phone's line), an extra
    from elsewhere, a long unknown code; then completed with the unseen marked missing."""
    bay = await tenant.created("/locations", name="Bay 3")
    yard = await tenant.created("/locations", name="Yard")
    wrappers = await tenant.created("/categories", name="Wrappers")
    seen = await tenant.created("/inventory-items", name="Pallet scale", tag="BAY-0001", locationId=bay["id"])
    await tenant.created("/inventory-items", name="Stretch wrapper with turntable and film holder", tag="BAY-0002",
                         categoryId=wrappers["id"], locationId=bay["id"])
    await tenant.created("/inventory-items", name="Spare film rolls", tag="BAY-SPARE-FILM-ROLLS-0003",
                         locationId=bay["id"])
    stray = await tenant.created("/inventory-items", name="Hand truck", tag="YRD-0001", locationId=yard["id"])
    session = await tenant.created("/sessions", name=AUDIT_NAME, locationId=bay["id"])
    for body in ({"code": seen["tag"]}, {"code": stray["tag"], "allowMarkAnyway": True}, {"code": LONG_CODE}):
        assert (await tenant.post(f"/sessions/{session['id']}/scan", json=body)).status_code == 200
    done = await tenant.patch(f"/sessions/{session['id']}", json={"status": "completed", "markMissing": True})
    assert done.status_code == 200, done.text
    return session


async def page_of(tenant: Any, session_id: str, path: str) -> Page:
    r = await tenant.get(f"/sessions/{session_id}/{path}", params={"format": "html"})
    assert r.status_code == 200, r.text
    return parsed(r.text)


@pytest.mark.parametrize("path", ["report", "missing"])
async def test_every_cell_of_a_stacked_row_after_the_tag_and_name_says_which_column_it_is(tenant, audit, path):
    page = await page_of(tenant, audit["id"], path)
    assert page.tables, "no list table"
    rows = 0
    for table in page.tables:
        for row in table.rows[1:]:  # the first is the heading row
            rows += 1
            assert "tag" in row[0].get("class", "").split(), (table.headings, row)
            for index, cell in enumerate(row[2:], start=2):
                assert cell.get("data-label") == table.headings[index], (table.headings, row)
    # report: 2 missing, 1 extra, 1 unknown code; the missing page: the 2 missing.
    assert rows == (4 if path == "report" else 2)


@pytest.mark.parametrize("path", ["report", "missing"])
async def test_tags_and_codes_are_kept_whole_and_only_one_too_long_for_a_phones_line_may_wrap(tenant, audit, path):
    page = await page_of(tenant, audit["id"], path)
    tags = {row[0]["text"]: row[0]["class"].split() for table in page.tables for row in table.rows[1:]}
    assert tags["BAY-0002"] == ["tag"]
    assert tags["BAY-SPARE-FILM-ROLLS-0003"] == ["tag", "tag-long"]
    if path == "report":
        assert tags["YRD-0001"] == ["tag"]
        assert tags[LONG_CODE] == ["tag", "tag-long"]
    assert "BAY-0001" not in tags  # seen, so in no list


@pytest.mark.parametrize("path", ["report", "missing"])
async def test_the_page_names_its_audit_for_the_app_escaped(tenant, audit, path):
    r = await tenant.get(f"/sessions/{audit['id']}/{path}", params={"format": "html"})
    assert parsed(r.text).audit_name == AUDIT_NAME
    assert AUDIT_NAME not in r.text and "&lt;night&gt;" in r.text
