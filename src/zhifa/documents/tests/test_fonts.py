"""The forms' working fonts (documents.fonts): GB 2312 copies of the Noto CJK SC faces, with the full system font
for any other character (issue 18 item 6: rendering speed without losing a character)."""

import io

from pypdf import PdfReader

from zhifa.documents import fonts
from zhifa.documents.render import html_to_pdf

PAGE = ('<html><head><style>html {{ font-family: "Zhifa Serif SC", "Noto Serif CJK SC", serif }} '
        'h1 {{ font-family: "Zhifa Sans SC", "Noto Sans CJK SC", sans-serif; font-weight: bold }}</style></head>'
        '<body><h1>行政处罚决定书</h1><p>当事人：{name}</p></body></html>')


def test_charset_is_gb2312_with_the_forms_symbols():
    chars = fonts.charset()
    hanzi = [c for c in chars if 0x4E00 <= c <= 0x9FFF]
    assert len(hanzi) == 6763  # GB 2312's two levels
    assert all(ord(c) in chars for c in "〔〕（）：；、。№①ＡＢ１２")
    assert ord("堃") not in chars


def _font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_papers_use_the_working_copies_and_fall_back_for_a_rare_character():
    if not fonts.working_fonts():
        import pytest

        pytest.skip("HarfBuzz subsetter or the Noto CJK fonts missing here")
    common, _pages = html_to_pdf(PAGE.format(name="王建国"))
    assert _font_names(common) == {"Zhifa-Serif-SC", "Zhifa-Sans-SC-Bold"}
    rare, _pages = html_to_pdf(PAGE.format(name="王堃喆"))  # 堃 is outside GB 2312: drawn from the system font
    assert _font_names(rare) == {"Zhifa-Serif-SC", "Zhifa-Sans-SC-Bold", "Noto-Serif-CJK-SC"}
