"""Labels: which labels a request names and what each carries, blank-tag batches and their claims, and
each tenant's printer calibration. Drawing is backend.labels.render's; this module decides what to draw.

Every read ends its transaction before a sheet is drawn: a sheet of 2,000 labels takes seconds, and on
SQLite a write transaction held that long would stall every scan. The drawing modules are imported where
they draw: claims and scans use this module and never draw.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import UUID

import anyio.to_thread
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.context import Principal
from backend.db import listing
from backend.db.base import utcnow
from backend.db.records import get_in_tenant
from backend.errors import BadRequest, Conflict, NotFound
from backend.ids import uuid7
from backend.labels import codes
from backend.labels.models import BlankBatch, BlankTag, LabelCalibration
from backend.labels.schemas import (
    MAX_LABELS, BlankBatchIn, BlankBatchOut, BlankBatchSummary, BlankCodeOut, CalibrationIn, CalibrationOut, PrintIn,
    TemplateOut,
)
from backend.tenancy.service import TenantInfo

if TYPE_CHECKING:
    from backend.labels.render import Label
    from backend.labels.templates import LabelTemplate

DEFAULT_TEMPLATE = "avery-l7160"
DEFAULT_FORMAT = "pdf"
SORTS = {"createdAt": (BlankBatch.created_at, datetime)}
# Fresh codes drawn again when one is already taken in the tenant; far more than chance ever needs.
RESERVE_ATTEMPTS = 5
_SHOWN_IDS = 20  # how many missing ids an error names


@dataclass(frozen=True, slots=True)
class Sheet:
    """A rendered label or sheet, ready to send."""

    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True, slots=True)
class LabelOptions:
    template: str = DEFAULT_TEMPLATE
    format: str = DEFAULT_FORMAT
    start_position: int = 1
    copies: int = 1
    show_tenant: bool = True
    barcode: bool = True


# --- what a label carries -----------------------------------------------------------------------------------

def asset_url(origin: str, tag: str) -> str:
    """What an asset's QR code encodes: {origin}/a/{tag}."""
    return f"{origin}/a/{quote(tag, safe='')}"


def location_url(origin: str, code: str) -> str:
    return f"{origin}/l/{quote(code, safe='')}"


def blank_url(origin: str, code: str) -> str:
    return f"{origin}/t/{quote(code, safe='')}"


def _barcode(text: str, wanted: bool) -> str | None:
    # Code 128 carries printable ASCII; a tag beyond it (Küche-1) keeps its QR code and goes without a barcode.
    return text if wanted and text.isascii() and text.isprintable() else None


def asset_label(origin: str, tenant: TenantInfo, tag: str, name: str, options: LabelOptions) -> Label:
    from backend.labels.render import Label

    return Label(asset_url(origin, tag), tag, name=name, tenant_name=tenant.name if options.show_tenant else None,
                 barcode=_barcode(tag, options.barcode))


def location_label(origin: str, tenant: TenantInfo, code: str, path: str, options: LabelOptions) -> Label:
    from backend.labels.render import Label

    return Label(location_url(origin, code), code, name=path,
                 tenant_name=tenant.name if options.show_tenant else None, barcode=_barcode(code, options.barcode))


def blank_label(origin: str, tenant: TenantInfo, code: str, show_tenant: bool) -> Label:
    from backend.labels.render import Label

    return Label(blank_url(origin, code), code, name="", tenant_name=tenant.name if show_tenant else None,
                 barcode=code)


# --- templates, formats, drawing ----------------------------------------------------------------------------

def template_for(name: str, fmt: str) -> LabelTemplate:
    """The template, checked to print in this format; a 400 naming the field otherwise."""
    from backend.labels.render import FORMATS
    from backend.labels.templates import get_template

    template = get_template(name)
    if fmt not in FORMATS:
        raise BadRequest(f"Unknown label format '{fmt[:20]}'; use one of {', '.join(FORMATS)}",
                         {"format": f"one of {', '.join(FORMATS)}"})
    if fmt not in template.formats:
        raise BadRequest(f"The template {template.name} prints as {', '.join(template.formats)}, not {fmt}",
                         {"format": f"one of {', '.join(template.formats)} for {template.name}"})
    return template


