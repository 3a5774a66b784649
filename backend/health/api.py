"""Asset health, one asset or many."""

from __future__ import annotations

from litestar import Router

from backend.auth.guards import technician

router = Router("/inventory-items", guards=[technician], tags=["inventory-items"], route_handlers=[])
