"""What a scanned code names: label URLs from any host, under any path prefix, or text to look up."""

from __future__ import annotations

from typing import get_args
from urllib.parse import quote

from hypothesis import example, given, strategies as st

from backend.assets.rules import given_tag_problem
from backend.sessions.codes import Kind, ParsedCode, parse_code

# Every tag an asset may carry, stored trimmed; with the letters that change length or shape once case-folded.
tags = (st.text(st.characters(codec="utf-8") | st.sampled_from("ßẞKkİıſﬀǅ.-_~:;@&=+$,!*'()[]"), min_size=1,
                max_size=64)
        .map(str.strip).filter(lambda t: given_tag_problem(t) is None))
# Location and blank-tag codes: letters, digits and . _ - (the LocationCode pattern), any case.
label_codes = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", fullmatch=True)
schemes = st.sampled_from(["http", "https", "HTTP", "HTTPS", "Https"])
hostnames = st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), min_size=1, max_size=4)
hosts = hostnames.map(".".join) | st.sampled_from(["localhost", "127.0.0.1", "[::1]", "ACME.Fieldscan.APP"])
ports = st.none() | st.integers(min_value=1, max_value=65535)
prefixes = st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), max_size=3).map(
    lambda parts: "".join(f"/{p}" for p in parts))
queries = st.none() | st.text(st.characters(exclude_characters="#"), max_size=30)
fragments = st.none() | st.text(max_size=30)


def origin(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def tail(query: str | None, fragment: str | None) -> str:
    return (f"?{query}" if query is not None else "") + (f"#{fragment}" if fragment is not None else "")


@given(st.text(max_size=3000) | st.text(max_size=80).map(lambda t: "https://" + t) | st.text(max_size=80).map(
    lambda t: "/" + t))
@example("http://[::1/a/X")  # an unclosed IPv6 host: urlsplit raises
@example("https://host:port/a/X")
@example("/a/%ZZ")
@example("x" * 1999 + " y")  # cut at the length limit right after a space
def test_any_text_is_read_without_error(raw: str) -> None:
    parsed = parse_code(raw)
    assert parsed.kind in get_args(Kind)
    if parsed.kind == "text":
        assert parsed.value == raw.strip()[:2000].strip()
    else:
        assert parsed.value and parsed.value == parsed.value.strip()


@given(tag=tags, scheme=schemes, host=hosts, port=ports, query=queries, fragment=fragments)
@example(tag="AST-000001", scheme="https", host="localhost", port=None, query=None, fragment=None)
def test_an_asset_label_url_names_its_tag_whatever_the_host(tag, scheme, host, port, query, fragment) -> None:
    url = f"{origin(scheme, host, port)}/a/{quote(tag, safe='')}{tail(query, fragment)}"
    assert parse_code(url) == ParsedCode("asset", tag)


@given(tag=tags, scheme=schemes, host=hosts, port=ports, prefix=prefixes)
def test_an_asset_label_url_under_a_path_prefix_still_names_its_tag(tag, scheme, host, port, prefix) -> None:
    assert parse_code(f"{origin(scheme, host, port)}{prefix}/a/{quote(tag, safe='')}") == ParsedCode("asset", tag)
    assert parse_code(f"{prefix}/a/{quote(tag, safe='')}") == ParsedCode("asset", tag)


@given(code=label_codes, scheme=schemes, host=hosts, port=ports, prefix=prefixes, query=queries, fragment=fragments)
def test_blank_and_location_label_urls_name_their_codes(code, scheme, host, port, prefix, query, fragment) -> None:
    base, rest = f"{origin(scheme, host, port)}{prefix}", tail(query, fragment)
    assert parse_code(f"{base}/t/{quote(code, safe='')}{rest}") == ParsedCode("blank", code)
    assert parse_code(f"{base}/l/{quote(code, safe='')}{rest}") == ParsedCode("location", code)


@given(tag=tags, before=st.sampled_from(["", " ", "\t", "\n", "  \r\n"]), after=st.sampled_from(["", " ", "\t", "\r\n"]))
def test_a_typed_tag_is_text_trimmed_of_a_scanners_whitespace(tag, before, after) -> None:
    # A handheld scanner sends the bare tag followed by Enter or Tab; a person may add spaces.
    assert parse_code(f"{before}{tag}{after}") == ParsedCode("text", tag)
    assert parse_code(f"  {tag.lower()} ") == ParsedCode("text", tag.lower())


@given(text=st.text(max_size=200).filter(lambda t: not t.strip().startswith("/") and "://" not in t))
def test_text_that_is_not_a_url_is_returned_trimmed(text) -> None:
    assert parse_code(text) == ParsedCode("text", text.strip())


@given(tag=tags, host=hosts)
def test_a_url_of_another_page_is_text_not_a_label(tag, host) -> None:
    for path in (f"/assets/{tag}", "/a/", "/a/%20", "/x/"):
        url = f"https://{host}{path}"
        assert parse_code(url) == ParsedCode("text", url)
