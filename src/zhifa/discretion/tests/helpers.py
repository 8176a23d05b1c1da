"""Test helpers: derive a new edition from the shipped national one."""

import io

import yaml
from openpyxl import load_workbook

from zhifa.discretion import loader
from zhifa.discretion.models import BenchmarkEdition


def national():
    return BenchmarkEdition.objects.get(code="CN-DEFAULT-2022")


def edition_doc(**edition_changes) -> dict:
    doc = loader.edition_document(national())
    doc["edition"].update(edition_changes)
    return doc


def set_level(doc, code, level, **values):
    item = next(i for i in doc["items"] if i["code"] == code)
    lv = next(lv for lv in item["levels"] if lv["level"] == level)
    lv.update({k: str(v) if v is not None else None for k, v in values.items()})


def yaml_bytes(doc) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


def xlsx_from(doc_edition_changes: dict, level_changes: list[tuple]) -> bytes:
    """Export the national edition as XLSX, then edit cells as a province would in Excel."""
    book = load_workbook(io.BytesIO(loader.export_xlsx(national())))
    ws = book["版本"]
    for row in ws.iter_rows(min_row=2):
        for key, label in loader.EDITION_FIELDS:
            if row[0].value == label and key in doc_edition_changes:
                row[1].value = doc_edition_changes[key]
    ws = book["裁量阶次"]
    for code, level_label, column, value in level_changes:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == code and row[1].value == level_label:
                row[header.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