def check_count(labels: int, copies: int, field: str) -> None:
    if labels * copies > MAX_LABELS:
        raise BadRequest(f"A print request makes at most {MAX_LABELS:,} labels; this one would make "
                         f"{labels * copies:,}. Print it in several parts.",
                         {field: f"at most {MAX_LABELS:,} labels (counting copies)"})


async def calibration_offset(db: AsyncSession, tenant_id: UUID, template: str) -> tuple[float, float]:
    """The tenant's printer offset for a template, (x, y) in mm; (0, 0) until calibrated."""
    row = (await db.execute(select(LabelCalibration.offset_x_mm, LabelCalibration.offset_y_mm).where(
        LabelCalibration.tenant_id == tenant_id, LabelCalibration.template == template))).first()
    return (row.offset_x_mm, row.offset_y_mm) if row else (0.0, 0.0)


def one_source(sources: dict[str, Any]) -> None:
    """A print request names what to print in exactly one of these fields; a 400 naming them otherwise."""
    named = [field for field, value in sources.items() if value is not None]
    if len(named) != 1:
        fields = list(sources)
        choice = f"exactly one of {', '.join(fields[:-1])} or {fields[-1]}"
        raise BadRequest(f"Name what to print with {choice}" + (f", not {' and '.join(named)}" if named else ""),
                         {field: choice for field in named or fields})


async def draw(db: AsyncSession, tenant_id: UUID, template: LabelTemplate, labels: Sequence[Label],
                options: LabelOptions, filename: str) -> Sheet:
    """The sheet, drawn on a worker thread once this request's transaction is over."""
    from backend.labels.render import media_type, render

    offset = await calibration_offset(db, tenant_id, template.name)
    await db.commit()
    content = await anyio.to_thread.run_sync(functools.partial(
        render, template, list(labels), options.format, start_position=options.start_position,
        copies=options.copies, offset_mm=offset))
    # ZPL is text (labels carry names in any script): UTF-8, which the template's ^CI28 tells the printer.
    media = media_type(options.format) + ("; charset=utf-8" if options.format == "zpl" else "")
    return Sheet(content, media, f"{filename}.{options.format}")


# --- labels of assets and locations -------------------------------------------------------------------------

async def asset_sheet(db: AsyncSession, tenant: TenantInfo, origin: str, asset_id: UUID,
                      options: LabelOptions) -> Sheet:
    from backend.assets import service as assets

    template = template_for(options.template, options.format)
    asset = await assets.get_live(db, tenant.id, asset_id, "print its label")
    label = asset_label(origin, tenant, asset.tag, asset.name, options)
    return await draw(db, tenant.id, template, [label], options, f"label-{asset.tag}")


async def location_sheet(db: AsyncSession, tenant: TenantInfo, origin: str, location_id: UUID,
                         options: LabelOptions) -> Sheet:
    template = template_for(options.template, options.format)
    location = (await _locations(db, tenant.id, [location_id])).get(location_id)
    if location is None:
        raise NotFound(f"Location {location_id} not found")
    label = location_label(origin, tenant, location.code, location.path, options)
    return await draw(db, tenant.id, template, [label], options, f"label-{location.code}")


async def _locations(db: AsyncSession, tenant_id: UUID, ids: Iterable[UUID]) -> dict[UUID, Any]:
    """Live locations by id (code and path), in one query."""
    from backend.locations.models import Location  # the locations service reads one row at a time

    wanted = list(dict.fromkeys(ids))
    found: dict[UUID, Any] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        rows = await db.execute(select(Location.id, Location.code, Location.path).where(
            Location.tenant_id == tenant_id, Location.id.in_(wanted[start:start + 500]),
            Location.deleted_at.is_(None)))
        found.update({row.id: row for row in rows})
    return found


def _not_found(what: str, field: str, missing: list[UUID]) -> NotFound:
    shown = ", ".join(str(i) for i in missing[:_SHOWN_IDS]) + (" …" if len(missing) > _SHOWN_IDS else "")
    return NotFound(f"{len(missing)} {what} not found (or deleted): {shown}",
                    {field: [str(i) for i in missing[:_SHOWN_IDS]], "missing": len(missing)})


