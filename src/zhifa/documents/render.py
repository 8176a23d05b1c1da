"""HTML templates of the standard forms rendered to PDF with WeasyPrint: A4, 宋体-like serif body (Noto Serif
CJK SC), 黑体-like sans titles (Noto Sans CJK SC), centred title, number line, signature and seal blocks,
page numbers (第 X 页 共 Y 页)."""

import atexit
import io
import threading
from datetime import date

from django.template.loader import render_to_string

from zhifa.core import legal_calendar

from .kinds import DocumentKind


def rights_deadlines(delivered_on: date | None) -> dict:
    """Deadlines for the party's remedies counted from delivery: administrative reconsideration within 60 days
    (行政复议法 Art. 20) and litigation within 6 months (行政诉讼法 Art. 46); a period ending on a rest day
    ends on the next working day."""
    if not delivered_on:
        return {}
    month = delivered_on.month + 6
    year = delivered_on.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = delivered_on.day
    while True:
        try:
            six_months = date(year, month, day)
            break
        except ValueError:  # e.g. 31 August + 6 months → the last day of February
            day -= 1
    cal = legal_calendar.calendar()
    litigation = cal.add_days(six_months, 0)
    return {"reconsideration": cal.add_days(delivered_on, 60), "litigation": litigation}


def render_html(*, kind: DocumentKind, organisation, number: str, context: dict) -> str:
    """The form's HTML from the composer's context (``composer.compose``: local time, 你/你单位, the legal basis
    from structured provisions, the enforcement body as issuer)."""
    from .composer import compose

    return render_to_string(kind.template, compose(kind=kind, organisation=organisation, number=number, context=context))


_local = threading.local()


def _fonts():
    """One font configuration and one ``@font-face`` stylesheet per thread, reused by every paper the thread
    renders (fontconfig loads the font files once, not once per paper)."""
    if getattr(_local, "fonts", None) is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from .fonts import font_face_css

        config = FontConfiguration()
        faces = font_face_css()
        _local.fonts = (config, [CSS(string=faces, font_config=config)] if faces else [])
    return _local.fonts


@atexit.register
def _drop_fonts() -> None:
    # Released before the interpreter tears WeasyPrint's modules down (its FontConfiguration.__del__ needs them).
    _local.fonts = None


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and the page count. The forms' fonts are the GB 2312 working copies of ``fonts`` (the system
    fonts for any other character)."""
    from weasyprint import HTML

    config, stylesheets = _fonts()
    document = HTML(string=html, base_url=".").render(font_config=config, stylesheets=stylesheets)
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue(), len(document.pages)
