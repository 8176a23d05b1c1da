"""Simplified procedure (Art. 51), statutory clocks on the legal calendar, evidence and transcripts, the daily
overdue job, and concurrent transitions."""

import io
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from zhifa.cases import clocks, selectors, services, tasks
from zhifa.cases.models import Case, ClockFlag, EvidenceItem, Transcript
from zhifa.cases.workflow import TRANSITIONS, Status, next_actions
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.models import Event

from .factories import PENALTY, VIOLATED, company, decided, lead, opened, person

pytestmark = pytest.mark.django_db

OFFICERS = ("officer", "officer2")


def _simplified(world, party, amount, kind="fine"):
    return services.case_simplified(actor=world.users["officer"], organisation=world.brigade_a, party=party,
                                    officers=[world.officers[k] for k in OFFICERS], occurred_at=timezone.now() - timedelta(hours=1),
                                    place="G207国道", facts="驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测", penalty_kind=kind,
                                    amount=amount, legal_basis=PENALTY, violated_provision=VIOLATED)


def test_art51_simplified_citizen_up_to_200_yuan_filed_automatically(world):
    case = _simplified(world, person(world), Decimal("200"))
    assert case.procedure == Case.Procedure.SIMPLIFIED and case.status == Status.EXECUTION
    assert case.delivery_method == Case.DeliveryMethod.ON_SPOT and case.filed_at is not None
    assert Event.objects.filter(action="case.filed", subject_id=str(case.pk)).exists()


def test_art51_simplified_citizen_over_200_refused_with_reason(world):
    n = Case.objects.count(), Event.objects.count()
    with pytest.raises(DomainError) as exc:
        _simplified(world, person(world), Decimal("200.01"))
    assert exc.value.code == "simplified_not_allowed" and "第五十一条" in exc.value.message and "200" in exc.value.message
    assert (Case.objects.count(), Event.objects.count()) == n


def test_art51_simplified_organisation_up_to_3000_and_over_refused(world):
    assert _simplified(world, company(world), Decimal("3000")).status == Status.EXECUTION
    with pytest.raises(DomainError) as exc:
        _simplified(world, company(world), Decimal("3001"))
    assert exc.value.code == "simplified_not_allowed"


def test_art51_simplified_warning_any_party(world):
    case = _simplified(world, company(world), None, kind="warning")
    assert case.status == Status.EXECUTED and case.fine_amount is None


def test_art42_simplified_needs_two_certified_officers(world):
    with pytest.raises(DomainError) as exc:
        services.case_simplified(actor=world.users["officer"], organisation=world.brigade_a, party=person(world),
                                 officers=[world.officers["officer"], world.officers["expired"]], occurred_at=timezone.now(),
                                 place="x", facts="y", penalty_kind="fine", amount=Decimal("50"), legal_basis="z")
    assert exc.value.code == "officer_not_certified"


def test_publication_deadline_of_decision_made_2026_09_30_is_2026_10_15(world):
    assert clocks.publication_deadline(date(2026, 9, 30)).date == date(2026, 10, 15)
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=timezone.get_current_timezone())):
        case = decided(world)
    assert case.decided_on == date(2026, 9, 30)
    shown = {c.key: c for c in clocks.clocks(case)}
    assert shown["publication"].deadline.date == date(2026, 10, 15) and shown["publication"].deadline.confirmed


def test_art60_decision_clock_90_days_extension_and_suspension(world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())):
        case = opened(world)
    assert {c.key: c for c in clocks.clocks(case)}["decision"].deadline.date == date(2026, 6, 1)  # 05-31 is a Sunday
    with time_machine.travel(datetime(2026, 4, 1, 9, 0, tzinfo=timezone.get_current_timezone())):
        services.case_extend(actor=world.users["head"], case=case, days=30, reason="需要鉴定", basis="head")
        services.case_suspend(actor=world.users["officer"], case=case, reason="appraisal", started_on=date(2026, 4, 1))
    # The resume is recorded on its own day (Art. 60: not dated in the future).
    with time_machine.travel(datetime(2026, 4, 11, 9, 0, tzinfo=timezone.get_current_timezone())):
        services.case_resume(actor=world.users["officer"], case=case, ended_on=date(2026, 4, 11))
    # 2026-03-02 + 90 + 30 + 10 suspended days = 2026-07-10 (Friday)
    assert {c.key: c for c in clocks.clocks(case)}["decision"].deadline.date == date(2026, 7, 10)


def test_art61_delivery_and_art67_payment_clocks(world):
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=timezone.get_current_timezone())):
        case = decided(world)
        shown = {c.key: c for c in clocks.clocks(case)}
        assert shown["delivery"].deadline.date == date(2026, 10, 15)
        case = services.case_deliver(actor=world.users["officer"], case=case, method="direct")
    shown = {c.key: c for c in clocks.clocks(case)}
    assert shown["delivery"].done_on == date(2026, 9, 30)
    # 15 days after 2026-09-30 is 2026-10-15 (a working day)
    assert shown["payment"].deadline.date == date(2026, 10, 15)


