"""Every list exports to XLSX through the one exporter (core.xlsx) with the page's filters applied, recorded as an
export, and only within the viewer's jurisdiction."""

import io

import pytest
from openpyxl import load_workbook

from zhifa.cases.tests.factories import decided, lead
from zhifa.core import xlsx
from zhifa.core.models import Event


def _rows(response):
    assert response.status_code == 200 and response["Content-Type"] == xlsx.CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_case_list_export_applies_the_filters_and_is_recorded(world, client_for):
    done = decided(world)
    open_lead = lead(world)
    rows = _rows(client_for("officer").get("/cases/?status=decided&format=xlsx"))
    assert rows[0][0].startswith("案件列表（状态：") and rows[1][:3] == ("案件编号", "办案机构", "当事人")
    numbers = [r[0] for r in rows[2:]]
    assert numbers == [done.number] and open_lead.number not in numbers
    fine = rows[2][rows[1].index("罚款金额（元）")]
    assert fine == 2000 and rows[2][rows[1].index("状态")] == done.get_status_display()
    assert Event.objects.filter(action="register.export", subject_id="cases.case").count() == 1


@pytest.mark.django_db
def test_other_jurisdiction_exports_none_of_these_cases(world, client_for):
    decided(world)
    assert len(_rows(client_for("officer_b").get("/cases/?format=xlsx"))) == 2  # caption and header only


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/registers/parties/?format=xlsx", "/registers/vehicles/?format=xlsx", "/registers/companies/?format=xlsx",
                                 "/registers/officers/?format=xlsx", "/payments/?format=xlsx", "/credit/?format=xlsx",
                                 "/credit/dishonesty/?format=xlsx"])
def test_every_register_list_exports(world, client_for, url):
    decided(world)
    rows = _rows(client_for("head").get(url))
    assert rows[1] and all(isinstance(h, str) and h for h in rows[1])


@pytest.mark.django_db
def test_party_export_masks_identifiers_as_the_list_does(world, client_for):
    case = decided(world)
    rows = _rows(client_for("officer").get("/registers/parties/?format=xlsx"))
    row = next(r for r in rows[2:] if r[0] == case.party.name)
    assert case.party.id_number not in row and "*" in row[2]


def test_a_text_starting_with_equals_is_never_a_formula():
    data = xlsx.workbook_bytes([xlsx.Sheet("t", ["名称"], [["=HYPERLINK(\"http://x\")"], [True], [None]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].data_type == "s" and ws["A3"].value == "是" and ws["A4"].value is None
