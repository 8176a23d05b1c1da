"""An editable Word version (DOCX) of a document, made from the same HTML the PDF is rendered from: agency
and title centred, number line right-aligned, paragraphs with a two-character first-line indent, tables as
grid tables (with column spans), signature and seal blocks. Fonts: 宋体 body, 黑体 titles (the names Word
installations in the bureaus have)."""

import io

import lxml.html
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

SERIF, SANS = "宋体", "黑体"


def _run(par, text: str, *, size: float = 12, font: str = SERIF, bold: bool = False) -> None:
    run = par.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _text(el) -> str:
    return "".join(el.itertext()).strip()


def _paragraph(doc, el) -> None:
    cls = el.get("class", "")
    par = doc.add_paragraph()
    par.paragraph_format.space_after = Pt(3)
    if "agency" in cls:
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(par, _text(el), size=15, font=SANS)
        return
    if "number" in cls:
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif "flush" not in cls:
        par.paragraph_format.first_line_indent = Pt(24)
    _run(par, _text(el), font=SANS if "section" in cls or "label" in cls else SERIF, size=10.5 if "note" in cls else 12)


def _table(doc, el) -> None:
    rows = el.findall(".//tr")
    cells_of = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
    ncols = max(sum(int(c.get("colspan", 1)) for c in cells) for cells in cells_of)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    for r, cells in enumerate(cells_of):
        col = 0
        for c in cells:
            span = int(c.get("colspan", 1))
            cell = table.cell(r, col)
            if span > 1:
                cell = cell.merge(table.cell(r, col + span - 1))
            par = cell.paragraphs[0]
            if c.tag == "th":
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(par, _text(c), size=10.5, font=SANS if c.tag == "th" else SERIF)
            col += span


def _walk(doc, el) -> None:
    tag, cls = el.tag, el.get("class", "")
    if tag == "p":
        _paragraph(doc, el)
    elif tag == "h1":
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(par, _text(el), size=20, font=SANS, bold=True)
    elif tag == "table":
        _table(doc, el)
    elif tag == "div" and "seal" in cls:
        for line in _text(el).splitlines():
            par = doc.add_paragraph()
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(par, line.strip())
    elif tag == "div" and "party" in cls:
        for line in _text(el).splitlines():
            _run(doc.add_paragraph(), line.strip())
    elif tag == "div":
        if "sign" in cls:
            doc.add_paragraph()
        for child in el:
            _walk(doc, child)


def html_to_docx(html: str) -> bytes:
    root = lxml.html.fromstring(html)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("div"):  # the seal block's lines are nested divs: one line each
        parent = block.getparent()
        if parent is not None and "seal" in parent.get("class", ""):
            block.text = "\n" + (block.text or "")
    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(25), Mm(22), Mm(26), Mm(24)
    body = root.find("body")
    for el in body if body is not None else root:
        _walk(doc, el)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
