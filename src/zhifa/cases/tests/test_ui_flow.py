"""A full ordinary case and a simplified case driven through the pages only (forms as a user submits them)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Case, Transcript
from zhifa.cases.workflow import Status

from .factories import PENALTY, VIOLATED, person

pytestmark = pytest.mark.django_db


def _act(client, case, action, data):
    resp = client.post(reverse("cases:act", args=[case.pk, action]), {f"{action}-{k}": v for k, v in data.items()}, follow=True)
    assert resp.status_code == 200
    errors = [m.message for m in resp.context["messages"] if m.level_tag == "error"]
    assert not errors, errors
    case.refresh_from_db()
    return case


def test_ordinary_case_end_to_end_through_the_pages(world, client_for):
    party = person(world)
    officer, head, reviewer = client_for("officer"), client_for("head"), client_for("reviewer")
    team = [world.officers["officer"].pk, world.officers["officer2"].pk]
    resp = officer.post(reverse("cases:lead_new"), {
        "source": "report", "party_identifier": party.id_number, "occurred_at": (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "G207国道", "facts": "举报称该车未携带道路运输证", "officers": team})
    assert resp.status_code == 302
    case = Case.objects.get()
    case = _act(head, case, "open", {"officers": team, "limitation_override": ""})
    # a violation outside the catalogue: the officer states the violated provision and the penalty provision
    case = _act(officer, case, "provisions", {"violated_provision": VIOLATED, "penalty_provision": PENALTY})
    start = timezone.localtime() - timedelta(hours=1)
    resp = officer.post(reverse("cases:transcript_new", args=[case.pk]), {
        "kind": "inquiry", "started_at": start.strftime("%Y-%m-%dT%H:%M"), "ended_at": (start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
        "place": "询问室", "person_name": party.name, "qa": "问：车辆是否为你所有？\n答：是。\n问：道路运输证在哪里？\n答：忘带了。",
        "signed_by_person": "on", "officers": team})
    assert resp.status_code == 302 and Transcript.objects.get().content[1]["a"] == "忘带了。"
    case = _act(head, case, "set_review", {"legal_review_required": "on", "basis": "案情复杂"})
    case = _act(officer, case, "report", {"report_text": "事实清楚", "proposed_outcome": "penalty", "proposed_amount": "2000"})
    case = _act(head, case, "internal_review", {"approve": "1", "opinion": "同意"})
    assert case.status == Status.LEGAL_REVIEW
    case = _act(reviewer, case, "legal_review", {"opinion": "agree", "text": "同意"})
    case = _act(officer, case, "notify", {"penalty_kind": "fine", "amount": "2000"})
    case = _act(officer, case, "waive", {"statement": "无异议"})
    case = _act(head, case, "decide", {"penalty_kind": "fine", "amount": "2000", "legal_basis": PENALTY, "reasoning": "事实清楚"})
    case = _act(officer, case, "deliver", {"method": "direct", "delivered_on": timezone.localdate().isoformat()})
    assert case.status == Status.EXECUTION
    from zhifa.cases import services

    services.case_on_paid(case=case, paid_on=timezone.localdate())
    case = _act(head, case, "close", {"report": "办结"})
    case = _act(officer, case, "archive", {})
    assert case.status == Status.ARCHIVED


def test_simplified_case_through_the_page(world, client_for):
    party = person(world)
    resp = client_for("officer").post(reverse("cases:simplified_new"), {
        "party_identifier": party.id_number, "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "G207", "facts": "未携带从业资格证", "penalty_kind": "fine", "amount": "100", "legal_basis": PENALTY, "violated_provision": VIOLATED,
        "officers": [world.officers["officer"].pk, world.officers["officer2"].pk]})
    assert resp.status_code == 302
    case = Case.objects.get()
    assert case.procedure == "simplified" and case.filed_at and case.delivery_method == "on_spot"
