"""CSV import: upsert assets by tag from a spreadsheet, in batches, one clear error per bad row.

Each batch of rows is looked up with one query, written with bulk statements and committed on its own, so a
bad row never costs the good ones (unless the import is atomic: then everything is one transaction that
is kept only if no row failed). A dry run does all the same work in one transaction and rolls it back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import csv_rules
from backend.assets import rules as asset_rules
from backend.assets.csv_names import Names, reserve_numbers
from backend.assets.csv_rows import ParsedRow, Resolved, changes, holding, merged_custom, parse_row
from backend.assets.models import Asset
from backend.categories.service import default_category
from backend.context import Principal
from backend.db.base import utcnow
from backend.errors import BadRequest
from backend.events.models import AssetEvent
from backend.events.service import event_row
from backend.ids import uuid7
from backend.locations.service import default_location
from backend.tenancy.models import Tenant

BATCH = 1_000
Progress = Callable[[int, int], None]
# The asset columns an import compares and writes, by attribute.
COLUMNS = ("id", "tag", "tag_key", "name", "status", "category_id", "location_id", "assignee_id", "serial",
           "manufacturer", "model", "purchase_date", "purchase_cost", "warranty_expiry", "notes", "custom_fields",
           "reserved_until", "deleted_at")


@dataclass
class ImportReport:
    encoding: str
    separator: str
    dry_run: bool
    atomic: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created_names: dict[str, int] = field(default_factory=dict)
    rolled_back: bool = False


@dataclass
class _Batch:
    """What one batch writes."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0
    untagged: list[dict[str, Any]] = field(default_factory=list)  # inserts still waiting for a generated tag


class _Text(io.TextIOWrapper):
    """The file as text that starts again after an Excel `sep=` line when it has one."""

    skip_first_line = False

    def rewind(self) -> None:
        self.seek(0)
        if self.skip_first_line:
            self.readline()


def open_text(file: IO[bytes]) -> tuple[_Text, str, str]:
    """The file as text, its encoding and its separator; a 400 if it cannot be read as text at all."""
    try:
        encoding = csv_rules.detect_encoding(file)
    except ValueError as exc:
        raise BadRequest(str(exc), {"file": "unreadable"}) from None
    text = _Text(file, encoding=encoding, newline="")
    sample = text.read(64 * 1024)
    separator = csv_rules.separator_line(sample)
    text.skip_first_line = separator is not None
    text.rewind()
    return text, encoding, separator or csv_rules.sniff_separator(sample)