async def print_sheet(db: AsyncSession, tenant: TenantInfo, origin: str, data: PrintIn) -> Sheet:
    """The labels a print request names: ids in the order given (repeats print again), a filter in tag order."""
    from backend.assets import service as assets

    one_source({"itemIds": data.item_ids, "locationIds": data.location_ids, "filter": data.filter})
    options = LabelOptions(data.template, data.format, data.start_position, data.copies, data.show_tenant,
                           data.barcode)
    template = template_for(options.template, options.format)
    labels: list[Label]
    if data.item_ids is not None:
        _check_ids(data.item_ids, data.copies, "itemIds")
        found = await assets.live_by_ids(db, tenant.id, data.item_ids)
        if missing := [i for i in dict.fromkeys(data.item_ids) if i not in found]:
            raise _not_found("assets", "itemIds", missing)
        labels = [asset_label(origin, tenant, found[i].tag, found[i].name, options) for i in data.item_ids]
    elif data.location_ids is not None:
        _check_ids(data.location_ids, data.copies, "locationIds")
        places = await _locations(db, tenant.id, data.location_ids)
        if missing := [i for i in dict.fromkeys(data.location_ids) if i not in places]:
            raise _not_found("locations", "locationIds", missing)
        labels = [location_label(origin, tenant, places[i].code, places[i].path, options) for i in data.location_ids]
    else:
        wanted = data.filter
        most = MAX_LABELS // data.copies
        filters = assets.AssetFilters(q=wanted.q, status=wanted.status, category_id=wanted.category_id,
                                      location_id=wanted.location_id,
                                      include_sublocations=wanted.include_sublocations)
        rows = await assets.for_labels(db, tenant.id, filters, limit=most + 1)
        if not rows:
            raise BadRequest("No asset matches this filter; nothing to print", {"filter": "matches no asset"})
        if len(rows) > most:
            raise BadRequest(f"More than {most:,} assets match this filter and a print request makes at most "
                             f"{MAX_LABELS:,} labels (counting copies); narrow the filter or print in parts",
                             {"filter": f"matches more than {most:,} assets"})
        labels = [asset_label(origin, tenant, row.tag, row.name, options) for row in rows]
    return await draw(db, tenant.id, template, labels, options, f"labels-{template.name}")


def _check_ids(ids: list[UUID], copies: int, field: str) -> None:
    if not ids:
        raise BadRequest(f"{field} is empty; name at least one", {field: "at least one id"})
    check_count(len(ids), copies, field)


# --- templates and calibration -------------------------------------------------------------------------------

def _calibration_out(template: str, row: LabelCalibration | None) -> CalibrationOut:
    if row is None:
        return CalibrationOut(template=template, offset_x_mm=0.0, offset_y_mm=0.0, updated_at=None)
    return CalibrationOut(template=template, offset_x_mm=row.offset_x_mm, offset_y_mm=row.offset_y_mm,
                          updated_at=row.updated_at)


async def templates(db: AsyncSession, tenant_id: UUID) -> list[TemplateOut]:
    from backend.labels.templates import load_templates

    rows = (await db.execute(select(LabelCalibration).where(LabelCalibration.tenant_id == tenant_id))).scalars()
    calibrations = {row.template: row for row in rows}
    return [template_out(t, _calibration_out(t.name, calibrations.get(t.name))) for t in load_templates().values()]


def template_out(template: LabelTemplate, calibration: CalibrationOut) -> TemplateOut:
    return TemplateOut(name=template.name, title=template.title, description=template.description,
                       page_width_mm=template.page_width_mm, page_height_mm=template.page_height_mm,
                       label_width_mm=template.label_width_mm, label_height_mm=template.label_height_mm,
                       columns=template.columns, rows=template.rows, slots=template.slots,
                       formats=list(template.formats), calibration=calibration)


def _known_template(name: str) -> LabelTemplate:
    """A template named in a path: unknown is a missing resource (404), not bad input."""
    from backend.labels.templates import get_template

    try:
        return get_template(name)
    except BadRequest as exc:
        raise NotFound(exc.message, exc.details) from None


