"""Credit repair under the two national regimes, chosen by the application date (legal-reference §8):
NDRC Order No. 58 (2023) — minimum publication 3 months (1 year in special fields); 《信用修复管理办法》 from
2026-04-01 — 轻微 ≤ 3 months, 一般 3 months, 严重 1 year, counted from the decision date; repair also needs the
penalty fully performed and a credit commitment."""

from datetime import date

import pytest

from zhifa.core.errors import NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit import selectors, services
from zhifa.credit.models import CreditPublication, RepairApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(world):
    return CompanyFactory(organisation=world.brigade_a)


def _pub(world, firm, decided, severity="general", performed=True, special=False):
    return services.publication_create(actor=world.users["officer"], party=firm.party, decision_number=f"豫R召交罚〔{decided.year}〕{decided.month}号",
                                       decision_date=decided, summary="未按规定进行车辆技术检验", severity=severity, special_field=special,
                                       penalty_performed=performed, performed_on=decided if performed else None)


def _apply(pub, on, commitment=True, actor=None, channel="public"):
    return services.repair_apply(actor=actor, publication=pub, applicant_name="某公司", channel=channel, commitment_signed=commitment,
                                 commitment_text="本单位承诺依法诚信经营", on=on)


def test_regime_chosen_by_date():
    assert selectors.regime_on(date(2026, 3, 31)).code == "ndrc2023"
    assert selectors.regime_on(date(2026, 4, 1)).code == "ndrc2026"


def test_order58_2023_refused_before_three_months_allowed_after(world, firm):
    pub = _pub(world, firm, date(2025, 12, 20))
    # ADR 0004: three months from 2025-12-20 end on 2026-03-20 (民法典 Arts. 201–202); repair from 2026-03-21.
    early = _apply(pub, date(2026, 3, 20))
    assert early.regime.code == "ndrc2023" and early.status == RepairApplication.Status.CHECKS_FAILED
    assert [c["code"] for c in early.checks if not c["ok"]] == ["min_period"]
    pub.refresh_from_db()
    assert pub.status == CreditPublication.Status.PUBLISHED
    ok = _apply(pub, date(2026, 3, 21))
    assert ok.regime.code == "ndrc2023" and ok.status == RepairApplication.Status.CHECKED
    services.repair_decide(actor=world.users["head"], application=ok, approve=True, on=date(2026, 3, 25))
    pub.refresh_from_db()
    assert pub.status == CreditPublication.Status.WITHDRAWN and pub.withdrawn_on == date(2026, 3, 25)


def test_order58_2023_special_field_needs_one_year(world, firm):
    pub = _pub(world, firm, date(2025, 6, 1), special=True)
    assert _apply(pub, date(2026, 3, 1)).status == RepairApplication.Status.CHECKS_FAILED


def test_measures_2026_serious_tier_refused_before_one_year_allowed_after(world, firm):
    pub = _pub(world, firm, date(2026, 4, 10), severity="serious")
    # A serious one decided under the 2026 measures needs a full year: it ends on 2027-04-10, repair from 04-11.
    refused = _apply(pub, date(2027, 4, 10))
    assert refused.regime.code == "ndrc2026" and refused.status == RepairApplication.Status.CHECKS_FAILED
    allowed = _apply(pub, date(2027, 4, 11))
    assert allowed.status == RepairApplication.Status.CHECKED


def test_transitional_decision_before_2026_04_01_keeps_the_shorter_2023_minimum(world, firm):
    # ADR 0006 (立法法 Art. 104): decided 2025-10-01 under the 2023 measures (3 months), applied for after
    # 2026-04-01: the application runs under the 2026 measures, the serious tier's 1 year is not imposed afterwards.
    pub = _pub(world, firm, date(2025, 10, 1), severity="serious")
    app = _apply(pub, date(2026, 5, 1))
    assert app.regime.code == "ndrc2026" and app.status == RepairApplication.Status.CHECKED
    detail = next(c["detail"] for c in app.checks if c["code"] == "min_period")
    assert "3个月" in detail and "更有利" in detail
    # The other side: a decision made on 2026-04-01 gets no such benefit.
    later = _pub(world, firm, date(2026, 4, 1), severity="serious")
    assert _apply(later, date(2026, 10, 1)).status == RepairApplication.Status.CHECKS_FAILED


def test_transitional_new_minimum_applies_when_shorter(world, firm):
    # A minor (轻微) decision of 2026-02-01: the 2026 measures have no minimum, shorter than 2023's 3 months.
    pub = _pub(world, firm, date(2026, 2, 1), severity="minor")
    assert _apply(pub, date(2026, 4, 2)).status == RepairApplication.Status.CHECKED


def test_measures_2026_general_tier_three_months(world, firm):
    pub = _pub(world, firm, date(2026, 1, 15), severity="general")
    assert _apply(pub, date(2026, 4, 15)).status == RepairApplication.Status.CHECKS_FAILED  # the anniversary (ADR 0004)
    assert _apply(pub, date(2026, 4, 16)).status == RepairApplication.Status.CHECKED


def test_measures_2026_minor_tier_no_minimum(world, firm):
    pub = _pub(world, firm, date(2026, 5, 10), severity="minor")
    assert _apply(pub, date(2026, 5, 11)).status == RepairApplication.Status.CHECKED


def test_repair_needs_performance_and_commitment(world, firm):
    pub = _pub(world, firm, date(2025, 1, 1), performed=False)
    app = _apply(pub, date(2026, 6, 1), commitment=False)
    assert app.status == RepairApplication.Status.CHECKS_FAILED
    assert {c["code"] for c in app.checks if not c["ok"]} == {"performed", "commitment"}
    services.publication_mark_performed(actor=world.users["officer"], publication=pub, performed_on=date(2026, 6, 2))
    assert _apply(pub, date(2026, 6, 3), actor=world.users["officer"], channel="officer").status == RepairApplication.Status.CHECKED


def test_only_checked_application_can_be_approved(world, firm):
    pub = _pub(world, firm, date(2026, 1, 15))
    refused = _apply(pub, date(2026, 2, 1))
    before = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        services.repair_decide(actor=world.users["head"], application=refused, approve=True)
    assert Event.objects.count() == before
    pub.refresh_from_db()
    assert pub.status == CreditPublication.Status.PUBLISHED


def test_officer_cannot_approve(world, firm):
    pub = _pub(world, firm, date(2025, 1, 15))
    app = _apply(pub, date(2026, 6, 1))
    with pytest.raises(NotPermitted):
        services.repair_decide(actor=world.users["officer"], application=app, approve=True)
