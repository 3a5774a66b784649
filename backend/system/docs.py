"""The API documentation pages (/schema, /schema/swagger): Swagger UI served by the app itself.

Its files come from the pinned npm package `swagger-ui-dist` (pwa/package.json), served under /app/vendor/
like the camera's decoder, so the documentation works on a network with no internet and loads nothing
from a CDN.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin

SWAGGER = "/app/vendor/swagger-ui-dist"
FAVICON = "<link rel='icon' type='image/x-icon' href='/favicon.ico'>"


class LocalSwaggerUI(SwaggerRenderPlugin):
    """Swagger UI from the app's own files, with the online validator (a request to swagger.io) off."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(js_url=f"{SWAGGER}/swagger-ui-bundle.js", css_url=f"{SWAGGER}/swagger-ui.css",
                         standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
                         favicon=FAVICON, **kwargs)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        # Litestar's page asks for cross-origin loading (pointless for same-origin files) and leaves the
        # validator on its swagger.io default.
        page = page.replace(b" crossorigin>", b">")
        return page.replace(b"dom_id: '#swagger-container',", b"dom_id: '#swagger-container',\n"
                                                               b"                  validatorUrl: null,", 1)
