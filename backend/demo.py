"""The demo tenant: a small company with two buildings, people, a couple of hundred assets, and enough
lifecycle (a custom field, maintenance schedules, overdue check-outs) for every screen to show something."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, UTC
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from backend.assets import service as assets
from backend.assets.schemas import AssetIn
from backend.auth.rules import hash_password
from backend.auth.service import argon2_in_thread, create_user
from backend.categories import service as categories
from backend.categories.schemas import CategoryIn
from backend.customfields import service as customfields
from backend.customfields.schemas import CustomFieldIn
from backend.locations import service as locations
from backend.locations.schemas import LocationIn
from backend.maintenance import service as maintenance
from backend.maintenance.schemas import ScheduleIn
from backend.people import service as people
from backend.people.schemas import PersonIn
from backend.tenancy.service import create_tenant, find_by_slug

SITES = {
    "HQ": {"Floor 1": ["Reception", "Room 101", "Room 102", "Room 103"],
           "Floor 2": ["Room 201", "Room 202", "Room 203", "Room 204", "Room 205"],
           "Basement": ["Server room", "Plant room"]},
    "Warehouse": {"Aisle A": [], "Aisle B": [], "Workshop": []},
}
KINDS = {
    "Laptops": [("Dell", "Latitude 7440"), ("Lenovo", "ThinkPad T14"), ("Apple", "MacBook Pro 14")],
    "Monitors": [("Dell", "P2723QE"), ("LG", "27UL850")],
    "Phones": [("Apple", "iPhone 15"), ("Samsung", "Galaxy S24")],
    "Chairs": [("Herman Miller", "Aeron"), ("Steelcase", "Leap V2")],
    "Printers": [("Brother", "HL-L6210DW"), ("Zebra", "ZD421")],
    "Pumps": [("Grundfos", "CR 10-4"), ("Wilo", "Stratos MAXO")],
    "Tools": [("Bosch", "GSR 18V-90"), ("Fluke", "117")],
}
# Months an asset of the kind is expected to serve (the health rule past_life_expectancy).
LIFE_EXPECTANCY = {"Laptops": 48, "Monitors": 72, "Phones": 36, "Printers": 60}
# Kinds on a maintenance schedule: (title, every n months).
SERVICED = {"Pumps": ("Seal and bearing check", 3), "Printers": ("Clean and replace rollers", 6)}
DEPARTMENTS = ["IT", "Operations", "Finance", "Facilities"]
PEOPLE = ["Amara Okafor", "Ben Carter", "Chen Wei", "Dana Levi", "Elif Yilmaz", "Farid Haddad", "Grace Kim",
          "Hugo Martin", "Ines Duarte", "Jonas Berg", "Kavya Rao", "Luca Rossi"]


async def seed_demo(session: AsyncSession, slug: str, password: str, asset_count: int) -> bool:
    """Create the demo tenant; False (and nothing written) when it already exists."""
    # Hashed before the session's first statement, which on SQLite takes the write lock until the commit.
    password_hash = await argon2_in_thread(hash_password, password)
    if await find_by_slug(session, slug) is not None:
        return False
    rng = random.Random(20261122)
    # The lifecycle's extras draw from their own generator, so the assets (and where they are) stay the same.
    extras = random.Random(6)
    tenant = await create_tenant(session, slug, "Demo Company")
    tid = tenant.id
    for role, local in (("admin", "admin"), ("manager", "manager"), ("technician", "tech")):
        await create_user(session, tid, f"{local}@{slug}.example", password, role, name=f"Demo {role}",
                          password_hash=password_hash)

    rooms = []
    for site, floors in SITES.items():
        site_row = await locations.create(session, tid, LocationIn(name=site))
        for floor, names in floors.items():
            floor_row = await locations.create(session, tid, LocationIn(name=floor, parent_id=site_row.id))
            rooms.append(floor_row)
            for name in names:
                rooms.append(await locations.create(session, tid, LocationIn(name=name, parent_id=floor_row.id)))

    kinds = []
    for name, models in KINDS.items():
        category = await categories.create(session, tid, CategoryIn(
            name=name, life_expectancy_months=LIFE_EXPECTANCY.get(name)))
        kinds.append((category, models))
    staff = [await people.create(session, tid, PersonIn(name=name, email=_email(name, slug),
                                                        department=rng.choice(DEPARTMENTS))) for name in PEOPLE]
    await customfields.create(session, tid, CustomFieldIn(key="costCentre", name="Cost centre", type="select",
                                                          options=DEPARTMENTS))

    today = date.today()
    for n in range(asset_count):
        category, models = kinds[n % len(kinds)]
        maker, model = rng.choice(models)
        bought = today - timedelta(days=rng.randint(30, 2200))
        assignee = rng.choice(staff).id if category.name in ("Laptops", "Phones") and rng.random() < 0.7 else None
        asset = await assets.create(session, tid, AssetIn(
            name=f"{maker} {model}",
            category_id=category.id,
            location_id=rng.choice(rooms).id,
            assignee_id=assignee,
            serial=f"{maker[:2].upper()}{rng.randrange(10**9):09d}",
            manufacturer=maker,
            model=model,
            purchase_date=bought,
            purchase_cost=Decimal(rng.randrange(5_000, 300_000)) / 100,
            warranty_expiry=bought + timedelta(days=365 * rng.choice((1, 2, 3))),
            custom_fields={"costCentre": extras.choice(DEPARTMENTS)} if assignee else {},
        ))
        if assignee and extras.random() < 0.3:  # a loan with a due date; some of them late
            due = today + timedelta(days=extras.randint(-20, 40))
            asset.due_back_at = datetime.combine(due, time(17), UTC)
            await session.commit()
        if category.name in SERVICED:
            title, months = SERVICED[category.name]
            await maintenance.create_schedule(session, tid, ScheduleIn(
                item_id=asset.id, title=title, interval_value=months, interval_unit="months",
                next_due_date=today + timedelta(days=extras.randint(-30, 90))))
    return True


def _email(name: str, slug: str) -> str:
    return name.lower().replace(" ", ".") + f"@{slug}.example"
