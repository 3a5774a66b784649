"""Asset tag format, tag comparison, the tenant's tag settings, assignment status and purchase cost."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from backend.assets import rules
from backend.assets.models import STATUSES

prefixes = st.from_regex(r"\A[A-Za-z0-9._-]{0,16}\Z")
paddings = st.integers(min_value=1, max_value=rules.MAX_TAG_PADDING)
numbers = st.integers(min_value=1, max_value=10**30)
# Whitespace a phone keyboard, a paste or a barcode scanner (Tab, Enter) puts around a tag.
surrounding = st.text(alphabet=" \t\r\n\u00a0\u2003\u3000", max_size=4)
# Characters a person can type into a tag: printable ASCII without space and / ? # % \, plus any letter.
tag_characters = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="/?#%\\")
# Letters whose upper and lower case do not simply map onto each other (ß, ẞ, İ, the Kelvin sign, ǰ, ...).
irregular_case = "".join(c for c in map(chr, range(0x2200))
                         if len(c.upper()) > 1 or c.lower().upper() != c.upper() or c.upper().lower() != c.lower())
mixed_case_text = st.text() | st.text(alphabet=irregular_case + "aZ0-")
tags = st.text(alphabet=tag_characters, min_size=1, max_size=rules.MAX_TAG_LENGTH).filter(lambda t: t.strip())


# format_tag


def test_the_default_format_gives_ast_000001() -> None:
    assert rules.format_tag("AST-", 6, 1) == "AST-000001"


@given(prefixes, paddings, numbers)
def test_a_tag_is_the_prefix_then_the_number_padded_with_zeros(prefix: str, padding: int, number: int) -> None:
    tag = rules.format_tag(prefix, padding, number)
    assert tag.startswith(prefix)
    digits = tag[len(prefix):]
    assert digits.isdigit() and digits.isascii()
    assert len(digits) >= padding
    assert digits.endswith(str(number))
    assert int(digits) == number


@given(prefixes, paddings, numbers, numbers)
def test_distinct_numbers_give_distinct_tags(prefix: str, padding: int, first: int, second: int) -> None:
    assume(first != second)
    assert rules.format_tag(prefix, padding, first) != rules.format_tag(prefix, padding, second)
    # Distinct even when compared the way scans and uniqueness compare them.
    assert rules.tag_key(rules.format_tag(prefix, padding, first)) != rules.tag_key(rules.format_tag(prefix, padding, second))


@given(prefixes, paddings, st.data())
def test_a_number_wider_than_the_padding_keeps_all_its_digits(prefix: str, padding: int, data: st.DataObject) -> None:
    number = data.draw(st.integers(min_value=10**padding, max_value=10**(padding + 20)))
    assert rules.format_tag(prefix, padding, number) == f"{prefix}{number}"


@pytest.mark.parametrize(("prefix", "padding", "number", "tag"), [
    pytest.param("AST-", 6, 999_999, "AST-999999", id="last-6-digit"),
    pytest.param("AST-", 6, 1_000_000, "AST-1000000", id="overflows-padding"),
    pytest.param("EQ.", 3, 42, "EQ.042", id="short-padding"),
    pytest.param("", 4, 7, "0007", id="no-prefix"),
])
def test_tag_examples(prefix: str, padding: int, number: int, tag: str) -> None:
    assert rules.format_tag(prefix, padding, number) == tag


@given(prefixes, paddings, st.integers(max_value=0))
def test_tag_numbers_start_at_one(prefix: str, padding: int, number: int) -> None:
    with pytest.raises(ValueError):
        rules.format_tag(prefix, padding, number)


@given(prefixes, paddings, st.integers(min_value=1, max_value=10**40))
def test_every_generated_tag_can_be_typed_back_as_a_given_tag(prefix: str, padding: int, number: int) -> None:
    tag = rules.format_tag(prefix, padding, number)
    assert rules.given_tag_problem(tag) is None
    assert rules.tag_key(tag) == tag.upper()


# the random part (tenant setting tagRandomChars)

random_lengths = st.integers(min_value=rules.MIN_TAG_RANDOM, max_value=rules.MAX_TAG_RANDOM)
# A tenant's sequence never gets near 10**15; the longest tag is then 16 + 15 + 1 + 12 characters.
sequence_numbers = st.integers(min_value=1, max_value=10**15)


def test_the_random_part_follows_the_number_after_a_dash() -> None:
    assert rules.format_tag("AST-", 6, 123, "K7QF9M") == "AST-000123-K7QF9M"
    assert rules.format_tag("AST-", 6, 123, rules.draw_random_part(0)) == "AST-000123"


@given(random_lengths)
def test_a_random_part_has_its_length_in_upper_case_without_i_l_o_or_u(length: int) -> None:
    assert re.fullmatch(rf"[0-9A-HJKMNP-TV-Z]{{{length}}}", rules.draw_random_part(length))


def test_random_parts_are_drawn_not_repeated() -> None:
    assert len({rules.draw_random_part(6) for _ in range(100)}) > 95


@given(prefixes, paddings, sequence_numbers, sequence_numbers, random_lengths, random_lengths)
def test_tags_with_distinct_numbers_differ_whatever_their_random_parts(prefix: str, padding: int, first: int,
                                                                       second: int, length: int, other: int) -> None:
    assume(first != second)
    one = rules.format_tag(prefix, padding, first, rules.draw_random_part(length))
    two = rules.format_tag(prefix, padding, second, rules.draw_random_part(other))
    assert rules.tag_key(one) != rules.tag_key(two)
    assert rules.tag_key(one) != rules.tag_key(rules.format_tag(prefix, padding, second))  # nor a plain tag


@given(prefixes, paddings, sequence_numbers, random_lengths)
def test_every_tag_with_a_random_part_can_be_typed_back_and_fits_the_column(prefix: str, padding: int, number: int,
                                                                            length: int) -> None:
    tag = rules.format_tag(prefix, padding, number, rules.draw_random_part(length))
    assert rules.given_tag_problem(tag) is None
    assert len(tag) <= rules.MAX_TAG_LENGTH


@given(st.just(0) | random_lengths)
def test_no_random_part_or_4_to_12_characters_are_accepted(length: int) -> None:
    assert rules.random_chars_problem(length) is None


@given(st.integers(max_value=-1) | st.integers(min_value=1, max_value=rules.MIN_TAG_RANDOM - 1)
       | st.integers(min_value=rules.MAX_TAG_RANDOM + 1))
def test_other_random_lengths_are_refused(length: int) -> None:
    assert rules.random_chars_problem(length) is not None


# tag_key


@given(mixed_case_text)
def test_tag_key_is_idempotent(tag: str) -> None:
    assert rules.tag_key(rules.tag_key(tag)) == rules.tag_key(tag)


@given(st.text(), surrounding, surrounding)
def test_tag_key_ignores_surrounding_whitespace(tag: str, before: str, after: str) -> None:
    assert rules.tag_key(before + tag + after) == rules.tag_key(tag)


@given(mixed_case_text)
def test_tag_key_ignores_case(tag: str) -> None:
    key = rules.tag_key(tag)
    assert rules.tag_key(tag.lower()) == key
    assert rules.tag_key(tag.upper()) == key
    assert rules.tag_key(tag.swapcase()) == key


@pytest.mark.parametrize(("typed", "printed"), [
    pytest.param("ast-000001", "AST-000001", id="lower-case"),
    pytest.param(" Ast-000001\r\n", "AST-000001", id="scanner-enter"),
    pytest.param("straße-1", "STRAẞE-1", id="capital-sharp-s"),
    pytest.param("\u212a-7", "k-7", id="kelvin-sign"),
    pytest.param("i̇stanbul-1", "İSTANBUL-1", id="dotted-capital-i"),
])
def test_hand_typed_variants_match_the_printed_tag(typed: str, printed: str) -> None:
    assert rules.tag_key(typed) == rules.tag_key(printed)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1), st.text(alphabet="0123456789", min_size=1))
def test_tag_key_keeps_different_tags_apart(tag: str, suffix: str) -> None:
    assert rules.tag_key(tag) != rules.tag_key(tag + suffix)


# given tags


@given(tags, surrounding, surrounding)
def test_a_typed_tag_with_room_in_its_key_is_accepted(tag: str, before: str, after: str) -> None:
    assume(len(rules.tag_key(tag)) <= rules.MAX_TAG_LENGTH and tag.strip() not in (".", ".."))
    assert rules.given_tag_problem(before + tag + after) is None


@given(surrounding)
def test_a_blank_tag_is_refused(blank: str) -> None:
    assert rules.given_tag_problem(blank) == "must not be blank"


@pytest.mark.parametrize("tag", [
    pytest.param("A" * 65, id="65-characters"),
    pytest.param("ß" * 40, id="key-longer-than-64"),
    pytest.param("\ufb03" * 22, id="ligature-key-66"),
])
def test_a_tag_whose_key_does_not_fit_is_refused(tag: str) -> None:
    assert rules.given_tag_problem(tag) is not None


@pytest.mark.parametrize("inside", [" ", "\t", "\n", "\u00a0", "\u3000", "\u2028", "\x00", "\x7f", "\x85",
                                    "/", "?", "#", "%", "\\"])
def test_a_space_control_character_or_url_character_inside_a_tag_is_refused(inside: str) -> None:
    assert rules.given_tag_problem(f"AST{inside}1") == "no spaces, control characters or / ? # % \\ inside a tag"


@given(tags, st.sampled_from(" \t\u00a0\x00\x1f\x9f/?#%\\"), tags)
def test_a_tag_with_a_forbidden_character_between_two_parts_is_refused(head: str, inside: str, tail: str) -> None:
    assert rules.given_tag_problem(head.strip() + inside + tail.strip()) is not None


@pytest.mark.parametrize("tag", [".", "..", " .. "])
def test_a_dot_segment_tag_is_refused_because_its_web_address_would_point_elsewhere(tag: str) -> None:
    assert rules.given_tag_problem(tag) is not None


def test_three_dots_are_a_fine_tag() -> None:
    assert rules.given_tag_problem("...") is None


# tenant tag format


@given(prefixes)
def test_a_prefix_of_up_to_16_letters_digits_dots_dashes_underscores_is_accepted(prefix: str) -> None:
    assert rules.prefix_problem(prefix) is None


@given(st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")) | st.sampled_from("._-"), min_size=17))
def test_a_prefix_longer_than_16_is_refused(prefix: str) -> None:
    assert rules.prefix_problem(prefix) is not None


@given(prefixes, st.characters().filter(lambda c: not re.fullmatch(r"[A-Za-z0-9._-]", c)), st.data())
def test_a_prefix_with_any_other_character_is_refused(prefix: str, bad: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(prefix)))
    assert rules.prefix_problem(prefix[:at] + bad + prefix[at:][:15]) is not None


@pytest.mark.parametrize("prefix", ["AST-\n", "AST /", "ÄST-", "AST#"])
def test_prefix_examples_that_are_refused(prefix: str) -> None:
    assert rules.prefix_problem(prefix) is not None


@given(paddings)
def test_padding_from_1_to_12_is_accepted(padding: int) -> None:
    assert rules.padding_problem(padding) is None


@given(st.integers(max_value=0) | st.integers(min_value=rules.MAX_TAG_PADDING + 1))
def test_padding_outside_1_to_12_is_refused(padding: int) -> None:
    assert rules.padding_problem(padding) is not None


# status after assignment

statuses = st.sampled_from(STATUSES)
untouched = st.sampled_from([s for s in STATUSES if s not in ("available", "in_use")])


def test_assigning_an_available_asset_puts_it_in_use() -> None:
    assert rules.status_after_assignment("available", True) == "in_use"


def test_taking_back_an_asset_in_use_makes_it_available() -> None:
    assert rules.status_after_assignment("in_use", False) == "available"


@given(statuses, st.booleans())
def test_assignment_always_gives_a_known_status(status: str, assigned: bool) -> None:
    assert rules.status_after_assignment(status, assigned) in STATUSES


@given(untouched, st.booleans())
def test_assignment_leaves_reserved_maintenance_missing_and_retired_alone(status: str, assigned: bool) -> None:
    assert rules.status_after_assignment(status, assigned) == status


@given(statuses, st.booleans())
def test_assignment_status_is_stable_when_repeated(status: str, assigned: bool) -> None:
    once = rules.status_after_assignment(status, assigned)
    assert rules.status_after_assignment(once, assigned) == once


@given(st.sampled_from(["available", "in_use"]))
def test_assign_then_unassign_returns_the_asset_to_available(status: str) -> None:
    assigned = rules.status_after_assignment(status, True)
    assert assigned == "in_use"
    assert rules.status_after_assignment(assigned, False) == "available"


# purchase cost

MAX_CENTS = Decimal(rules.MAX_COST) - Decimal("0.01")
costs = st.decimals(min_value=0, max_value=MAX_CENTS, places=2, allow_nan=False, allow_infinity=False)


@given(costs)
def test_a_cost_in_cents_below_ten_trillion_is_accepted(cost: Decimal) -> None:
    assert rules.cost_problem(cost) is None


@given(costs)
def test_trailing_zeros_do_not_matter(cost: Decimal) -> None:
    assert rules.cost_problem(cost.quantize(Decimal("0.0001"))) is None


@given(st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False, allow_infinity=False))
def test_a_negative_cost_is_refused(cost: Decimal) -> None:
    assert rules.cost_problem(cost) == "must not be negative"


@given(st.decimals(min_value=rules.MAX_COST, allow_nan=False, allow_infinity=False))
def test_a_cost_of_ten_trillion_or_more_is_refused(cost: Decimal) -> None:
    assert rules.cost_problem(cost) is not None


@given(costs, st.integers(min_value=1, max_value=9), st.integers(min_value=3, max_value=12))
def test_fractions_of_a_cent_are_refused(cost: Decimal, digit: int, place: int) -> None:
    assume(cost < MAX_CENTS)
    assert rules.cost_problem(cost + Decimal(digit).scaleb(-place)) == "at most two decimal places"


@pytest.mark.parametrize("cost", [
    pytest.param(Decimal("NaN"), id="nan"),
    pytest.param(Decimal("sNaN"), id="signalling-nan"),
    pytest.param(Decimal("Infinity"), id="infinity"),
    pytest.param(Decimal("-Infinity"), id="minus-infinity"),
    pytest.param(12.5, id="float"),
    pytest.param("12.50", id="string"),
])
def test_a_cost_that_is_not_an_exact_number_is_refused(cost: object) -> None:
    assert rules.cost_problem(cost) == "must be a number"


@pytest.mark.parametrize("cost", [Decimal("1E+400000000"), Decimal("1E-400000000"), Decimal("9999999999999.995")])
def test_extreme_exponents_are_refused_without_crashing(cost: Decimal) -> None:
    assert rules.cost_problem(cost) is not None