async def set_calibration(db: AsyncSession, principal: Principal, name: str, data: CalibrationIn) -> CalibrationOut:
    template = _known_template(name)
    tenant_id = principal.tenant.id
    now = utcnow()
    values = {"offset_x_mm": data.offset_x_mm, "offset_y_mm": data.offset_y_mm, "updated_at": now,
              "updated_by_user_id": principal.user_id}
    dialect = postgresql if db.bind.dialect.name == "postgresql" else sqlite
    await db.execute(dialect.insert(LabelCalibration).values(tenant_id=tenant_id, template=template.name, **values)
                     .on_conflict_do_update(index_elements=[LabelCalibration.tenant_id, LabelCalibration.template],
                                            set_=values))
    await db.commit()
    return CalibrationOut(template=template.name, offset_x_mm=data.offset_x_mm, offset_y_mm=data.offset_y_mm,
                          updated_at=now)


# --- blank tags ---------------------------------------------------------------------------------------------

async def create_blank_batch(db: AsyncSession, principal: Principal, origin: str, data: BlankBatchIn, *,
                             with_sheet: bool) -> tuple[BlankBatchOut, Sheet | None]:
    """Reserve `count` codes no other blank tag of the tenant has, store the batch, and draw its sheet
    (unless only the codes are wanted). The sheet is drawn before anything is stored, so a sheet that
    cannot be drawn reserves nothing."""
    tenant = principal.tenant
    template = template_for(data.template, data.format)
    options = LabelOptions(template.name, data.format, data.start_position, show_tenant=data.show_tenant)
    batch_id = uuid7()
    fresh = _fresh_codes(data.count, set())
    for _ in range(RESERVE_ATTEMPTS):
        sheet = None
        if with_sheet:
            labels = [blank_label(origin, tenant, code, data.show_tenant) for code in fresh]
            sheet = await draw(db, tenant.id, template, labels, options, f"blank-tags-{batch_id}")
        taken = set((await db.execute(select(BlankTag.code).where(
            BlankTag.tenant_id == tenant.id, BlankTag.code.in_(fresh)))).scalars())
        if taken:  # drawn again with new codes in their places
            await db.rollback()
            fresh = [code if code not in taken else _fresh_codes(1, set(fresh) | taken)[0] for code in fresh]
            continue
        now = utcnow()
        db.add(BlankBatch(tenant_id=tenant.id, id=batch_id, count=data.count, template=template.name,
                          created_at=now, created_by_user_id=principal.user_id,
                          created_by_api_key_id=principal.api_key_id))
        await db.flush()
        await db.execute(insert(BlankTag), [
            {"tenant_id": tenant.id, "code": code, "batch_id": batch_id, "position": n, "asset_id": None,
             "created_at": now} for n, code in enumerate(fresh)])
        try:
            await db.commit()
        except IntegrityError:  # a concurrent batch took one of these codes a moment ago
            await db.rollback()
            fresh = _fresh_codes(data.count, set())
            continue
        return BlankBatchOut(id=batch_id, template=template.name, count=data.count, claimed=0, created_at=now,
                             codes=[BlankCodeOut(code=code, asset_id=None, claimed_at=None) for code in fresh]), sheet
    raise Conflict("Could not reserve fresh codes for this batch; try again", {"count": data.count})


def _fresh_codes(count: int, avoid: set[str]) -> list[str]:
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        code = codes.generate()
        if code not in avoid:
            chosen[code] = None
    return list(chosen)


async def list_blank_batches(db: AsyncSession, tenant_id: UUID, *, sort: str | None, limit: int | None,
                             cursor: str | None) -> tuple[list[BlankBatchSummary], str | None]:
    stmt = select(BlankBatch).where(BlankBatch.tenant_id == tenant_id)
    rows, next_cursor = await listing.page(db, stmt, BlankBatch.id, listing.parse_sort(sort, SORTS, "-createdAt"),
                                           limit, cursor)
    claimed = await _claimed_counts(db, tenant_id, [row.id for row in rows])
    return [BlankBatchSummary(id=row.id, template=row.template, count=row.count, claimed=claimed.get(row.id, 0),
                              created_at=row.created_at) for row in rows], next_cursor


async def _claimed_counts(db: AsyncSession, tenant_id: UUID, batch_ids: list[UUID]) -> dict[UUID, int]:
    if not batch_ids:
        return {}
    rows = await db.execute(select(BlankTag.batch_id, func.count()).where(
        BlankTag.tenant_id == tenant_id, BlankTag.batch_id.in_(batch_ids), BlankTag.asset_id.is_not(None))
        .group_by(BlankTag.batch_id))
    return {batch_id: count for batch_id, count in rows.tuples()}


