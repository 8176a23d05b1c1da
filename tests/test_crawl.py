"""A crawl as every role over every page the navigation and the pages link to (issue 18): every link a page offers
answers 200, and no page shows English words, Python values, raw dicts, ISO times or developer notes."""

import io

import pytest
from django.test import Client, TestCase

from zhifa.cases import services as case_services
from zhifa.cases.models import Case, EvidenceItem
from zhifa.cases.tests.factories import decided, lead, opened
from zhifa.cases.tests.test_evidence_files import jpeg_bytes
from zhifa.crawl import crawl, english_words, text_problems
from zhifa.testing import build_world, name_people, shared_data

ROLES = ["officer", "reviewer", "head", "supervisor", "admin", "officer_b"]


@pytest.fixture(scope="module")
def world_with_cases(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and its cases, built once for the six roles' crawls (a crawl only reads: GET requests; each test is
    a savepoint in the transaction of ``shared_data``)."""
    with shared_data(django_db_blocker, tmp_path_factory.mktemp("crawl")):
        world = build_world()
        name_people(world)  # the shared fixture names people by their role key ("officer")
        with TestCase.captureOnCommitCallbacks(execute=True):
            case = opened(world)
            case_services.evidence_add(actor=world.users["officer"], case=case, kind=EvidenceItem.Kind.PHOTO, title="现场照片",
                                       fileobj=io.BytesIO(jpeg_bytes()), name="scene.jpg", content_type="image/jpeg")
            done = decided(world)
            case_services.case_deliver(actor=world.users["officer"], case=done, method=Case.DeliveryMethod.DIRECT)
            lead(world)
        yield world


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_offered_link_answers_and_reads_in_chinese(world_with_cases, role):
    client = Client()
    client.force_login(world_with_cases.users[role])
    report = crawl(client, limit=250, per_pattern=2)
    assert report.pages > 20
    problems = sorted({f"{f.problem} @ {f.url} {f.detail}".strip() for f in report.findings})
    assert problems == [], "\n".join(problems[:60])


def test_the_detector_sees_what_a_reader_should_not():
    assert english_words("状态 open 已立案") == ["open"]
    assert english_words("豫R·A1234 NZ-DSJ-03 scene.jpg SHA-256 a3f9 PDF 导出 XLSX MatePad") == []
    assert text_problems("{'status': 'open'}") and text_problems("时间 2026-11-11T15:04:37") and text_problems("依据 [unconfirmed]")
    assert text_problems("是否 True") and not text_problems("已立案 2026-11-11 15:04")
