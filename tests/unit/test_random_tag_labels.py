"""A tag with a random part (AST-000123-K7QF9M, tenant setting tagRandomChars) prints whole on every label
template: a person who cannot scan it can still type it. The tag shrinks to fit; it must not be cut."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from backend.assets.rules import format_tag
from backend.labels.render import Label, render
from backend.labels.templates import load_templates

SVG = "{http://www.w3.org/2000/svg}"
# W and M are the widest characters of the random part's alphabet: any other tag of this form is narrower.
TAGS = [format_tag("AST-", 6, 999_999, random) for random in ("WWWWWW", "MWMWMW", "K7QF9M")] + \
       [format_tag("AST-", 6, 123, "WWWW")]


def _label(tag: str, barcode: bool) -> Label:
    return Label(url=f"https://acme.assets.example/a/{tag}", tag=tag, name="Pallet jack", tenant_name="Acme Ltd",
                 barcode=tag if barcode else None)


@pytest.mark.parametrize("barcode", [True, False], ids=["with-barcode", "without-barcode"])
@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("template", sorted(load_templates().values(), key=lambda t: t.name), ids=lambda t: t.name)
def test_a_tag_with_six_random_characters_prints_whole(template, tag, barcode):
    label = _label(tag, barcode)
    root = ET.fromstring(render(template, [label], "svg"))
    assert tag in [element.text for element in root.iter(f"{SVG}text")]
    pdf = PdfReader(io.BytesIO(render(template, [label], "pdf"))).pages[0].extract_text()
    assert tag in pdf.split()
    if "zpl" in template.formats:
        fields = re.findall(r"\^FD(.*?)\^FS", render(template, [label], "zpl").decode())
        assert tag in fields