async def _batch_codes(db: AsyncSession, tenant_id: UUID, batch_id: UUID) -> list[Any]:
    return list(await db.execute(select(BlankTag.code, BlankTag.asset_id, BlankTag.claimed_at).where(
        BlankTag.tenant_id == tenant_id, BlankTag.batch_id == batch_id).order_by(BlankTag.position)))


async def get_blank_batch(db: AsyncSession, tenant_id: UUID, batch_id: UUID) -> BlankBatchOut:
    batch = await get_in_tenant(db, BlankBatch, tenant_id, batch_id, "Blank batch")
    rows = await _batch_codes(db, tenant_id, batch_id)
    return BlankBatchOut(id=batch.id, template=batch.template, count=batch.count,
                         claimed=sum(row.asset_id is not None for row in rows), created_at=batch.created_at,
                         codes=[BlankCodeOut(code=row.code, asset_id=row.asset_id, claimed_at=row.claimed_at)
                                for row in rows])


async def blank_batch_sheet(db: AsyncSession, tenant: TenantInfo, origin: str, batch_id: UUID, fmt: str,
                            start_position: int, show_tenant: bool, unclaimed_only: bool) -> Sheet:
    """The batch's sheet again (a jammed printer, a lost sheet), its codes in their first order."""
    batch = await get_in_tenant(db, BlankBatch, tenant.id, batch_id, "Blank batch")
    template = template_for(batch.template, fmt)
    rows = [row for row in await _batch_codes(db, tenant.id, batch_id) if not (unclaimed_only and row.asset_id)]
    if not rows:
        raise BadRequest("Every code of this batch is claimed; nothing left to print",
                         {"unclaimedOnly": "no unclaimed code left"})
    labels = [blank_label(origin, tenant, row.code, show_tenant) for row in rows]
    options = LabelOptions(template.name, fmt, start_position, show_tenant=show_tenant)
    return await draw(db, tenant.id, template, labels, options, f"blank-tags-{batch_id}")


# --- claims (quick-add binds a blank tag to the asset it creates) ------------------------------------------

async def lock_for_claim(db: AsyncSession, tenant_id: UUID, code: str, field: str = "claimCode") -> None:
    """Hold the blank tag `code` (already validated) for this transaction: 404 if the tenant has no such
    code, 409 naming the asset if it is already claimed. Concurrent claims of one code wait here
    (PostgreSQL: a row lock; SQLite: the write lock), so exactly one of them binds it."""
    from backend.assets import service as assets

    row = (await db.execute(select(BlankTag.asset_id).where(BlankTag.tenant_id == tenant_id, BlankTag.code == code)
                            .with_for_update())).first()
    if row is None:
        raise NotFound(f"No blank tag with code '{code}' in this workspace; check the code on the label",
                       {field: "no such blank tag"})
    if row.asset_id is not None:
        asset = await assets.get(db, tenant_id, row.asset_id)
        deleted = " (deleted)" if asset.deleted_at is not None else ""
        raise Conflict(f"Tag code '{code}' is already on asset {asset.tag} ({asset.name}){deleted}",
                       {field: "already claimed", "assetId": str(asset.id), "tag": asset.tag})


async def bind(db: AsyncSession, tenant_id: UUID, code: str, asset_id: UUID, actor: Principal | None,
               field: str = "claimCode") -> None:
    """Bind a code held by lock_for_claim to a new asset, in the caller's transaction."""
    result = await db.execute(update(BlankTag).where(
        BlankTag.tenant_id == tenant_id, BlankTag.code == code, BlankTag.asset_id.is_(None)).values(
        asset_id=asset_id, claimed_at=utcnow(), claimed_by_user_id=actor.user_id if actor else None,
        claimed_by_api_key_id=actor.api_key_id if actor else None))
    if result.rowcount != 1:
        raise Conflict(f"Tag code '{code}' was claimed a moment ago", {field: "already claimed"})


async def find_blank(db: AsyncSession, tenant_id: UUID, code: str) -> tuple[bool, UUID | None]:
    """(whether the tenant has this blank tag, the asset it is bound to)."""
    row = (await db.execute(select(BlankTag.asset_id).where(BlankTag.tenant_id == tenant_id,
                                                            BlankTag.code == code))).first()
    return (row is not None, row.asset_id if row else None)
