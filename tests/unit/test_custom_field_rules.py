"""The custom field rules: CSV cells to typed values, and the checks of an asset's values."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.customfields.rules import (
    FIELD_TYPES, MAX_SAFE_INTEGER, check_values, clean_value, cleaned, options_problem, parse_cell, removed_options,
)


@dataclass
class Field:
    key: str
    type: str
    options: list[str] = field(default_factory=list)
    required: bool = False


options_lists = st.lists(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8), min_size=1,
                         max_size=6, unique_by=str.casefold)
safe_ints = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


@given(st.sampled_from(FIELD_TYPES), st.text(" \t"))
def test_a_blank_cell_is_no_value(field_type, blank):
    assert parse_cell(field_type, ["a"], blank) is None


@given(safe_ints)
def test_whole_numbers_read_back_exactly(n):
    assert parse_cell("number", [], str(n)) == n
    assert parse_cell("number", [], f" {n} ") == n


@given(finite)
def test_decimal_numbers_read_back(x):
    text = f"{x:.6f}"
    assert math.isclose(parse_cell("number", [], text), float(text))


@pytest.mark.parametrize("text", ["12", "12.5", "-3", "+4", "0.25", ".5"])
def test_the_documented_number_spellings(text):
    assert parse_cell("number", [], text) == float(text)


@pytest.mark.parametrize("text", ["1,5", "12 kg", "1e3", "nan", "inf", "--1", "0x10", "9" * 41, "9" * 20])
def test_other_number_spellings_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match=r"\w"):
        parse_cell("number", [], text)


@given(st.sampled_from(["true", "yes", "1", "false", "no", "0"]), st.booleans(), st.data())
def test_booleans_in_any_case(word, _, data):
    cased = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
    assert parse_cell("boolean", [], cased) is (word in ("true", "yes", "1"))


@given(st.text(max_size=10).filter(lambda t: t.strip().casefold() not in {"true", "yes", "1", "false", "no", "0", ""}))
def test_anything_else_is_not_a_boolean(text):
    with pytest.raises(ValueError):
        parse_cell("boolean", [], text)


@given(st.dates())
def test_iso_dates_read_back(day):
    text = day.isoformat()
    if len(text) == 10:
        assert parse_cell("date", [], text) == text
        assert clean_value("date", [], text) == text


@pytest.mark.parametrize("text", ["2024-02-30", "31/01/2024", "2024-1-5", "20240105", "2024-01-05T00:00"])
def test_dates_must_be_real_and_written_yyyy_mm_dd(text):
    with pytest.raises(ValueError):
        parse_cell("date", [], text)


@given(options_lists, st.data())
def test_a_select_cell_matches_ignoring_case_and_answers_the_options_spelling(options, data):
    chosen = data.draw(st.sampled_from(options))
    spelling = data.draw(st.sampled_from([chosen.upper(), chosen.lower(), chosen.swapcase()]).filter(
        lambda s: s.casefold() == chosen.casefold()))
    assert parse_cell("select", options, f" {spelling} ") == chosen
    assert clean_value("select", options, spelling) == chosen


@given(options_lists, st.text(min_size=1, max_size=8))
def test_a_select_value_outside_the_options_is_refused(options, text):
    if text.strip() and text.strip().casefold() not in {o.casefold() for o in options}:
        with pytest.raises(ValueError, match="one of"):
            parse_cell("select", options, text)


values = st.none() | st.booleans() | safe_ints | finite | st.text(max_size=30) | st.dates().map(date.isoformat)


@given(st.sampled_from(FIELD_TYPES), options_lists, values)
def test_a_value_is_either_refused_or_cleaned_into_one_that_checks_again(field_type, options, value):
    definition = Field("k", field_type, options if field_type == "select" else [])
    problems = check_values([definition], {"k": value}, creating=True)
    if problems:
        assert set(problems) == {"customFields.k"}
        return
    stored = cleaned([definition], {"k": value})
    assert check_values([definition], stored, creating=True) == {}
    assert cleaned([definition], stored) == stored


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), values, max_size=5))
def test_without_definitions_every_key_is_unknown(given_values):
    problems = check_values([], given_values, creating=True)
    assert set(problems) == {f"customFields.{key}" for key in given_values}


@given(st.booleans(), st.one_of(st.none(), st.text(min_size=1, max_size=5)))
def test_a_required_field_is_needed_on_create_and_cannot_be_taken_away(creating, current):
    definition = Field("cc", "text", required=True)
    assert "customFields.cc" in check_values([definition], {}, creating=True)
    assert "customFields.cc" in check_values([definition], {"cc": None}, creating=True)
    problems = check_values([definition], {}, creating=False, current={"cc": current} if current else {})
    assert ("customFields.cc" in problems) is (current is not None)
    assert check_values([definition], {"cc": "x"}, creating=creating) == {}


@given(values, values)
def test_a_value_without_a_definition_may_only_be_sent_back_unchanged(old, new):
    problems = check_values([], {"gone": new}, creating=False, current={"gone": old})
    same = type(old) is type(new) and old == new
    assert (problems == {}) is same


def test_a_key_in_another_case_is_pointed_to_the_right_spelling():
    problems = check_values([Field("Bay", "text")], {"bay": "A"}, creating=True)
    assert "'Bay'" in problems["customFields.bay"]


def test_numbers_must_be_finite_and_not_booleans():
    for value in (float("inf"), float("nan"), True, "3", 2**60):
        with pytest.raises(ValueError):
            clean_value("number", [], value)


def test_text_is_at_most_2000_characters():
    assert clean_value("text", [], "x" * 2000) == "x" * 2000
    with pytest.raises(ValueError):
        clean_value("text", [], "x" * 2001)
    with pytest.raises(ValueError):
        parse_cell("text", [], "x" * 2001)


@given(st.lists(st.text(max_size=5), max_size=210))
def test_options_problems(options):
    problem = options_problem("select", options)
    stripped = [o.strip() for o in options]
    valid = (0 < len(options) <= 200 and all(stripped)
             and len({o.casefold() for o in stripped}) == len(stripped))
    assert (problem is None) is valid


def test_only_select_fields_have_options_and_renaming_one_removes_the_old_spelling():
    assert options_problem("text", ["a"]) is not None
    assert options_problem("text", None) is None and options_problem("text", []) is None
    assert removed_options(["S", "M", "L"], ["S", "m", "L", "XL"]) == ["M"]


def test_an_unknown_type_is_an_error_not_a_crash():
    with pytest.raises(ValueError):
        parse_cell("colour", [], "red")
    assert check_values([Field("k", "colour")], {"k": "red"}, creating=True) != {}


