"""Blank-tag codes: short, opaque, upper-case, ending in a check character.

A code is 7 random symbols and 1 check symbol from Crockford's base-32 alphabet without I, L, O and U
(no look-alikes, no accidental words), e.g. ``K7QX3MZ5``. The check symbol is Luhn mod 32: it catches
every single mistyped symbol and every swap of two neighbours but one, '0' next to 'Z' (their Luhn
weights are equal, as for 0 and 9 in the decimal Luhn). Codes are never issued with a '0' beside a 'Z',
so every swap of neighbours in an issued code is caught too.

A person reading a label may type a letter O for the digit 0, or I or L for 1; `normalize` maps those
back, upper-cases, and drops spaces and dashes (a code may be printed in groups: ``K7QX-3MZ5``).
"""

from __future__ import annotations

import secrets

from backend.errors import BadRequest

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)  # 32
BODY_LENGTH = 7
CODE_LENGTH = BODY_LENGTH + 1
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# The one neighbour swap Luhn mod 32 cannot see: both weigh the same whether doubled or not.
_BLIND_PAIR = frozenset({ALPHABET[0], ALPHABET[N - 1]})
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -\t")
_SHOWN = 40  # how much of a bad code an error message repeats


def _luhn_sum(values: list[int], double_first: bool) -> int:
    """Luhn's sum over values read right to left, doubling every other one (the first if double_first)."""
    total = 0
    double = double_first
    for value in reversed(values):
        if double:
            value *= 2
            value = value // N + value % N
        total += value
        double = not double
    return total


def check_symbol(body: str) -> str:
    """The symbol that makes body + symbol a valid code."""
    remainder = _luhn_sum([_VALUE[s] for s in body], double_first=True) % N
    return ALPHABET[(N - remainder) % N]


def _has_valid_check(code: str) -> bool:
    return _luhn_sum([_VALUE[s] for s in code], double_first=False) % N == 0


def _has_blind_pair(code: str) -> bool:
    return any({a, b} == _BLIND_PAIR for a, b in zip(code, code[1:], strict=False))


def generate() -> str:
    """A fresh random code (secrets); uniqueness inside a tenant is the caller's to check."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        code = body + check_symbol(body)
        if not _has_blind_pair(code):
            return code


def normalize(text: str) -> str:
    """As a person or a scanner may send it → as stored: trimmed, upper-cased, without spaces or dashes,
    the letter O read as zero and I or L as one."""
    return text.strip().upper().translate(_SEPARATORS).translate(_LOOK_ALIKES)


def looks_like_code(text: str) -> bool:
    """Has the shape of a code once normalized (length and alphabet); the check symbol is not verified."""
    code = normalize(text)
    return len(code) == CODE_LENGTH and all(symbol in _VALUE for symbol in code)


def problem(text: str) -> str | None:
    """Why text is not a valid code, in words; None when it is one."""
    code = normalize(text)
    if not code:
        return "it is empty"
    if len(code) != CODE_LENGTH:
        return f"a tag code has {CODE_LENGTH} characters, this one has {len(code)}"
    if bad := sorted({symbol for symbol in code if symbol not in _VALUE}):
        shown = ", ".join(repr(symbol) for symbol in bad[:5])
        return f"it contains {shown}, which no tag code has (codes use digits and letters other than I, L, O and U)"
    if not _has_valid_check(code):
        return "its check character is wrong"
    return None


def parse(text: str) -> str | None:
    """The code as stored, or None when text is not a valid code. Never raises."""
    return normalize(text) if problem(text) is None else None


def validate(text: str, field: str = "code") -> str:
    """The code as stored; a BadRequest naming `field` that says what is wrong otherwise."""
    reason = problem(text)
    if reason is None:
        return normalize(text)
    shown = text.strip()[:_SHOWN]
    raise BadRequest(f"'{shown}' is not a valid tag code: {reason}; re-scan or re-type it", {field: reason})
