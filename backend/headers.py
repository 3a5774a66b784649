"""Security headers on every answer of the service: pages, the API's JSON (errors included), static files.

Added in one place, a `before_send` hook of the app, so nothing can miss them: a 404 of the router, an
exception's error body, a file of the PWA and a streamed CSV all pass through it. A header a handler set
itself is kept (the label pages send a tighter policy and `no-referrer`); every other one is added.

The policy allows only the service's own files: no inline script or style anywhere (the pages' styles
are files under /app/, the API documentation starts from /schema/swagger-init.js). Beyond 'self' it needs:
- script-src 'wasm-unsafe-eval': the camera's decoder (ZXing compiled to WebAssembly) is compiled by the
  browser, which a policy without it forbids; no JavaScript eval is allowed;
- img-src data: Swagger UI's stylesheet draws its icons from data: URLs;
- frame-src blob: a sheet of labels is printed from a PDF made into a blob: URL in a hidden frame.
Styles set from JavaScript through the CSSOM (element.style.x = …) are not inline styles to the browser.

The hook runs for every message of every answer, the scan route's included: the header lines are built
once, and a message that does not start an answer is passed on after one comparison.
"""

from __future__ import annotations

from litestar.types import Message, Scope

from backend.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# No Referer at all, from any page: the app's addresses and the label pages' carry asset tags and audit
# ids, and even an origin alone names the tenant (its host). Nothing in the service reads Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# A year; set only where the service is reached over https, or a plain-http LAN install would be
# locked out of its own name for as long.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

HeaderLines = tuple[tuple[bytes, bytes], ...]


def _lines(headers: dict[str, str]) -> HeaderLines:
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


class SecurityHeaders:
    """The app's `before_send` hook: adds the security headers to the start of every HTTP answer."""

    __slots__ = ("always", "over_https", "names")

    def __init__(self, settings: Settings) -> None:
        hsts = {"Strict-Transport-Security": STRICT_TRANSPORT_SECURITY}
        # A public https address means browsers reach the service over https, whatever the proxy in front
        # of it says; otherwise only an answer to an https request (the scheme behind a trusted proxy
        # included, as uvicorn sets it) may ask the browser to stay on https.
        public_https = (settings.public_url or "").lower().startswith("https://")
        self.always = _lines({**SECURITY_HEADERS, **(hsts if public_https else {})})
        self.over_https = _lines({**SECURITY_HEADERS, **hsts})
        self.names = frozenset(name for name, _ in self.over_https)

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        lines = self.over_https if scope.get("scheme") == "https" else self.always
        headers = message.get("headers") or []
        present = {name.lower() for name, _ in headers if name.lower() in self.names} if headers else ()
        if present:
            lines = tuple(line for line in lines if line[0] not in present)
        # A new list: a response may send the same header list again (a cached answer).
        message["headers"] = [*headers, *lines]  # type: ignore[typeddict-unknown-key]
