#!/usr/bin/env python3
"""Draw the phone app's icons into pwa/icons/ (run again after changing the mark).

The mark: a bold white QR finder square with a check through it on the app's navy. The maskable
icon keeps the mark inside the central 80 % circle that every launcher mask leaves visible.

    .venv/bin/python scripts/pwa_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

NAVY = (16, 34, 63, 255)
WHITE = (255, 255, 255, 255)
GREEN = (20, 200, 90, 255)
OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"
SUPERSAMPLE = 4


def mark(size: int, *, content: float, rounded: bool) -> Image.Image:
    """The mark on a square of `size`; `content` is the share of the side the mark may use."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(big * 0.2), fill=NAVY)
    else:
        draw.rectangle((0, 0, big - 1, big - 1), fill=NAVY)

    side = big * content
    left = (big - side) / 2
    top = (big - side) / 2
    # A QR finder pattern: a thick ring and a solid centre, the shape every scanner looks for.
    ring = side * 0.14
    draw.rectangle((left, top, left + side, top + side), fill=WHITE)
    draw.rectangle((left + ring, top + ring, left + side - ring, top + side - ring), fill=NAVY)
    inset = side * 0.3
    draw.rectangle((left + inset, top + inset, left + side - inset, top + side - inset), fill=WHITE)
    # The check, drawn over the finder: counted.
    width = int(side * 0.13)
    points = [
        (left + side * 0.22, top + side * 0.55),
        (left + side * 0.43, top + side * 0.76),
        (left + side * 0.86, top + side * 0.22),
    ]
    for colour, stroke in ((NAVY, int(width * 1.9)), (GREEN, width)):
        draw.line(points, fill=colour, width=stroke, joint="curve")
        for x, y in (points[0], points[-1]):
            r = stroke / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def save_png(image: Image.Image, path: Path) -> None:
    # Three colours and their anti-aliased edges fit a 64-colour palette: a third of the bytes.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    save_png(mark(192, content=0.62, rounded=True), OUT / "icon-192.png")
    save_png(mark(512, content=0.62, rounded=True), OUT / "icon-512.png")
    # Maskable: full-bleed background, mark within the 80 % safe circle (a square of side 0.8/√2 ≈ 0.56).
    save_png(mark(512, content=0.5, rounded=False), OUT / "icon-maskable-512.png")
    # iOS rounds the corners itself and shows transparency as black: square and opaque.
    save_png(mark(180, content=0.6, rounded=False).convert("RGB"), OUT / "apple-touch-icon.png")
    mark(32, content=0.7, rounded=True).save(OUT / "favicon-32.png", optimize=True)
    mark(48, content=0.7, rounded=True).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
