"""The one XLSX mechanism: every list's export and every register's import.

Export: :func:`xlsx_response` writes one or more sheets with openpyxl's write-only workbook (rows go to disk as
they are produced, so a list of a million rows does not sit in memory) and streams the file to the browser. A
sheet may carry a caption row (what the list is and which filters were applied) above its bold header row.
Values are written as a person reads them: 是/否, local date and time, amounts as numbers, ``""`` for empty.

Import: :func:`read_rows` reads the first sheet of an uploaded workbook by its Chinese headers and returns each
row with its row number in the sheet, so that errors can say "第3行：……" the way staff see the file in Excel.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.db import models
from django.http import FileResponse
from django.utils import timezone

from .errors import DomainError

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One worksheet: title (≤ 31 characters), header, rows (any iterable, consumed once), optional caption."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    caption: str = ""
    widths: dict[int, int] = field(default_factory=dict)


def plain(value):
    """A cell value as the register shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float, str, date)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def write(sheets: Sequence[Sheet], fh) -> int:
    """Write ``sheets`` to the binary file ``fh``; returns the number of data rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    count = 0
    bold, big = Font(bold=True), Font(bold=True, size=13)
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.title))
        for i, header in enumerate(sheet.headers):
            width = sheet.widths.get(i) or max(10, min(40, len(str(header)) * 2 + 4))
            ws.column_dimensions[_column_letter(i + 1)].width = width
        if sheet.caption:
            c = WriteOnlyCell(ws, value=sheet.caption)
            c.font = big
            ws.append([c])
        header = []
        for h in sheet.headers:
            c = WriteOnlyCell(ws, value=str(h))
            c.font = bold
            header.append(c)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, plain(v)) for v in row])
            count += 1
    wb.save(fh)
    return count


def _cell(ws, value):
    # openpyxl stores a text starting with "=" as a formula: a party's name or a note must never become one.
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook as bytes (for files kept in the evidence store or sent by the API)."""
    with tempfile.TemporaryFile() as fh:
        write(sheets, fh)
        fh.seek(0)
        return fh.read()


def xlsx_response(filename: str, sheets: Sequence[Sheet] | Sheet) -> FileResponse:
    """Stream a workbook as a download (``filename`` without extension; Chinese names are fine)."""
    if isinstance(sheets, Sheet):
        sheets = [sheets]
    fh = tempfile.TemporaryFile()
    try:
        write(sheets, fh)
    except BaseException:
        fh.close()
        raise
    size = fh.tell()
    fh.seek(0)
    response = FileResponse(fh, content_type=CONTENT_TYPE)
    name = filename if filename.endswith(".xlsx") else f"{filename}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Content-Length"] = str(size)
    return response


EXPORT_MAX_ROWS = 200_000


def record_export(user, *, kind: str, title: str, caption: str) -> None:
    """An export of a register is itself recorded (who took which list out, with which filters): lists hold
    parties' names and plates (个人信息保护法 Art. 51)."""
    from django.db import transaction

    from . import audit

    with transaction.atomic():
        audit.record(actor=user, action="register.export", subject=("export", kind, title), summary=f"导出 XLSX：{caption}")


def value_at(obj, path):
    """``"party.name"`` / ``"get_status_display"`` / a callable, read from ``obj`` (None along the way is empty)."""
    if callable(path):
        return path(obj)
    for part in path.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
        if callable(obj) and not isinstance(obj, models.Manager):
            obj = obj()
    return obj


def list_response(user, *, kind: str, title: str, qs, columns: Sequence[tuple[str, object]], filters: dict | None = None):
    """Export a register list as the page shows it, with the filters applied: recorded, then streamed (the
    queryset is read in chunks, at most :data:`EXPORT_MAX_ROWS` rows). ``columns`` are (header, path or callable)."""
    caption = filter_caption(title, filters or {})
    record_export(user, kind=kind, title=title, caption=caption)
    if hasattr(qs, "iterator"):
        rows_source = qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    else:
        rows_source = iter(list(qs)[:EXPORT_MAX_ROWS])
    rows = ([value_at(obj, path) for _, path in columns] for obj in rows_source)
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}", Sheet(title, [c for c, _ in columns], rows, caption=caption))


