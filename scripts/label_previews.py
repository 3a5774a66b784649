"""Draw the pictures of the label templates in docs/labels/: one label of each template as it prints
(PNG at the template's resolution, scaled down for the page) and a full avery-l7160 sheet."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.labels.render import Label, render  # noqa: E402
from backend.labels.templates import load_templates  # noqa: E402

OUT = ROOT / "docs" / "labels"
SAMPLE = Label(url="https://acme.assets.example/a/AST-000042", tag="AST-000042",
               name="Dell Latitude 7440 — Finance, 2nd floor", tenant_name="Acme Facilities", barcode="AST-000042")
PREVIEW_WIDTH = 600  # px: big enough to read on GitHub, small enough to commit


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, template in sorted(load_templates().items()):
        image = Image.open(io.BytesIO(render(template, [SAMPLE], "png"))).convert("L")
        scale = PREVIEW_WIDTH / image.width
        image = image.resize((PREVIEW_WIDTH, round(image.height * scale)), Image.Resampling.LANCZOS)
        bordered = Image.new("L", (image.width + 2, image.height + 2), 160)
        bordered.paste(image, (1, 1))
        bordered.save(OUT / f"{name}.png", optimize=True)
        print(f"docs/labels/{name}.png")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm (poppler-utils) is missing: no sheet picture", file=sys.stderr)
        return 1
    sheet = [Label(url=f"https://acme.assets.example/a/AST-{n:06d}", tag=f"AST-{n:06d}", name=f"Office chair {n}",
                   tenant_name="Acme Facilities", barcode=f"AST-{n:06d}") for n in range(1, 22)]
    pdf = render(load_templates()["avery-l7160"], sheet, "pdf")
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "sheet.pdf").write_bytes(pdf)
        subprocess.run([pdftoppm, "-r", "60", "-gray", "-png", "-singlefile", str(Path(work) / "sheet.pdf"),
                        str(OUT / "avery-l7160-sheet")], check=True)
    print("docs/labels/avery-l7160-sheet.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
