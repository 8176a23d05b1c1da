"""The case pages and the REST API: lists, the case page with only allowed actions, forms that call services,
jurisdiction (404 outside), API errors as {code, message}."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.workflow import Status

from .factories import PENALTY, VIOLATED, lead, notified, opened, person

pytestmark = pytest.mark.django_db


def test_case_list_and_detail_pages(world, client_for):
    case = opened(world)
    client = client_for("officer")
    page = client.get(reverse("cases:list"))
    assert page.status_code == 200 and case.number in page.content.decode()
    mine = client.get(reverse("cases:mine"))
    assert case.number in mine.content.decode()
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "作出决定期限" in detail and "提交调查终结报告" in detail
    assert f"/cases/{case.pk}/act/open/" not in detail  # only the next allowed actions


def test_the_unit_filter_is_offered_to_whoever_has_more_than_one_unit(world, client_for):
    """办案机构: a head (county A and its brigade) and the city's supervisor may narrow the list to a unit of their
    jurisdiction; an officer of one brigade is not offered a choice of one. Until 2026-12-06 nobody was: the units'
    query raised an error that the template swallowed."""
    in_brigade = lead(world)
    head = client_for("head").get("/cases/").content.decode()
    assert '<select name="unit"' in head
    assert f'<option value="{world.brigade_a.pk}"' in head and f'<option value="{world.county_a.pk}"' in head
    assert f'<option value="{world.county_b.pk}"' not in head  # not the head's jurisdiction
    supervisor = client_for("supervisor").get("/cases/").content.decode()
    assert f'<option value="{world.county_b.pk}"' in supervisor and f'<option value="{world.city.pk}"' in supervisor
    assert '<select name="unit"' not in client_for("officer").get("/cases/").content.decode()
    narrowed = client_for("head").get(f"/cases/?unit={world.brigade_a.pk}").content.decode()
    assert f'href="/cases/{in_brigade.pk}/"' in narrowed
    assert f'href="/cases/{in_brigade.pk}/"' not in client_for("supervisor").get(
        f"/cases/?unit={world.county_b.pk}").content.decode()


def test_head_sees_open_action_officer_does_not(world, client_for):
    case = lead(world)
    url = reverse("cases:act", args=[case.pk, "open"])
    assert url in client_for("head").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url not in client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_other_jurisdiction_gets_404(world, client_for, api_for):
    case = lead(world)
    assert client_for("officer_b").get(reverse("cases:detail", args=[case.pk])).status_code == 404
    # an act an officer may take on a lead of their own county: 404 for the other county's officer too
    act_form = reverse("cases:act_form", args=[case.pk, "discovery"])
    assert client_for("officer").get(act_form).status_code == 200
    for headers in ({}, {"HX-Request": "true"}):
        assert client_for("officer_b").get(act_form, headers=headers).status_code == 404
    assert api_for("officer_b").get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_the_lists_links_are_not_reversed_row_by_row(world, client_for, monkeypatch):
    """The case list and the at-risk list link each row to its case page with the address reversed once per
    page (a {% url %} per row was a tenth of the list's CPU): as many reversals for 6 rows as for 2, and the
    links are the case pages' own."""
    from django.urls.resolvers import URLResolver

    def reversals(path):
        calls = []
        original = URLResolver._reverse_with_prefix
        monkeypatch.setattr(URLResolver, "_reverse_with_prefix",
                            lambda self, *a, **kw: calls.append(a[0]) or original(self, *a, **kw))
        body = client.get(path).content.decode()
        monkeypatch.setattr(URLResolver, "_reverse_with_prefix", original)
        return len(calls), body

    client = client_for("officer")
    # the navigation's entries, reversed once per process
    client.get("/cases/"), client.get("/cases/at-risk/")
    overdue = timezone.localdate() - timedelta(days=120)
    made = []
    for n in (2, 4):
        for _ in range(n):
            made.append(opened(world))
            Case.objects.filter(pk=made[-1].pk).update(opened_on=overdue, clock_due_on=overdue)
        counts = [reversals("/cases/"), reversals("/cases/at-risk/")]
        for _count, body in counts:
            for case in made:
                assert f'<a href="{reverse("cases:detail", args=[case.pk])}">{case.number}</a>' in body
        if n == 2:
            few = [c for c, _ in counts]
    assert [c for c, _ in counts] == few


def test_a_case_key_beyond_64_bits_is_no_case(world, client_for, api_for):
    """The case is looked up by a query compiled once (selectors.case_get), which takes the key as given: a
    key no row can have answers 404 on the page and the API, as the ORM's look-up did (not an overflow)."""
    for key in (2**63, 10**30):
        assert client_for("officer").get(f"/cases/{key}/").status_code == 404
        assert api_for("officer").get(f"/api/v1/cases/{key}").json()["code"] == "not_found"


def test_an_acts_form_is_loaded_when_opened_and_only_for_an_act_the_user_may_take(world, client_for):
    """The case page lists the acts; the form of one is loaded (HTMX) when the officer opens it, with its
    initial values — here the head's 立案 with the officers to choose. Another act, or another person's, is
    not served."""
    case = lead(world)
    url = reverse("cases:act_form", args=[case.pk, "open"])
    head = client_for("head")
    assert url in head.get(reverse("cases:detail", args=[case.pk])).content.decode()
    fields = head.get(url, headers={"HX-Request": "true"})
    assert fields.status_code == 200 and 'name="open-officers"' in fields.content.decode()
    assert "<html" not in fields.content.decode() and "<button" in fields.content.decode()
    assert client_for("officer").get(url).status_code == 404  # only the head opens a case
    # opened from a page read before the case moved on (or the roles changed): said in place, no button
    gone = client_for("officer").get(url, headers={"HX-Request": "true"})
    assert gone.status_code == 200 and "现在不能办理" in gone.content.decode()
    assert "<button" not in gone.content.decode()
    assert "HX-Request" in fields["Vary"]
    # not in this state
    assert head.get(reverse("cases:act_form", args=[case.pk, "decide"])).status_code == 404
    assert head.get(reverse("cases:act_form", args=[case.pk, "no_such_act"])).status_code == 404


def test_an_act_opened_after_the_session_ended_sends_the_whole_page_to_the_login(world, client):
    """HTMX fetch without a session: not the login form inside the act's panel, but the login page, back to
    the case page afterwards."""
    case = lead(world)
    response = client.get(reverse("cases:act_form", args=[case.pk, "discovery"]),
                          headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/cases/{case.pk}/"})
    assert response["HX-Redirect"] == f"{reverse('core:login')}?next=%2Fcases%2F{case.pk}%2F"
    # without HTMX as before
    assert client.get(reverse("cases:act_form", args=[case.pk, "discovery"])).status_code == 302


def test_open_through_the_page(world, client_for):
    case = lead(world)
    client = client_for("head")
    resp = client.post(reverse("cases:act", args=[case.pk, "open"]),
                       {"open-officers": [world.officers["officer"].pk, world.officers["officer2"].pk], "open-limitation_override": ""})
    assert resp.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.OPENED


def test_refusal_shown_on_page_and_nothing_changes(world, client_for):
    case = lead(world)
    resp = client_for("head").post(reverse("cases:act", args=[case.pk, "open"]), {"open-officers": [world.officers["officer"].pk]}, follow=True)
    assert "第四十二条" in resp.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.LEAD


def test_simplified_form_refuses_over_limit_with_reason(world, client_for):
    party = person(world)
    resp = client_for("officer").post(reverse("cases:simplified_new"), {
        "party_identifier": party.id_number, "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "G207", "facts": "未携带从业资格证", "penalty_kind": "fine", "amount": "500", "legal_basis": PENALTY, "violated_provision": VIOLATED,
        "officers": [world.officers["officer"].pk, world.officers["officer2"].pk]})
    assert resp.status_code == 200 and "第五十一条" in resp.content.decode()
    assert not Case.objects.exists()


def test_api_lead_idempotent_and_actions(world, api_for):
    api = api_for("officer")
    party = person(world)
    body = {"source": "inspection", "party_id": party.pk, "occurred_at": (timezone.now() - timedelta(days=1)).isoformat(),
            "place": "G207", "facts": "超限运输", "origin_type": "overload.record", "origin_id": "99",
            "officer_ids": [world.officers["officer"].pk, world.officers["officer2"].pk]}
    first = api.post("/api/v1/cases/leads", json.dumps(body), content_type="application/json")
    assert first.status_code == 201
    again = api.post("/api/v1/cases/leads", json.dumps(body), content_type="application/json")
    assert again.json()["id"] == first.json()["id"]
    case_id = first.json()["id"]
    refused = api.post(f"/api/v1/cases/{case_id}/open", "{}", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    opened_ = api_for("head").post(f"/api/v1/cases/{case_id}/open", "{}", content_type="application/json")
    assert opened_.status_code == 200 and opened_.json()["status"] == "opened"
    detail = api.get(f"/api/v1/cases/{case_id}").json()
    assert "report" in detail["next_actions"] and detail["clocks"][0]["key"] == "decision"
    wrong = api.post(f"/api/v1/cases/{case_id}/decide", json.dumps({"penalty_kind": "fine", "amount": "100", "legal_basis": "x", "reasoning": "y"}),
                     content_type="application/json")
    assert wrong.status_code in (403, 409)


def test_api_decide_refused_while_window_open(world, api_for):
    case = notified(world)
    resp = api_for("head").post(f"/api/v1/cases/{case.pk}/decide", json.dumps({"penalty_kind": "fine", "amount": "2000", "legal_basis": "x", "reasoning": "y"}),
                                content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "defence_window_open"


def test_api_list_keyset(world, api_for):
    for _ in range(3):
        lead(world)
    api = api_for("officer")
    page = api.get("/api/v1/cases/?limit=2").json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = api.get(f"/api/v1/cases/?limit=2&after={page['next_cursor']}").json()
    assert len(rest["items"]) == 1


def test_api_simplified(world, api_for):
    party = person(world)
    resp = api_for("officer").post("/api/v1/cases/simplified", json.dumps({
        "party_id": party.pk, "officer_ids": [world.officers["officer"].pk, world.officers["officer2"].pk],
        "occurred_at": timezone.now().isoformat(), "place": "G207", "facts": "驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测",
        "penalty_kind": "fine", "amount": "100", "legal_basis": PENALTY, "violated_provision": VIOLATED}), content_type="application/json")
    assert resp.status_code == 201 and Decimal(str(resp.json()["fine_amount"])) == Decimal("100")
    # the API answers the decision's one number: the same the case, its payment notice and its paper carry
    case = Case.objects.get(pk=resp.json()["id"])
    assert resp.json()["decision_number"] == case.decision_number and "简罚〔" in case.decision_number
    assert case.payment_notice.decision_number == case.decision_number


def test_api_simplified_outside_catalogue_without_violated_provision_refused(world, api_for):
    """Regression (issue 14): a decision citing only the penalty article as the violated one."""
    party = person(world)
    resp = api_for("officer").post("/api/v1/cases/simplified", json.dumps({
        "party_id": party.pk, "officer_ids": [world.officers["officer"].pk, world.officers["officer2"].pk],
        "occurred_at": timezone.now().isoformat(), "place": "G207", "facts": "x", "penalty_kind": "fine", "amount": "100",
        "legal_basis": PENALTY}), content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "provision_missing"
    assert not Case.objects.exists()


def test_at_risk_page(world, client_for):
    opened(world)
    assert client_for("head").get(reverse("cases:at_risk")).status_code == 200


def test_dashboard_cards_for_head_and_reviewer(world, client_for):
    lead(world)
    page = client_for("head").get("/").content.decode()
    assert "案件期限预警" in page and "待审批立案" in page


def test_evidence_register_page(world, client_for):
    case = opened(world)
    resp = client_for("officer").get(reverse("cases:evidence_register", args=[case.pk]))
    assert resp.status_code == 200 and "证据登记保存清单" in resp.content.decode()
