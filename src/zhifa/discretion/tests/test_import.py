"""Import and export of editions (XLSX and YAML) with per-row validation; a second province's edition loaded
from XLSX changes new assessments, while a decided case keeps its stored assessment."""

import io
from datetime import date
from decimal import Decimal

import pytest
import yaml
from openpyxl import load_workbook

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.discretion import loader, services
from zhifa.discretion.engine import Assessment, assess
from zhifa.discretion.models import BenchmarkEdition, ViolationItem

from .helpers import edition_doc, national, xlsx_from, yaml_bytes

pytestmark = pytest.mark.django_db


def test_shipped_catalogue_is_loaded_with_at_least_30_road_transport_items():
    items = ViolationItem.objects.all()
    assert items.filter(code__startswith="CX-").count() >= 5
    assert items.exclude(code__startswith="CX-").count() >= 30
    assert all(i.violated_provision and i.penalty_basis and i.penalty_kinds for i in items)


def test_export_then_import_round_trip_yaml(world):
    doc = edition_doc(code="RT-1", effective_from="2030-01-01")
    edition = services.edition_import(actor=world.users["admin"], content=yaml_bytes(doc), filename="rt.yaml")
    assert edition.levels.count() == national().levels.count()
    assert edition.list_entries.count() == national().list_entries.count()
    again = yaml.safe_load(loader.export_yaml(edition))
    assert again["items"] == doc["items"]


def test_an_export_reads_the_edition_in_three_queries_whatever_its_size():
    """The items, the edition's levels and its list entries: one query each (two per item until 2026-12-06, 97
    for the shipped catalogue's 48 items)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edition = national()
    with CaptureQueriesContext(connection) as queries:
        doc = loader.edition_document(edition)
    levels = sum(len(item["levels"]) for item in doc["items"])
    assert len(doc["items"]) >= 30 and levels == edition.levels.count()
    assert len(queries) == 3


def test_second_province_xlsx_changes_new_assessments_not_decided_ones(world):
    violation = date(2026, 8, 1)
    decided = assess(item_code="YS-008", facts={"harm": "minor"}, violation_date=violation, today=violation)
    stored = decided.as_dict()  # what the case keeps when it is decided
    assert decided.amount == Decimal("2000.00")

    content = xlsx_from({"code": "NX-2026", "name": "宁夏交通运输行政处罚裁量基准（测试版）", "region": "宁夏",
                         "effective_from": "2026-09-01", "overload_rounding": "ceil"},
                        [("YS-008", "一般", "罚款下限", 1000), ("YS-008", "一般", "罚款上限", 1500),
                         ("YS-008", "一般", "建议罚款", 1200)])
    edition = services.edition_import(actor=world.users["admin"], content=content, filename="宁夏.xlsx")
    assert edition.region == "宁夏" and edition.overload_rounding == "ceil"

    new_case = assess(item_code="YS-008", facts={"harm": "minor"}, violation_date=date(2026, 9, 5), today=date(2026, 9, 5))
    assert new_case.amount == Decimal("1200.00") and new_case.benchmark_version == "NX-2026"
    overload = assess(item_code="CX-001", facts={"over_kg": 6600}, violation_date=date(2026, 9, 5), today=date(2026, 9, 5))
    assert overload.amount == Decimal("3500.00") and overload.rounding == "ceil"
    # The decided case keeps what was stored at decision time.
    assert Assessment.from_dict(stored).amount == Decimal("2000.00")
    assert Assessment.from_dict(stored).benchmark_version == "CN-DEFAULT-2022"
    assert Event.objects.filter(action="discretion.edition_import", subject_id=str(edition.pk)).exists()


def _bad_workbook() -> bytes:
    book = load_workbook(io.BytesIO(xlsx_from({"code": "BAD-1", "effective_from": "2030-01-01"}, [])))
    items = book["事项"]
    items["F3"] = "鞭刑"                   # unknown penalty kind, row 3
    items["G4"], items["H4"] = 5000, 100    # min above max, row 4
    levels = book["裁量阶次"]
    levels["B2"] = "特别严重"               # unknown level, row 2
    levels["D3"] = "{not json"               # bad criteria, row 3
    levels["A5"] = "ZZ-999"                  # unknown item, row 5
    lists = book["清单"]
    lists["C2"] = ""                          # conditions missing, row 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_reports_each_problem_with_its_row_and_changes_nothing(world):
    before = (BenchmarkEdition.objects.count(), Event.objects.count())
    with pytest.raises(DomainError) as exc:
        services.edition_import(actor=world.users["admin"], content=_bad_workbook(), filename="bad.xlsx")
    errors = exc.value.details["errors"]
    expected = ["工作表「事项」第3行：未知的处罚种类“鞭刑”", "工作表「事项」第4行：法定罚款下限高于上限",
                "工作表「裁量阶次」第2行：未知的裁量阶次“特别严重”", "工作表「裁量阶次」第3行：判定条件不是有效的JSON",
                "工作表「裁量阶次」第5行：事项编码“ZZ-999”不在目录中", "工作表「清单」第2行：“适用条件”必填"]
    for text in expected:
        assert any(e.startswith(text) for e in errors), (text, errors)
    assert (BenchmarkEdition.objects.count(), Event.objects.count()) == before


def test_import_refuses_an_existing_edition_code(world):
    with pytest.raises(DomainError) as exc:
        services.edition_import(actor=world.users["admin"], content=yaml_bytes(edition_doc()), filename="x.yaml")
    assert any("已存在" in e for e in exc.value.details["errors"])


def test_import_requires_admin(world):
    with pytest.raises(NotPermitted):
        services.edition_import(actor=world.users["officer"], content=yaml_bytes(edition_doc(code="X")), filename="x.yaml")
    assert not BenchmarkEdition.objects.filter(code="X").exists()


def test_import_records_changed_items_with_before_and_after(world):
    doc = edition_doc(code="CHG-1", effective_from="2030-01-01")
    item = next(i for i in doc["items"] if i["code"] == "YS-008")
    item["note"] = "本省补充说明"
    services.edition_import(actor=world.users["admin"], content=yaml_bytes(doc), filename="chg.yaml")
    event = Event.objects.get(action="discretion.item_update", subject_id=str(ViolationItem.objects.get(code="YS-008").pk))
    assert event.changes["note"] == ["", "本省补充说明"]


def test_wrong_file_type_refused(world):
    with pytest.raises(DomainError):
        services.edition_import(actor=world.users["admin"], content=b"x", filename="x.csv")


def test_future_edition_can_be_withdrawn_but_not_one_in_force(world):
    admin = world.users["admin"]
    future = services.edition_import(actor=admin, content=yaml_bytes(edition_doc(code="F-1", effective_from="2099-01-01")),
                                     filename="f.yaml")
    services.edition_delete(actor=admin, edition=future)
    assert not BenchmarkEdition.objects.filter(code="F-1").exists()
    with pytest.raises(DomainError):
        services.edition_delete(actor=admin, edition=national())
