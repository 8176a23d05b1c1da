"""The full-process record as people read it (issue 18 item 1): Chinese labels, local times, 元, choices by label,
是/否, — for empty; the raw stored row only for supervisors."""

import re

import pytest
from django.db import transaction

from zhifa.cases.tests.factories import decided
from zhifa.cases.workflow import Status
from zhifa.core import audit, history
from zhifa.core.models import Event


def _record(world, subject, changes, summary=""):
    with transaction.atomic():
        return audit.record(actor=world.users["head"], action="case.edit", subject=subject, changes=changes, summary=summary)


@pytest.mark.django_db
def test_case_changes_read_as_labels_and_formatted_values(world):
    case = decided(world)
    event = _record(world, case, {
        "fine_amount": ["2000.00", "12500.5"], "status": ["notified", "decided"], "decided_by_id": [None, world.users["head"].pk],
        "filed_at": [None, "2026-11-11T07:04:37.120000+00:00"], "hearing_right": [True, False], "decided_on": [None, "2026-11-11"],
    })
    rows = {r.label: r for r in history.change_rows(event)}
    assert rows["罚款金额"].before == "2,000.00 元" and rows["罚款金额"].after == "12,500.50 元"
    assert rows["状态"].before == Status.NOTIFIED.label and rows["状态"].after == Status.DECIDED.label
    assert rows["决定人"].before == "—" and rows["决定人"].after == str(world.users["head"])
    # UTC 07:04 is 15:04 in Asia/Shanghai; no ISO "T" reaches the reader
    assert rows["简易程序备案时间"].after == "2026-11-11 15:04"
    assert [r for r in rows.values() if r.before == "是" and r.after == "否"]
    assert rows["决定日期"].after == "2026-11-11"


@pytest.mark.django_db
def test_free_form_keys_get_chinese_labels_never_code_names(world):
    case = decided(world)
    event = _record(world, case, {"sha256": "ab" * 32, "unknown_thing": 3, "late": True, "drawn": ["A1", "B2"]})
    text = " ".join(f"{r.label} {r.before or ''} {r.after}" for r in history.change_rows(event))
    assert "sha256" not in text and "unknown_thing" not in text and "True" not in text
    assert "逾期  是" in text and "A1、B2" in text and "其他信息  3" in text


@pytest.mark.django_db
def test_the_items_of_an_evidence_preservation_read_with_their_labels(world):
    """preservation.request records its list of items (cases.preservation._clean_items): every column named."""
    case = decided(world)
    items = [{"name": "道路运输单证", "spec": "A4", "quantity": "3", "unit": "份", "note": "原件"}]
    event = _record(world, case, {"items": items})
    text = " ".join(f"{r.label} {r.before or ''} {r.after}" for r in history.change_rows(event))
    assert "其他信息" not in text
    assert all(word in text for word in ("规格", "A4", "数量", "3", "单位", "份", "备注", "原件"))


@pytest.mark.django_db
def test_every_event_of_a_case_renders_without_english_or_raw_dicts(world, client_for):
    case = decided(world)
    html = client_for("officer").get(f"/history/cases.case/{case.pk}/").content.decode()
    assert Event.objects.filter(subject_type="cases.case", subject_id=str(case.pk)).count() >= 5
    visible = re.sub(r"<details class=\"raw\">.*?</details>", "", html, flags=re.S)
    body = visible.split("<main", 1)[-1]
    assert "原始记录" not in html  # an officer does not see the raw row
    assert not re.search(r"\{'|\bNone\b|\bTrue\b|\bFalse\b|\d{4}-\d{2}-\d{2}T\d{2}", body)
    assert "变更内容" in body


@pytest.mark.django_db
def test_supervisor_gets_the_raw_record_one_click_away(world, client_for):
    case = decided(world)
    html = client_for("supervisor").get(f"/history/cases.case/{case.pk}/").content.decode()
    assert "原始记录" in html and "case." in html


