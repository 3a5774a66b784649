"""JSON request bodies are checked before they are decoded: what would crash the decoder, or be read in a way
the sender did not mean, is a 400 naming the problem.

- Nesting deeper than MAX_DEPTH: the decoder recurses once per level, and a few hundred levels of ``[[[[``
  exhaust Python's stack (a RecursionError, a 500). No real body comes near 64 levels.
- A key twice in one object: the decoder keeps the last and drops the first without a word, so a body that
  says two things at once (``{"toStatus": "lost", "toStatus": "available"}``) would be half ignored.

Both run in C for all but a few statements, so they cost a scan a few microseconds.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from litestar import Request

from backend.errors import BadRequest

MAX_DEPTH = 64

# Keep the brackets and quotes only, both kinds of bracket spelled "[" and "]": depth does not depend on which.
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_SYNTAX = bytes(b for b in range(256) if b not in b'[]{}"')


class FieldscanRequest(Request[Any, Any, Any]):
    """Litestar's request, with its JSON body checked first: every handler taking a JSON body reads it
    through ``json()``, so this one place covers every route, whatever its own before_request does."""

    async def json(self) -> Any:
        check_json_body(await self.body())
        return await super().json()


def check_json_body(body: bytes) -> None:
    """Refuse a body nested too deeply or with a key twice in one object; the decoder judges the rest."""
    if _too_deep(body):
        raise BadRequest(f"The request body is nested more than {MAX_DEPTH} levels deep",
                         {"body": f"at most {MAX_DEPTH} levels of nested arrays and objects"})
    if (key := _duplicate_key(body)) is not None:
        shown = key[:80]
        raise BadRequest(f"The key '{shown}' appears twice in one object of the request body",
                         {shown: "duplicate key; send each key once"})


def _too_deep(body: bytes) -> bool:
    """Whether some point of the body is inside more than MAX_DEPTH arrays and objects.

    Without strings, only the brackets matter. Removing every adjacent "[]" peels one level off every
    innermost pair at once, so the number of rounds until none is left is the nesting of the matched pairs;
    brackets opened and never closed (a truncated body) add to it."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return False
    brackets = _brackets_outside_strings(body)
    levels = 0
    while b"[]" in brackets:
        levels += 1
        if levels > MAX_DEPTH:
            return True
        brackets = brackets.replace(b"[]", b"")
    return levels + brackets.count(b"[") > MAX_DEPTH


def _brackets_outside_strings(body: bytes) -> bytes:
    """The body's brackets that are not inside a string, all in C.

    Escaped backslashes go first, then escaped quotes, so every quote left opens or closes a string: the text
    between the 2nd and 3rd quote, the 4th and 5th and so on is outside. (Outside a string a backslash is
    invalid, so the decoder stops there, before any text this could misread; a string never closed runs to
    the end.)"""
    syntax = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(_BRACKETS, _NOT_SYNTAX)
    return b"".join(syntax.split(b'"')[::2])


def _duplicate_key(body: bytes) -> str | None:
    """A key that appears twice in one object, or None.

    The standard library's decoder hands each object's pairs, in order, to a hook that compares two lengths
    in C. Decoding twice costs a scan about 2 microseconds and the largest bodies about as long again as the
    real decoder, with no JSON read by hand to get wrong (``"\\u0061"`` is ``"a"``). That decoder reads every
    body the real one reads; a body it cannot read is left to the real one to refuse."""
    try:
        _PAIRS_DECODER.decode(body.decode())
    except _Repeated as repeated:
        return repeated.key
    except ValueError:  # not JSON, or not UTF-8: the real decoder says so
        return None
    return None


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        raise _Repeated(next(key for key, count in counts.items() if count > 1))
    return obj


# Built once: json.loads with a hook builds a new decoder on every call, which costs more than the decoding.
_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=_refuse_repeats)