def test_red_amber_green_and_at_risk_lists(world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())):
        case = opened(world)
    decision = {c.key: c for c in clocks.clocks(case)}["decision"]
    assert decision.state(date(2026, 4, 1)) == "green"
    assert decision.state(date(2026, 5, 30)) == "amber"
    assert decision.state(date(2026, 6, 2)) == "red"
    rows = selectors.at_risk(world.users["officer"], mine=True, today=date(2026, 6, 2))
    assert [r[0].pk for r in rows] == [case.pk] and rows[0][2] == "red"
    assert selectors.at_risk(world.users["head"], today=date(2026, 6, 2))[0][0].pk == case.pk
    assert selectors.at_risk(world.users["officer_b"], today=date(2026, 6, 2)) == []


def test_daily_job_flags_overdue_clock_once(world):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())):
        case = opened(world)
    assert tasks.flag_overdue(today=date(2026, 5, 1)) == 0
    assert tasks.flag_overdue(today=date(2026, 6, 2)) == 1
    assert tasks.flag_overdue(today=date(2026, 6, 3)) == 0
    assert ClockFlag.objects.get(case=case).clock == "decision"
    assert Event.objects.filter(action="case.clock_overdue", subject_id=str(case.pk)).count() == 1


def test_transcripts_structured_with_two_officers(world):
    case = opened(world)
    start = timezone.now() - timedelta(hours=1)
    t = services.transcript_create(actor=world.users["officer"], case=case, kind=Transcript.Kind.INQUIRY, started_at=start,
                                   ended_at=start + timedelta(minutes=30), place="执法大队询问室",
                                   officers=[world.officers["officer"], world.officers["officer2"]], person_name="张某",
                                   content=[{"q": "车辆是否为你所有？", "a": "是。"}, {"q": "是否携带道路运输证？", "a": "忘带了。"}])
    assert t.officers.count() == 2
    with pytest.raises(DomainError) as exc:
        services.transcript_create(actor=world.users["officer"], case=case, kind=Transcript.Kind.SCENE, started_at=start,
                                   ended_at=start, place="现场", officers=[world.officers["officer"]], person_name="张某",
                                   content={"observations": "车辆停放于路边"})
    assert exc.value.code == "too_few_officers"
    with pytest.raises(DomainError):
        services.transcript_create(actor=world.users["officer"], case=case, kind=Transcript.Kind.INQUIRY, started_at=start,
                                   ended_at=start, place="x", officers=[world.officers["officer"], world.officers["officer2"]],
                                   person_name="张某", content=[{"q": "只有问题"}])


def test_evidence_file_sha256_capture_metadata_and_preservation_list(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = opened(world)
    png = b"\x89PNG\r\n\x1a\n" + b"demo-image" * 10
    item = services.evidence_add(actor=world.users["officer"], case=case, kind=EvidenceItem.Kind.PHOTO, title="车辆正面照片",
                                 fileobj=io.BytesIO(png), name="front.png", content_type="image/png",
                                 captured_at=timezone.now(), capture_device="执法记录仪 DSJ-01", capture_place="G207国道")
    import hashlib

    assert item.file.sha256 == hashlib.sha256(png).hexdigest()
    assert item.file.capture_meta["device"] == "执法记录仪 DSJ-01"
    assert Event.objects.filter(action="case.evidence", subject_id=str(case.pk)).exists()
    assert list(case.evidence_items.all()) == [item]
    # 行政处罚法 Art. 56: preservation is no flag on evidence (it needs the head's approval: cases.preservation).
    with pytest.raises(DomainError) as exc:
        services.evidence_add(actor=world.users["officer"], case=case, kind=EvidenceItem.Kind.PHYSICAL, title="货物", preserved=True,
                              preserved_place="执法大队证据室")
    assert exc.value.code == "preservation_needs_approval" and list(case.evidence_items.all()) == [item]


def test_transition_table_every_action_has_sources_and_next_actions_shown():
    assert {t.action for t in next_actions(Status.LEAD)} >= {"open", "decline"}
    assert "decide" not in {t.action for t in next_actions(Status.LEAD)}
    assert all(t.sources for t in TRANSITIONS.values())


def _race(world, case_pk):
    """Two threads (each with its own connection to the file database: WAL, IMMEDIATE transactions and the tests'
    busy timeout, see zhifa.testing) try the same transition at the same moment. Any other error is kept and shown."""
    results, errors = [], []
    barrier = threading.Barrier(2, timeout=60)

    def attempt():
        try:
            case = Case.objects.get(pk=case_pk)
            barrier.wait()
            services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["officer2"]])
            results.append("ok")
        except TransitionNotAllowed:
            results.append("refused")
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below, with its text
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors and not any(t.is_alive() for t in threads), errors
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep migration-shipped catalogue data after the flush
def test_two_concurrent_attempts_at_same_transition_exactly_one_succeeds(world):
    case = lead(world)
    results = _race(world, case.pk)
    assert sorted(results) == ["ok", "refused"]
    assert Case.objects.get(pk=case.pk).status == Status.OPENED
    assert Event.objects.filter(action="case.open", subject_id=str(case.pk)).count() == 1
