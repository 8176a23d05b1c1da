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
    early = _apply(pub, date(2026, 3, 19))
    assert early.regime.code == "ndrc2023" and early.status == RepairApplication.Status.CHECKS_FAILED
    assert [c["code"] for c in early.checks if not c["ok"]] == ["min_period"]
    pub.refresh_from_db()
    assert pub.status == CreditPublication.Status.PUBLISHED
    ok = _apply(pub, date(2026, 3, 20))
    assert ok.regime.code == "ndrc2023" and ok.status == RepairApplication.Status.CHECKED
    services.repair_decide(actor=world.users["head"], application=ok, approve=True, on=date(2026, 3, 25))
    pub.refresh_from_db()
    assert pub.status == CreditPublication.Status.WITHDRAWN and pub.withdrawn_on == date(2026, 3, 25)


def test_order58_2023_special_field_needs_one_year(world, firm):
    pub = _pub(world, firm, date(2025, 6, 1), special=True)
    assert _apply(pub, date(2026, 3, 1)).status == RepairApplication.Status.CHECKS_FAILED


def test_measures_2026_serious_tier_refused_before_one_year_allowed_after(world, firm):
    pub = _pub(world, firm, date(2025, 10, 1), severity="serious")
    # Under the 2023 measures (applied 2026-03-01) three months would have sufficed …
    assert _apply(pub, date(2026, 3, 1)).status == RepairApplication.Status.CHECKED
    RepairApplication.objects.filter(publication=pub).update(status=RepairApplication.Status.REJECTED)
    # … from 2026-04-01 a serious one needs a full year from the decision date.
    refused = _apply(pub, date(2026, 5, 1))
    assert refused.regime.code == "ndrc2026" and refused.status == RepairApplication.Status.CHECKS_FAILED
    allowed = _apply(pub, date(2026, 10, 1))
    assert allowed.status == RepairApplication.Status.CHECKED


def test_measures_2026_general_tier_three_months(world, firm):
    pub = _pub(world, firm, date(2026, 1, 15), severity="general")
    assert _apply(pub, date(2026, 4, 14)).status == RepairApplication.Status.CHECKS_FAILED
    assert _apply(pub, date(2026, 4, 15)).status == RepairApplication.Status.CHECKED


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
