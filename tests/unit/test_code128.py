"""Code 128 drawn from its table: a real decoder reads back what was encoded, and the check symbol is right."""

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from backend.labels import code128

PRINTABLE_ASCII = "".join(chr(code) for code in range(32, 127))


def draw(pattern: str, module_px: int = 3, height_px: int = 80) -> Image.Image:
    """The barcode as a laser scanner would see it: black bars on white, whole pixels per module."""
    image = Image.new("L", (len(pattern) * module_px, height_px), 255)
    for first, width in code128.bars(pattern):
        image.paste(0, (first * module_px, 0, (first + width) * module_px, height_px))
    return image


def read(text: str) -> list[str]:
    found = zxingcpp.read_barcodes(draw(code128.modules(text)), formats=zxingcpp.BarcodeFormat.Code128)
    return [barcode.text for barcode in found]


@pytest.mark.parametrize("text", [
    pytest.param("0123456789", id="digits only"),
    pytest.param("AbCdEf-xyz", id="mixed case"),
    pytest.param("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", id="punctuation"),
    pytest.param("A", id="one letter"),
    pytest.param("7", id="one digit"),
    pytest.param("AST-000042", id="an asset tag"),
    pytest.param("ROOM-2 shelf 12345678 bin 9", id="digits between letters"),
    pytest.param("K7QX3MZP" * 5, id="40 characters"),
    pytest.param("1234567890" * 4, id="40 digits"),
])
def test_a_decoder_reads_back_the_text(text: str) -> None:
    assert read(text) == [text]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=PRINTABLE_ASCII, min_size=1, max_size=30)
       | st.from_regex(r"[A-Z]{0,3}[0-9]{1,12}[A-Z-]{0,3}[0-9]{0,7}", fullmatch=True))
def test_any_printable_ascii_round_trips(text: str) -> None:
    assert read(text) == [text]


def test_check_symbol_matches_the_published_example() -> None:
    # The standard's worked example "PJJ123C" under Start A (103): 103 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6
    # + 35·7 = 878, and 878 mod 103 = 54.
    assert code128.checksum([103, 48, 42, 42, 17, 18, 19, 35]) == 54
    # The same data under Start B, as encoded here: one more, 55.
    assert code128.symbol_values("PJJ123C") == [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]


def test_code_set_c_shortens_runs_of_digits() -> None:
    values = code128.symbol_values("AST-000042")
    assert values[:6] == [104, 33, 51, 52, 13, code128.CODE_C]  # A S T - in code set B, then code set C
    assert values[6:9] == [0, 0, 42]  # 00 00 42: two digits a symbol
    all_digits = code128.symbol_values("1234")
    assert all_digits == [105, 12, 34, code128.checksum([105, 12, 34]), 106]
    # An odd run keeps its first digit in code set B so the rest pairs up.
    assert code128.symbol_values("X12345")[:4] == [104, 56, 17, code128.CODE_C]
    # Four digits between letters are not worth two switches.
    assert code128.CODE_C not in code128.symbol_values("A1234B")


def test_modules_have_quiet_zones_and_whole_symbols() -> None:
    pattern = code128.modules("AST-000042")
    symbols = len(code128.symbol_values("AST-000042"))
    assert len(pattern) == 2 * code128.QUIET_ZONE + 11 * (symbols - 1) + 13
    assert pattern.startswith("0" * code128.QUIET_ZONE + "1")
    assert pattern.endswith("11" + "0" * code128.QUIET_ZONE)  # the stop symbol ends with a two-module bar
    assert set(pattern) == {"0", "1"}


def test_the_table_is_well_formed() -> None:
    patterns = code128._PATTERNS
    assert len(patterns) == 106 and len(set(patterns)) == 106
    assert all(len(p) == 6 and sum(map(int, p)) == 11 for p in patterns)
    assert sum(map(int, code128.STOP_PATTERN)) == 13


def test_bars_are_the_dark_runs() -> None:
    assert code128.bars("0011011100") == [(2, 2), (5, 3)]
    assert code128.bars("1") == [(0, 1)]


@pytest.mark.parametrize("text", ["", "Zürich", "tab\there", "東京"])
def test_text_outside_printable_ascii_is_refused(text: str) -> None:
    assert not code128.encodable(text)
    with pytest.raises(ValueError, match="printable ASCII"):
        code128.symbol_values(text)
