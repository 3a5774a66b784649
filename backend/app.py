"""create_app(settings) builds the whole service; nothing is configured at import time."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from backend import __version__
from backend.auth.api import router as auth_router
from backend.auth.users_api import router as users_router
from backend.auth.service import AuthCache
from backend.categories.api import router as categories_router
from backend.context import provide_db, provide_principal
from backend.db.engine import open_database
from backend.errors import BadRequest, ErrorBody, UnsupportedMediaType, error_response, exception_handlers
from backend.headers import SecurityHeaders
from backend.ratelimit.service import RateLimiter, add_rate_limit_headers
from backend.settings import Settings
from backend.wire import set_cursor_scope
from backend.pages.api import home, label_pages
from backend.request_body import FieldscanRequest
from backend.lan_api import ca_certificate, ca_page
from backend.system.api import health, ready
from backend.system.docs import LocalSwaggerUI
from backend.tenancy.api import router as tenancy_router
from backend.tenancy.guards import resolve_tenant
from backend.tenancy.service import TenantCache

API_PREFIX = "/api/v1"
# What every /api/v1 operation documents besides its success: the one error body, not Litestar's default.
ERROR_RESPONSES = {
    400: ResponseSpec(ErrorBody, generate_examples=False, description="Malformed or invalid input; details name each bad field"),
    401: ResponseSpec(ErrorBody, generate_examples=False, description="Not signed in, or the token or API key is not valid here"),
    403: ResponseSpec(ErrorBody, generate_examples=False, description="Signed in, but the role is not enough"),
    404: ResponseSpec(ErrorBody, generate_examples=False, description="Unknown tenant, or no such record in this tenant"),
    429: ResponseSpec(ErrorBody, generate_examples=False,
                      description="A rate limit: X-RateLimit-Limit, -Remaining and -Reset say which; Retry-After, for how long"),
}
# What every operation that changes something may answer besides: a conflict with the current state, and
# for those that take a body, one too large or not JSON.
CHANGE_RESPONSES = {
    409: ResponseSpec(ErrorBody, generate_examples=False, description="Conflicts with the current state (details name what)"),
}
BODY_RESPONSES = {
    413: ResponseSpec(ErrorBody, generate_examples=False, description="The body is larger than FIELDSCAN_MAX_BODY_BYTES"),
    415: ResponseSpec(ErrorBody, generate_examples=False, description="The body is not JSON (Content-Type)"),
}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PWA = Path(__file__).resolve().parent.parent / "pwa"


def create_app(settings: Settings | None = None, *, pwa_root: Path | None = None) -> Litestar:
    """The service; `pwa_root` serves the PWA under /app/ from another folder than the repository's pwa/."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def database_lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.database = open_database(settings.database_url)
        app.state.rate_limiter = RateLimiter.for_settings(settings)
        try:
            yield
        finally:
            await app.state.rate_limiter.close()
            await app.state.database.dispose()

    from backend.assets.api import public_router as public_assets_router
    from backend.assets.api import router as assets_router
    from backend.assets.csv_api import router as asset_csv_router
    from backend.assets.lifecycle_api import people_router as people_history_router
    from backend.assets.lifecycle_api import router as lifecycle_router
    from backend.customfields.api import router as custom_fields_router
    from backend.health.api import router as health_router
    from backend.labels.api import router as labels_router
    from backend.locations.api import router as locations_router
    from backend.maintenance.api import router as maintenance_router
    from backend.people.api import router as people_router
    from backend.printers.api import router as printers_router
    from backend.pwa.api import pwa_router
    from backend.quickadd.api import admin_router, events_router
    from backend.sessions.api import router as sessions_router
    from backend.trash.api import router as trash_router

    api = Router(
        API_PREFIX,
        guards=[resolve_tenant],
        dependencies={"db": Provide(provide_db), "principal": Provide(provide_principal, sync_to_thread=False)},
        route_handlers=[auth_router, users_router, tenancy_router, categories_router, locations_router, people_router, assets_router,
                       public_assets_router, events_router, sessions_router, labels_router, printers_router,
                       admin_router,
                       # the lifecycle (issue 6): one router per concern
                       asset_csv_router, lifecycle_router, people_history_router, health_router, maintenance_router,
                       custom_fields_router, trash_router],
    )
    app = Litestar(
        route_handlers=[api, health, ready, ca_page, ca_certificate, home, label_pages, pwa_router(pwa_root or PWA)],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        lifespan=[database_lifespan],
        state=State({"settings": settings, "tenant_cache": TenantCache(), "auth_cache": AuthCache()}),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        before_request=check_request,
        request_class=FieldscanRequest,  # JSON bodies checked before they are decoded
        before_send=[SecurityHeaders(settings),  # CSP, nosniff, HSTS...: on every answer, errors included
                     add_rate_limit_headers],  # X-RateLimit-*: on every answer counted against a limit
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Fieldscan API",
            version=__version__,
            description="Audit physical assets with a phone. The tenant is the first label of the Host header.",
            path="/schema",
            render_plugins=[LocalSwaggerUI(path=["/swagger"])],  # also the page at /schema itself
            openapi_router=Router("/schema", route_handlers=[], include_in_schema=False,
                                  after_request=schema_page_not_found_as_json),
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="never",
        ),
        debug=False,
    )
    document_error_responses(app)
    return app


