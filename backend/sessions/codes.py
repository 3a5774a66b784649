"""What a scanned code names, before any lookup: an asset URL, a blank-tag URL, a location URL, or text.

Labels carry URLs (`{origin}/a/{tag}`, `/t/{code}`, `/l/{code}`) so that any phone camera opens them;
handheld scanners and people type bare tags, serials or ids. The host of a URL is ignored: a label
printed before a domain change still scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

Kind = Literal["asset", "blank", "location", "text"]
MAX_CODE_LENGTH = 2000
_PREFIXES: dict[str, Kind] = {"a": "asset", "t": "blank", "l": "location"}


@dataclass(frozen=True, slots=True)
class ParsedCode:
    kind: Kind
    value: str  # the tag, blank code, location code, or the trimmed text


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_code(raw: str) -> str:
    """What a scanner sent, without control characters (a damaged barcode can decode to a NUL):
    an unreadable code is an unknown code, never an error."""
    return _CONTROL.sub("", raw).strip()[:MAX_CODE_LENGTH].rstrip()


def parse_code(raw: str) -> ParsedCode:
    """Never raises: anything that is not one of the label URLs is text to look up as a tag, serial or id."""
    text = raw.strip()[:MAX_CODE_LENGTH].rstrip()  # a cut at the limit may end on a space
    path = _url_path(text)
    if path is not None:
        parts = [p for p in path.split("/") if p]
        # /a/{tag}, also under a prefix such as /app/a/{tag} or /fieldscan/a/{tag}
        if len(parts) >= 2 and parts[-2].lower() in _PREFIXES:
            value = unquote(parts[-1]).strip()
            if value:
                return ParsedCode(_PREFIXES[parts[-2].lower()], value)
    return ParsedCode("text", text)


def _url_path(text: str) -> str | None:
    lowered = text[:8].lower()
    if lowered.startswith(("http://", "https://")):
        try:
            return urlsplit(text).path
        except ValueError:
            return None
    if text.startswith("/"):
        return text.split("?", 1)[0].split("#", 1)[0]
    return None