def filter_caption(title: str, filters: dict[str, str]) -> str:
    """``案件列表（状态：已立案；关键词：豫R）导出于 2026-11-11 15:04``: what the file holds."""
    applied = "；".join(f"{k}：{v}" for k, v in filters.items() if v)
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return f"{title}（{applied}）导出于 {when}" if applied else f"{title}（全部）导出于 {when}"


def form_filters(form) -> dict[str, str]:
    """The filters a bound form applied, as ``{label: shown value}`` (choices by their label) for a caption."""
    out = {}
    data = getattr(form, "cleaned_data", None) or {}
    for name, value in data.items():
        if value in (None, "", [], ()):
            continue
        f = form.fields.get(name)
        label = str(f.label) if f is not None and f.label else name
        if f is not None and getattr(f, "choices", None) and not hasattr(value, "pk"):
            shown = dict((str(k), str(v)) for k, v in f.choices).get(str(value), str(value))
        elif isinstance(value, date):
            shown = value.isoformat()
        else:
            shown = str(value)
        out[label] = shown
    return out


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\：":
        title = title.replace(ch, "")
    return title[:31] or "Sheet"


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


# --- import ---------------------------------------------------------------------------------------------------

@dataclass
class ImportRow:
    """One data row of an uploaded sheet: its row number as Excel shows it and its values by field key."""

    number: int
    values: dict


def _open_workbook(file):
    """A read-only workbook of ``file`` (a path, an upload or bytes); a file that is not one is refused in Chinese."""
    from openpyxl import load_workbook

    if isinstance(file, bytes | bytearray):
        file = io.BytesIO(file)
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError("invalid_workbook", "文件不是有效的 Excel（.xlsx）工作簿。") from exc


def sheet_names(file) -> list[str]:
    """The names of the workbook's sheets, in order."""
    wb = _open_workbook(file)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_values(file, *, sheet: str | None = None) -> list[tuple]:
    """The raw rows of one sheet (the first unless ``sheet`` names one), for a sheet that is not a header table
    (a key/value sheet). Prefer :func:`read_rows` for registers."""
    wb = _open_workbook(file)
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_rows(file, columns: dict[str, str], *, required: Sequence[str] = (), max_rows: int = 20_000,
              sheet: str | None = None) -> tuple[list[ImportRow], list[str]]:
    """Read the first sheet (or the one named ``sheet``) of ``file`` (an uploaded .xlsx, a path or bytes) whose
    header row holds the Chinese ``columns`` labels (``{"号牌号码": "plate", ...}``; several labels may name one
    key). Returns (rows, errors); errors name the row and the column in Chinese (and the sheet when named).

    The header is the first row that holds any of the labels (a title row above it is skipped); blank rows are
    skipped; a missing required column is one error for the whole file."""
    wb = _open_workbook(file)
    where = f"工作表「{sheet}」" if sheet else ""
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        header_at, index = None, {}
        rows, errors = [], []
        labels = {k.strip(): v for k, v in columns.items()}
        for number, raw in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v for v in raw]
            if header_at is None:
                found = {str(v).strip().rstrip("*＊ ").strip(): i for i, v in enumerate(cells) if str(v).strip()}
                if any(label in found for label in labels):
                    header_at = number
                    index = {labels[label]: found[label] for label in labels if label in found}
                    reverse = {}
                    for label, key in labels.items():
                        reverse.setdefault(key, label)
                    missing = [reverse[key] for key in required if key not in index]
                    if missing:
                        return [], [f"{where}表头缺少必填列：{'、'.join(missing)}（第{number}行为表头）"]
                continue
            if not any(str(v).strip() for v in cells):
                continue
            if len(rows) >= max_rows:
                errors.append(f"{where}超过单次导入上限 {max_rows} 行，第{number}行起未读取")
                break
            values = {key: (cells[i].strip() if isinstance(cells[i], str) else cells[i]) if i < len(cells) else ""
                      for key, i in index.items()}
            rows.append(ImportRow(number, values))
        if header_at is None:
            return [], [f"{where}未找到表头：第一行应包含 {'、'.join(list(labels)[:6])} 等列"]
        return rows, errors
    finally:
        wb.close()


def template_response(filename: str, columns: dict[str, str], required: Sequence[str] = (), example: Sequence | None = None) -> FileResponse:
    """An empty register template to fill in Excel: the header (required columns marked ＊) and one example row."""
    headers = [f"{label}＊" if key in required else label for label, key in columns.items()]
    return xlsx_response(filename, Sheet(filename[:31], headers, [example] if example else []))
