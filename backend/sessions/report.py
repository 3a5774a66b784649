"""What an audit found (CONTRACT §5 report, missing, unknown codes): read-only queries, the pages of the
missing and unknown lists, and the CSV and printable HTML forms of their answers. Nothing here writes; the
scan path lives in service.py and scanning.py."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import MediaType, Response
from litestar.response import Template
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets.models import Asset
from backend.auth.models import ApiKey, User
from backend.categories.models import Category
from backend.db.base import utcnow
from backend.db.records import like_pattern
from backend.errors import BadRequest
from backend.events.models import AssetEvent
from backend.locations.models import Location
from backend.sessions import service
from backend.sessions.models import AuditSession, Scan, SessionItem
from backend.sessions.schemas import (
    CategoryCount, ExtraRow, LocationCount, LocationRef, MissingItem, MissingRow, MovedRow, ReportDuration,
    ReportFormat, ReportSession, ReportTotals, ScannerCount, SessionReport, UnknownCode,
)
from backend.tenancy.service import TenantInfo
from backend.wire import clamp_limit, decode_cursor, encode_cursor

EXPECTED = ("unscanned", "scanned")
CSV_HEADER = ["Tag", "Name", "Category", "Expected location", "State", "Scanned at", "Found at"]
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NO_LOCATION = "(no location)"
NO_CATEGORY = "(no category)"


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One session item as the report shows it: names and paths instead of ids."""

    asset_id: UUID
    tag: str
    name: str
    state: str
    category_id: UUID | None
    category: str | None
    expected_location_id: UUID | None
    expected_location: str | None
    scanned_at: datetime | None
    found_location: str | None
    scanned_by: str | None
    scanner_key: tuple[UUID | None, UUID | None] | None


def scanner_name(email: str | None, key_name: str | None) -> str:
    return email or key_name or "unknown scanner"


async def _location_paths(db: AsyncSession, tenant_id: UUID, ids: Iterable[UUID | None]) -> dict[UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(Location.id, Location.path).where(Location.tenant_id == tenant_id,
                                                                     Location.id.in_(wanted)))
    return {r.id: r.path for r in rows}


async def item_lines(db: AsyncSession, tenant_id: UUID, session_id: UUID, *, states: tuple[str, ...] | None = None
                     ) -> list[ItemLine]:
    """The session's items in tag order, each with its category, locations and who counted it."""
    counting = Scan.__table__.alias("counting")
    user = User.__table__.alias("scan_user")
    key = ApiKey.__table__.alias("scan_key")
    stmt = (select(SessionItem, Asset.tag, Asset.name, Asset.category_id, Category.name.label("category"),
                   counting.c.user_id, counting.c.api_key_id, user.c.email, key.c.name.label("key_name"))
            .join(Asset, (Asset.tenant_id == SessionItem.tenant_id) & (Asset.id == SessionItem.asset_id))
            .outerjoin(Category, (Category.tenant_id == Asset.tenant_id) & (Category.id == Asset.category_id))
            .outerjoin(counting, (counting.c.tenant_id == SessionItem.tenant_id) & (counting.c.id == SessionItem.scan_id))
            .outerjoin(user, (user.c.tenant_id == counting.c.tenant_id) & (user.c.id == counting.c.user_id))
            .outerjoin(key, (key.c.tenant_id == counting.c.tenant_id) & (key.c.id == counting.c.api_key_id))
            .where(SessionItem.tenant_id == tenant_id, SessionItem.session_id == session_id)
            .order_by(Asset.tag_key, Asset.id))
    if states is not None:
        stmt = stmt.where(SessionItem.state.in_(states))
    rows = (await db.execute(stmt)).all()
    paths = await _location_paths(db, tenant_id, [i for r in rows for i in (r[0].expected_location_id,
                                                                             r[0].found_location_id)])
    lines = []
    for r in rows:
        item: SessionItem = r[0]
        counted = item.scan_id is not None and (r.user_id or r.api_key_id)
        lines.append(ItemLine(
            asset_id=item.asset_id, tag=r.tag, name=r.name, state=item.state, category_id=r.category_id,
            category=r.category, expected_location_id=item.expected_location_id,
            expected_location=paths.get(item.expected_location_id) if item.expected_location_id else None,
            scanned_at=item.scanned_at,
            found_location=paths.get(item.found_location_id) if item.found_location_id else None,
            scanned_by=scanner_name(r.email, r.key_name) if counted else None,
            scanner_key=(r.user_id, r.api_key_id) if counted else None))
    return lines


