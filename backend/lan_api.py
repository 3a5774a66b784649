"""/ca and /ca.crt: the local CA of `fieldscan serve --lan`, for a phone to download and trust once.

Both answer on any host, with no sign-in and no tenant: a phone opens them before it can trust the server,
let alone sign in. Without a CA in the data folder, /ca.crt is the usual JSON 404 and /ca a page that says
how to make one.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID
from litestar import Request, Response, get
from litestar.openapi import ResponseSpec
from litestar.response import Template

from backend import lan
from backend.context import settings_of
from backend.errors import ErrorBody, NotFound
from backend.pages.api import not_found, page

NO_CA = "This server has no local certificate authority yet: start it with `fieldscan serve --lan` to make one."


def _ca_certificate(request: Request) -> x509.Certificate:
    try:
        cert = lan.read_ca_certificate(settings_of(request.app.state).var_dir)
    except lan.LanError as exc:
        raise NotFound(f"The local certificate authority cannot be read ({exc}); restart `fieldscan serve --lan`") from None
    if cert is None:
        raise NotFound(NO_CA)
    return cert


@get("/ca.crt", summary="The local CA certificate of `fieldscan serve --lan` (DER), for phones to trust",
     tags=["system"], media_type=lan.CA_MEDIA_TYPE,
     responses={404: ResponseSpec(ErrorBody, generate_examples=False, description="No local CA in the data folder")})
async def ca_certificate(request: Request) -> Response[bytes]:
    # DER is what this type means and what both phones' installers read; inline lets Safari offer the profile.
    return Response(lan.der(_ca_certificate(request)), media_type=lan.CA_MEDIA_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{lan.CA_FILENAME}"',
                             "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


@get("/ca", include_in_schema=False)
async def ca_page(request: Request) -> Template:
    try:
        cert = _ca_certificate(request)
    except NotFound as exc:
        return not_found(request, exc.message)
    name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return page(request, "ca", ca_name=name, fingerprint=lan.fingerprint(cert),
                expires=f"{cert.not_valid_after_utc:%Y-%m-%d}", filename=lan.CA_FILENAME)
