"""Every table, imported once so that Base.metadata is complete (Alembic and tests use this)."""

from backend.assets.models import Asset
from backend.auth.models import ApiKey, User
from backend.categories.models import Category
from backend.customfields.models import CustomField
from backend.db.base import Base
from backend.events.models import AssetEvent
from backend.labels.models import BlankBatch, BlankTag, LabelCalibration
from backend.locations.models import Location
from backend.maintenance.models import MaintenanceLog, MaintenanceSchedule
from backend.people.models import Person
from backend.printers.models import Printer
from backend.quickadd.models import QuickAddEvent
from backend.ratelimit.models import RateCounter
from backend.sessions.models import AuditSession, ScannerPosition, Scan, SessionItem
from backend.tenancy.models import Counter, Tenant

__all__ = ["ApiKey", "Asset", "AssetEvent", "AuditSession", "Base", "BlankBatch", "BlankTag", "Category", "Counter", "CustomField",
           "LabelCalibration", "Location", "MaintenanceLog", "MaintenanceSchedule", "Person", "Printer", "QuickAddEvent", "RateCounter", "ScannerPosition", "Scan",
           "SessionItem", "Tenant", "User"]
