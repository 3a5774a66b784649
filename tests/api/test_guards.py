"""Every API route names the least role that may call it; only sign-in (a password or a one-time link) is open."""

from litestar.handlers import HTTPRouteHandler

OPEN_ROUTES = {
    ("/api/v1/auth/login", "POST"),
    # A one-time link is the credential: whom it is for, and setting the password with it.
    ("/api/v1/auth/password-link", "POST"),
    ("/api/v1/auth/set-password", "POST"),
    # An asset's QR image, like the printed label it copies, needs no sign-in (CONTRACT §7).
    ("/api/v1/inventory-items/{asset_id:str}/qr.png", "GET"),
    ("/api/v1/inventory-items/{asset_id:str}/qr.svg", "GET"),
}


def _api_handlers(app):
    for route in app.routes:
        if not route.path.startswith("/api/v1"):
            continue
        for handler in route.route_handlers:
            if isinstance(handler, HTTPRouteHandler):
                for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                    yield route.path, method, handler


def test_every_api_route_has_a_role_guard(app):
    unguarded = []
    for path, method, handler in _api_handlers(app):
        names = {guard.__name__ for guard in handler.resolve_guards()}
        if (path, method) not in OPEN_ROUTES and not any(n.startswith("requires_") for n in names):
            unguarded.append(f"{method} {path}")
    assert unguarded == []


def test_every_api_route_resolves_the_tenant_first(app):
    for path, method, handler in _api_handlers(app):
        assert handler.resolve_guards()[0].__name__ == "resolve_tenant", f"{method} {path}"
