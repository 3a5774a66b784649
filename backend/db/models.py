"""Every table, imported once so that Base.metadata is complete (Alembic and tests use this)."""

from backend.assets.models import Asset
from backend.auth.models import ApiKey, User
from backend.categories.models import Category
from backend.db.base import Base
from backend.locations.models import Location
from backend.people.models import Person
from backend.tenancy.models import Counter, Tenant

__all__ = ["ApiKey", "Asset", "Base", "Category", "Counter", "Location", "Person", "Tenant", "User"]
