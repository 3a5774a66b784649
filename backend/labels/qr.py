"""QR codes of label URLs: the module matrix, a PNG and an SVG.

The matrix is the ``qrcode`` library's, module for module: error correction M, and the mask pattern it would
choose. The library tries each of the 8 masks by rebuilding the whole symbol and scoring it in Python, which is
most of its 3 ms per code; here the symbol is built once and the other masks are derived by XOR on the data
modules, then scored with the same penalty rules on rows held as integers. A sheet of 1,000 labels needs that.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of light margin on each side, as the standard asks

_RUNS = re.compile(r"0{5,}|1{5,}")
# Neither pattern overlaps itself, so str.count finds every occurrence.
_FINDER_LIKE = ("10111010000", "00001011101")


@dataclass(frozen=True, slots=True)
class _Version:
    """What every symbol of one version shares, as rows of bits (column 0 is the most significant bit)."""

    size: int
    data: tuple[int, ...]  # the modules that carry data and error correction
    scoring: tuple[int, ...]  # function patterns as the library scores masks: format and version info light
    functions: tuple[tuple[int, ...], ...]  # function patterns with the real format info, per mask
    masks: tuple[tuple[int, ...], ...]  # per mask: the data modules it inverts


def _bits(row: list[bool | None]) -> int:
    value = 0
    for module in row:
        value = (value << 1) | bool(module)
    return value


@lru_cache(maxsize=40)
def _version(version: int) -> _Version:
    size = version * 4 + 17

    def functions(test: bool, mask: int) -> list[list[bool | None]]:
        # The library's own steps that place the function patterns before the data goes in.
        symbol = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0)
        symbol.modules_count = size
        symbol.modules = [[None] * size for _ in range(size)]
        symbol.setup_position_probe_pattern(0, 0)
        symbol.setup_position_probe_pattern(size - 7, 0)
        symbol.setup_position_probe_pattern(0, size - 7)
        symbol.setup_position_adjust_pattern()
        symbol.setup_timing_pattern()
        symbol.setup_type_info(test, mask)
        if version >= 7:
            symbol.setup_type_number(test)
        return symbol.modules

    blank = functions(True, 0)
    data = tuple(_bits([module is None for module in row]) for row in blank)
    masks = []
    for mask in range(8):
        inverts = qr_util.mask_func(mask)
        masks.append(tuple(
            _bits([blank[r][c] is None and inverts(r, c) for c in range(size)]) for r in range(size)))
    return _Version(
        size=size,
        data=data,
        scoring=tuple(_bits(row) for row in blank),
        functions=tuple(tuple(_bits(row) for row in functions(False, mask)) for mask in range(8)),
        masks=tuple(masks),
    )


def _penalty(rows: list[int], size: int) -> int:
    """The library's ``util.lost_point``: runs, 2×2 blocks, finder-like patterns and dark balance."""
    lines = [format(row, f"0{size}b") for row in rows]
    lines += ["".join(column) for column in zip(*lines, strict=True)]
    text = " ".join(lines)
    points = sum(len(run) - 2 for run in _RUNS.findall(text))
    points += 40 * sum(text.count(pattern) for pattern in _FINDER_LIKE)
    pairs = (1 << (size - 1)) - 1
    for top, bottom in zip(rows, rows[1:], strict=False):
        same_vertically = ~(top ^ bottom)
        points += 3 * (same_vertically & (same_vertically >> 1) & ~(top ^ (top >> 1)) & pairs).bit_count()
    dark = sum(row.bit_count() for row in rows)
    return points + 10 * int(abs(dark / size**2 * 100 - 50) / 5)


@lru_cache(maxsize=4096)
def _symbol(text: str) -> tuple[int, ...]:
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    symbol.add_data(text)
    symbol.make(fit=True)
    shape = _version(symbol.version)
    # Under mask 0: the data bits are the modules XOR mask 0; every other mask is one more XOR away.
    data = [_bits(row) ^ mask0 for row, mask0 in zip(symbol.modules, shape.masks[0], strict=True)]
    best, best_points = 0, -1
    for mask in range(8):
        rows = [(bits ^ inverts) & area | fixed
                for bits, inverts, area, fixed in zip(data, shape.masks[mask], shape.data, shape.scoring, strict=True)]
        points = _penalty(rows, shape.size)
        if best_points < 0 or points < best_points:
            best, best_points = mask, points
    return tuple((bits ^ inverts) & area | fixed
                 for bits, inverts, area, fixed in zip(data, shape.masks[best], shape.data, shape.functions[best],
                                                       strict=True))


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` as rows of modules (True is dark), with a 4-module quiet zone on every side."""
    rows = _symbol(text)
    size = len(rows)
    width = size + 2 * QUIET_ZONE
    light = [False] * width
    matrix = [light[:] for _ in range(QUIET_ZONE)]
    for row in rows:
        matrix.append([False] * QUIET_ZONE + [bool(row >> (size - 1 - c) & 1) for c in range(size)]
                      + [False] * QUIET_ZONE)
    matrix.extend(light[:] for _ in range(QUIET_ZONE))
    return matrix


def dark_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    """The dark modules as rectangles ``(column, row, width, height)``: runs along each row, and a run
    repeated on the rows below it merged into one taller rectangle (fewer shapes to draw)."""
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (column, width) -> first row
    for r, row in enumerate(matrix):
        runs = set()
        c, size = 0, len(row)
        while c < size:
            if row[c]:
                start = c
                while c < size and row[c]:
                    c += 1
                runs.add((start, c - start))
            else:
                c += 1
        for run in [run for run in open_runs if run not in runs]:
            first = open_runs.pop(run)
            done.append((run[0], first, run[1], r - first))
        for run in runs:
            open_runs.setdefault(run, r)
    done.extend((column, first, width, len(matrix) - first) for (column, width), first in open_runs.items())
    return done


def qr_png(text: str, *, size_px: int = 512) -> bytes:
    """A square PNG of the QR code, ``size_px`` wide, black and white only: each module a whole number of
    pixels (never blurred by scaling), the remainder added to the quiet zone. A code with more modules than
    ``size_px`` gets one pixel per module and is that much larger."""
    matrix = qr_matrix(text)
    count = len(matrix)
    scale = max(1, size_px // count)
    symbol = Image.new("1", (count, count), 1)
    symbol.putdata([0 if module else 1 for row in matrix for module in row])
    symbol = symbol.resize((count * scale, count * scale), Image.Resampling.NEAREST)
    side = max(size_px, count * scale)
    image = Image.new("1", (side, side), 1)
    image.paste(symbol, ((side - count * scale) // 2, (side - count * scale) // 2))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(text: str) -> str:
    """A standalone SVG of the QR code: the viewBox counts modules, the dark modules are one path."""
    matrix = qr_matrix(text)
    count = len(matrix)
    path = "".join(f"M{c} {r}h{w}v{h}h-{w}z" for c, r, w, h in sorted(dark_runs(matrix), key=lambda d: (d[1], d[0])))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count} {count}" width="{count * 8}" '
        f'height="{count * 8}" shape-rendering="crispEdges">'
        f'<rect width="{count}" height="{count}" fill="#fff"/><path fill="#000" d="{path}"/></svg>\n'
    )
