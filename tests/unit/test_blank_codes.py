"""Blank-tag codes: every issued code is valid, and a code mistyped by one symbol or by two swapped
neighbours is refused, never taken for another code."""

from __future__ import annotations

import pytest
from hypothesis import example, given, strategies as st

from backend.errors import BadRequest
from backend.labels import codes

issued = st.builds(lambda _: codes.generate(), st.integers())
alphabet = st.sampled_from(codes.ALPHABET)
bodies = st.text(alphabet, min_size=codes.BODY_LENGTH, max_size=codes.BODY_LENGTH)


@given(code=issued)
def test_every_issued_code_is_valid_and_reads_back_unchanged(code: str) -> None:
    assert len(code) == codes.CODE_LENGTH
    assert set(code) <= set(codes.ALPHABET)
    assert codes.validate(code) == code
    assert codes.parse(code) == code
    assert codes.looks_like_code(code)


@given(code=issued, position=st.integers(0, codes.CODE_LENGTH - 1), symbol=alphabet)
def test_one_wrong_symbol_anywhere_is_refused(code: str, position: int, symbol: str) -> None:
    typo = code[:position] + symbol + code[position + 1:]
    if typo == code:
        return
    assert codes.parse(typo) is None
    with pytest.raises(BadRequest) as refused:
        codes.validate(typo, "claimCode")
    assert refused.value.details == {"claimCode": "its check character is wrong"}


@given(code=issued, position=st.integers(0, codes.CODE_LENGTH - 2))
def test_two_swapped_neighbours_are_refused(code: str, position: int) -> None:
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    if swapped == code:
        return
    assert codes.parse(swapped) is None


def test_every_single_error_and_swap_of_every_issued_code_in_a_large_sample_is_refused() -> None:
    # Exhaustive over each code: all 8 × 31 substitutions and all 7 neighbour swaps.
    for _ in range(500):
        code = codes.generate()
        for position in range(codes.CODE_LENGTH):
            for symbol in codes.ALPHABET.replace(code[position], ""):
                assert codes.parse(code[:position] + symbol + code[position + 1:]) is None
        for position in range(codes.CODE_LENGTH - 1):
            if code[position] != code[position + 1]:
                assert codes.parse(code[:position] + code[position + 1] + code[position] + code[position + 2:]) is None


@given(body=bodies)
def test_the_check_symbol_is_luhn_mod_32(body: str) -> None:
    """Interchangeable with any Luhn mod N implementation: double every other value from the right,
    fold it (n // 32 + n % 32), and pick the symbol that brings the sum to a multiple of 32."""
    total = 0
    for n, symbol in enumerate(reversed(body)):
        value = codes.ALPHABET.index(symbol) * (2 if n % 2 == 0 else 1)
        total += value // 32 + value % 32
    assert codes.check_symbol(body) == codes.ALPHABET[(32 - total % 32) % 32]


def test_zero_beside_z_is_the_swap_luhn_cannot_see_so_it_is_never_issued() -> None:
    body = "ABC0ZDE"
    code = body + codes.check_symbol(body)
    swapped = "ABCZ0DE" + code[-1]
    assert codes.parse(code) == code and codes.parse(swapped) == swapped  # the algorithm's one blind spot
    issued_codes = [codes.generate() for _ in range(5000)]
    assert not any("0Z" in code or "Z0" in code for code in issued_codes)


@pytest.mark.parametrize(("typed", "stored"), [
    pytest.param("k7qx3mz5", "K7QX3MZ5", id="lower-case"),
    pytest.param("  K7QX-3MZ5\r\n", "K7QX3MZ5", id="dash-and-scanner-enter"),
    pytest.param("K7QX 3MZ5", "K7QX3MZ5", id="space"),
    pytest.param("KO1L", "K011", id="O-is-zero-I-and-L-are-one"),
    pytest.param("io", "10", id="lower-case-look-alikes"),
])
def test_normalize_reads_what_a_person_types(typed: str, stored: str) -> None:
    assert codes.normalize(typed) == stored


def test_a_code_typed_with_look_alike_letters_is_the_same_code() -> None:
    body = "10ABCDE"
    code = body + codes.check_symbol(body)
    assert codes.validate("lO-abcde" + code[-1].lower()) == code


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param("", "it is empty", id="empty"),
    pytest.param("K7QX3MZ", "a tag code has 8 characters, this one has 7", id="too-short"),
    pytest.param("K7QX3MZ55", "a tag code has 8 characters, this one has 9", id="too-long"),
    pytest.param("K7QX3MZU", "it contains 'U', which no tag code has", id="letter-u"),
    pytest.param("K7QX3MZ!", "it contains '!', which no tag code has", id="punctuation"),
])
def test_what_is_wrong_with_a_code_is_said_in_words(text: str, reason: str) -> None:
    with pytest.raises(BadRequest) as refused:
        codes.validate(text)
    assert reason in refused.value.message
    assert "re-scan or re-type it" in refused.value.message
    assert reason in refused.value.details["code"]


def test_a_wrong_check_character_is_named_as_such() -> None:
    body = "K7QX3MZ"
    wrong = next(s for s in codes.ALPHABET if s != codes.check_symbol(body))
    with pytest.raises(BadRequest) as refused:
        codes.validate(body + wrong)
    assert refused.value.message == (f"'{body}{wrong}' is not a valid tag code: its check character is wrong; "
                                     "re-scan or re-type it")


@given(text=st.text(max_size=300))
@example("\x00" * 8)
@example("ß" * 4)  # upper-cases to 8 characters
@example("ǅǅǅǅǅǅǅǅ")
def test_junk_is_refused_with_a_bad_request_and_nothing_else(text: str) -> None:
    try:
        code = codes.validate(text)
    except BadRequest as refused:
        assert refused.message.endswith("re-scan or re-type it") and refused.details
        assert codes.parse(text) is None
    else:
        assert codes.parse(text) == code and codes.looks_like_code(text)


@given(text=st.text(max_size=40))
def test_looks_like_code_is_the_shape_only(text: str) -> None:
    normalized = codes.normalize(text)
    assert codes.looks_like_code(text) == (len(normalized) == 8 and set(normalized) <= set(codes.ALPHABET))