async def unknown_codes(db: AsyncSession, tenant_id: UUID, session_id: UUID, *, limit: int | None = None,
                        after: tuple[datetime, str] | None = None) -> list[UnknownCode]:
    """Codes answered unknown_code, each once with how often, when first and last, and by whom; in the order
    first seen (then by code). `after` (first seen, code) and `limit` give one page."""
    first_seen = func.min(Scan.scanned_at)
    unknown = (Scan.tenant_id == tenant_id, Scan.session_id == session_id, Scan.result == "unknown_code")
    stmt = (select(Scan.code, func.count().label("count"), first_seen.label("first_seen"),
                   func.max(Scan.scanned_at).label("last_seen"))
            .where(*unknown).group_by(Scan.code).order_by(first_seen, Scan.code))
    if after is not None:
        stmt = stmt.having(or_(first_seen > after[0], and_(first_seen == after[0], Scan.code > after[1])))
    if limit is not None:
        stmt = stmt.limit(limit)
    groups = (await db.execute(stmt)).all()
    if not groups:
        return []
    user = User.__table__.alias("scan_user")
    key = ApiKey.__table__.alias("scan_key")
    who = (select(Scan.code, user.c.email, key.c.name.label("key_name"))
           .outerjoin(user, (user.c.tenant_id == Scan.tenant_id) & (user.c.id == Scan.user_id))
           .outerjoin(key, (key.c.tenant_id == Scan.tenant_id) & (key.c.id == Scan.api_key_id))
           .where(*unknown).order_by(Scan.scanned_at, Scan.id))
    if limit is not None:
        who = who.where(Scan.code.in_([g.code for g in groups]))
    scanners: dict[str, dict[str, None]] = defaultdict(dict)
    for r in await db.execute(who):
        scanners[r.code][scanner_name(r.email, r.key_name)] = None  # each name once, in the order they scanned
    return [UnknownCode(code=g.code, count=g.count, first_seen_at=g.first_seen, last_seen_at=g.last_seen,
                        scanned_by=list(scanners[g.code])) for g in groups]


async def unknown_codes_page(db: AsyncSession, tenant_id: UUID, session_id: UUID, *, limit: int | None,
                             cursor: str | None) -> tuple[list[UnknownCode], str | None]:
    await service.get(db, tenant_id, session_id)
    size = clamp_limit(limit)
    after = None
    if cursor:
        first_seen, code = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(first_seen), _as_text(code))
        except (TypeError, ValueError):
            raise BadRequest("cursor is not valid for this list; start again without it", {"cursor": "invalid"}) from None
    codes = await unknown_codes(db, tenant_id, session_id, limit=size + 1, after=after)
    if len(codes) <= size:
        return codes, None
    last = codes[size - 1]
    return codes[:size], encode_cursor([last.first_seen_at, last.code])


def _as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


async def missing_page(db: AsyncSession, tenant_id: UUID, session_id: UUID, *, q: str | None, limit: int | None,
                       cursor: str | None) -> tuple[list[MissingItem], str | None]:
    """Expected items not seen yet, by expected location path, then tag; `q` finds a tag, name or serial."""
    await service.get(db, tenant_id, session_id)
    size = clamp_limit(limit)
    place = func.coalesce(func.lower(Location.path), "")
    stmt = (select(Asset.id, Asset.tag, Asset.name, Asset.serial, Asset.category_id, Category.name.label("category"),
                   Asset.last_verified_at, Location.id.label("location_id"), Location.name.label("location_name"),
                   Location.path, Location.code, place.label("place_key"), Asset.tag_key)
            .select_from(SessionItem)
            .join(Asset, (Asset.tenant_id == SessionItem.tenant_id) & (Asset.id == SessionItem.asset_id))
            .outerjoin(Category, (Category.tenant_id == Asset.tenant_id) & (Category.id == Asset.category_id))
            .outerjoin(Location, (Location.tenant_id == SessionItem.tenant_id)
                       & (Location.id == SessionItem.expected_location_id))
            .where(SessionItem.tenant_id == tenant_id, SessionItem.session_id == session_id,
                   SessionItem.state == "unscanned"))
    if q and q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(Asset.tag.ilike(pattern, escape="\\") | Asset.name.ilike(pattern, escape="\\")
                          | Asset.serial.ilike(pattern, escape="\\"))
    if cursor:
        last_place, last_tag, last_id = decode_cursor(cursor, 3)
        try:
            last_place, last_tag, last_id = _as_text(last_place), _as_text(last_tag), UUID(_as_text(last_id))
        except ValueError:
            raise BadRequest("cursor is not valid for this list; start again without it", {"cursor": "invalid"}) from None
        stmt = stmt.where(or_(place > last_place, and_(place == last_place, or_(
            Asset.tag_key > last_tag, and_(Asset.tag_key == last_tag, Asset.id > last_id)))))
    rows = (await db.execute(stmt.order_by(place, Asset.tag_key, Asset.id).limit(size + 1))).all()
    items = [MissingItem(asset_id=r.id, tag=r.tag, name=r.name, serial=r.serial, category_id=r.category_id,
                         category_name=r.category, last_seen_at=r.last_verified_at,
                         expected_location=LocationRef(id=r.location_id, name=r.location_name, path=r.path,
                                                       code=r.code) if r.location_id else None)
             for r in rows[:size]]
    if len(rows) <= size:
        return items, None
    last = rows[size - 1]
    return items, encode_cursor([last.place_key, last.tag_key, last.id])


