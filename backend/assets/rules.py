"""Asset tags: the one place that formats and compares them."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from decimal import Decimal

from backend.labels.codes import ALPHABET as RANDOM_ALPHABET

TAG_PREFIX = re.compile(r"^[A-Za-z0-9._-]{0,16}\Z")
MAX_TAG_PADDING = 12
# A tenant may end its generated tags with random characters (0: none), so label addresses cannot be walked.
MIN_TAG_RANDOM, MAX_TAG_RANDOM = 4, 12
MAX_TAG_LENGTH = 64  # the width of the tag and tag_key columns
# Inside a tag: no whitespace or control characters (unreadable on a label), and nothing that would change
# the meaning of the label's web address /a/{tag}.
TAG_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f/?#%\\]")


def format_tag(prefix: str, padding: int, number: int, random_part: str = "") -> str:
    """``("AST-", 6, 1)`` → ``AST-000001``; numbers wider than the padding keep all their digits. A random
    part follows after a dash: ``("AST-", 6, 123, "K7QF9M")`` → ``AST-000123-K7QF9M``."""
    if number < 1:
        raise ValueError("tag numbers start at 1")
    sequence = f"{prefix}{number:0{padding}d}"
    return f"{sequence}-{random_part}" if random_part else sequence


def draw_random_part(length: int) -> str:
    """``length`` characters drawn with `secrets` from the blank tags' alphabet (Crockford's base 32 without
    I, L, O and U: nothing to misread); "" for 0. The sequence before it keeps generated tags unique."""
    return "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(length))


def tag_key(tag: str) -> str:
    """What two tags are compared by: trimmed and upper-cased, so a hand-typed 'ast-000001 ' matches."""
    # Lower-casing first makes every case variant meet: ẞ/ß, the Kelvin sign K/k, İ/i̇ upper-case differently.
    return tag.strip().lower().upper()


def given_tag_problem(tag: str) -> str | None:
    """Why a tag typed or scanned by a person cannot be stored; surrounding whitespace is trimmed first."""
    trimmed = tag.strip()
    if not trimmed:
        return "must not be blank"
    if TAG_FORBIDDEN.search(trimmed):
        return "no spaces, control characters or / ? # % \\ inside a tag"
    if len(trimmed) > MAX_TAG_LENGTH or len(tag_key(trimmed)) > MAX_TAG_LENGTH:
        return f"at most {MAX_TAG_LENGTH} characters (some letters, like ß, count twice once upper-cased)"
    if trimmed in (".", ".."):
        return "cannot be '.' or '..': the label's web address /a/{tag} would point elsewhere"
    return None


def prefix_problem(prefix: str) -> str | None:
    if not TAG_PREFIX.match(prefix):
        return "up to 16 letters, digits, '.', '_' or '-'"
    return None


def padding_problem(padding: int) -> str | None:
    if not 1 <= padding <= MAX_TAG_PADDING:
        return f"between 1 and {MAX_TAG_PADDING}"
    return None


def random_chars_problem(length: int) -> str | None:
    if length != 0 and not MIN_TAG_RANDOM <= length <= MAX_TAG_RANDOM:
        return f"0 (no random part) or between {MIN_TAG_RANDOM} and {MAX_TAG_RANDOM}"
    return None


# The status table, the one place that says which status may follow which, and through which endpoint:
# "status" (POST …/status), "checkout" (POST …/checkout, from available only) or "checkin" (POST …/checkin).
# A PATCH of assigneeId moves along the checkout/checkin edges; completing an audit with markMissing
# follows the edges into `missing`. No other call changes a status.
TRANSITIONS: dict[str, dict[str, str]] = {
    "available": {"in_use": "checkout", "reserved": "status", "maintenance": "status", "missing": "status",
                  "retired": "status"},
    "in_use": {"available": "checkin", "maintenance": "status", "missing": "status", "retired": "status"},
    "reserved": {"available": "status", "maintenance": "status", "missing": "status", "retired": "status"},
    "maintenance": {"available": "status", "missing": "status", "retired": "status"},
    "missing": {"available": "status", "maintenance": "status", "retired": "status"},
    "retired": {"available": "status"},
}
# Moves into these statuses need a `reason` (kept on the STATUS_CHANGED / RETIRED event).
REASON_REQUIRED = frozenset({"retired"})


def allowed_moves(status: str) -> dict[str, str]:
    """{to: via} for an asset in `status`."""
    return TRANSITIONS.get(status, {})


def statuses_into(to: str) -> list[str]:
    """The statuses the table lets move to `to` (by any route), e.g. what an audit may mark missing."""
    return [status for status, moves in TRANSITIONS.items() if to in moves]


def assignment_problem(status: str, assigned: bool) -> str | None:
    """Why a PATCH of assigneeId cannot give the asset to someone now: only an available asset (checked out
    by it) or one already in use (handed on) may get an assignee; taking it back is always allowed."""
    if assigned and status not in ("available", "in_use"):
        return f"an asset that is {status} cannot be given to someone; make it available first"
    return None


def is_overdue(status: str, due_back_at: datetime | None, now: datetime) -> bool:
    """A check-out is overdue once its due date has passed while the asset is still in use."""
    return status == "in_use" and due_back_at is not None and due_back_at < now


def status_after_assignment(status: str, assigned: bool) -> str:
    """Giving an available asset to someone puts it in use; taking it back makes it available again.
    Other statuses (maintenance, reserved, …) are left as they are."""
    if assigned and status == "available":
        return "in_use"
    if not assigned and status == "in_use":
        return "available"
    return status


MAX_COST = 10**13
CENT = Decimal("0.01")


def cost_problem(cost: object) -> str | None:
    if not isinstance(cost, Decimal) or not cost.is_finite():
        return "must be a number"
    if cost < 0:
        return "must not be negative"
    if cost >= MAX_COST:
        return f"must be below {MAX_COST:,}"
    if cost != cost.quantize(CENT):
        return "at most two decimal places"
    return None


def stored_cost(cost: Decimal) -> Decimal:
    """A valid amount as it is stored, in cents, so the answer to a write reads the same as a later GET
    ("12.5" -> "12.50", "-0" -> "0.00")."""
    return abs(cost).quantize(CENT)