@pytest.mark.django_db
def test_who_may_see_the_raw_rows_is_asked_once_a_record(world, client_for, monkeypatch):
    """The record's list asks whether the reader may see the raw rows once, not once per event (the case page
    asked it for every one of a long record's events)."""
    case = decided(world)
    asked = []
    may_view_raw = history.may_view_raw
    monkeypatch.setattr(history, "may_view_raw", lambda user: asked.append(user) or may_view_raw(user))
    for who, shown in (("supervisor", True), ("officer", False)):
        asked.clear()
        html = client_for(who).get(f"/cases/{case.pk}/").content.decode()
        events = Event.objects.filter(subject_id=str(case.pk), subject_type="cases.case").count()
        assert html.count("原始记录") == (events if shown else 0)
        assert len(asked) == 1


def test_action_without_summary_reads_in_chinese():
    event = Event(action="problem.update", subject_type="oversight.problem", summary="")
    assert history.action_label(event) == "修改问题清单"
    assert history.format_value(None) == "—"


@pytest.mark.django_db
def test_import_errors_name_the_column_in_chinese(world):
    from zhifa.inspections.services import warning_import

    result = warning_import(actor=world.users["officer"], organisation=world.brigade_a, source="file",
                            rows=[{"external_id": "W1", "warning_class": 1, "category": "超限", "occurred_at": "2026-11-11 10:00"}])
    assert result["errors"] == ["第1行缺少：预警内容"]


def test_statistics_say_which_date_counts_in_words():
    from zhifa.reports.metrics import METRICS

    dated = [m for m in METRICS if m.date_field and m.model_class() is not None]
    assert dated and all(m.date_label and m.date_label.isascii() is False for m in dated)


def test_problem_steps_read_as_labels():
    from zhifa.oversight.models import ProblemStep

    step = ProblemStep(action="create", from_status="", to_status="open")
    assert (step.action_label, step.from_label, step.to_label) == ("登记问题", "—", "待整改")


@pytest.mark.django_db
def test_a_related_records_snapshot_on_the_case_reads_with_its_own_labels(world):
    """A payment notice's status recorded on its case: 待缴纳, not the code, though the case has a status field too."""
    case = decided(world)
    event = _record(world, case, {"status": [None, "unpaid"], "kind": [None, "inquiry"], "id": [None, 7], "updated_at": [None, "x"]})
    rows = {r.label: r.after for r in history.change_rows(event)}
    assert "待缴纳" in rows.values() and "询问笔录" in rows.values() and len(rows) == 2


@pytest.mark.django_db
def test_names_in_a_history_are_read_one_query_per_model_and_read_the_same(world,
                                                                            django_assert_max_num_queries):
    """A case's history names its officers and unit on many lines: ``NameResolver.prefetch`` reads them once
    per model (a query per name before), and the lines read exactly as when each name is looked up alone."""
    case = decided(world)
    users = list(world.users.values())
    for i, user in enumerate(users):
        _record(world, case, {"decided_by_id": [users[i - 1].pk, user.pk],
                              "organisation_id": [None, case.organisation_id]})
    _record(world, case, {"decided_by_id": [None, 987654321]})  # a person since removed from the register
    events = list(audit.history(case))
    one_by_one = [history.change_rows(e) for e in events]
    resolver = history.NameResolver()
    # users, organisations, parties (the case's own creation names its party)
    with django_assert_max_num_queries(3):
        resolver.prefetch(events)
    with django_assert_max_num_queries(1):  # only the removed person, asked alone (已不存在的…)
        together = [history.change_rows(e, resolver=resolver) for e in events]
    assert together == one_by_one
    assert any("已不存在" in r.after for rows in together for r in rows)


@pytest.mark.django_db
def test_names_the_page_has_read_already_are_not_read_again_and_read_the_same(world,
                                                                              django_assert_num_queries):
    """The case page hands the record the case's unit and party and its people (``NameResolver.know``): the
    lines that name them need no query and read as when the names are looked up."""
    case = decided(world)
    users = list(world.users.values())
    for user in users:
        _record(world, case, {"decided_by_id": [None, user.pk],
                              "organisation_id": [None, case.organisation_id]})
    events = list(audit.history(case))
    one_by_one = [history.change_rows(e) for e in events]
    resolver = history.NameResolver()
    resolver.know([case.organisation, case.party, None, *users])
    with django_assert_num_queries(0):
        resolver.prefetch(events)
        together = [history.change_rows(e, resolver=resolver) for e in events]
    assert together == one_by_one