async def _scanners(db: AsyncSession, tenant_id: UUID, session_id: UUID, lines: list[ItemLine]) -> list[ScannerCount]:
    rows = await db.execute(
        select(Scan.user_id, Scan.api_key_id, User.email, ApiKey.name.label("key_name"), func.count().label("scans"))
        .outerjoin(User, (User.tenant_id == Scan.tenant_id) & (User.id == Scan.user_id))
        .outerjoin(ApiKey, (ApiKey.tenant_id == Scan.tenant_id) & (ApiKey.id == Scan.api_key_id))
        .where(Scan.tenant_id == tenant_id, Scan.session_id == session_id, Scan.result != "location_set")
        .group_by(Scan.user_id, Scan.api_key_id, User.email, ApiKey.name))
    counted = Counter(line.scanner_key for line in lines if line.scanner_key is not None)
    scanners = [ScannerCount(user_id=r.user_id, api_key_id=r.api_key_id, name=scanner_name(r.email, r.key_name),
                             scans=r.scans, counted=counted.get((r.user_id, r.api_key_id), 0)) for r in rows]
    return sorted(scanners, key=lambda s: (-s.scans, s.name))


async def _moves(db: AsyncSession, tenant_id: UUID, session_id: UUID) -> list[MovedRow]:
    rows = (await db.execute(
        select(AssetEvent.asset_id, AssetEvent.at, AssetEvent.data, Asset.tag, Asset.name)
        .join(Asset, (Asset.tenant_id == AssetEvent.tenant_id) & (Asset.id == AssetEvent.asset_id))
        .where(AssetEvent.tenant_id == tenant_id, AssetEvent.type == "MOVED",
               AssetEvent.data["sessionId"].as_string() == str(session_id))
        .order_by(AssetEvent.at, AssetEvent.id))).all()

    def location_id(value: Any) -> UUID | None:
        try:
            return UUID(str(value))
        except ValueError:
            return None

    ends = [(location_id(r.data.get("from")), location_id(r.data.get("to"))) for r in rows]
    paths = await _location_paths(db, tenant_id, [i for pair in ends for i in pair])
    return [MovedRow(asset_id=r.asset_id, tag=r.tag, name=r.name, from_location=paths.get(source) if source else None,
                     to_location=paths.get(target) if target else None, moved_at=r.at)
            for r, (source, target) in zip(rows, ends, strict=True)]


def _breakdowns(lines: list[ItemLine]) -> tuple[list[CategoryCount], list[LocationCount]]:
    """Counts of the expected set (extras and excluded items left out) by category and by expected location."""
    by_category: dict[UUID | None, list[Any]] = defaultdict(lambda: [None, 0, 0])
    by_location: dict[UUID | None, list[Any]] = defaultdict(lambda: [None, 0, 0])
    for line in lines:
        if line.state not in EXPECTED:
            continue
        for table, key, label in ((by_category, line.category_id, line.category or NO_CATEGORY),
                                  (by_location, line.expected_location_id, line.expected_location or NO_LOCATION)):
            counts = table[key]
            counts[0] = label
            counts[1] += 1
            counts[2] += line.state == "scanned"
    categories = [CategoryCount(category_id=k, name=v[0], expected=v[1], scanned=v[2], missing=v[1] - v[2])
                  for k, v in by_category.items()]
    places = [LocationCount(location_id=k, name=v[0].rsplit(" > ", 1)[-1], path=v[0], expected=v[1], scanned=v[2],
                            missing=v[1] - v[2]) for k, v in by_location.items()]
    return sorted(categories, key=lambda c: c.name.casefold()), sorted(places, key=lambda p: p.path.casefold())


