"""The API documentation pages (/schema, /schema/swagger): Swagger UI served by the app itself.

Its files come from the pinned npm package `swagger-ui-dist` (pwa/package.json), served under /app/vendor/
like the camera's decoder, so the documentation works on a network with no internet and loads nothing
from a CDN. The page holds no inline script or style, which the service's Content-Security-Policy would
refuse (backend/headers.py): Swagger UI is started by /schema/swagger-init.js, and reads the document from
/schema/openapi.json rather than from a copy inlined in the page.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.plugins import SwaggerRenderPlugin

SWAGGER = "/app/vendor/swagger-ui-dist"
FAVICON = "<link rel='icon' type='image/x-icon' href='/favicon.ico'>"
INIT_SCRIPT = "swagger-init.js"
# The validator is off: it would send the document to swagger.io. The page's margin is set through the
# CSSOM, which the policy allows, rather than by a <style> block, which it does not.
SWAGGER_INIT = b"""// Starts Swagger UI on the API documentation page (served by backend/system/docs.py).
(() => {
  const container = document.getElementById('swagger-container');
  document.body.style.margin = '0';
  document.body.style.padding = '0';
  window.ui = SwaggerUIBundle({
    url: container.dataset.openapiUrl,
    dom_id: '#swagger-container',
    validatorUrl: null,
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
"""


@get(f"/{INIT_SCRIPT}", name="swagger_init", include_in_schema=False, sync_to_thread=False)
def swagger_init() -> Response[bytes]:
    return Response(SWAGGER_INIT, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


class LocalSwaggerUI(SwaggerRenderPlugin):
    """Swagger UI from the app's own files, with the online validator (a request to swagger.io) off."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(js_url=f"{SWAGGER}/swagger-ui-bundle.js", css_url=f"{SWAGGER}/swagger-ui.css",
                         standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
                         favicon=FAVICON, style="", **kwargs)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec = escape(self.get_openapi_json_route(request))
        init = escape(request.app.route_reverse("swagger_init"))
        return (f"<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
                f"<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
                f"<title>{title}</title>\n{self.favicon}\n"
                f"<link rel='stylesheet' href='{escape(self.css_url)}'>\n"
                f"<script src='{escape(self.js_url)}'></script>\n"
                f"<script src='{escape(self.standalone_preset_js_url)}'></script>\n"
                f"</head>\n<body>\n<div id='swagger-container' data-openapi-url='{spec}'></div>\n"
                f"<script src='{init}'></script>\n</body>\n</html>\n").encode()

    def receive_router(self, router: Router) -> None:
        # Instead of Litestar's /schema/oauth2-redirect.html: an inline script, for OAuth2 flows this API
        # does not have (it takes bearer tokens and API keys).
        router.register(swagger_init)
