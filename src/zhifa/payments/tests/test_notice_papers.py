"""The papers of a fine are issued after the commit (``transaction.on_commit``): the decision, the delivery receipt
and the payment notice with its code and QR. Regression (issue 19 item 7): the payment tests never ran those
callbacks, so they could not see a notice carrying another case's decision number (two numbering authorities).
Here the callbacks run, for two cases in a row, and each paper is read as its reader reads it."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from zhifa.cases.models import Case
from zhifa.documents.composer import document_text
from zhifa.documents.models import Document
from zhifa.payments.services import simulated_payment

from .factories import delivered_notice

pytestmark = pytest.mark.django_db


def _papers(case) -> dict[str, Document]:
    ct = ContentType.objects.get_for_model(Case)
    return {d.kind: d for d in Document.objects.filter(subject_type=ct, subject_id=str(case.pk))}


def test_each_notice_and_its_papers_carry_their_own_cases_decision_number(named_world, settings, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    settings.EVIDENCE_ROOT = str(tmp_path)
    notices = []
    for amount in (Decimal("2000"), Decimal("1500")):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notices.append(delivered_notice(named_world, amount=amount))
        assert callbacks  # the papers were queued after the commit, and have now been issued
    for notice in notices:
        case = Case.objects.get(pk=notice.case_id)
        papers = _papers(case)
        assert case.decision_number and notice.decision_number == case.decision_number
        assert papers["penalty_decision"].number == case.decision_number
        paper = papers["payment_notice"]
        assert paper.context["decision_number"] == case.decision_number and paper.context["payment_code"] == notice.code
        text = document_text(paper)
        assert case.decision_number in text and notice.code in text and case.party.name in text
    assert notices[0].decision_number != notices[1].decision_number


def test_payment_after_the_papers_moves_the_case_to_executed(named_world, settings, tmp_path,
                                                            django_capture_on_commit_callbacks):
    """The paid notice tells the case (cases.execution.on_fine_paid, registered with payments): with the commit's
    callbacks run, as in production."""
    settings.EVIDENCE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        notice = delivered_notice(named_world)
    with django_capture_on_commit_callbacks(execute=True):
        assert simulated_payment(notice=notice)["status"] == "paid"
    assert Case.objects.get(pk=notice.case_id).status == "executed"
