"""The annual report renders Chinese correctly: the DOCX opened by a word processor (LibreOffice, headless) and the
PDF from WeasyPrint both embed a CJK font, carry the Chinese text, and leave a page image under
``test-artifacts/reports/`` for a person to look at."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "reports"
SOFFICE = shutil.which("soffice")
YEAR = 2025


def _fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _first_page_png(pdf: Path, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(ARTIFACTS / name)],
                   check=True)
    return ARTIFACTS / f"{name}.png"


def _assert_cjk(pdf: Path, unit_name: str):
    fonts = _fonts(pdf)
    assert "CJK" in fonts, f"no CJK font embedded:\n{fonts}"
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    # Every font is embedded (the "emb" column), so the reader needs nothing installed to show the Chinese text.
    assert rows and all("yes" in row[-5:-2] for row in rows), fonts
    text = _text(pdf)
    assert f"{unit_name}{YEAR}年度行政执法工作报告" in text.replace(" ", "")
    assert "三项制度" in text and "【" not in text  # nothing unwritten is printed
    assert "\ufffd" not in text and "□" not in text  # no replacement glyphs


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) missing: apt-get install libreoffice-writer-nogui")
def test_docx_opens_in_a_word_processor_with_chinese_text(world, tmp_path):
    docx = tmp_path / "report.docx"
    call_command("report", "annual", year=YEAR, unit=world.county_a.code, format="docx", output=str(docx),
                 stdout=io.StringIO())
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    _assert_cjk(pdf, world.county_a.name)
    assert _first_page_png(pdf, "annual-docx-page1").stat().st_size > 5_000


def test_pdf_embeds_a_cjk_font(world, tmp_path):
    pdf = tmp_path / "report.pdf"
    call_command("report", "annual", year=YEAR, unit=world.county_a.code, format="pdf", output=str(pdf),
                 stdout=io.StringIO())
    _assert_cjk(pdf, world.county_a.name)
    assert _first_page_png(pdf, "annual-pdf-page1").stat().st_size > 5_000