JSON_TYPES = ("application/json", "application/msgpack")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
CHANGE_METHODS = BODY_METHODS | {"DELETE"}


async def check_request(request: Request) -> None:
    """Refuse, before any handler runs, what no handler could use; bind this request's list cursors."""
    # The Host names the tenant: a cursor of one tenant's list is refused on another's.
    set_cursor_scope(request.app.state.settings.secret_key, f"{request.headers.get('host', '')}{request.url.path}",
                     request.query_params.get("sort"))
    for name, value in request.query_params.multi_items():
        # A NUL is never meaningful in a query, and PostgreSQL cannot even compare it: a 400, not a 500.
        if "\x00" in name or "\x00" in value:
            field = name.replace("\x00", "")[:40]
            raise BadRequest(f"The query parameter '{field}' contains a NUL character", {field: "NUL is not allowed"})
    content_type = request.headers.get("content-type")
    if request.method in BODY_METHODS and content_type and request.url.path.startswith(API_PREFIX):
        media = content_type.split(";", 1)[0].strip().lower()
        if not (media in JSON_TYPES or media.endswith("+json")):
            raise UnsupportedMediaType(f"Send the body as JSON with 'Content-Type: application/json', not '{media[:60]}'",
                                       {"contentType": "application/json"})


def schema_page_not_found_as_json(response: Response) -> Response:
    """Litestar answers an unknown /schema/... page with HTML; every error of this service is {message, details}."""
    if response.status_code == 404:
        return error_response(404, "No such page of the API documentation; see /schema or /schema/openapi.json")
    return response


def document_error_responses(app: Litestar) -> None:
    for route in app.routes:
        if not route.path.startswith(API_PREFIX):
            continue
        for handler in getattr(route, "route_handlers", ()):
            # Handlers were copied when registered, so this changes this app's schema only.
            methods = set(handler.http_methods)
            extra = {**(CHANGE_RESPONSES if methods & CHANGE_METHODS else {}),
                     **(BODY_RESPONSES if methods & BODY_METHODS else {})}
            handler.responses = {**ERROR_RESPONSES, **extra, **(handler.responses or {})}


def create_app_from_env() -> Litestar:
    """Factory for `uvicorn --factory` and `fieldscan serve`."""
    logging.getLogger("fieldscan").setLevel(logging.INFO)
    app = create_app(Settings.from_env())
    # Everything built so far (modules, routes, schema) lives as long as the process: move it out of
    # the collector's reach, so full collections under a scan burst stop walking it. Measured with
    # scripts/bench: scan p99 96-110 ms -> 32-34 ms, 1,100-1,200 -> 1,260-1,350 scans/s. Only here,
    # in the served process: tests build thousands of apps and must get theirs collected.
    gc.collect()
    gc.freeze()
    return app