def missing_row(line: ItemLine) -> MissingRow:
    return MissingRow(asset_id=line.asset_id, tag=line.tag, name=line.name, category=line.category,
                      expected_location=line.expected_location)


async def build(db: AsyncSession, tenant: TenantInfo, session_id: UUID) -> tuple[SessionReport, list[ItemLine]]:
    """The report and the item lines it was made from (the CSV's rows)."""
    audit = await service.get(db, tenant.id, session_id)
    lines = await item_lines(db, tenant.id, session_id)
    unknown = await unknown_codes(db, tenant.id, session_id)
    moves = await _moves(db, tenant.id, session_id)
    standing = Scan.undone_at.is_(None)  # an undone scan is taken back: it no longer dates the audit
    scans = (await db.execute(
        select(func.min(Scan.scanned_at).filter(standing), func.max(Scan.scanned_at).filter(standing),
               func.count(Scan.asset_id.distinct()).filter(Scan.result == "wrong_location"))
        .where(Scan.tenant_id == tenant.id, Scan.session_id == session_id))).one()
    first_scan, last_scan, wrong_location = scans
    states = Counter(line.state for line in lines)
    by_category, by_location = _breakdowns(lines)
    scope = await _location_paths(db, tenant.id, [audit.location_id])
    report = SessionReport(
        totals=ReportTotals(expected=states["unscanned"] + states["scanned"], scanned=states["scanned"],
                            missing=states["unscanned"], extras=states["extra"], wrong_location=wrong_location,
                            moved=len({m.asset_id for m in moves}), unknown_codes=len(unknown)),
        by_category=by_category, by_location=by_location,
        scanners=await _scanners(db, tenant.id, session_id, lines),
        duration=ReportDuration(created_at=audit.created_at, completed_at=audit.completed_at,
                                first_scan_at=first_scan, last_scan_at=last_scan),
        missing=[missing_row(line) for line in lines if line.state == "unscanned"],
        extras=[ExtraRow(asset_id=line.asset_id, tag=line.tag, name=line.name, category=line.category,
                         found_location=line.found_location, scanned_at=line.scanned_at, scanned_by=line.scanned_by)
                for line in lines if line.state == "extra"],
        moves=moves, unknown_codes=unknown,
        session=_session_info(audit, tenant, scope), generated_at=utcnow())
    return report, lines


def _session_info(audit: AuditSession, tenant: TenantInfo, paths: dict[UUID, str]) -> ReportSession:
    location = paths.get(audit.location_id) if audit.location_id else None
    return ReportSession(id=audit.id, name=audit.name, status=audit.status, location=location, tenant=tenant.name)


# --- CSV and HTML ---------------------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A cell as text that a spreadsheet shows and never runs: a leading formula character gets a quote."""
    if value is None:
        return ""
    text = value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def items_csv(lines: Iterable[ItemLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        writer.writerow([safe_cell(v) for v in (line.tag, line.name, line.category, line.expected_location, line.state,
                                                line.scanned_at, line.found_location)])
    return out.getvalue()


def csv_response(lines: Iterable[ItemLine], filename: str) -> Response[Any]:
    return Response(items_csv(lines), media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="{filename}"',
                             "cache-control": "private, no-cache"})


def html_response(template: str, **context: Any) -> Template:
    return Template(template, context={**context, "generated_at": context.get("generated_at") or utcnow()},
                    media_type=MediaType.HTML, headers={"cache-control": "private, no-cache"})


def report_response(report: SessionReport, lines: list[ItemLine], report_format: ReportFormat) -> Response[Any]:
    if report_format == "csv":
        return csv_response(lines, f"session-{report.session.id}-report.csv")
    if report_format == "html":
        return html_response("reports/session.html", report=report, tenant_name=report.session.tenant,
                             generated_at=report.generated_at)
    return Response(report)


async def missing_response(db: AsyncSession, tenant: TenantInfo, session_id: UUID,
                           report_format: ReportFormat) -> Response[Any]:
    """The missing list as CSV or a printable page (its JSON form is missing_page)."""
    audit = await service.get(db, tenant.id, session_id)
    lines = await item_lines(db, tenant.id, session_id, states=("unscanned",))
    if report_format == "csv":
        return csv_response(lines, f"session-{audit.id}-missing.csv")
    session = _session_info(audit, tenant, await _location_paths(db, tenant.id, [audit.location_id]))
    return html_response("reports/missing.html", session=session, tenant_name=tenant.name,
                         missing=[missing_row(line) for line in lines])
