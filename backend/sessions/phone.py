"""What the phone reads (CONTRACT §5): the scan screen's payload, its version (the ETag) and the offline pack.

The first two run whole on a reader thread (run_read) as prebuilt statements, since a scan screen polls them.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from backend.assets.models import Asset
from backend.categories import service as categories
from backend.categories.models import Category
from backend.errors import NotFound
from backend.labels.models import BlankTag
from backend.locations import service as locations
from backend.locations.models import Location
from backend.people.models import Person
from backend.sessions import service
from backend.sessions.models import AuditSession, Scan, SessionItem
from backend.sessions.schemas import (
    LocationRef, MobileOut, NamedRef, OfflinePack, Progress, RecentScan, TagFormat,
)
from backend.sessions.views import location_ref
from backend.tenancy.service import get_tenant

_VERSION = select(AuditSession.version).where(
    AuditSession.tenant_id == bindparam("p_tenant"), AuditSession.id == bindparam("p_session"),
    AuditSession.deleted_at.is_(None))
_SESSION_HEAD = (select(AuditSession.id, AuditSession.name, AuditSession.status, AuditSession.version,
                        AuditSession.scanned_count, AuditSession.expected_count, Location.id.label("location_id"),
                        Location.name.label("location_name"), Location.path, Location.code)
                 .outerjoin(Location, (Location.tenant_id == AuditSession.tenant_id)
                            & (Location.id == AuditSession.location_id))
                 .where(AuditSession.tenant_id == bindparam("p_tenant"), AuditSession.id == bindparam("p_session"),
                        AuditSession.deleted_at.is_(None)))
_RECENT = (select(Scan.id, Scan.client_scan_id, Scan.code, Scan.result, Scan.asset_id, Scan.scanned_at,
                  Scan.undone_at, Asset.tag, Asset.name)
           .outerjoin(Asset, (Asset.tenant_id == Scan.tenant_id) & (Asset.id == Scan.asset_id))
           .where(Scan.tenant_id == bindparam("p_tenant"), Scan.session_id == bindparam("p_session"))
           .order_by(Scan.received_at.desc(), Scan.id.desc()).limit(20))


def version_of(db: Session, tenant_id: UUID, session_id: UUID) -> int:
    """The session's version alone: the whole cost of a 304. Synchronous, for run_read."""
    version = db.execute(_VERSION, {"p_tenant": tenant_id, "p_session": session_id}).scalar_one_or_none()
    if version is None:
        raise NotFound(f"Session {session_id} not found")
    return version


def mobile(db: Session, tenant_id: UUID, session_id: UUID) -> MobileOut:
    """The scan screen's payload in two prebuilt statements. Synchronous, for run_read."""
    params = {"p_tenant": tenant_id, "p_session": session_id}
    head = db.execute(_SESSION_HEAD, params).first()
    if head is None:
        raise NotFound(f"Session {session_id} not found")
    location = (LocationRef(id=head.location_id, name=head.location_name, path=head.path, code=head.code)
                if head.location_id else None)
    return MobileOut(id=head.id, name=head.name, status=head.status, location=location,
                     progress=Progress(scanned=head.scanned_count, total=head.expected_count), version=head.version,
                     recent_scans=[RecentScan(id=r.id, client_scan_id=r.client_scan_id, code=r.code, result=r.result,
                                              asset_id=r.asset_id, tag=r.tag, name=r.name, scanned_at=r.scanned_at,
                                              undone=r.undone_at is not None)
                                   for r in db.execute(_RECENT, params)])


# The columns of an offline pack's item rows. New ones go at the end: the PWA reads them by name.
PACK_FIELDS = ["assetId", "tag", "serial", "expectedLocation", "state", "codes", "name", "lastSeen"]


async def offline_pack(db: AsyncSession, tenant_id: UUID, session_id: UUID) -> OfflinePack:
    """Every item of the session as a row of PACK_FIELDS, every live location (door tags included), and
    what quick-add offers: live categories and people by name, the defaults and the tag format."""
    audit = await service.get(db, tenant_id, session_id)
    places = (await db.execute(select(Location).where(Location.tenant_id == tenant_id, Location.deleted_at.is_(None))
                               .order_by(Location.path))).scalars().all()
    index = {location.id: n for n, location in enumerate(places)}
    rows = await db.execute(
        select(SessionItem.asset_id, Asset.tag, Asset.serial, SessionItem.expected_location_id, SessionItem.state,
               Asset.name, Asset.last_verified_at)
        .join(Asset, (Asset.tenant_id == SessionItem.tenant_id) & (Asset.id == SessionItem.asset_id))
        .where(SessionItem.tenant_id == tenant_id, SessionItem.session_id == session_id))
    # Claimed blank tags, so a phone offline resolves a scanned /t/{code} to its asset too.
    codes: dict[UUID, list[str]] = {}
    for asset_id, code in await db.execute(
            select(BlankTag.asset_id, BlankTag.code)
            .join(SessionItem, (SessionItem.tenant_id == BlankTag.tenant_id) & (SessionItem.asset_id == BlankTag.asset_id))
            .where(SessionItem.tenant_id == tenant_id, SessionItem.session_id == session_id)
            .order_by(BlankTag.code)):
        codes.setdefault(asset_id, []).append(code)
    items = [[str(r.asset_id), r.tag, r.serial, index.get(r.expected_location_id), r.state, codes.get(r.asset_id),
              r.name, r.last_verified_at.date().isoformat() if r.last_verified_at else None]
             for r in rows]
    kinds = await db.execute(select(Category.id, Category.name).where(
        Category.tenant_id == tenant_id, Category.deleted_at.is_(None)).order_by(Category.name_key, Category.id))
    people = await db.execute(select(Person.id, Person.name).where(
        Person.tenant_id == tenant_id, Person.deleted_at.is_(None)).order_by(Person.name_sort, Person.id))
    tenant = await get_tenant(db, tenant_id)
    return OfflinePack(
        session_id=audit.id, version=audit.version, fields=PACK_FIELDS, items=items,
        locations=[location_ref(location) for location in places],
        categories=[NamedRef(id=r.id, name=r.name) for r in kinds],
        people=[NamedRef(id=r.id, name=r.name) for r in people],
        default_category_id=(await categories.default_category(db, tenant_id)).id,
        default_location_id=(await locations.default_location(db, tenant_id)).id,
        tag_format=TagFormat(prefix=tenant.tag_prefix, digits=tenant.tag_padding,
                             random_chars=tenant.tag_random_chars))
