"""create_app(settings) builds the whole service; nothing is configured at import time."""

from __future__ import annotations

import logging
from pathlib import Path
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from backend import __version__
from backend.auth.api import router as auth_router
from backend.auth.service import AuthCache
from backend.categories.api import router as categories_router
from backend.context import provide_db, provide_principal
from backend.db.engine import open_database
from backend.errors import exception_handlers
from backend.settings import Settings
from backend.pages.api import home
from backend.system.api import health, ready
from backend.tenancy.api import router as tenancy_router
from backend.tenancy.guards import resolve_tenant
from backend.tenancy.service import TenantCache

API_PREFIX = "/api/v1"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def database_lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.database = open_database(settings.database_url)
        try:
            yield
        finally:
            await app.state.database.dispose()

    from backend.assets.api import router as assets_router
    from backend.locations.api import router as locations_router
    from backend.people.api import router as people_router

    api = Router(
        API_PREFIX,
        guards=[resolve_tenant],
        dependencies={"db": Provide(provide_db), "principal": Provide(provide_principal, sync_to_thread=False)},
        route_handlers=[auth_router, tenancy_router, categories_router, locations_router, people_router, assets_router],
    )
    return Litestar(
        route_handlers=[api, health, ready, home],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        lifespan=[database_lifespan],
        state=State({"settings": settings, "tenant_cache": TenantCache(), "auth_cache": AuthCache()}),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Fieldscan API",
            version=__version__,
            description="Audit physical assets with a phone. The tenant is the first label of the Host header.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="never",
        ),
        debug=False,
    )


def create_app_from_env() -> Litestar:
    """Factory for `uvicorn --factory` and `fieldscan serve`."""
    logging.getLogger("fieldscan").setLevel(logging.INFO)
    return create_app(Settings.from_env())
