"""Code 128 (ISO/IEC 15417) drawn from its symbol table, for handheld laser scanners.

Labels draw the barcode themselves, from this module's bars, in every format that draws: the PDF as vector
rectangles, the SVG as ``<rect>`` elements and the PNG as whole pixels. One source of bars gives the same
barcode in all three, sized to the label's box in millimetres, with no raster image scaled into a PDF and no
extra dependency that renders its own way. ZPL leaves the barcode to the printer's own ``^BC`` command.

Code set B carries printable ASCII; runs of digits switch to code set C (two digits per symbol) where that
makes the barcode shorter, following the minimal-length rules of ISO/IEC 15417 Annex E.
"""

from __future__ import annotations

# Bar and space widths (in modules) of symbol values 0..105; each symbol is 11 modules wide.
_PATTERNS = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232",
)
STOP_PATTERN = "2331112"  # the stop symbol (value 106) with its closing bar: 13 modules
CODE_C = 99  # in code set B: switch to code set C
CODE_B = 100  # in code set C: switch to code set B
START_B = 104
START_C = 105
QUIET_ZONE = 10  # light modules each side, the minimum the standard asks for


def encodable(text: str) -> bool:
    """Whether ``text`` can be carried in code sets B and C: one or more printable ASCII characters."""
    return bool(text) and all(" " <= char <= "~" for char in text)


def _digit_run(text: str, start: int) -> int:
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return end - start


def symbol_values(text: str) -> list[int]:
    """The symbol values of ``text``: start, data (with code set switches), checksum and stop (106)."""
    if not encodable(text):
        raise ValueError(f"Code 128 carries printable ASCII only (space to ~), not {text!r}")
    leading = _digit_run(text, 0)
    in_c = leading >= 4 or leading == len(text) == 2
    values = [START_C if in_c else START_B]
    i = 0
    while i < len(text):
        run = _digit_run(text, i)
        if in_c:
            if run >= 2:
                values.append(int(text[i:i + 2]))
                i += 2
                continue
            values.append(CODE_B)
            in_c = False
        # Code set C pays for itself on 4 digits that end the data, or 6 between other characters (Annex E).
        if run >= 6 or (run >= 4 and i + run == len(text)):
            if run % 2:
                values.append(ord(text[i]) - 32)
                i += 1
            values.append(CODE_C)
            in_c = True
            continue
        values.append(ord(text[i]) - 32)
        i += 1
    values.append(checksum(values))
    values.append(106)
    return values


def checksum(values: list[int]) -> int:
    """The check symbol: the start value plus each data value times its position, modulo 103."""
    return (values[0] + sum(position * value for position, value in enumerate(values[1:], start=1))) % 103


def modules(text: str) -> str:
    """The barcode as modules, ``"1"`` dark and ``"0"`` light, with a quiet zone of 10 modules each side."""
    out = ["0" * QUIET_ZONE]
    for value in symbol_values(text):
        widths = STOP_PATTERN if value == 106 else _PATTERNS[value]
        out.extend(("1" if k % 2 == 0 else "0") * int(width) for k, width in enumerate(widths))
    out.append("0" * QUIET_ZONE)
    return "".join(out)


def bars(pattern: str) -> list[tuple[int, int]]:
    """The dark bars of a module pattern as ``(first module, width in modules)``, left to right."""
    runs: list[tuple[int, int]] = []
    start = -1
    for index, module in enumerate(pattern + "0"):
        if module == "1" and start < 0:
            start = index
        elif module == "0" and start >= 0:
            runs.append((start, index - start))
            start = -1
    return runs
