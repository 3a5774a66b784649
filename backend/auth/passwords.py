"""The password policy: long enough, and not a known breached password (NIST SP 800-63B 5.1.1.2).

No rules on character classes, which push people to `Password1!`; length and a breached list instead.
The list is `breached-passwords.txt.gz` beside this file: the 20,000 most common passwords of public
breaches, lower-cased, as compiled by Royce Williams and shipped by Django (BSD-3-Clause; see
`breached-passwords.NOTICE`). A password is refused when it, lower-cased, is on the list, or when it is
a listed word with a few digits or symbols tacked on ("Password2024!"), or one character repeated.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from backend.errors import BadRequest

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes any length; a cap keeps a huge body from costing more than a sign-in
_LIST = Path(__file__).with_name("breached-passwords.txt.gz")
_TACKED_ON = re.compile(r"^(?P<word>.*?[^\W\d_])(?P<tail>[\d\W_]{1,6})$")


@cache
def breached() -> frozenset[str]:
    with gzip.open(_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def problem(password: str, email: str = "") -> tuple[str, str] | None:
    """Why `password` is refused, (a sentence, a few words for the field), or None."""
    if len(password) < MIN_LENGTH:
        return f"The password needs at least {MIN_LENGTH} characters", f"at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"The password may have at most {MAX_LENGTH} characters", f"at most {MAX_LENGTH} characters"
    folded = password.strip().lower()
    if len(set(folded)) <= 2:
        return ("The password needs more than one or two different characters",
                "more than one or two different characters")
    listed = breached()
    if folded in listed:
        return "This password appears in public breaches; choose another", "appears in public breaches"
    tacked = _TACKED_ON.match(folded)
    if tacked and tacked["word"] in listed:
        return ("This is a breached password with a few characters added; choose another",
                "a breached password with a few characters added")
    account = email.strip().lower()
    if account and (folded == account or folded == account.partition("@")[0]):
        return "The password must not be your email", "the same as the email"
    return None


def check(password: str, email: str = "", field: str = "password") -> None:
    """A 400 naming `field` when the policy refuses the password."""
    why = problem(password, email)
    if why:
        raise BadRequest(why[0], {field: why[1]})
