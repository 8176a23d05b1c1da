"""Papers are made off the request (issue 18 item 6): the act writes a pending row, the paper is numbered, rendered
and stored by a task after the commit, and the case page polls the 文书 block until it is ready."""

import pytest
from django.urls import reverse

from zhifa.cases import tasks
from zhifa.cases.models import CaseDocument
from zhifa.cases.tests.factories import opened
from zhifa.documents import queue
from zhifa.documents.models import Document


@pytest.mark.django_db(transaction=True)
def test_register_form_is_made_on_the_background_thread_after_the_commit(world, settings, tmp_path, client_for):
    settings.EVIDENCE_ROOT = str(tmp_path)
    settings.DOCUMENTS_RENDER_BACKGROUND = True  # the embedded default (eager Celery, no broker)
    case = opened(world)  # 立案: calls for the 立案登记表
    row = CaseDocument.objects.get(case=case, kind="register")
    assert row.state in (CaseDocument.State.PENDING, CaseDocument.State.READY)
    queue.wait_idle()
    row.refresh_from_db()
    assert row.state == CaseDocument.State.READY and row.document_id
    doc = Document.objects.get(pk=row.document_id)
    assert doc.pdf.size > 0 and doc.pages >= 1
    body = client_for("officer").get(reverse("cases:documents", args=[case.pk])).content.decode()
    assert "hx-trigger" not in body and reverse("documents:pdf", args=[doc.pk]) in body


def test_pending_paper_is_polled_and_a_task_delivered_twice_issues_once(world, settings, tmp_path, client_for,
                                                                         django_capture_on_commit_callbacks):
    settings.EVIDENCE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = opened(world)
    row = CaseDocument.objects.get(case=case, kind="register")
    assert row.state == CaseDocument.State.PENDING and callbacks  # queued for after the commit, not made yet
    client = client_for("officer")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "正在生成 PDF" in page and f'hx-get="{reverse("cases:documents", args=[case.pk])}"' in page
    assert tasks.issue_document(row.pk) == "ready"
    assert tasks.issue_document(row.pk) == "done"  # redelivered: nothing issued twice
    assert Document.objects.filter(kind="register").count() == 1
    fragment = client.get(reverse("cases:documents", args=[case.pk])).content.decode()
    assert "正在生成" not in fragment and "hx-trigger" not in fragment
    # another county's officer may not read the block
    assert client_for("officer_b").get(reverse("cases:documents", args=[case.pk])).status_code == 404


def test_a_paper_the_data_do_not_allow_is_marked_failed_with_the_reason(world, settings, tmp_path, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from zhifa.core.errors import DomainError

    settings.EVIDENCE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=False):
        case = opened(world)
    row = CaseDocument.objects.get(case=case, kind="register")

    def refuse(**kw):
        raise DomainError("document_incomplete", "立案登记表缺少必填内容：案由")

    monkeypatch.setattr("zhifa.documents.services.document_issue", refuse)
    assert tasks.issue_document(row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == CaseDocument.State.FAILED and "案由" in row.error and row.document_id is None
