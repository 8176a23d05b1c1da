"""The supervision message carries the case's decision documents as PDFs (base64 with their SHA-256),
read from the document store at delivery; it waits for a decision paper still being made, without counting
a try."""

import base64
import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases import services as case_services
from zhifa.cases import tasks
from zhifa.cases.models import Case, CaseDocument
from zhifa.cases.tests.factories import decided
from zhifa.documents.models import Document
from zhifa.integrations import outbox
from zhifa.integrations.models import Message
from zhifa.payments.models import PaymentNotice
from zhifa.payments.services import simulated_payment

M = Message.Status


@pytest.fixture
def world(named_world):
    return named_world  # papers refuse the shared world's English names


@pytest.mark.django_db
def test_decision_pdf_attached_once_it_is_made(world, simulator, settings, tmp_path,
                                               django_capture_on_commit_callbacks):
    settings.EVIDENCE_ROOT = str(tmp_path)
    settings.INTEGRATION_DOCUMENT_WAIT = 600
    with django_capture_on_commit_callbacks(execute=False):
        case = decided(world)
    row = CaseDocument.objects.get(case=case, kind="penalty_decision")
    assert row.state == CaseDocument.State.PENDING
    outbox.drain_all(target="supervision")
    m = Message.objects.get(target="supervision")
    # the paper is not made yet: held back, no try counted, nothing at the receiver
    assert m.status == M.PENDING and m.attempts == 0 and not m.attempt_set.exists()
    assert "文书生成" in m.last_error
    assert not simulator.accepted("supervision")

    assert tasks.issue_document(row.pk) == "ready"
    with time_machine.travel(timezone.now() + timedelta(seconds=20), tick=True):
        outbox.drain_all(target="supervision")
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and m.attempts == 1
    got = simulator.accepted("supervision")
    assert len(got) == 1
    body = got[0]["payload"]
    doc = Document.objects.get(pk=CaseDocument.objects.get(pk=row.pk).document_id)
    [att] = body["attachments"]
    data = base64.b64decode(att["data"])
    assert att["kind"] == "penalty_decision" and att["number"] == case.decision_number
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == att["sha256"] == doc.pdf.sha256
    assert att["size"] == len(data) and body["attachments_missing"] == []
    assert "attachments" not in m.payload  # the outbox row keeps the list, not the files


@pytest.mark.django_db
def test_a_paper_not_made_in_time_is_named_and_the_closing_message_carries_the_file(
        world, simulator, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.EVIDENCE_ROOT = str(tmp_path)
    settings.INTEGRATION_DOCUMENT_WAIT = 0  # waited long enough: it goes without the paper, and says which
    with django_capture_on_commit_callbacks(execute=False):
        case = decided(world)
    outbox.drain_all(target="supervision")
    body = simulator.accepted("supervision")[0]["payload"]
    assert body["attachments"] == [] and body["attachments_missing"] == ["penalty_decision"]

    for row in CaseDocument.objects.filter(case=case, state=CaseDocument.State.PENDING):
        tasks.issue_document(row.pk)
    with django_capture_on_commit_callbacks(execute=True):  # papers made at each commit
        case = case_services.case_deliver(actor=world.users["officer"], case=case,
                                          method=Case.DeliveryMethod.DIRECT)
        simulated_payment(notice=PaymentNotice.objects.get(case=case))
        case.refresh_from_db()
        case_services.case_close(actor=world.users["head"], case=case, report="罚款已缴清，建议结案。")
    outbox.drain_all(target="supervision")
    closing = [r for r in simulator.accepted("supervision") if r["kind"] == "case_closed"]
    assert len(closing) == 1
    kinds = [a["kind"] for a in closing[0]["payload"]["attachments"]]
    assert {"register", "penalty_decision", "delivery_receipt"} <= set(kinds)
    # the closing report is made after the closing commit, the message went first (no wait here): it is named
    assert closing[0]["payload"]["attachments_missing"] == ["closing_report"]
    assert all(base64.b64decode(a["data"]).startswith(b"%PDF") for a in closing[0]["payload"]["attachments"])


@pytest.mark.django_db
def test_the_body_built_at_delivery_is_passed_along_not_stored_on_the_message(
        world, simulator, settings, tmp_path, django_capture_on_commit_callbacks):
    """Regression (review of the integrations, item 5): the body an adapter builds at delivery (the PDFs
    attached) was put on the model instance as an ad-hoc ``outgoing_body`` attribute and read back through
    ``__dict__``. It is an explicit mapping passed to the post now: the message is left as loaded, and the
    attachments still go."""
    settings.EVIDENCE_ROOT = str(tmp_path)
    settings.INTEGRATION_DOCUMENT_WAIT = 600
    with django_capture_on_commit_callbacks(execute=False):
        case = decided(world)
    assert tasks.issue_document(CaseDocument.objects.get(case=case, kind="penalty_decision").pk) == "ready"
    m = Message.objects.get(target="supervision")
    assert outbox.deliver_one(m) == M.ACKNOWLEDGED
    assert "outgoing_body" not in vars(m)
    [att] = simulator.accepted("supervision")[0]["payload"]["attachments"]
    assert att["kind"] == "penalty_decision" and att["number"] == case.decision_number
    assert "attachments" not in Message.objects.get(pk=m.pk).payload
