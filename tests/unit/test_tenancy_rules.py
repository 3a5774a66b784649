"""Which tenant a Host header names, and which slugs may name a tenant."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from backend.tenancy.rules import RESERVED_SLUGS, host_name, slug_problem, tenant_slug_for_host

DEFAULT = "demo"

_SLUG_MIDDLE = "abcdefghijklmnopqrstuvwxyz0123456789-"
_SLUG_END = "abcdefghijklmnopqrstuvwxyz0123456789"

# Written out from the contract (1-63 lower-case letters, digits, hyphens; no hyphen at either end),
# not from the module's regex, so a wrong regex fails these tests.
slugs = st.one_of(
    st.text(_SLUG_END, min_size=1, max_size=1),
    st.builds(lambda first, middle, last: first + middle + last,
              st.text(_SLUG_END, min_size=1, max_size=1),
              st.text(_SLUG_MIDDLE, max_size=61),
              st.text(_SLUG_END, min_size=1, max_size=1)),
)
ports = st.integers(min_value=0, max_value=65535)


@given(slug=slugs, port=ports)
@example(slug="acme", port=8000)
@example(slug="a", port=0)
@example(slug="x" * 63, port=65535)
def test_first_label_of_a_localhost_host_with_a_port_is_the_tenant(slug: str, port: int) -> None:
    assert tenant_slug_for_host(f"{slug}.localhost:{port}", DEFAULT) == slug


@given(slug=slugs)
def test_first_label_of_a_host_without_a_port_is_the_tenant(slug: str) -> None:
    assert tenant_slug_for_host(f"{slug}.localhost", DEFAULT) == slug
    assert tenant_slug_for_host(f"{slug}.fieldscan.example", DEFAULT) == slug


def test_a_public_hostname_names_its_first_label() -> None:
    assert tenant_slug_for_host("acme.fieldscan.example", DEFAULT) == "acme"
    assert tenant_slug_for_host("acme.fieldscan.example:443", DEFAULT) == "acme"
    assert tenant_slug_for_host("acme.eu.fieldscan.example", DEFAULT) == "acme"


@given(slug=slugs, port=ports)
def test_upper_case_hosts_name_the_lower_case_tenant(slug: str, port: int) -> None:
    assert tenant_slug_for_host(f"{slug.upper()}.LocalHost:{port}", DEFAULT) == slug
    assert tenant_slug_for_host(f"{slug.upper()}.FIELDSCAN.EXAMPLE", DEFAULT) == slug


@pytest.mark.parametrize("host", [
    pytest.param("localhost", id="localhost"),
    pytest.param("localhost:8000", id="localhost-port"),
    pytest.param("LOCALHOST:8000", id="localhost-upper"),
    pytest.param("localhost.", id="localhost-trailing-dot"),
    pytest.param("127.0.0.1", id="ipv4"),
    pytest.param("127.0.0.1:8000", id="ipv4-port"),
    pytest.param("192.168.1.20:8080", id="lan-ipv4-port"),
    pytest.param("[::1]", id="ipv6"),
    pytest.param("[::1]:8000", id="ipv6-port"),
    pytest.param("::1", id="ipv6-unbracketed"),
    pytest.param("[fe80::1%eth0]:8000", id="ipv6-zone"),
    pytest.param("[::ffff:127.0.0.1]:8000", id="ipv4-mapped-ipv6"),
    pytest.param("fieldscan", id="single-label"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
    pytest.param(None, id="missing"),
])
def test_a_bare_host_maps_to_the_default_tenant(host: str | None) -> None:
    assert tenant_slug_for_host(host, DEFAULT) == DEFAULT
    assert tenant_slug_for_host(host, "main-office") == "main-office"


@given(ip=st.ip_addresses(v=4), port=ports)
def test_any_ipv4_host_maps_to_the_default_tenant(ip, port: int) -> None:
    assert tenant_slug_for_host(str(ip), DEFAULT) == DEFAULT
    assert tenant_slug_for_host(f"{ip}:{port}", DEFAULT) == DEFAULT


@given(ip=st.ip_addresses(v=6), port=ports)
def test_any_ipv6_host_maps_to_the_default_tenant(ip, port: int) -> None:
    assert tenant_slug_for_host(f"[{ip}]", DEFAULT) == DEFAULT
    assert tenant_slug_for_host(f"[{ip}]:{port}", DEFAULT) == DEFAULT


@pytest.mark.parametrize("host", [
    pytest.param("fieldscan.example", id="plain"),
    pytest.param("fieldscan.example:8443", id="port"),
    pytest.param("FieldScan.Example", id="upper"),
    pytest.param("fieldscan.example.", id="trailing-dot"),
    pytest.param("fieldscan.example.:443", id="trailing-dot-and-port"),
])
def test_the_base_domain_itself_maps_to_the_default_tenant(host: str) -> None:
    assert tenant_slug_for_host(host, DEFAULT, "fieldscan.example") == DEFAULT


def test_without_a_base_domain_its_first_label_is_a_tenant() -> None:
    assert tenant_slug_for_host("fieldscan.example", DEFAULT) == "fieldscan"
    assert tenant_slug_for_host("fieldscan.example", DEFAULT, None) == "fieldscan"
    assert tenant_slug_for_host("fieldscan.example", DEFAULT, "") == "fieldscan"


@pytest.mark.parametrize("base_domain", ["fieldscan.example", "FIELDSCAN.example", "fieldscan.example.", " fieldscan.example "])
def test_subdomains_of_the_base_domain_are_tenants_however_the_base_is_written(base_domain: str) -> None:
    assert tenant_slug_for_host("acme.fieldscan.example:8000", DEFAULT, base_domain) == "acme"
    assert tenant_slug_for_host("fieldscan.example", DEFAULT, base_domain) == DEFAULT


def test_a_base_domain_does_not_swallow_other_domains() -> None:
    assert tenant_slug_for_host("acme.localhost:8000", DEFAULT, "fieldscan.example") == "acme"
    assert tenant_slug_for_host("localhost:8000", DEFAULT, "fieldscan.example") == DEFAULT


def test_a_trailing_dot_on_a_fully_qualified_host_is_ignored() -> None:
    assert tenant_slug_for_host("acme.fieldscan.example.", DEFAULT) == "acme"
    assert tenant_slug_for_host("acme.fieldscan.example.:443", DEFAULT) == "acme"


def test_host_name_drops_port_brackets_and_case() -> None:
    assert host_name("Acme.LOCALHOST:8000") == "acme.localhost"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("example.com.:443") == "example.com"


@given(host=st.one_of(st.none(), st.text(), st.text(alphabet=".:[]-aA1 %\x00", max_size=12)))
@example(host="[")
@example(host="]:")
@example(host="[::1")
@example(host=".")
@example(host="...:::")
@example(host=".acme.localhost")
def test_junk_hosts_never_raise_and_never_name_a_dotted_tenant(host: str | None) -> None:
    slug = tenant_slug_for_host(host, DEFAULT, "fieldscan.example")
    assert isinstance(slug, str)
    assert "." not in slug  # a tenant is one label, never a whole host


@given(slug=slugs)
def test_slug_problem_accepts_every_well_formed_unreserved_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        assert slug_problem(slug) is not None
    else:
        assert slug_problem(slug) is None


@pytest.mark.parametrize("slug", ["acme", "a", "0", "acme-corp", "x1-2-3", "a" * 63, "123"])
def test_slug_problem_accepts(slug: str) -> None:
    assert slug_problem(slug) is None


@pytest.mark.parametrize("slug", [
    pytest.param("", id="empty"),
    pytest.param("-acme", id="leading-hyphen"),
    pytest.param("acme-", id="trailing-hyphen"),
    pytest.param("Acme", id="upper-case"),
    pytest.param("acme_corp", id="underscore"),
    pytest.param("acme.corp", id="dot"),
    pytest.param("acme corp", id="space"),
    pytest.param("acme\n", id="trailing-newline"),
    pytest.param("äcme", id="non-ascii"),
    pytest.param("a" * 64, id="64-chars"),
])
def test_slug_problem_refuses_malformed_slugs_and_says_what_is_allowed(slug: str) -> None:
    problem = slug_problem(slug)
    assert problem is not None
    assert "lower-case letters, digits and hyphens" in problem


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_slug_problem_refuses_reserved_names(slug: str) -> None:
    assert slug_problem(slug) == f"'{slug}' is reserved"


def test_hostnames_the_service_itself_needs_are_reserved() -> None:
    assert {"www", "api", "app", "admin", "static"} <= RESERVED_SLUGS


@given(junk=st.text())
def test_slug_problem_never_raises(junk: str) -> None:
    problem = slug_problem(junk)
    assert problem is None or isinstance(problem, str)
