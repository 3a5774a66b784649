"""What the public label pages show: only what the printed label already tells whoever holds it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import service as assets
from backend.labels import codes
from backend.labels import service as labels
from backend.locations.models import Location

STATUS_NAMES = {"available": "Available", "in_use": "In use", "reserved": "Reserved", "maintenance": "In maintenance",
                "missing": "Missing", "retired": "Retired"}


@dataclass(frozen=True, slots=True)
class AssetCard:
    """What a finder of the label needs and nothing more: whose it is (the page names the workspace), what it
    is and its tag. Where it belongs and its status are for signed-in users (the app's asset screen)."""

    name: str
    tag: str


@dataclass(frozen=True, slots=True)
class LocationCard:
    """A door label's page: the place the finder stands in. What it holds is for signed-in users."""

    name: str
    path: str
    code: str


@dataclass(frozen=True, slots=True)
class BlankTagState:
    """A blank tag as its page shows it: invalid (with why), unknown, unclaimed, or claimed by a live asset's tag."""

    code: str
    problem: str | None = None
    known: bool = False
    tag: str | None = None


async def asset_card(db: AsyncSession, tenant_id: UUID, tag: str) -> AssetCard | None:
    asset = await assets.find_by_tag(db, tenant_id, tag)
    if asset is None:
        return None
    return AssetCard(name=asset.name, tag=asset.tag)


async def location_card(db: AsyncSession, tenant_id: UUID, code: str) -> LocationCard | None:
    row = (await db.execute(select(Location.id, Location.name, Location.path, Location.code).where(
        Location.tenant_id == tenant_id, Location.code == code.strip().upper(), Location.deleted_at.is_(None)))).first()
    if row is None:
        return None
    return LocationCard(name=row.name, path=row.path, code=row.code)


async def blank_tag_state(db: AsyncSession, tenant_id: UUID, text: str) -> BlankTagState:
    if (problem := codes.problem(text)) is not None:
        return BlankTagState(code=text.strip()[:40], problem=problem)
    code = codes.normalize(text)
    known, asset_id = await labels.find_blank(db, tenant_id, code)
    if asset_id is None:
        return BlankTagState(code=code, known=known)
    asset = await assets.get(db, tenant_id, asset_id)
    if asset.deleted_at is not None:  # the asset it names is gone: as unknown as a code never printed
        return BlankTagState(code=code)
    return BlankTagState(code=code, known=True, tag=asset.tag)