async def import_csv(session: AsyncSession, principal: Principal | None, tenant_id: UUID, file: IO[bytes], *,
                     dry_run: bool = False, atomic: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import the file into the tenant's assets; see the README's "CSV import and export" for every rule."""
    from backend.customfields.service import live_definitions

    text, encoding, separator = open_text(file)
    try:
        total = _count_rows(text, separator)  # a file the CSV reader chokes on is refused before any write
        rows = csv_rules.records(text, separator)
        header_row = next(rows, None)
        if header_row is None:
            raise BadRequest("The file is empty: it needs a header row and one row per asset", {"file": "empty"})
        headers = header_row[1]
        definitions = list(await live_definitions(session, tenant_id))
        try:
            mapping, warnings = csv_rules.map_headers([csv_rules.unescape_cell(h) for h in headers],
                                                      [d.key for d in definitions])
        except ValueError as exc:
            raise BadRequest(str(exc), {"file": "duplicate column"}) from None
        fields = {name for _, name in mapping}
        if not fields & {"tag", "name"}:
            raise BadRequest("The header row names neither a tag nor a name column; the first row must be the column "
                             "names (tag, name, status, category, location, …)", {"file": "no tag or name column"})
        report = ImportReport(encoding=encoding, separator=separator, dry_run=dry_run, atomic=atomic,
                              warnings=warnings)
        importer = _Importer(session, principal, tenant_id, mapping, headers, definitions, report)
        await importer.start()
        done = 0
        for batch in _batches(rows):
            await importer.run_batch(batch)
            done += len(batch)
            if progress:
                progress(done, max(total, done))
        await importer.finish()
        return report
    finally:
        text.detach()


def _count_rows(text: _Text, separator: str) -> int:
    total, row = -1, 1  # the header is not a row to import
    try:
        for row, _ in csv_rules.records(text, separator):  # noqa: B007 - the except names the last good row
            total += 1
    except csv.Error as exc:
        raise BadRequest(f"The file cannot be read as CSV after row {row}: {exc}", {"file": str(exc)}) from None
    text.rewind()
    return max(total, 0)


def _batches(rows: Iterator[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Importer:
    def __init__(self, session: AsyncSession, principal: Principal | None, tenant_id: UUID,
                 mapping: list[tuple[int, str]], headers: list[str], definitions: list[Any], report: ImportReport):
        self.session, self.principal, self.tenant_id = session, principal, tenant_id
        self.mapping, self.headers, self.definitions, self.report = mapping, headers, definitions, report
        self.custom_given = any(name.startswith("custom:") for _, name in mapping)
        self.one_transaction = report.dry_run or report.atomic
        self.seen: dict[str, int] = {}  # tag key -> the row that had it
        self.names: Names
        self.defaults: tuple[UUID, UUID]
        self.tag_format: tuple[str, int, int]  # prefix, padding, random characters
        self.broken = False  # atomic: a batch failed in the database; the rest is only checked
        self.spare_numbers: list[int] = []  # tag numbers this import reserved and has not used yet
        self.tag_ratio = 1  # numbers reserved per tag needed: grows when the file's own tags take numbers

    async def start(self) -> None:
        self.names = await Names.load(self.session, self.tenant_id)
        self.defaults = ((await default_category(self.session, self.tenant_id)).id,
                         (await default_location(self.session, self.tenant_id)).id)
        self.tag_format = tuple((await self.session.execute(  # type: ignore[assignment]
            select(Tenant.tag_prefix, Tenant.tag_padding, Tenant.tag_random_chars)
            .where(Tenant.id == self.tenant_id))).one())

    async def run_batch(self, rows: list[tuple[int, list[str]]]) -> None:
        self.report.rows += len(rows)
        parsed = self._parse(rows)
        if self.one_transaction:
            batch = await self._prepare(parsed)
            if not self.broken:
                try:
                    await self._write(batch)
                except DBAPIError as exc:
                    # Nothing of this import will be kept; a fresh transaction goes on checking the rows.
                    self.broken = True
                    await self._rollback()
                    batch.errors.append((rows[0][0], _db_problem(exc)))
            self._count(batch)
            return
        seen_before = dict(self.seen)
        try:
            batch = await self._prepare(parsed)
            await self._write(batch)
            await self._commit()
            self._count(batch)
        except DBAPIError:
            # A concurrent writer or a value the database refuses: this batch is undone; row by row now.
            await self._rollback()
            self.seen = seen_before
            for one in parsed:
                await self._run_single(one)

    async def _run_single(self, parsed: ParsedRow | tuple[int, str]) -> None:
        try:
            batch = await self._prepare([parsed])
            await self._write(batch)
            await self._commit()
        except DBAPIError as exc:
            await self._rollback()
            batch = _Batch(errors=[(parsed[0] if isinstance(parsed, tuple) else parsed.row, _db_problem(exc))])
        self._count(batch)

    async def finish(self) -> None:
        self.report.created_names = dict(self.names.created)
        self.report.errors.sort()
        if self.report.dry_run or (self.report.atomic and self.report.errors):
            await self.session.rollback()
            if self.report.atomic and self.report.errors:
                self.report.rolled_back = True
                self.report.created = self.report.updated = 0
                self.report.created_names = {key: 0 for key in self.names.created}
        elif self.report.atomic:
            await self.session.commit()

    async def _commit(self) -> None:
        await self.session.commit()
        self.names.tree_locked = False

    async def _rollback(self) -> None:
        await self.session.rollback()
        self.spare_numbers = []  # their reservation was rolled back too
        created = self.names.created
        self.names = await Names.load(self.session, self.tenant_id)  # names made by the undone batch are gone
        self.names.created = created

    def _count(self, batch: _Batch) -> None:
        self.report.created += len(batch.inserts)
        self.report.updated += len(batch.updates)
        self.report.unchanged += batch.unchanged
        self.report.errors.extend(batch.errors)

    def _parse(self, rows: list[tuple[int, list[str]]]) -> list[ParsedRow | tuple[int, str]]:
        parsed: list[ParsedRow | tuple[int, str]] = []
        for row, cells in rows:
            try:
                parsed.append(parse_row(row, cells, self.mapping, self.headers))
            except ValueError as exc:
                parsed.append((row, str(exc)))
        return parsed

    async def _prepare(self, parsed: list[ParsedRow | tuple[int, str]]) -> _Batch:
        """Check every row against the database and build the batch's writes; names missing are created."""
        batch = _Batch()
        keys = [asset_rules.tag_key(p.tag) for p in parsed if isinstance(p, ParsedRow) and p.tag]
        existing = await self._existing(keys)
        for item in parsed:
            if isinstance(item, tuple):
                batch.errors.append(item)
                continue
            try:
                await self._row(item, existing, batch)
            except ValueError as exc:
                batch.errors.append((item.row, str(exc)))
        await self._generate_tags(batch)
        return batch

    async def _existing(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 10_000):  # both databases bind at most 32,766 parameters a statement
            stmt = select(*(getattr(Asset, c) for c in COLUMNS)).where(
                Asset.tenant_id == self.tenant_id, Asset.tag_key.in_(keys[start:start + 10_000]))
            found.update((row.tag_key, row._asdict()) for row in await self.session.execute(stmt))
        return found

    async def _row(self, parsed: ParsedRow, existing: dict[str, dict[str, Any]], batch: _Batch) -> None:
        """Check the row whole, then resolve its names (creating what is missing) and queue its writes."""
        key = asset_rules.tag_key(parsed.tag) if parsed.tag else None
        if key is not None and key in self.seen:
            raise ValueError(f"tag '{parsed.tag}' already appeared on row {self.seen[key]}; each asset once per file")
        current = existing.get(key) if key else None
        if current is not None and current["deleted_at"] is not None:
            raise ValueError(f"tag '{parsed.tag}' belongs to a deleted asset ({current['name']}); restore it first")
        if current is None and "name" not in parsed.values:
            raise ValueError("a new asset needs a name (the name cell is empty)")
        custom = None
        if self.custom_given or current is None:
            custom = merged_custom(self.definitions, current["custom_fields"] if current else None, parsed.custom)
            problems = _custom_problems(self.definitions, custom, current)
            if problems:
                field_name, problem = next(iter(problems.items()))
                raise ValueError(f"{field_name.removeprefix('customFields.')}: {problem}")
        self.names.check(parsed.wanted)
        wanted = parsed.wanted
        named = bool(wanted.assignee or wanted.assignee_email)
        assignee_given = "assignee" in parsed.values
        holding(current, parsed.values.get("status"), assignee_given,
                self.names.find_person(wanted.assignee, wanted.assignee_email) if named else None, named)
        if key is not None:
            self.seen[key] = parsed.row
        resolved = self._resolve(parsed)
        resolved.status, resolved.assignee_id = holding(current, parsed.values.get("status"), assignee_given,
                                                        resolved.assignee_id, named)
        if current is None:
            self._new_asset(parsed, resolved, custom or {}, batch)
            return
        written, described = changes(current, parsed, resolved, custom)
        if not written:
            batch.unchanged += 1
            return
        now = utcnow()
        if "assignee_id" in written:
            written["assigned_at"] = now if written["assignee_id"] else None
            written["due_back_at"] = None
        if "status" in written and current["status"] == "reserved":
            written["reserved_until"] = None  # leaving reserved ends the reservation
        written.update(tenant_id=self.tenant_id, id=current["id"], updated_at=now)
        batch.updates.append(written)
        batch.events.extend(self._events(current, written, described, now))

    def _events(self, current: dict[str, Any], written: dict[str, Any], described: list[dict[str, Any]],
                now: datetime) -> list[dict[str, Any]]:
        """The events a PATCH, a check-out or a status change would write for the same change."""
        def event(type_: str, data: dict[str, Any], person_id: UUID | None = None) -> dict[str, Any]:
            return event_row(self.principal, self.tenant_id, current["id"], type_, data, person_id=person_id, at=now)

        events = []
        if "assignee_id" in written:
            if current["assignee_id"] is not None:
                events.append(event("UNASSIGNED", {"personId": str(current["assignee_id"])}, current["assignee_id"]))
            if written["assignee_id"] is not None:
                events.append(event("ASSIGNED", {"personId": str(written["assignee_id"])}, written["assignee_id"]))
        if "status" in written:
            events.append(event("STATUS_CHANGED", {"from": current["status"], "to": written["status"], "source": "csv"}))
        if described:
            events.append(event("UPDATED", {"changes": described, "source": "csv"}))
        if "location_id" in written:
            events.append(event("MOVED", {"from": str(current["location_id"]), "to": str(written["location_id"])}))
        return events

    def _resolve(self, parsed: ParsedRow) -> Resolved:
        wanted = parsed.wanted
        resolved = Resolved()
        if wanted.category:
            resolved.category_id = self.names.category_id(wanted.category)
        if wanted.location:
            resolved.location_id = self.names.location_id(wanted.location)
        if wanted.assignee or wanted.assignee_email:
            resolved.assignee_id = self.names.person_id(wanted.assignee, wanted.assignee_email)
        return resolved

    def _new_asset(self, parsed: ParsedRow, resolved: Resolved, custom: dict[str, Any], batch: _Batch) -> None:
        values = parsed.values
        now = utcnow()
        serial = values.get("serial")
        row = {
            "tenant_id": self.tenant_id, "id": uuid7(), "tag": parsed.tag,
            "tag_key": asset_rules.tag_key(parsed.tag) if parsed.tag else None, "name": values["name"],
            "category_id": resolved.category_id or self.defaults[0],
            "location_id": resolved.location_id or self.defaults[1], "assignee_id": resolved.assignee_id,
            "status": resolved.status, "serial": serial, "serial_key": asset_rules.tag_key(serial) if serial else None,
            "manufacturer": values.get("manufacturer"), "model": values.get("model"),
            "purchase_date": values.get("purchaseDate"), "purchase_cost": values.get("purchaseCost"),
            "warranty_expiry": values.get("warrantyExpiry"), "notes": values.get("notes") or "",
            "custom_fields": custom, "assigned_at": now if resolved.assignee_id else None, "created_at": now,
            "updated_at": now,
        }
        batch.inserts.append(row)
        if not parsed.tag:
            batch.untagged.append(row)
        batch.events.append(event_row(self.principal, self.tenant_id, row["id"], "CREATED", {"source": "csv"}, at=now))
        if resolved.assignee_id is not None:
            batch.events.append(event_row(self.principal, self.tenant_id, row["id"], "ASSIGNED",
                                          {"personId": str(resolved.assignee_id)}, person_id=resolved.assignee_id,
                                          at=now))

    async def _generate_tags(self, batch: _Batch) -> None:
        """Tags from the tenant's sequence for new assets without one, reserved many at a time. Numbers whose
        tag, or number alone (AST-000123, when tags have a random part), is taken (by an asset or a row of the
        file) are skipped; once some were, more are reserved ahead."""
        waiting = batch.untagged
        prefix, padding, random_chars = self.tag_format
        while waiting:
            if len(self.spare_numbers) < len(waiting):
                count = len(waiting) - len(self.spare_numbers)
                count *= self.tag_ratio if count >= 64 else 1  # a few: exactly, so no number is left unused
                last = await reserve_numbers(self.session, self.tenant_id, "asset_tag", count)
                self.spare_numbers.extend(range(last - count + 1, last + 1))
            numbers = self.spare_numbers
            candidates = {n: asset_rules.format_tag(prefix, padding, n, asset_rules.draw_random_part(random_chars))
                          for n in numbers}
            bare = {n: asset_rules.format_tag(prefix, padding, n) for n in numbers}
            keys = {n: {asset_rules.tag_key(candidates[n]), asset_rules.tag_key(bare[n])} for n in numbers}
            taken = set(await self._existing(sorted(set().union(*keys.values())))) | self.seen.keys()
            free = [n for n in numbers if not keys[n] & taken]
            if len(free) < len(numbers):
                self.tag_ratio = min(20, -(-len(numbers) // max(len(free), 1)))
            for row, n in zip(waiting, free, strict=False):
                row["tag"], row["tag_key"] = candidates[n], asset_rules.tag_key(candidates[n])
                self.seen[row["tag_key"]] = 0
            used = set(free[:len(waiting)]) | {n for n in numbers if keys[n] & taken}
            self.spare_numbers = [n for n in numbers if n not in used]
            waiting = waiting[len(free):]
        batch.untagged = []

    async def _write(self, batch: _Batch) -> None:
        await self.names.flush(self.session)
        if batch.inserts:
            await self.session.execute(insert(Asset.__table__), batch.inserts)
        groups: dict[frozenset[str], list[dict[str, Any]]] = {}
        for row in batch.updates:
            groups.setdefault(frozenset(row), []).append(row)
        for rows in groups.values():
            await self.session.execute(update(Asset), rows)
        if batch.events:
            await self.session.execute(insert(AssetEvent.__table__), batch.events)


def _custom_problems(definitions: list[Any], values: dict[str, Any], current: dict[str, Any] | None) -> dict[str, str]:
    from backend.customfields.rules import check_values

    return check_values(definitions, values, creating=current is None,
                        current=current["custom_fields"] if current else None)


def _db_problem(exc: DBAPIError) -> str:
    return f"could not be saved: {str(exc.orig).splitlines()[0][:200]}"
