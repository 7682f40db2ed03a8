"""Write ``seeds/idlib.docx`` from ``seeds/idlib.txt`` with python-docx.

The headline is a heading; names of people are bold runs, "Idlib province" a hyperlink;
a small table, a header and a footer; so the file exercises run formatting, links,
tables, headers and footers. Run: ``python benchmarks/make_seed_docx.py``.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parent.parent
BOLD = ("Vladimir Putin", "Recep Tayyip Erdogan", "Bashar al-Assad")
LINK = ("Idlib province", "https://en.wikipedia.org/wiki/Idlib_Governorate")


def _hyperlink(paragraph, text: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    rpr.append(style)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _paragraph(document, line: str) -> None:
    p = document.add_paragraph()
    rest = line
    while rest:
        hits = [(rest.find(n), n) for n in (*BOLD, LINK[0]) if n in rest]
        if not hits:
            p.add_run(rest)
            break
        at, name = min(hits)
        p.add_run(rest[:at])
        if name == LINK[0]:
            _hyperlink(p, name, LINK[1])
        else:
            p.add_run(name).bold = True
        rest = rest[at + len(name) :]


def main() -> None:
    lines = [x for x in (ROOT / "seeds/idlib.txt").read_text(encoding="utf-8").splitlines() if x]
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "World news - Wire"
    section.footer.paragraphs[0].text = "Copyright Wire. All rights reserved."
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        _paragraph(document, line)
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Country", (0, 1): "Troops", (1, 0): "Turkey",
                         (1, 1): "thousands"}.items():  # fmt: skip
        table.cell(r, c).text = text
    document.core_properties.title = lines[0]
    document.save(ROOT / "seeds/idlib.docx")


if __name__ == "__main__":
    main()
