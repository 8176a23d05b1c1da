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


# --- the sweep of papers not made, and 重新生成 ---------------------------------------------------------------------

def test_retry_sweep_makes_lost_pending_and_failed_papers_once_they_are_old_enough(world, settings, tmp_path, monkeypatch,
                                                                                    django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    settings.EVIDENCE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=False):
        lost = opened(world)  # the task of its 立案登记表 was lost
        failing = opened(world)
    lost_row = CaseDocument.objects.get(case=lost, kind="register")
    failed_row = CaseDocument.objects.get(case=failing, kind="register")
    from zhifa.documents import services as doc_services

    real_issue = doc_services.document_issue
    monkeypatch.setattr(doc_services, "document_issue", lambda **kw: (_ for _ in ()).throw(RuntimeError("font cache")))
    assert tasks.issue_document(failed_row.pk) == "failed"
    failed_row.refresh_from_db()
    assert (failed_row.state, failed_row.attempts) == (CaseDocument.State.FAILED, 1)
    monkeypatch.setattr(doc_services, "document_issue", real_issue)  # the fault is gone
    # Too recent: nothing is tried again yet (a pending paper may simply be waiting for its task).
    assert tasks.retry_documents() == {}
    later = timezone.now() + timedelta(minutes=11)
    assert tasks.retry_documents(now=later) == {"ready": 2}
    for row in (lost_row, failed_row):
        row.refresh_from_db()
        assert row.state == CaseDocument.State.READY and row.document_id and row.error == ""
    assert Document.objects.filter(kind="register").count() == 2
    # Nothing left: the command says so.
    from io import StringIO

    out = StringIO()
    call_command("documents", "retry", "--minutes", "0", stdout=out)
    assert "没有需要重新生成的文书" in out.getvalue()


def test_retry_gives_up_after_the_attempts_and_the_command_reports(world, settings, tmp_path, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    from zhifa.documents import services as doc_services

    settings.EVIDENCE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=False):
        case = opened(world)
    row = CaseDocument.objects.get(case=case, kind="register")
    monkeypatch.setattr(doc_services, "document_issue", lambda **kw: (_ for _ in ()).throw(RuntimeError("broken")))
    out = StringIO()
    call_command("documents", "retry", "--minutes", "0", "--max-attempts", "2", stdout=out)
    assert "仍未能生成 1 份" in out.getvalue()
    call_command("documents", "retry", "--minutes", "0", "--max-attempts", "2", stdout=StringIO())
    row.refresh_from_db()
    assert (row.state, row.attempts) == (CaseDocument.State.FAILED, 2)
    out = StringIO()
    call_command("documents", "retry", "--minutes", "0", "--max-attempts", "2", stdout=out)
    assert "没有需要重新生成的文书" in out.getvalue()  # tried twice: left to the officer's button
    from django.conf import settings as conf

    assert conf.CELERY_BEAT_SCHEDULE["cases-retry-documents"]["task"] == "cases.retry_documents"


def test_officer_sees_a_failed_paper_and_makes_it_again(world, settings, tmp_path, monkeypatch, client_for,
                                                        django_capture_on_commit_callbacks):
    from zhifa.core.models import Event
    from zhifa.documents import services as doc_services

    settings.EVIDENCE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=False):
        case = opened(world)
    row = CaseDocument.objects.get(case=case, kind="register")
    real_issue = doc_services.document_issue
    monkeypatch.setattr(doc_services, "document_issue", lambda **kw: (_ for _ in ()).throw(RuntimeError("broken")))
    tasks.issue_document(row.pk)
    monkeypatch.setattr(doc_services, "document_issue", real_issue)
    retry_url = reverse("cases:document_retry", args=[case.pk, row.pk])
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "未能生成：生成文书时出错" in page and "重新生成</button>" in page and retry_url in page
    assert "重新生成</button>" not in client_for("supervisor").get(reverse("cases:detail", args=[case.pk])).content.decode()
    # Another county's officer cannot, and nothing changes.
    events = Event.objects.count()
    assert client_for("officer_b").post(retry_url).status_code == 404
    row.refresh_from_db()
    assert row.state == CaseDocument.State.FAILED and Event.objects.count() == events
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("officer").post(retry_url)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == CaseDocument.State.READY and row.document_id and row.attempts == 2
    event = Event.objects.get(action="case.document_retry")
    assert "重新生成《" in event.summary and event.subject_id == str(case.pk)
    # Asked again once made: refused, nothing recorded.
    client_for("officer").post(retry_url)
    assert Event.objects.filter(action="case.document_retry").count() == 1


# --- who called for the paper and its transcript: foreign keys ------------------------------------------------------

def test_requester_and_transcript_of_a_paper_are_foreign_keys_kept_by_the_database(world, django_capture_on_commit_callbacks):
    """Regression: ``requested_by_id`` and ``transcript_id`` were plain integers, so a paper could name a user or a
    transcript that did not exist (the retry then made it as nobody's, silently). They are foreign keys: a user who
    called for a paper cannot be deleted while it is kept, and a paper names only a user that exists."""
    from django.db import IntegrityError, connection, transaction
    from django.db.models import PROTECT, RESTRICT

    with django_capture_on_commit_callbacks(execute=False):
        case = opened(world)
    row = CaseDocument.objects.get(case=case, kind="register")
    assert row.requested_by == world.users["head"] and row.transcript is None
    # the person and the transcript cannot be deleted from under a kept paper (the whole case can: RESTRICT)
    assert CaseDocument._meta.get_field("requested_by").remote_field.on_delete is PROTECT
    assert CaseDocument._meta.get_field("transcript").remote_field.on_delete is RESTRICT
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseDocument.objects.filter(pk=row.pk).update(requested_by_id=987654321)
        connection.check_constraints(table_names=[CaseDocument._meta.db_table])


def test_migration_reports_and_clears_ids_that_name_nothing(world, capsys, django_capture_on_commit_callbacks):
    """The data migration to the foreign keys (cases 0016): an id kept before that names no user or no transcript is
    reported (案件文书#…记录的…ID … 不存在) and cleared; ids that exist are kept."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    with django_capture_on_commit_callbacks(execute=False):
        case, other = opened(world), opened(world)
    lost = CaseDocument.objects.get(case=case, kind="register")
    kept = CaseDocument.objects.get(case=other, kind="register")
    # the state before the migration (the constraints are checked at the commit, which a test never reaches)
    CaseDocument.objects.filter(pk=lost.pk).update(requested_by_id=987654321, transcript_id=987654322)
    import_module("zhifa.cases.migrations.0016_case_document_keys_checked").clear_dangling(apps, connection.schema_editor())
    err = capsys.readouterr().err
    assert f"案件文书#{lost.pk}" in err and "制作人（用户）ID 987654321 不存在，已清空" in err and "笔录ID 987654322 不存在" in err
    assert f"案件文书#{kept.pk}" not in err
    lost.refresh_from_db()
    kept.refresh_from_db()
    assert (lost.requested_by_id, lost.transcript_id) == (None, None)
    assert kept.requested_by_id == world.users["head"].pk
